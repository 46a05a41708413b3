/**
 * The spool writes that a delivery does not wait for: a message's new state after an attempt,
 * and its removal once it is done. None of them is needed for the queue's promise (a message
 * acknowledged is never lost): a crash that loses one leaves the message's earlier state on
 * disk, so that the next start tries it again, sooner than planned or a second time. So the
 * connection goes on to the next message while the disk works, and writes for many messages
 * overlap. The state changes of one message stay in the order they were asked for; a removal
 * waits for none (the spool copes with a state change under way), so that a message that is
 * done leaves the disk at once, and a crash sends again as few delivered messages as can be.
 *
 * @module
 */

/** Options of {@linkcode WriteBehind.add}. */
export interface WriteOptions {
  /** Start after the message's earlier ordered writes have ended. @default true */
  ordered?: boolean;
  /**
   * The write saves what is current when it starts (the message's state as it is then), so
   * such a write for the message that waits to start makes this one needless: a message
   * retried faster than the disk writes its state has at most one such write waiting.
   * @default false
   */
  latest?: boolean;
}

/** Options of {@linkcode WriteBehind}. */
export interface WriteBehindOptions {
  /** Messages with writes under way beyond which {@linkcode WriteBehind.add} waits. @default 256 */
  limit?: number;
}

/**
 * Background writes, bounded in number, ordered per message unless told not to; the first
 * error is kept.
 *
 * @example Two writes for one message run in order; a failure comes out of `settle`
 * ```ts
 * import assert from "node:assert/strict";
 * import { WriteBehind } from "./write_behind.ts";
 *
 * const done: string[] = [];
 * const writes = new WriteBehind();
 * await writes.add("Q1", () => new Promise((resolve) => setTimeout(() => resolve(void done.push("update")), 5)));
 * await writes.add("Q1", () => Promise.resolve(void done.push("remove")));
 * await writes.add("Q2", () => Promise.reject(new Error("Disk on fire")));
 * await assert.rejects(writes.settle(), /Disk on fire/);
 * assert.deepEqual(done, ["update", "remove"]);
 * await writes.settle(); // the error was reported once
 * ```
 */
export class WriteBehind {
  #writes = new Map<string, Promise<void>>();
  #loose = new Set<Promise<void>>();
  #waiting = new Set<string>();
  #error: { error: unknown } | undefined;
  #limit: number;

  /**
   * Makes an empty set of writes.
   *
   * @param options How many messages may have writes under way.
   */
  constructor(options: WriteBehindOptions = {}) {
    this.#limit = Math.max(1, options.limit ?? 256);
  }

  /** How many writes are under way (ordered ones counted once per message). */
  get size(): number {
    return this.#writes.size + this.#loose.size;
  }

  /**
   * Starts a write for a message: at once, or once its earlier ordered writes have ended.
   *
   * @param id The queue identifier.
   * @param write The write.
   * @param options Whether it waits for the message's earlier writes.
   * @returns A promise that resolves when the write is under way (at once, unless too many
   * are), not when it ends.
   */
  async add(id: string, write: () => Promise<void>, options: WriteOptions = {}): Promise<void> {
    const ordered = options.ordered ?? true;
    if (options.latest) {
      if (this.#waiting.has(id)) return;
      this.#waiting.add(id);
      const save = write;
      write = () => {
        this.#waiting.delete(id);
        return save();
      };
    }
    const before = ordered ? this.#writes.get(id) : undefined;
    const done: Promise<void> = (before ? before.then(write) : begin(write))
      .catch((error) => void (this.#error ??= { error }))
      .finally(() => {
        if (!ordered) this.#loose.delete(done);
        else if (this.#writes.get(id) === done) this.#writes.delete(id);
      });
    if (ordered) this.#writes.set(id, done);
    else this.#loose.add(done);
    while (this.size > this.#limit) await Promise.race(this.#all());
  }

  #all(): Promise<void>[] {
    return [...this.#writes.values(), ...this.#loose];
  }

  /**
   * Waits for the ordered writes of one message.
   *
   * @param id The queue identifier.
   */
  async flush(id: string): Promise<void> {
    await this.#writes.get(id);
  }

  /**
   * Waits until no write is under way.
   *
   * @throws The first error of a write since the last call.
   */
  async settle(): Promise<void> {
    while (this.size > 0) await Promise.all(this.#all());
    const failed = this.#error;
    this.#error = undefined;
    if (failed) throw failed.error;
  }
}

// A write with nothing before it starts at once, in the caller's turn.
function begin(write: () => Promise<void>): Promise<void> {
  try {
    return write();
  } catch (error) {
    return Promise.reject(error);
  }
}
