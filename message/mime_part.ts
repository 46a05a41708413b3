/**
 * The MIME tree (RFC 2045, RFC 2046): a message is one part; a multipart holds parts between
 * boundary lines; a `message/rfc822` part holds a whole message. Each {@linkcode MimePart} knows
 * its IMAP section number (RFC 3501 §6.4.5) and where its header and body lie in the original
 * bytes, so an IMAP server can answer `BODY[1.2]` or `BODYSTRUCTURE` without copying.
 *
 * ```
 * multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part
 *                   *encapsulation close-delimiter transport-padding [CRLF epilogue]
 * encapsulation  := delimiter transport-padding CRLF body-part
 * delimiter      := CRLF dash-boundary          ; dash-boundary := "--" boundary
 * ```
 *
 * @module
 */

import { decodeCharset } from "./charset.ts";
import {
  type ContentDisposition,
  type ContentType,
  parseContentDisposition,
} from "./content_type.ts";
import { decodeWords } from "./encoded_words.ts";
import type { HeaderBlock } from "./header.ts";
import { decodeBase64, decodeQuotedPrintable } from "./transfer_encoding.ts";

const ascii = new TextDecoder();

/** The pieces a {@linkcode MimePart} is made from (the tree parser builds them). */
export interface MimePartInit {
  /** The bytes of the whole message. */
  bytes: Uint8Array;
  /** The IMAP section number, `""` for the message itself. */
  section: string;
  /** The part's header. */
  header: HeaderBlock;
  /** The parsed `Content-Type:`. */
  contentType: ContentType;
  /** Offset just past the body. */
  end: number;
  /** The parts of a multipart. */
  children?: MimePart[];
  /** The message inside a `message/rfc822` part. */
  message?: MimePart;
}

/**
 * One node of the MIME tree. Offsets index the original message bytes; `body` is a view, and
 * `content()` decodes (and remembers) the transfer encoding.
 */
export class MimePart {
  /**
   * The IMAP section number: `""` for a whole message, `"1"`, `"1.2"` for parts. A message
   * inside a `message/rfc822` part has the section of that part, so `"2.HEADER"` is its header.
   */
  readonly section: string;
  /** The part's header (for the root, the message header). */
  readonly header: HeaderBlock;
  /** The parsed `Content-Type:` (default `text/plain; charset=us-ascii`). */
  readonly contentType: ContentType;
  /** Offset where the part's header starts. */
  readonly headerStart: number;
  /** Offset where the part's body starts. */
  readonly bodyStart: number;
  /** Offset just past the part's body. */
  readonly end: number;
  /** The parts of a multipart, in order; empty for other types. */
  readonly children: readonly MimePart[];
  /** For `message/rfc822` (and `message/global`): the enclosed message's root part. */
  readonly message?: MimePart;
  #bytes: Uint8Array;
  #content?: Uint8Array;

  /**
   * Creates a part; `parseMessage` builds the tree.
   *
   * @param init The part's pieces.
   */
  constructor(init: MimePartInit) {
    this.#bytes = init.bytes;
    this.section = init.section;
    this.header = init.header;
    this.contentType = init.contentType;
    this.headerStart = init.header.start;
    this.bodyStart = init.header.bodyOffset;
    this.end = Math.max(init.end, init.header.bodyOffset);
    this.children = init.children ?? [];
    this.message = init.message;
  }

  /** `type/subtype` in lower case. */
  get mediaType(): string {
    return this.contentType.mediaType;
  }

  /** The `Content-Transfer-Encoding:` in lower case; `7bit` when absent (RFC 2045 §6.1). */
  get encoding(): string {
    return (this.header.get("content-transfer-encoding") ?? "7bit").trim().toLowerCase() || "7bit";
  }

  /** The `Content-ID:`, with its angle brackets. */
  get id(): string | undefined {
    return this.header.get("content-id");
  }

  /** The `Content-Description:`, decoded. */
  get description(): string | undefined {
    const value = this.header.get("content-description");
    return value === undefined ? undefined : decodeWords(value);
  }

  /** The parsed `Content-Disposition:`, when present. */
  get disposition(): ContentDisposition | undefined {
    const value = this.header.get("content-disposition");
    return value === undefined ? undefined : parseContentDisposition(value);
  }

  /** The file name from `Content-Disposition:` or, failing that, the `name` of the type. */
  get filename(): string | undefined {
    return this.disposition?.params.filename ?? this.contentType.params.name;
  }

  /** The body's size in octets, still transfer-encoded (IMAP `body-fld-octets`). */
  get size(): number {
    return this.end - this.bodyStart;
  }

  /** The body's line count (IMAP `body-fld-lines` for text and message/rfc822 parts). */
  get lines(): number {
    const body = this.body;
    if (body.length === 0) return 0;
    let count = 0;
    let i = body.indexOf(10);
    while (i >= 0) {
      count++;
      i = body.indexOf(10, i + 1);
    }
    return body[body.length - 1] === 10 ? count : count + 1;
  }

  /** The body as it stands in the message (transfer-encoded), as a view. */
  get body(): Uint8Array {
    return this.#bytes.subarray(this.bodyStart, this.end);
  }

  /** The whole part, header and body, as a view (IMAP `BODY[1.2.MIME]` plus `BODY[1.2]`). */
  get bytes(): Uint8Array {
    return this.#bytes.subarray(this.headerStart, this.end);
  }

  /**
   * The body with its transfer encoding undone (base64 and quoted-printable decoded).
   *
   * @returns The decoded bytes.
   */
  content(): Uint8Array {
    if (this.#content) return this.#content;
    const body = this.body;
    const encoding = this.encoding;
    if (encoding === "base64") this.#content = decodeBase64(ascii.decode(body));
    else if (encoding === "quoted-printable") this.#content = decodeQuotedPrintable(body);
    else this.#content = body;
    return this.#content;
  }

  /**
   * The decoded body as text, through its `charset` parameter.
   *
   * @returns The text.
   */
  text(): string {
    return decodeCharset(this.content(), this.contentType.params.charset ?? "utf-8");
  }

  /**
   * Every part of the subtree, this one first, in document order (entering enclosed messages).
   *
   * @returns The parts.
   */
  *walk(): Generator<MimePart> {
    yield this;
    if (this.message) yield* this.message.walk();
    for (const child of this.children) yield* child.walk();
  }

  /**
   * Finds a part by IMAP section number, such as `"1.2"`. In a message that is not multipart,
   * `"1"` is the body itself (RFC 3501 §6.4.5).
   *
   * @param section The section number; `""` for this part.
   * @returns The part, or `undefined` when there is none.
   */
  find(section: string): MimePart | undefined {
    if (section === "") return this;
    // deno-lint-ignore no-this-alias
    let node: MimePart = this;
    for (const step of section.split(".")) {
      const n = Number(step);
      if (!Number.isInteger(n) || n < 1) return undefined;
      const container: MimePart = node.message ?? node;
      if (container.children.length > 0) {
        const next = container.children[n - 1];
        if (!next) return undefined;
        node = next;
      } else if (n === 1 && (container !== node || node.section === "")) {
        node = container;
      } else {
        return undefined;
      }
    }
    return node;
  }

  /** A short description for debugging: `1.2 text/plain (120 bytes)`. */
  toString(): string {
    return `${this.section || "(message)"} ${this.mediaType} (${this.size} bytes)`;
  }
}
