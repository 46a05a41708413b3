/**
 * The two content transfer encodings of MIME that turn any bytes into 7-bit lines (RFC 2045 §6):
 * base64 (§6.8) for binary data and text that is mostly not ASCII, quoted-printable (§6.7) for
 * text that is mostly ASCII and should stay readable. Encoders write CRLF and lines of at most 76
 * characters; decoders are lenient, as real mail requires.
 *
 * @module
 */

import { utf8Bytes } from "./_bytes.ts";

interface Base64Codec {
  fromBase64?: (text: string) => Uint8Array;
}
interface Base64Bytes {
  toBase64?: () => string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
// The URL-safe alphabet turns up in broken mail; accept it too.
DECODE[45] = 62;
DECODE[95] = 63;

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? utf8Bytes(data) : data;
}

function plainBase64(bytes: Uint8Array): string {
  const native = (bytes as Base64Bytes).toBase64;
  if (native) return native.call(bytes);
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] +
      (i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : "=") +
      (i + 2 < bytes.length ? ALPHABET[n & 63] : "=");
  }
  return out;
}

/**
 * Encodes bytes (or the utf-8 bytes of a string) as base64 (RFC 2045 §6.8).
 *
 * @param data The bytes, or text to encode as utf-8.
 * @param lineLength Characters per line before a CRLF; 0 for one unbroken line.
 * @returns The base64 text; with lines, each line ends in CRLF.
 *
 * @example Encode with and without line breaks
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeBase64 } from "./transfer_encoding.ts";
 *
 * assert.equal(encodeBase64("hello", 0), "aGVsbG8=");
 * assert.equal(encodeBase64(new Uint8Array(60)).split("\r\n")[0].length, 76);
 * ```
 */
export function encodeBase64(data: Uint8Array | string, lineLength = 76): string {
  const flat = plainBase64(toBytes(data));
  if (lineLength <= 0) return flat;
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += lineLength) lines.push(flat.slice(i, i + lineLength));
  return lines.length === 0 ? "" : lines.join("\r\n") + "\r\n";
}

function slowBase64(text: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(text.length * 3 / 4));
  let bits = 0;
  let count = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 61) break; // "=" ends the data; what follows is padding or garbage
    const value = code < 256 ? DECODE[code] : -1;
    if (value < 0) continue;
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[n++] = (bits >> count) & 0xff;
    }
  }
  return out.subarray(0, n);
}

/**
 * Decodes base64, skipping line breaks and anything outside the alphabet, and stopping at the
 * first `=`, the way mail readers treat damaged attachments.
 *
 * @param text The base64 text.
 * @returns The bytes.
 *
 * @example Decode wrapped and damaged base64
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBase64 } from "./transfer_encoding.ts";
 *
 * assert.equal(new TextDecoder().decode(decodeBase64("aGVs\r\nbG8=")), "hello");
 * assert.equal(new TextDecoder().decode(decodeBase64("aGVs*bG8")), "hello");
 * ```
 */
export function decodeBase64(text: string): Uint8Array {
  const native = (Uint8Array as Base64Codec).fromBase64;
  if (native) {
    try {
      return native(text);
    } catch {
      // Not strict base64: fall through to the lenient decoder.
    }
  }
  return slowBase64(text);
}

const HEX = "0123456789ABCDEF";

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Encodes bytes (or the utf-8 bytes of a string) as quoted-printable (RFC 2045 §6.7): printable
 * ASCII stays as it is, other bytes become `=XX`, line breaks stay line breaks (CRLF), and lines
 * longer than 76 characters get a soft break (`=` at the end of the line).
 *
 * @param data The bytes or text.
 * @returns The quoted-printable text.
 *
 * @example Encode a line with an accent
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeQuotedPrintable } from "./transfer_encoding.ts";
 *
 * assert.equal(encodeQuotedPrintable("café = 1\n"), "caf=C3=A9 =3D 1\r\n");
 * ```
 */
export function encodeQuotedPrintable(data: Uint8Array | string): string {
  const bytes = toBytes(data);
  const lines: string[] = [];
  let line = "";
  const push = (token: string) => {
    if (line.length + token.length > 75) {
      lines.push(line + "=");
      line = "";
    }
    line += token;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 13 && bytes[i + 1] === 10) continue;
    if (b === 10) {
      lines.push(line);
      line = "";
      continue;
    }
    const lineEnds = i + 1 === bytes.length || bytes[i + 1] === 10 ||
      (bytes[i + 1] === 13 && bytes[i + 2] === 10);
    const plain = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !lineEnds);
    push(plain ? String.fromCharCode(b) : "=" + HEX[b >> 4] + HEX[b & 15]);
  }
  lines.push(line);
  return lines.join("\r\n");
}

/**
 * Decodes quoted-printable: `=XX` becomes the byte, a soft break (`=` at the end of a line)
 * disappears, and a broken escape is kept as it stands (RFC 2045 §6.7, note 2).
 *
 * @param text The quoted-printable text, as bytes or as a string.
 * @returns The bytes.
 *
 * @example Decode an escape and a soft break
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeQuotedPrintable } from "./transfer_encoding.ts";
 *
 * const bytes = decodeQuotedPrintable("caf=C3=A9 is a lo=\r\nng word =ZZ");
 * assert.equal(new TextDecoder().decode(bytes), "café is a long word =ZZ");
 * ```
 */
export function decodeQuotedPrintable(text: Uint8Array | string): Uint8Array {
  const bytes = toBytes(text);
  const length = bytes.length;
  const out = new Uint8Array(length);
  let n = 0;
  let i = 0;
  while (i < length) {
    const code = bytes[i];
    if (code === 61) {
      const hi = hexValue(bytes[i + 1]);
      const lo = hexValue(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 3;
        continue;
      }
      // A soft line break may carry trailing whitespace before its line end.
      let j = i + 1;
      while (bytes[j] === 32 || bytes[j] === 9) j++;
      if (bytes[j] === 13 && bytes[j + 1] === 10) {
        i = j + 2;
        continue;
      }
      if (bytes[j] === 10 || j >= length) {
        i = j + 1;
        continue;
      }
    } else if (code === 32 || code === 9) {
      // Trailing whitespace on a line was added in transport: drop it (RFC 2045 §6.7 rule 3).
      let j = i;
      while (bytes[j] === 32 || bytes[j] === 9) j++;
      const next = bytes[j];
      if (next === 13 || next === 10 || j >= length) {
        i = j;
        continue;
      }
    }
    out[n++] = code;
    i++;
  }
  return out.subarray(0, n);
}
