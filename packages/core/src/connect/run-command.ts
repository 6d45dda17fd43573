import type { ParameterValue } from '../bridge/encode-request.js';
import type { ErrorFrame, Frame } from '../bridge/frames.js';
import type { BridgeRequestOptions } from '../bridge/pwsh-bridge.js';
import { type ClassifyContext, classifyErrorFrame } from '../errors/classify-error.js';
import { ExoError } from '../errors/exo-error.js';
import type { ConnectionEvent } from './events.js';
import type { HostPort, RequestEnd } from './host-port.js';

export interface RunOptions extends BridgeRequestOptions {
  emit?: (event: ConnectionEvent) => void;
  classify?: ClassifyContext;
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

/**
 * The one frame loop: yields a request's output objects as they arrive, in batches (one object from the
 * pwsh host's frames, a whole page from the rest transport's: an object is not handed through every layer
 * on its own), turns warnings, information and progress into events, and collects error records into
 * `errors`. Returns the request's end.
 */
export async function* readFrames(
  frames: AsyncGenerator<Frame, RequestEnd, undefined>,
  errors: ErrorFrame[],
  emit?: (event: ConnectionEvent) => void,
): AsyncGenerator<readonly unknown[], RequestEnd, undefined> {
  let step = await frames.next();
  while (!step.done) {
    const frame = step.value;
    if (frame.t === 'o') yield [frame.v];
    else if (frame.t === 'os') {
      if (frame.v.length) yield frame.v;
    } else if (frame.t === 'e') errors.push(frame);
    else emitFrame(frame, emit);
    step = await frames.next();
  }
  return step.value;
}

/** The error a finished request ends with, if any: stopped, else its first terminating error record. */
export function requestError(
  end: RequestEnd,
  errors: ErrorFrame[],
  what: string,
  signal: AbortSignal | undefined,
  classify?: ClassifyContext,
): ExoError | undefined {
  if (end.stopped) return stoppedError(signal, what);
  const first = errors.find((e) => e.terminating) ?? errors[0];
  if (!first) return undefined;
  const error = classifyErrorFrame(first, classify);
  if (errors.length === 1) return error;
  return new ExoError(error.code, error.message, {
    remediation: error.remediation,
    details: { ...error.details, errorCount: errors.length },
  });
}

/** Runs one command in the host and returns its output objects; any error record fails it. */
export async function runCommand(
  host: HostPort,
  command: string,
  parameters: Record<string, ParameterValue>,
  options: RunOptions = {},
): Promise<unknown[]> {
  const objects: unknown[] = [];
  const errors: ErrorFrame[] = [];
  const frames = readFrames(host.request(command, parameters, options), errors, options.emit);
  let step = await frames.next();
  while (!step.done) {
    for (const object of step.value) objects.push(object);
    step = await frames.next();
  }
  const error = requestError(step.value, errors, command, options.signal, options.classify);
  if (error) throw error;
  return objects;
}
