/**
 * A parsed header block: its fields in order, with case-insensitive lookup, the raw bytes of
 * each field, and decoded views of the fields every reader wants (Subject, From, To, Date...).
 * `parseHeaders` builds it.
 *
 * @module
 */

import { type Address, type Mailbox, parseAddressList, parseMailboxes } from "./address.ts";
import { decodeCharset } from "./charset.ts";
import { parseContentType } from "./content_type.ts";
import { parseDate } from "./date.ts";
import { decodeWords } from "./encoded_words.ts";
import type { MessageSyntaxError, SourcePosition } from "./errors.ts";
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

/** Internal: a field that makes its raw view only when asked (most readers never look). */
export class Field implements HeaderField {
  readonly name: string;
  readonly key: string;
  readonly value: string;
  readonly offset: number;
  /** The value's bytes when they are 8-bit but not UTF-8 (legacy mail), else undefined. */
  readonly legacy?: Uint8Array;
  #bytes: Uint8Array;
  #end: number;

  constructor(
    bytes: Uint8Array,
    init: { name: string; value: string; offset: number; end: number; legacy?: Uint8Array },
  ) {
    this.name = init.name;
    this.key = init.name.toLowerCase();
    this.value = init.value;
    this.offset = init.offset;
    this.legacy = init.legacy;
    this.#bytes = bytes;
    this.#end = init.end;
  }

  get raw(): Uint8Array {
    return this.#bytes.subarray(this.offset, this.#end);
  }
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
   * The first value of a field as text. Differs from {@linkcode HeaderBlock.get} only for raw
   * 8-bit bytes that are not UTF-8, which old mailers sent in their local charset (EUC-KR for
   * Korean): those are decoded through the `charset` of `Content-Type:` when it names one.
   *
   * @param name The field name, in any case.
   * @returns The value, or `undefined` when the field is absent.
   */
  text(name: string): string | undefined {
    return this.textAll(name)[0];
  }

  /**
   * Every value of a field as text, decoded as {@linkcode HeaderBlock.text} does.
   *
   * @param name The field name, in any case.
   * @returns The values; empty when the field is absent.
   */
  textAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    for (const field of this.fields) {
      if (field.key !== key) continue;
      const legacy = (field as Field).legacy;
      if (!legacy) {
        out.push(field.value);
        continue;
      }
      const charset = parseContentType(this.get("content-type")).params.charset;
      const text = charset && !/^(us-ascii|utf-?8)$/i.test(charset)
        ? decodeCharset(legacy, charset)
        : field.value;
      out.push(text.replace(/\r?\n/g, "").trim());
    }
    return out;
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
    const value = this.text("subject");
    return value === undefined ? undefined : decodeWords(value);
  }

  /** `From:` mailboxes. */
  get from(): Mailbox[] {
    return parseMailboxes(this.text("from") ?? "");
  }

  /** `Sender:` mailbox, when present. */
  get sender(): Mailbox | undefined {
    return parseMailboxes(this.text("sender") ?? "")[0];
  }

  /** `Reply-To:` addresses. */
  get replyTo(): Address[] {
    return parseAddressList(this.text("reply-to") ?? "");
  }

  /** `To:` addresses; every `To:` field counts. */
  get to(): Address[] {
    return this.textAll("to").flatMap((value) => parseAddressList(value));
  }

  /** `Cc:` addresses; every `Cc:` field counts. */
  get cc(): Address[] {
    return this.textAll("cc").flatMap((value) => parseAddressList(value));
  }

  /** `Bcc:` addresses (present in drafts, not in sent mail). */
  get bcc(): Address[] {
    return this.textAll("bcc").flatMap((value) => parseAddressList(value));
  }

  /** `Date:` in milliseconds since the epoch; `undefined` when absent or unreadable. */
  get date(): number | undefined {
    const value = this.text("date");
    return value === undefined ? undefined : parseDate(value);
  }

  /** `Message-ID:` with its angle brackets. */
  get messageId(): string | undefined {
    return parseMessageIds(this.text("message-id") ?? "")[0];
  }

  /** `In-Reply-To:` identifiers. */
  get inReplyTo(): string[] {
    return parseMessageIds(this.text("in-reply-to") ?? "");
  }

  /** `References:` identifiers, oldest first. */
  get references(): string[] {
    return parseMessageIds(this.text("references") ?? "");
  }
}
