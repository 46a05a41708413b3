/**
 * A low-level MIME builder: describe a tree of parts, get the bytes. `buildMessage` uses it for
 * ordinary mail; other code uses it directly for shapes such as a delivery status notification
 * (RFC 3464: `multipart/report; report-type=delivery-status`).
 *
 * @module
 */

import { concatBytes, isAscii, isAsciiText, utf8Bytes } from "./_bytes.ts";
import { formatParams } from "./content_type.ts";
import { encodeWords } from "./encoded_words.ts";
import { foldHeader } from "./fold.ts";
import { encodeBase64, encodeQuotedPrintable } from "./transfer_encoding.ts";

/** A content transfer encoding (RFC 2045 §6.1). */
export type TransferEncoding = "7bit" | "8bit" | "binary" | "quoted-printable" | "base64";

/** One node of a MIME tree to build: a leaf with a body, or a multipart with parts. */
export interface MimeNode {
  /** `type/subtype`, such as `text/plain`, `multipart/report` or `message/delivery-status`. */
  contentType: string;
  /** Content-Type parameters (a text leaf gets `charset=utf-8` when it has none). */
  params?: Record<string, string>;
  /** Header fields written before the MIME fields, in order; non-ASCII values are encoded. */
  headers?: [name: string, value: string][];
  /** `inline` or `attachment`: writes `Content-Disposition:`. */
  disposition?: "inline" | "attachment";
  /** The file name, written in `Content-Disposition:` (and as `name` of the type). */
  filename?: string;
  /** A `Content-ID:` such as `<logo@crepes.fr>`. */
  contentId?: string;
  /** The transfer encoding; chosen from the content when absent. */
  encoding?: TransferEncoding;
  /** A leaf's content, not yet encoded; strings are written as UTF-8. */
  body?: Uint8Array | string;
  /** A multipart's parts. */
  parts?: MimeNode[];
}

/** Options of {@linkcode buildMime}. */
export interface BuildMimeOptions {
  /**
   * Allow `8bit` bodies (the path supports 8BITMIME); otherwise every body is 7-bit.
   * @default false
   */
  eightBit?: boolean;
  /**
   * Keep non-ASCII header values as UTF-8 (RFC 6532, for SMTPUTF8 paths) instead of encoding
   * them as encoded words.
   * @default false
   */
  utf8?: boolean;
}

const CRLF = "\r\n";

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  // "=_" cannot occur in base64 or quoted-printable output, so it never collides with them.
  return `=_${hex}`;
}

function toCrlf(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] === 10 && bytes[i - 1] !== 13) || (bytes[i] === 13 && bytes[i + 1] !== 10)) {
      bare++;
    }
  }
  if (bare === 0) return bytes;
  const out = new Uint8Array(bytes.length + bare);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 10 && bytes[i - 1] !== 13) out[n++] = 13;
    out[n++] = b;
    if (b === 13 && bytes[i + 1] !== 10) out[n++] = 10;
  }
  return out.subarray(0, n);
}

function longestLine(bytes: Uint8Array): number {
  let longest = 0;
  let start = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, start)) {
    longest = Math.max(longest, i - start);
    start = i + 1;
  }
  return Math.max(longest, bytes.length - start);
}

/**
 * Chooses how to send a body: as it is when it is 7-bit text with short lines; as `8bit` when
 * allowed; otherwise quoted-printable for text that is mostly ASCII and base64 for the rest.
 *
 * @param bytes The content (text already with CRLF line ends).
 * @param options Whether the content is text and whether 8bit is allowed.
 * @returns The encoding.
 *
 * @example Korean text goes base64 on a 7-bit path and 8bit on an 8BITMIME path
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseEncoding } from "./mime_builder.ts";
 *
 * const korean = new TextEncoder().encode("안녕하세요\r\n");
 * assert.equal(chooseEncoding(korean, { text: true }), "base64");
 * assert.equal(chooseEncoding(korean, { text: true, eightBit: true }), "8bit");
 * assert.equal(chooseEncoding(new TextEncoder().encode("Café\r\n"), { text: true }), "quoted-printable");
 * assert.equal(chooseEncoding(new TextEncoder().encode("Hello\r\n"), { text: true }), "7bit");
 * ```
 */
export function chooseEncoding(
  bytes: Uint8Array,
  options: { text: boolean; eightBit?: boolean },
): TransferEncoding {
  if (!options.text) return "base64";
  const shortLines = longestLine(bytes) <= 998;
  const clean = !bytes.includes(0);
  if (shortLines && clean && isAscii(bytes)) return "7bit";
  if (shortLines && clean && options.eightBit) return "8bit";
  let high = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) high++;
  return high * 3 > bytes.length ? "base64" : "quoted-printable";
}

function headerLines(fields: [string, string][], utf8 = false): string {
  let out = "";
  for (const [name, value] of fields) {
    const ascii = utf8 || isAsciiText(value) ? value : encodeWords(value);
    out += foldHeader(name, ascii) + CRLF;
  }
  return out;
}

function concat(chunks: (Uint8Array | string)[]): Uint8Array {
  return concatBytes(chunks.map((c) => typeof c === "string" ? utf8Bytes(c) : c));
}

function encodeLeaf(node: MimeNode, options: BuildMimeOptions): [TransferEncoding, Uint8Array] {
  const type = node.contentType.toLowerCase();
  const text = type.startsWith("text/") || type.startsWith("message/");
  let bytes = typeof node.body === "string" ? utf8Bytes(node.body) : node.body ?? new Uint8Array();
  if (text) bytes = toCrlf(bytes);
  let encoding = node.encoding ?? chooseEncoding(bytes, { text, eightBit: options.eightBit });
  // A message/* body may not be encoded (RFC 2046 §5.2.1): it stays 7bit or 8bit.
  if (type.startsWith("message/") && (encoding === "base64" || encoding === "quoted-printable")) {
    encoding = isAscii(bytes) ? "7bit" : "8bit";
  }
  if (encoding === "base64") return [encoding, utf8Bytes(encodeBase64(bytes))];
  if (encoding === "quoted-printable") return [encoding, utf8Bytes(encodeQuotedPrintable(bytes))];
  return [encoding, bytes];
}

function build(node: MimeNode, options: BuildMimeOptions & { root?: boolean }): Uint8Array {
  const params: Record<string, string> = { ...node.params };
  const type = node.contentType.toLowerCase();
  const fields: [string, string][] = [...(node.headers ?? [])];
  if (options.root && !fields.some(([name]) => name.toLowerCase() === "mime-version")) {
    fields.push(["MIME-Version", "1.0"]);
  }
  if (node.parts) {
    const boundary = params.boundary ?? randomBoundary();
    params.boundary = boundary;
    fields.push(["Content-Type", formatParams(type, params)]);
    const chunks: (Uint8Array | string)[] = [headerLines(fields, options.utf8), CRLF];
    for (const part of node.parts) {
      chunks.push(`--${boundary}${CRLF}`, build(part, { ...options, root: false }), CRLF);
    }
    chunks.push(`--${boundary}--${CRLF}`);
    return concat(chunks);
  }
  if (type.startsWith("text/") && params.charset === undefined) params.charset = "utf-8";
  if (node.filename !== undefined && type !== "message/rfc822") params.name = node.filename;
  const [encoding, body] = encodeLeaf(node, options);
  fields.push(["Content-Type", formatParams(type, params)]);
  if (encoding !== "7bit") fields.push(["Content-Transfer-Encoding", encoding]);
  if (node.disposition || node.filename !== undefined) {
    const filename = node.filename === undefined ? {} : { filename: node.filename };
    fields.push(["Content-Disposition", formatParams(node.disposition ?? "attachment", filename)]);
  }
  if (node.contentId) fields.push(["Content-ID", node.contentId]);
  return concat([headerLines(fields, options.utf8), CRLF, body]);
}

/**
 * Builds the bytes of a MIME tree: header fields (folded, non-ASCII encoded; `MIME-Version: 1.0`
 * added at the root when missing), then a blank line,
 * then the body; multiparts get a random boundary unless `params.boundary` is given. Lines end in
 * CRLF and stay within 998 characters.
 *
 * @param node The root node; its `headers` are the message header fields.
 * @param options Whether 8bit bodies are allowed.
 * @returns The bytes.
 *
 * @example Build a delivery status notification (RFC 3464)
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildMime } from "./mime_builder.ts";
 * import { parseMessage } from "./parse.ts";
 *
 * const bytes = buildMime({
 *   contentType: "multipart/report",
 *   params: { "report-type": "delivery-status" },
 *   headers: [["From", "MAILER-DAEMON@crepes.fr"], ["To", "alice@crepes.fr"]],
 *   parts: [
 *     { contentType: "text/plain", body: "Your message could not be delivered.\n" },
 *     { contentType: "message/delivery-status", body: "Reporting-MTA: dns; crepes.fr\r\n" },
 *     { contentType: "text/rfc822-headers", body: "Subject: Hi\r\n" },
 *   ],
 * });
 * const parsed = parseMessage(bytes);
 * assert.equal(parsed.root.mediaType, "multipart/report");
 * assert.deepEqual(parsed.root.children.map((p) => p.mediaType), [
 *   "text/plain",
 *   "message/delivery-status",
 *   "text/rfc822-headers",
 * ]);
 * ```
 */
export function buildMime(node: MimeNode, options: BuildMimeOptions = {}): Uint8Array {
  return build(node, { ...options, root: true });
}
