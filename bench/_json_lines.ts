/**
 * The stdout of a benchmark server's control channel: one JSON object a line, each read with a
 * deadline, so that a server that hangs fails the bench instead of stalling it.
 *
 * @module
 */

/** Lines of JSON from a child's stdout. */
export class JsonLines {
  #reader: ReadableStreamDefaultReader<string>;
  #pending = "";

  /** @param stream The child's stdout. */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /**
   * The next line, parsed.
   *
   * @param timeoutMs How long to wait for it.
   * @returns The object.
   * @throws {Error} When nothing comes in time, or the child exits.
   */
  async next(timeoutMs: number): Promise<Record<string, number>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const nl = this.#pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        return JSON.parse(line);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const left = deadline - performance.now();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`No answer within ${timeoutMs} ms`)), left);
      });
      try {
        const { value, done } = await Promise.race([this.#reader.read(), timeout]);
        if (done) throw new Error("The benchmark server exited");
        this.#pending += value;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Stops reading. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
