/**
 * A growable byte array for collecting message text without copying it twice.
 *
 * @module
 */

// Small results are carved out of a shared slab, as Node's Buffer pool does: a fresh ArrayBuffer
// for every 1 KiB message was the largest single cost of an SMTP message's turn (its allocation
// and the collector's sweep of it), where a view costs a tenth. A result still held keeps its slab
// alive, so a slab is small: at worst 16 KiB for a message kept long (the stores copy theirs).
const SLAB = 16384;
const SLAB_PART = 2048;
let slab = new Uint8Array(SLAB);
let slabUsed = 0;

function fromSlab(bytes: Uint8Array): Uint8Array {
  if (slabUsed + bytes.length > SLAB) {
    slab = new Uint8Array(SLAB);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + bytes.length);
  out.set(bytes);
  slabUsed += (bytes.length + 7) & ~7; // the next one starts 8-byte aligned
  return out;
}

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
   * The bytes so far, as a copy of exactly the right length that later appends leave alone. A
   * small copy (up to 2 KiB) is a view of a buffer shared with other small copies: read it
   * through the view (`byteOffset`, `byteLength`), not through its `.buffer`.
   *
   * @returns The collected bytes.
   */
  bytes(): Uint8Array {
    const bytes = this.#buf.subarray(0, this.#length);
    return bytes.length > SLAB_PART ? bytes.slice() : fromSlab(bytes);
  }

  /** Empties the builder, keeping its allocation when it is small. */
  clear(): void {
    this.#length = 0;
    if (this.#buf.length > 1 << 20) this.#buf = new Uint8Array(4096);
  }
}

export { concatBytes } from "../message/_bytes.ts";
