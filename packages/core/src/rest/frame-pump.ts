import type { Frame } from '../bridge/frames.js';

/**
 * Runs `work` and yields the frames it pushes while it runs (a device code's sign-in text, progress), then
 * returns its result or throws its error. Frames pushed after the last one was read are still yielded.
 */
export async function* pumpFrames<T>(
  work: (push: (frame: Frame) => void) => Promise<T>,
): AsyncGenerator<Frame, T, undefined> {
  const queue: Frame[] = [];
  let wake: (() => void) | undefined;
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  const push = (frame: Frame) => {
    queue.push(frame);
    wake?.();
  };
  work(push).then(
    (value) => {
      outcome = { ok: true, value };
      wake?.();
    },
    (error: unknown) => {
      outcome = { ok: false, error };
      wake?.();
    },
  );
  while (true) {
    while (queue.length) yield queue.shift()!;
    if (outcome) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
