/**
 * The header (RFC 5322 §2.2): fields of `name: value`, each possibly folded over several lines,
 * ended by a blank line. {@linkcode parseHeaders} reads the header only and never looks past the
 * blank line, so a mail store can list a 25 MiB message by reading a few hundred bytes.
 *
 * ```
 * field       = field-name ":" unstructured CRLF
 * field-name  = 1*ftext          ; printable ASCII except ":"
 * unfolding   = remove each CRLF that is followed by WSP (RFC 5322 §2.2.3)
 * ```
 *
 * @module
 */

import { byteString, decodeHeaderBytes, isUtf8, positionIn, utf8Bytes } from "./_bytes.ts";
import { MessageSyntaxError, type SourcePosition } from "./errors.ts";
import { Field, HeaderBlock, type HeaderField } from "./header_block.ts";

export { HeaderBlock, type HeaderField } from "./header_block.ts";

const MAX_PROBLEMS = 100;

/** Options of {@linkcode parseHeaders}. */
export interface ParseHeadersOptions {
  /**
   * Where the header starts in `bytes` (a MIME part's header inside a message).
   * @default 0
   */
  start?: number;
  /**
   * Where the header must end at the latest (the end of the MIME part).
   * @default bytes.length
   */
  end?: number;
  /**
   * Maps a byte offset to its line and column in the whole message, for problem reports.
   * @default counting line ends in `bytes`
   */
  positionOf?: (offset: number) => SourcePosition;
}

function headerEnd(bytes: Uint8Array, [start, end]: [number, number]): [number, number] {
  if (start >= end) return [end, end];
  if (bytes[start] === 10) return [start, start + 1];
  if (bytes[start] === 13 && bytes[start + 1] === 10) return [start, start + 2];
  let pos = start;
  for (;;) {
    const lf = bytes.indexOf(10, pos);
    if (lf < 0 || lf + 1 >= end) return [end, end];
    const next = lf + 1;
    if (bytes[next] === 10) return [next, next + 1];
    if (bytes[next] === 13 && bytes[next + 1] === 10 && next + 1 < end) return [next, next + 2];
    pos = next;
  }
}

/**
 * Reads a header leniently: a line without a colon or a stray continuation line becomes a
 * problem and is skipped; everything else is kept, raw bytes included. The body is never read.
 *
 * @param bytes The message (or the bytes around a MIME part).
 * @param options Where the header starts and ends.
 * @returns The header block, which tells where the body starts.
 *
 * @example Read a folded header and find the body
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHeaders } from "./header.ts";
 *
 * const text = "From: alice@crepes.fr\r\nSubject: a long\r\n  subject\r\nX-Tag: 1\r\n" +
 *   "X-Tag: 2\r\n\r\nHello";
 * const header = parseHeaders(text);
 * assert.equal(header.get("SUBJECT"), "a long  subject");
 * assert.deepEqual(header.getAll("x-tag"), ["1", "2"]);
 * assert.equal(header.bodyOffset, text.indexOf("Hello"));
 * assert.equal(new TextDecoder().decode(header.fields[1].raw), "Subject: a long\r\n  subject\r\n");
 * ```
 */
export function parseHeaders(
  bytes: Uint8Array | string,
  options: ParseHeadersOptions = {},
): HeaderBlock {
  const data = typeof bytes === "string" ? utf8Bytes(bytes) : bytes;
  const start = options.start ?? 0;
  const limit = Math.min(options.end ?? data.length, data.length);
  const positionOf = options.positionOf ?? ((offset: number) => positionIn(data, offset));
  const [end, bodyOffset] = headerEnd(data, [start, limit]);
  const text = byteString(data.subarray(start, end));
  const fields: HeaderField[] = [];
  const problems: MessageSyntaxError[] = [];
  const problem = (offset: number, what: string) => {
    if (problems.length >= MAX_PROBLEMS) return;
    const position = positionOf(start + offset);
    problems.push(
      new MessageSyntaxError(`Cannot parse header line ${position.line}: ${what}`, position),
    );
  };
  let pos = 0;
  while (pos < text.length) {
    // A field runs to the first line end that is not followed by a space or a tab.
    let lineEnd = text.indexOf("\n", pos);
    let fieldEnd = lineEnd < 0 ? text.length : lineEnd + 1;
    while (fieldEnd < text.length && (text[fieldEnd] === " " || text[fieldEnd] === "\t")) {
      lineEnd = text.indexOf("\n", fieldEnd);
      fieldEnd = lineEnd < 0 ? text.length : lineEnd + 1;
    }
    let firstLineEnd = text.indexOf("\n", pos);
    if (firstLineEnd < 0) firstLineEnd = text.length;
    // Search the first line only, so that many lines without a colon stay linear.
    const found = text.slice(pos, firstLineEnd).indexOf(":");
    const colon = found < 0 ? -1 : pos + found;
    const first = pos === 0;
    if (first && text.startsWith("From ")) {
      // An mbox "From " separator line may lead a stored message; it is no header field.
    } else if (text[pos] === " " || text[pos] === "\t") {
      problem(pos, "continuation line without a field");
    } else if (colon < 0) {
      const shown = text.slice(pos, Math.min(pos + 40, firstLineEnd));
      problem(pos, `missing colon in "${shown.trim()}"`);
    } else {
      const name = text.slice(pos, colon).trimEnd();
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) {
        problem(pos, `invalid field name "${name.slice(0, 40)}"`);
      }
      let valueEnd = fieldEnd;
      if (text.charCodeAt(valueEnd - 1) === 10) valueEnd--;
      if (text.charCodeAt(valueEnd - 1) === 13) valueEnd--;
      let value = text.slice(colon + 1, valueEnd);
      let legacy: Uint8Array | undefined;
      // deno-lint-ignore no-control-regex
      if (/[^\x00-\x7f]/.test(value)) {
        const valueBytes = data.subarray(start + colon + 1, start + valueEnd);
        value = decodeHeaderBytes(valueBytes);
        if (!isUtf8(valueBytes)) legacy = valueBytes;
      }
      if (value.includes("\n")) value = value.replace(/\r?\n/g, "");
      fields.push(
        new Field(data, {
          name,
          value: value.trim(),
          offset: start + pos,
          end: start + fieldEnd,
          legacy,
        }),
      );
    }
    pos = fieldEnd;
  }
  return new HeaderBlock(data, { fields, start, end, bodyOffset, problems, positionOf });
}
