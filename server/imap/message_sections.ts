/**
 * The parts of a stored message that FETCH can return without a MIME parser: the header (up to
 * and including the blank line), the text after it, chosen header fields, and byte ranges
 * (RFC 3501 §6.4.5). Everything works on the stored bytes, so what comes back is exactly what
 * was delivered.
 *
 * @module
 */

const latin1 = new TextDecoder("latin1");
const CR = 13;
const LF = 10;

/**
 * Splits a message at its first empty line.
 *
 * @param bytes The whole message.
 * @returns The header, including the empty line that ends it, and the body after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitMessage } from "./message_sections.ts";
 *
 * const { header, body } = splitMessage(new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * assert.equal(new TextDecoder().decode(header), "Subject: hi\r\n\r\n");
 * assert.equal(new TextDecoder().decode(body), "Hello\r\n");
 * ```
 */
export function splitMessage(bytes: Uint8Array): { header: Uint8Array; body: Uint8Array } {
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    const lineLength = i - lineStart - (i > lineStart && bytes[i - 1] === CR ? 1 : 0);
    if (lineLength === 0) return { header: bytes.subarray(0, i + 1), body: bytes.subarray(i + 1) };
    lineStart = i + 1;
  }
  return { header: bytes, body: bytes.subarray(bytes.length) };
}

/**
 * Splits a header into its fields, each with its continuation lines and line ending.
 *
 * @param header The header bytes, as from {@linkcode splitMessage}.
 * @returns Each field's name and raw bytes, in order (the final empty line is left out).
 */
export function headerFields(header: Uint8Array): { name: string; bytes: Uint8Array }[] {
  const fields: { name: string; start: number; end: number }[] = [];
  let lineStart = 0;
  while (lineStart < header.length) {
    let end = header.indexOf(LF, lineStart);
    end = end < 0 ? header.length : end + 1;
    const first = header[lineStart];
    const empty = first === LF || (first === CR && header[lineStart + 1] === LF);
    if (empty) break;
    if ((first === 0x20 || first === 0x09) && fields.length > 0) {
      fields[fields.length - 1].end = end;
    } else {
      const colon = header.subarray(lineStart, end).indexOf(0x3a);
      const name = colon > 0
        ? latin1.decode(header.subarray(lineStart, lineStart + colon)).trim()
        : "";
      fields.push({ name, start: lineStart, end });
    }
    lineStart = end;
  }
  return fields.map((f) => ({ name: f.name, bytes: header.subarray(f.start, f.end) }));
}

/**
 * The HEADER.FIELDS (or, with `not`, HEADER.FIELDS.NOT) subset of a header, ending with an empty
 * line as RFC 3501 §6.4.5 shows.
 *
 * @param header The header bytes.
 * @param names The field names, any case.
 * @param not True to keep the fields not named.
 * @returns The chosen fields followed by CRLF.
 *
 * @example Keep From and To
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickFields } from "./message_sections.ts";
 *
 * const header = new TextEncoder().encode("From: a@b\r\nSubject: x\r\n  y\r\nTo: c@d\r\n\r\n");
 * assert.equal(new TextDecoder().decode(pickFields(header, ["to", "FROM"], false)), "From: a@b\r\nTo: c@d\r\n\r\n");
 * assert.equal(new TextDecoder().decode(pickFields(header, ["From", "To"], true)), "Subject: x\r\n  y\r\n\r\n");
 * ```
 */
export function pickFields(header: Uint8Array, names: readonly string[], not: boolean): Uint8Array {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const kept = headerFields(header).filter((f) => wanted.has(f.name.toLowerCase()) !== not);
  const size = kept.reduce((n, f) => n + f.bytes.length, 0) + 2;
  const out = new Uint8Array(size);
  let at = 0;
  for (const f of kept) {
    out.set(f.bytes, at);
    at += f.bytes.length;
  }
  out.set([CR, LF], at);
  return out;
}

/**
 * The values of one header field, unfolded, as text (for SEARCH).
 *
 * @param header The header bytes.
 * @param name The field name, any case.
 * @returns Each occurrence's value, decoded as UTF-8.
 */
export function fieldValues(header: Uint8Array, name: string): string[] {
  const lower = name.toLowerCase();
  const decoder = new TextDecoder();
  return headerFields(header)
    .filter((f) => f.name.toLowerCase() === lower)
    .map((f) => {
      const text = decoder.decode(f.bytes);
      return text.slice(text.indexOf(":") + 1).replace(/\r?\n(?=[ \t])/g, "").trim();
    });
}

/**
 * A byte range of a section (`<start.count>`); a start beyond the end gives no bytes.
 *
 * @param bytes The section.
 * @param start The first byte.
 * @param count How many bytes at most.
 * @returns The range.
 */
export function partialBytes(bytes: Uint8Array, start: number, count: number): Uint8Array {
  return bytes.subarray(Math.min(start, bytes.length), Math.min(start + count, bytes.length));
}
