import type { Writable } from 'node:stream';

/**
 * Writes to a stream the way a producer of unbounded output must: when write() says the buffer is full,
 * wait for 'drain' before the next chunk, so memory stays flat however many rows flow through. A stream
 * that fails or closes (`exo run … | head`) rejects the pending and every later write.
 */
export class StreamWriter {
  readonly #out: Writable;
  #failure: Error | undefined;
  readonly #onError = (error: Error) => {
    this.#failure ??= error;
  };

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', this.#onError);
  }

  async write(chunk: string): Promise<void> {
    this.#check();
    if (this.#out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const settle = () => {
        this.#out.off('drain', settle);
        this.#out.off('error', settle);
        this.#out.off('close', settle);
        try {
          this.#check();
          resolve();
        } catch (error) {
          reject(error);
        }
      };
      this.#out.on('drain', settle);
      this.#out.on('error', settle);
      this.#out.on('close', settle);
    });
  }

  /** Stops listening; the stream itself is left open (it is usually stdout). */
  release(): void {
    this.#out.off('error', this.#onError);
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
    if (this.#out.destroyed || this.#out.writableEnded) {
      this.#failure = Object.assign(new Error('The output stream was closed.'), {
        code: 'ERR_STREAM_DESTROYED',
      });
      throw this.#failure;
    }
  }
}
