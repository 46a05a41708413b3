/**
 * Internal byte helpers of the message layer (not part of the public API).
 *
 * @module
 */

import type { SourcePosition } from "./errors.ts";

const utf8 = new TextDecoder("utf-8");
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });
// windows-1252 turns every byte into exactly one UTF-16 unit, so string index equals byte offset.
const singleByte = new TextDecoder("windows-1252");
const encoder = new TextEncoder();

/** Counts line ends before `offset` to give a 1-based line and column. */
export function positionIn(bytes: Uint8Array, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  let i = bytes.indexOf(10);
  while (i >= 0 && i < offset) {
    line++;
    lineStart = i + 1;
    i = bytes.indexOf(10, i + 1);
  }
  return { line, column: offset - lineStart + 1 };
}

/** Whether every byte is below 0x80. */
export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

/** Whether every UTF-16 unit is below 0x80. */
export function isAsciiText(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(text);
}

/** Bytes to a string with one unit per byte, so string indices are byte offsets. */
export function byteString(bytes: Uint8Array): string {
  // The utf-8 decoder is the fastest; its result keeps offsets when the bytes are ASCII, which
  // shows as an equal length without replacement characters (any byte above 0x7f breaks one).
  const text = utf8.decode(bytes);
  if (text.length === bytes.length && !text.includes("\ufffd")) return text;
  return singleByte.decode(bytes);
}

/**
 * Decodes header bytes: utf-8 when they are valid utf-8 (RFC 6532), otherwise one character per
 * byte, so that raw 8-bit legacy text is never lost.
 */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  if (isAscii(bytes)) return byteString(bytes);
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    return singleByte.decode(bytes);
  }
}

/** Whether bytes are valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Text to utf-8 bytes. */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Joins byte arrays into one; a single array comes back as itself, not copied.
 *
 * @param parts The arrays, in order.
 * @returns Their bytes, one after another.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "./_bytes.ts";
 *
 * const enc = new TextEncoder();
 * assert.equal(new TextDecoder().decode(concatBytes([enc.encode("a1 "), enc.encode("NOOP")])), "a1 NOOP");
 * const one = enc.encode("alone");
 * assert.equal(concatBytes([one]), one);
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
