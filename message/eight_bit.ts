/**
 * The 8-bit to 7-bit conversion that RFC 6152 §3 asks of a client whose next server does not
 * offer 8BITMIME: every MIME body holding bytes above 127 is re-encoded as quoted-printable
 * (mostly ASCII text) or base64 (everything else), and its `Content-Transfer-Encoding:` says so.
 *
 * Only bodies change; header fields stay as they are (8-bit header fields need SMTPUTF8, which no
 * conversion can replace). A `message/rfc822` part is never encoded itself (RFC 2046 §5.2.1): the
 * message inside it is converted instead.
 *
 * @module
 */
import { chooseEncoding } from "./mime_builder.ts";
import type { MimePart } from "./mime_part.ts";
import { parseMimeTree } from "./mime_tree.ts";
import { encodeBase64, encodeQuotedPrintable } from "./transfer_encoding.ts";

const encoder = new TextEncoder();

/**
 * Whether bytes hold anything above 127 (and so need 8BITMIME, or a conversion).
 *
 * @param bytes The bytes.
 * @returns True when some byte is above 127.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasEightBit } from "./eight_bit.ts";
 *
 * assert.equal(hasEightBit(new TextEncoder().encode("Hello")), false);
 * assert.equal(hasEightBit(new TextEncoder().encode("안녕")), true);
 * ```
 */
export function hasEightBit(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 127) return true;
  return false;
}

interface Edit {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/**
 * Converts a message to 7 bits for a server without 8BITMIME (RFC 6152 §3). A message that is
 * 7-bit already comes back as the same array.
 *
 * @param message The whole message, CRLF line ends.
 * @returns The converted message.
 *
 * @example Korean text becomes base64, and survives a path that clears the eighth bit
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "./mod.ts";
 * import { hasEightBit, to7bit } from "./eight_bit.ts";
 *
 * const eight = new TextEncoder().encode(
 *   "From: bob@hamburger.edu\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
 *     "Content-Transfer-Encoding: 8bit\r\n\r\n안녕하세요, Alice!\r\n",
 * );
 * const seven = to7bit(eight);
 * assert.equal(hasEightBit(seven), false);
 * assert.equal(parseMessage(seven).root.encoding, "base64");
 * assert.equal(parseMessage(seven).text, "안녕하세요, Alice!\r\n");
 * ```
 */
export function to7bit(message: Uint8Array): Uint8Array {
  if (!hasEightBit(message)) return message;
  const edits: Edit[] = [];
  visit(parseMimeTree(message), message, edits, true);
  if (edits.length === 0) return message;
  edits.sort((a, b) => a.start - b.start);
  const size = edits.reduce((n, e) => n + e.bytes.length - (e.end - e.start), message.length);
  const out = new Uint8Array(size);
  let from = 0;
  let at = 0;
  for (const edit of edits) {
    out.set(message.subarray(from, edit.start), at);
    at += edit.start - from;
    out.set(edit.bytes, at);
    at += edit.bytes.length;
    from = edit.end;
  }
  out.set(message.subarray(from), at);
  return out;
}

function isEightBitEncoding(part: MimePart): boolean {
  return part.encoding === "8bit" || part.encoding === "binary";
}

function visit(part: MimePart, bytes: Uint8Array, edits: Edit[], root: boolean): void {
  if (part.children.length > 0 || part.message) {
    // A container's own encoding may only be 7bit once its contents are (RFC 2045 §6.4).
    if (isEightBitEncoding(part)) {
      for (const field of part.header.fields) {
        if (field.key !== "content-transfer-encoding") continue;
        edits.push({
          start: field.offset,
          end: field.offset + field.raw.length,
          bytes: encoder.encode("Content-Transfer-Encoding: 7bit\r\n"),
        });
      }
    }
    if (part.message) visit(part.message, bytes, edits, false);
    for (const child of part.children) visit(child, bytes, edits, false);
    return;
  }
  if (!hasEightBit(part.body)) return;
  const content = part.content();
  const text = part.mediaType.startsWith("text/");
  const encoding = chooseEncoding(content, { text }) === "base64" ? "base64" : "quoted-printable";
  let head = "";
  const decoder = new TextDecoder("latin1");
  for (const field of part.header.fields) {
    if (field.key !== "content-transfer-encoding") head += decoder.decode(field.raw);
  }
  const has = (key: string) => part.header.fields.some((f) => f.key === key);
  if (root && !has("mime-version")) head += "MIME-Version: 1.0\r\n";
  // A message without a type was meant as text; its 8-bit bytes are taken to be UTF-8.
  if (!has("content-type")) head += "Content-Type: text/plain; charset=utf-8\r\n";
  head += `Content-Transfer-Encoding: ${encoding}\r\n`;
  const body = encoding === "base64" ? encodeBase64(content) : encodeQuotedPrintable(content);
  const headBytes = Uint8Array.from(head, (c) => c.charCodeAt(0));
  const blank = bytes.subarray(part.header.end, part.bodyStart);
  const bodyBytes = encoder.encode(body);
  const replaced = new Uint8Array(headBytes.length + blank.length + bodyBytes.length);
  replaced.set(headBytes);
  replaced.set(blank, headBytes.length);
  replaced.set(bodyBytes, headBytes.length + blank.length);
  edits.push({ start: part.headerStart, end: part.end, bytes: replaced });
}
