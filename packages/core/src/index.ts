export { assertCommandName, type JsonValue, type ParameterValue } from './bridge/encode-request.js';
export type { ErrorFrame, Frame, ProgressFrame } from './bridge/frames.js';
export {
  type BridgeRequestOptions,
  type BridgeStartOptions,
  PwshBridge,
  type SecretValue,
} from './bridge/pwsh-bridge.js';
export { openSideChannel, type SideChannel, type SideChannelAddress } from './bridge/side-channel.js';
export type { CommandSurface, SurfaceOptions } from './connect/command-surface.js';
export { type ConnectDependencies, connect } from './connect/connect.js';
export { type CommandOptions, Connection, describeCredential } from './connect/connection.js';
export {
  type ConnectionPlan,
  type ConnectionPlanInput,
  connectionPlan,
  type PlanStep,
} from './connect/connection-plan.js';
export { connectionStepsScript } from './connect/connection-steps.js';
export type { ConnectionEvent } from './connect/events.js';
export type {
  Clock,
  HostFactory,
  HostPort,
  RequestEnd,
  Transport,
  TransportFactory,
} from './connect/host-port.js';
export { AccountLimiter } from './connect/limiter.js';
export {
  type ConnectOptions,
  type Credential,
  type CredentialProvider,
  DEFAULT_TIMEOUTS,
  type PasswordCredential,
  type Timeouts,
  type TokenCacheStore,
} from './connect/options.js';
export { enforcedPolicy } from './connect/steps/policy-step.js';
export type { PlannedCommand, StepPlan, StrategyName } from './connect/strategies/index.js';
export { type ClassifyContext, classifyErrorFrame, classifyText } from './errors/classify-error.js';
export { ERROR_CODES, type ErrorCode, errorCodes } from './errors/error-codes.js';
export { ExoError, type ExoErrorOptions } from './errors/exo-error.js';
export {
  CONNECT_STEPS,
  type Effect,
  type Event as MachineEvent,
  initialState,
  isReadCommand,
  type State,
  type StateKind,
  type Step,
  transition,
} from './machine/machine.js';
export { type HostFacts, type ProbeHostOptions, probeHost } from './probe/probe-host.js';
export {
  compareVersions,
  type LocatePwshOptions,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
} from './pwsh/locate-pwsh.js';
export type { BatchItem, BatchResult } from './rest/contracts.js';
