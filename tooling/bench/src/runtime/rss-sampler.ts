/** Samples this process's resident set size on an interval and keeps the peak. */
export class RssSampler {
  #timer: NodeJS.Timeout | undefined;
  #peak = 0;
  #count = 0;

  start(intervalMs = 10): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.#peak) this.#peak = rss;
    this.#count++;
  }

  /** Stops sampling; the peak in bytes and how many samples it saw. */
  stop(): { peakBytes: number; samples: number } {
    clearInterval(this.#timer);
    this.sample();
    return { peakBytes: this.#peak, samples: this.#count };
  }
}

/**
 * The process's peak RSS since it started, as the kernel counts it (bytes). A timer cannot sample while
 * the event loop is busy (a JSON.parse of a whole result), the kernel's high-water mark sees everything.
 */
export function kernelPeakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
