/**
 * One destination's line of waiting messages: the queue appends a message when it falls due,
 * the relay's connections take them from the front one at a time, and the line reads the next
 * few messages from the spool before they are taken, so that a connection never waits for the
 * disk between two messages (the reads of one line would otherwise follow one another).
 *
 * @module
 */

/** Options of {@linkcode DestinationLine}. */
export interface DestinationLineOptions {
  /** Reads a message from the spool. */
  read: (id: string) => Promise<Uint8Array>;
  /** The size of a queued message, or `undefined` once it left the queue (not read then). */
  size: (id: string) => number | undefined;
  /** Messages read before their turn, at most. @default 32 */
  readAhead?: number;
  /** Bytes read before their turn, at most (one message is read ahead whatever its size). @default 1048576 */
  readAheadBytes?: number;
}

/**
 * A destination's waiting messages, in order, each taken once; the next ones are read early.
 *
 * @example Take two messages; the second was read while the first was out
 * ```ts
 * import assert from "node:assert/strict";
 * import { DestinationLine } from "./destination_line.ts";
 *
 * const reads: string[] = [];
 * const line = new DestinationLine("hamburger.edu", {
 *   read: (id) => Promise.resolve(void reads.push(id)).then(() => new TextEncoder().encode(id)),
 *   size: () => 2,
 * });
 * line.push("Q1");
 * line.push("Q2");
 * const first = line.take();
 * assert.equal(first?.id, "Q1");
 * assert.deepEqual(reads, ["Q1", "Q2"], "Q2 is read ahead");
 * assert.equal(new TextDecoder().decode(await line.take()?.message), "Q2");
 * assert.equal(line.take(), undefined);
 * assert.equal(line.waiting, 0);
 * ```
 */
export class DestinationLine {
  /** The destination domain. */
  readonly domain: string;
  /** The delivery that takes from the line now, if one does. */
  run: Promise<void> | undefined;
  #ids: string[] = [];
  #head = 0;
  /** Where reading ahead goes on: the messages before it (from the head) are read or gone. */
  #ahead = 0;
  #reads = new Map<string, { message: Promise<Uint8Array>; size: number }>();
  #readBytes = 0;
  #options: DestinationLineOptions;

  /**
   * Makes an empty line.
   *
   * @param domain The destination domain.
   * @param options How to read a message and learn its size, and how far to read ahead.
   */
  constructor(domain: string, options: DestinationLineOptions) {
    this.domain = domain;
    this.#options = options;
  }

  /** How many messages wait to be taken. */
  get waiting(): number {
    return this.#ids.length - this.#head;
  }

  /** Whether nothing waits and nothing was taken since the last {@linkcode DestinationLine.settle}. */
  get empty(): boolean {
    return this.#ids.length === 0;
  }

  /**
   * Appends a message.
   *
   * @param id The queue identifier.
   */
  push(id: string): void {
    this.#ids.push(id);
    this.#fill();
  }

  /**
   * Takes the next message still queued, and reads ahead the ones after it.
   *
   * @returns Its identifier and its bytes (which reject when the spool cannot read it), or
   * `undefined` when none waits.
   */
  take(): { id: string; message: Promise<Uint8Array> } | undefined {
    while (this.#head < this.#ids.length) {
      const id = this.#ids[this.#head++];
      this.#ahead = Math.max(this.#ahead, this.#head);
      const read = this.#reads.get(id);
      if (read) {
        this.#reads.delete(id);
        this.#readBytes -= read.size;
      }
      if (this.#options.size(id) === undefined) continue;
      this.#fill();
      return { id, message: read?.message ?? this.#options.read(id) };
    }
    return undefined;
  }

  /** Forgets the messages taken (a delivery ended); those not taken wait for the next one. */
  settle(): void {
    this.#ids.splice(0, this.#head);
    this.#ahead -= this.#head;
    this.#head = 0;
  }

  /** Lets go of what was read ahead, once the reads under way have ended (the queue closes). */
  async clear(): Promise<void> {
    const reads = [...this.#reads.values()].map((read) => read.message.catch(() => {}));
    this.#reads.clear();
    this.#readBytes = 0;
    await Promise.all(reads);
  }

  // Reads the messages after the head until the window is full. A read that fails is kept as a
  // rejected promise (handled here, so that it is not reported before its turn) for its taker.
  #fill(): void {
    const depth = this.#options.readAhead ?? 32;
    const budget = this.#options.readAheadBytes ?? 1024 * 1024;
    const end = Math.min(this.#ids.length, this.#head + depth);
    for (; this.#ahead < end; this.#ahead++) {
      const id = this.#ids[this.#ahead];
      const size = this.#options.size(id);
      if (size === undefined || this.#reads.has(id)) continue;
      if (this.#reads.size > 0 && this.#readBytes + size > budget) return;
      const message = this.#options.read(id);
      message.catch(() => {});
      this.#reads.set(id, { message, size });
      this.#readBytes += size;
    }
  }
}
