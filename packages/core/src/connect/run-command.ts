import type { ParameterValue } from '../bridge/encode-request.js';
import type { ErrorFrame } from '../bridge/frames.js';
import type { BridgeRequestOptions } from '../bridge/pwsh-bridge.js';
import { type ClassifyContext, classifyErrorFrame } from '../errors/classify-error.js';
import { ExoError } from '../errors/exo-error.js';
import type { ConnectionEvent } from './events.js';
import type { HostPort } from './host-port.js';

export interface RunOptions extends BridgeRequestOptions {
  emit?: (event: ConnectionEvent) => void;
  classify?: ClassifyContext;
  /** Error code reported when the signal's reason is a timeout. */
  timeoutMessage?: string;
}

/** Turns one frame into an event for the caller, if it is one; returns true when it was. */
export function emitFrame(frame: { t: string }, emit?: (event: ConnectionEvent) => void): boolean {
  const f = frame as { t: string; m?: string } & Record<string, unknown>;
  if (f.t === 'w') emit?.({ type: 'warning', message: String(f.m) });
  else if (f.t === 'i') emit?.({ type: 'information', message: String(f.m) });
  else if (f.t === 'p')
    emit?.({
      type: 'progress',
      activity: String(f.activity ?? ''),
      status: String(f.status ?? ''),
      percent: Number(f.percent ?? -1),
      completed: Boolean(f.completed),
    });
  else return f.t === 'v' || f.t === 'd';
  return true;
}

export function stoppedError(signal: AbortSignal | undefined, what: string): ExoError {
  const reason = signal?.reason;
  if (ExoError.is(reason)) return reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new ExoError('TIMEOUT', `${what} timed out.`);
  }
  return new ExoError('ABORTED', `${what} was aborted.`);
}

/** Runs a connection step in the host and returns its output objects; any error record fails it. */
export async function runCommand(
  host: HostPort,
  command: string,
  parameters: Record<string, ParameterValue>,
  options: RunOptions = {},
): Promise<unknown[]> {
  const objects: unknown[] = [];
  const errors: ErrorFrame[] = [];
  const requests = host.request(command, parameters, options);
  let step = await requests.next();
  while (!step.done) {
    const frame = step.value;
    if (frame.t === 'o') objects.push(frame.v);
    else if (frame.t === 'e') errors.push(frame);
    else emitFrame(frame, options.emit);
    step = await requests.next();
  }
  if (step.value.stopped) throw stoppedError(options.signal, command);
  const first = errors.find((e) => e.terminating) ?? errors[0];
  if (first) throw classifyErrorFrame(first, options.classify);
  return objects;
}
