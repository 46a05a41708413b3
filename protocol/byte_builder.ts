/**
 * A growable byte array for collecting message text without copying it twice.
 *
 * @module
 */

/**
 * Appends byte runs into one buffer that doubles as it fills.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteBuilder } from "./byte_builder.ts";
 *
 * const b = new ByteBuilder(4);
 * b.append(new TextEncoder().encode("Do you "));
 * b.append(new TextEncoder().encode("like ketchup?"));
 * assert.equal(new TextDecoder().decode(b.bytes()), "Do you like ketchup?");
 * assert.equal(b.length, 20);
 * ```
 */
export class ByteBuilder {
  #buf: Uint8Array;
  #length = 0;

  /**
   * Creates an empty builder.
   *
   * @param initialSize The first allocation in bytes.
   */
  constructor(initialSize = 4096) {
    this.#buf = new Uint8Array(Math.max(16, initialSize));
  }

  /** How many bytes it holds. */
  get length(): number {
    return this.#length;
  }

  #room(extra: number): void {
    if (this.#length + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#length));
    this.#buf = next;
  }

  /**
   * Appends bytes (copied).
   *
   * @param bytes What to append.
   */
  append(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /**
   * The bytes so far, as a fresh copy of exactly the right length.
   *
   * @returns The collected bytes.
   */
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#length);
  }

  /** Empties the builder, keeping its allocation when it is small. */
  clear(): void {
    this.#length = 0;
    if (this.#buf.length > 1 << 20) this.#buf = new Uint8Array(4096);
  }
}

export { concatBytes } from "../message/_bytes.ts";
