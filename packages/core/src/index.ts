export type { ErrorFrame, Frame, ProgressFrame } from './bridge/frames.js';
export {
  type BridgeRequestOptions,
  type BridgeStartOptions,
  PwshBridge,
  type SecretValue,
} from './bridge/pwsh-bridge.js';
export { ERROR_CODES, type ErrorCode, errorCodes } from './errors/error-codes.js';
export { ExoError, type ExoErrorOptions } from './errors/exo-error.js';
export {
  compareVersions,
  type LocatePwshOptions,
  locatePwsh,
  MINIMUM_PWSH_VERSION,
  type PwshInfo,
} from './pwsh/locate-pwsh.js';
export { type PwshHost, startPwsh } from './pwsh/start-pwsh.js';
