export interface WaitForOptions {
  /** Gives up after this long. Default 60 s: a backstop for a hang, not a bound on how fast the machine is. */
  timeoutMs?: number;
  /** How often to look. Default 100 ms. */
  intervalMs?: number;
}

/**
 * Polls `condition` until it holds or `timeoutMs` passes, and returns its last answer, so a test asserts on it
 * (`expect(await waitFor(…)).toBe(true)`). Tests wait on what they need, never for a fixed time.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 100 }: WaitForOptions = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  // One last look, so a condition that came true during the final interval still counts.
  return condition();
}
