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

import { byteString, decodeHeaderBytes, positionIn, utf8Bytes } from "./_bytes.ts";
import { type Address, type Mailbox, parseAddressList, parseMailboxes } from "./address.ts";
import { parseDate } from "./date.ts";
import { decodeWords } from "./encoded_words.ts";
import { MessageSyntaxError, type SourcePosition } from "./errors.ts";
import { parseMessageIds } from "./message_id.ts";

/** One header field as it was read. */
export interface HeaderField {
  /** The name as written, such as `Subject`. */
  readonly name: string;
  /** The name in lower case, for comparisons. */
  readonly key: string;
  /** The value unfolded, without surrounding whitespace, still RFC 2047 encoded. */
  readonly value: string;
  /** The field's exact bytes, folding and line ending included. */
  readonly raw: Uint8Array;
  /** The byte offset of the field's first byte in the parsed bytes. */
  readonly offset: number;
}

// Fields make their raw view only when asked: most readers never look at it.
class Field implements HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
  readonly offset: number;
  #bytes: Uint8Array;
  #end: number;

  constructor(bytes: Uint8Array, name: string, value: string, offset: number, end: number) {
    this.name = name;
    this.key = name.toLowerCase();
    this.value = value;
    this.offset = offset;
    this.#bytes = bytes;
    this.#end = end;
  }

  get raw(): Uint8Array {
    return this.#bytes.subarray(this.offset, this.#end);
  }
}

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

/**
 * The header of a message or of a MIME part: its fields in order (repeated fields kept), with
 * case-insensitive lookup and decoded views of the common fields.
 */
export class HeaderBlock {
  /** Every field, in the order of the message. */
  readonly fields: readonly HeaderField[];
  /** Offset of the header's first byte. */
  readonly start: number;
  /** Offset just past the last field (where the blank line starts). */
  readonly end: number;
  /** Offset of the body's first byte, after the blank line. */
  readonly bodyOffset: number;
  /** What the lenient reader had to skip or guess, each with its line and column. */
  readonly problems: readonly MessageSyntaxError[];
  #bytes: Uint8Array;
  #positionOf: (offset: number) => SourcePosition;

  /**
   * Wraps fields that {@linkcode parseHeaders} read.
   *
   * @param bytes The bytes the header was read from.
   * @param parts The fields, offsets and problems.
   */
  constructor(
    bytes: Uint8Array,
    parts: {
      fields: HeaderField[];
      start: number;
      end: number;
      bodyOffset: number;
      problems: MessageSyntaxError[];
      positionOf: (offset: number) => SourcePosition;
    },
  ) {
    this.#bytes = bytes;
    this.fields = parts.fields;
    this.start = parts.start;
    this.end = parts.end;
    this.bodyOffset = parts.bodyOffset;
    this.problems = parts.problems;
    this.#positionOf = parts.positionOf;
  }

  /** The header's bytes, blank line included, as a view (no copy). */
  get bytes(): Uint8Array {
    return this.#bytes.subarray(this.start, this.bodyOffset);
  }

  /**
   * The first value of a field.
   *
   * @param name The field name, in any case.
   * @returns The unfolded value, or `undefined` when the field is absent.
   */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    for (const field of this.fields) if (field.key === key) return field.value;
    return undefined;
  }

  /**
   * Every value of a field, in order.
   *
   * @param name The field name, in any case.
   * @returns The values; empty when the field is absent.
   */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.fields.filter((f) => f.key === key).map((f) => f.value);
  }

  /**
   * Whether a field is present.
   *
   * @param name The field name, in any case.
   * @returns True when at least one field has that name.
   */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * The line and column of a byte offset in the parsed bytes.
   *
   * @param offset A byte offset, such as a field's `offset`.
   * @returns Its 1-based line and column.
   */
  position(offset: number): SourcePosition {
    return this.#positionOf(offset);
  }

  /** `Subject:`, decoded; `undefined` when absent. */
  get subject(): string | undefined {
    const value = this.get("subject");
    return value === undefined ? undefined : decodeWords(value);
  }

  /** `From:` mailboxes. */
  get from(): Mailbox[] {
    return parseMailboxes(this.get("from") ?? "");
  }

  /** `Sender:` mailbox, when present. */
  get sender(): Mailbox | undefined {
    return parseMailboxes(this.get("sender") ?? "")[0];
  }

  /** `Reply-To:` addresses. */
  get replyTo(): Address[] {
    return parseAddressList(this.get("reply-to") ?? "");
  }

  /** `To:` addresses; every `To:` field counts. */
  get to(): Address[] {
    return this.getAll("to").flatMap((value) => parseAddressList(value));
  }

  /** `Cc:` addresses; every `Cc:` field counts. */
  get cc(): Address[] {
    return this.getAll("cc").flatMap((value) => parseAddressList(value));
  }

  /** `Bcc:` addresses (present in drafts, not in sent mail). */
  get bcc(): Address[] {
    return this.getAll("bcc").flatMap((value) => parseAddressList(value));
  }

  /** `Date:` in milliseconds since the epoch; `undefined` when absent or unreadable. */
  get date(): number | undefined {
    const value = this.get("date");
    return value === undefined ? undefined : parseDate(value);
  }

  /** `Message-ID:` with its angle brackets. */
  get messageId(): string | undefined {
    return parseMessageIds(this.get("message-id") ?? "")[0];
  }

  /** `In-Reply-To:` identifiers. */
  get inReplyTo(): string[] {
    return parseMessageIds(this.get("in-reply-to") ?? "");
  }

  /** `References:` identifiers, oldest first. */
  get references(): string[] {
    return parseMessageIds(this.get("references") ?? "");
  }
}

function headerEnd(bytes: Uint8Array, start: number, end: number): [number, number] {
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
  const [end, bodyOffset] = headerEnd(data, start, limit);
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
      // deno-lint-ignore no-control-regex
      if (/[^\x00-\x7f]/.test(value)) {
        value = decodeHeaderBytes(data.subarray(start + colon + 1, start + valueEnd));
      }
      if (value.includes("\n")) value = value.replace(/\r?\n/g, "");
      fields.push(new Field(data, name, value.trim(), start + pos, start + fieldEnd));
    }
    pos = fieldEnd;
  }
  return new HeaderBlock(data, { fields, start, end, bodyOffset, problems, positionOf });
}
