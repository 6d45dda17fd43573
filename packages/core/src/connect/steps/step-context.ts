import type { PwshInfo } from '../../pwsh/locate-pwsh.js';
import type { ConnectionEvent } from '../events.js';
import type { Transport, TransportFactory } from '../host-port.js';
import type { Credential, CredentialProvider } from '../options.js';
import type { ConnectionStrategy, PlanContext } from '../strategies/index.js';

/** What every step may read: the connection's settings, the transport it holds, and where events go. */
export interface StepContext {
  plan: PlanContext;
  strategy: ConnectionStrategy;
  credentialSource?: Credential | CredentialProvider;
  executionPolicy: 'bypass' | 'remoteSigned';
  pwsh?: PwshInfo;
  transports: TransportFactory;
  transport?: Transport;
  /** Whether a remote session may be open (the disconnect step removes it only then). */
  holdsSession: boolean;
  /** Stops the caller's running commands. */
  stopCommands: () => void;
  emit: (event: ConnectionEvent) => void;
  signal: AbortSignal;
}

/** What a step hands back to the interpreter, which keeps it and reports the step's end. */
export interface StepResult {
  transport?: Transport;
  credential?: Credential;
  /** The execution policy found: "not applicable" off Windows. */
  policy?: string;
  /** The session's command surface, from the import step. */
  commands?: string[];
  /** Shown with the step's end (the user signed in as, the policy in force); never a secret. */
  detail?: string;
  /** Set when the step had nothing to do on this platform: why. */
  notApplicable?: string;
}

export type StepRunner = (ctx: StepContext) => Promise<StepResult>;

/** The transport a step needs; the machine runs no step that needs one before the policy step started it. */
export function transportOf(ctx: StepContext): Transport {
  if (!ctx.transport) throw new Error('exo-connect: a step ran before the host was started');
  return ctx.transport;
}
