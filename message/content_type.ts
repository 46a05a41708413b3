/**
 * `Content-Type:` and `Content-Disposition:` values (RFC 2045 §5, RFC 2183): a token, then
 * parameters, whose values may be continued and charset-encoded (RFC 2231), such as a Korean
 * file name `filename*=UTF-8''%ED%95%9C.txt`.
 *
 * ```
 * content   = "Content-Type" ":" type "/" subtype *(";" parameter)
 * parameter = attribute "=" value
 * value     = token / quoted-string
 * ; RFC 2231: attribute*N (continuation), attribute*N* or attribute* (charset'lang'%XX)
 * ```
 *
 * @module
 */

import { isAsciiText, utf8Bytes } from "./_bytes.ts";
import { decodeCharset } from "./charset.ts";
import { decodeWords, encodeWords } from "./encoded_words.ts";

/** A parsed `Content-Type:` value. */
export interface ContentType {
  /** The top-level type, lower case: `text`, `multipart`, `message`, `image`... */
  type: string;
  /** The subtype, lower case: `plain`, `mixed`, `rfc822`... */
  subtype: string;
  /** `type/subtype`. */
  mediaType: string;
  /** Parameters by lower-case name, values decoded (RFC 2231 and RFC 2047). */
  params: Record<string, string>;
}

/** A parsed `Content-Disposition:` value. */
export interface ContentDisposition {
  /** `inline`, `attachment` or another token, lower case. */
  type: string;
  /** Parameters by lower-case name, values decoded. */
  params: Record<string, string>;
}

function percentDecode(text: string): Uint8Array {
  const raw = utf8Bytes(text);
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const hex = String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0);
    if (raw[i] === 37 && /^[0-9a-fA-F]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = raw[i];
    }
  }
  return out.subarray(0, n);
}

interface RawParam {
  name: string;
  value: string;
}

function splitParams(text: string): { head: string; params: RawParam[] } {
  const params: RawParam[] = [];
  let i = text.indexOf(";");
  const head = (i < 0 ? text : text.slice(0, i)).trim();
  if (i < 0) return { head, params };
  while (i < text.length && params.length < 1000) {
    i++;
    const eq = text.indexOf("=", i);
    if (eq < 0) break;
    const name = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (text[i] === " " || text[i] === "\t") i++;
    let value = "";
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i++];
      }
      const semi = text.indexOf(";", i);
      i = semi < 0 ? text.length : semi;
    } else {
      const semi = text.indexOf(";", i);
      const end = semi < 0 ? text.length : semi;
      value = text.slice(i, end).trim();
      i = end;
    }
    if (name) params.push({ name, value });
  }
  return { head, params };
}

/**
 * Parses parameters after a token, joining RFC 2231 continuations and decoding
 * charset-encoded values; a quoted value that holds encoded words (a common violation) is
 * decoded too.
 */
function decodeParams(raw: RawParam[]): Record<string, string> {
  const params: Record<string, string> = {};
  const pieces = new Map<string, { index: number; value: string; encoded: boolean }[]>();
  for (const { name, value } of raw) {
    const m = /^([^*]+)\*(?:(\d+)\*?)?$/.exec(name);
    if (!m) {
      params[name] = decodeWords(value);
      continue;
    }
    const encoded = name.endsWith("*");
    const list = pieces.get(m[1]) ?? [];
    list.push({ index: m[2] === undefined ? 0 : Number(m[2]), value, encoded });
    pieces.set(m[1], list);
  }
  for (const [name, list] of pieces) {
    list.sort((a, b) => a.index - b.index);
    let charset = "utf-8";
    const first = list[0];
    if (first.encoded) {
      const quote = /^([^']*)'[^']*'/.exec(first.value);
      if (quote) {
        charset = quote[1] || "utf-8";
        first.value = first.value.slice(quote[0].length);
      }
    }
    const chunks = list.map((piece) =>
      piece.encoded ? percentDecode(piece.value) : utf8Bytes(piece.value)
    );
    const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let n = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, n);
      n += chunk.length;
    }
    params[name] = decodeCharset(bytes, charset);
  }
  return params;
}

/**
 * Parses a `Content-Type:` value. A missing or broken value gives `text/plain` (RFC 2045 §5.2),
 * and the `charset` defaults to `us-ascii` for text.
 *
 * @param value The field value, or `undefined` when the field is absent.
 * @param fallback The type when the field is absent: `text/plain`, or `message/rfc822` inside
 *   `multipart/digest` (RFC 2046 §5.1.5).
 * @returns The type, subtype and decoded parameters.
 *
 * @example Parse a multipart type and an RFC 2231 name
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseContentType } from "./content_type.ts";
 *
 * const mixed = parseContentType('Multipart/Mixed; boundary="=_abc"');
 * assert.equal(mixed.mediaType, "multipart/mixed");
 * assert.equal(mixed.params.boundary, "=_abc");
 * const file = parseContentType("text/plain; name*=UTF-8''%ED%95%9C.txt");
 * assert.equal(file.params.name, "한.txt");
 * assert.equal(parseContentType(undefined).params.charset, "us-ascii");
 * ```
 */
export function parseContentType(
  value: string | undefined,
  fallback = "text/plain",
): ContentType {
  const { head, params } = splitParams(value ?? "");
  let [type, subtype] = head.toLowerCase().split("/").map((s) => s.trim());
  if (!type || !subtype || !/^[a-z0-9!#$&^_.+-]+$/.test(type + subtype)) {
    [type, subtype] = fallback.split("/");
  }
  const decoded = decodeParams(params);
  if (type === "text" && decoded.charset === undefined) decoded.charset = "us-ascii";
  return { type, subtype, mediaType: `${type}/${subtype}`, params: decoded };
}

/**
 * Parses a `Content-Disposition:` value (RFC 2183), with parameters decoded like those of
 * `Content-Type:`.
 *
 * @param value The field value.
 * @returns The disposition type and parameters.
 *
 * @example An attachment with a file name
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseContentDisposition } from "./content_type.ts";
 *
 * const disposition = parseContentDisposition('attachment; filename="report.pdf"');
 * assert.deepEqual(disposition, { type: "attachment", params: { filename: "report.pdf" } });
 * ```
 */
export function parseContentDisposition(value: string): ContentDisposition {
  const { head, params } = splitParams(value);
  return { type: head.toLowerCase(), params: decodeParams(params) };
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`{|}~]+$/;

/**
 * Formats a value with parameters, quoting values that are not tokens and writing non-ASCII
 * values as RFC 2231 `name*=UTF-8''...`. A non-ASCII `name` (the old Content-Type parameter)
 * is written as encoded words instead, which is what older readers understand.
 *
 * @param head The value before the parameters, such as `text/plain` or `attachment`.
 * @param params The parameters.
 * @returns The field value.
 *
 * @example Quote a boundary and encode a Korean file name
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatParams } from "./content_type.ts";
 *
 * assert.equal(formatParams("multipart/mixed", { boundary: "=_a b" }), 'multipart/mixed; boundary="=_a b"');
 * assert.equal(formatParams("attachment", { filename: "한.txt" }), "attachment; filename*=UTF-8''%ED%95%9C.txt");
 * ```
 */
export function formatParams(head: string, params: Record<string, string | undefined>): string {
  let out = head;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (isAsciiText(value) && !/[\r\n]/.test(value)) {
      out += TOKEN.test(value)
        ? `; ${name}=${value}`
        : `; ${name}="${value.replace(/[\\"]/g, "\\$&")}"`;
    } else if (name === "name") {
      out += `; name="${encodeWords(value, { encoding: "B" })}"`;
    } else {
      let encoded = "";
      for (const b of utf8Bytes(value)) {
        const c = String.fromCharCode(b);
        encoded += b < 128 && /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c)
          ? c
          : "%" + b.toString(16).toUpperCase().padStart(2, "0");
      }
      out += `; ${name}*=UTF-8''${encoded}`;
    }
  }
  return out;
}
