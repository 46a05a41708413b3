/**
 * Parsing a whole message: the header, the MIME tree, and the views a mail reader wants (the text
 * and HTML bodies, the attachments with their decoded bytes). Lenient by default, like real
 * readers: what cannot be read becomes a problem with its line and column, never a crash. With
 * `strict: true` the first problem is thrown instead.
 *
 * @module
 */

import { utf8Bytes } from "./_bytes.ts";
import type { Address, Mailbox } from "./address.ts";
import type { MessageSyntaxError } from "./errors.ts";
import type { HeaderBlock } from "./header.ts";
import type { MimePart } from "./mime_part.ts";
import { parseMimeTree } from "./mime_tree.ts";

/** An attachment (or an inline file such as an embedded image). */
export interface Attachment {
  /** The file name, when the message gives one. */
  filename?: string;
  /** `type/subtype`, lower case. */
  contentType: string;
  /** `attachment` or `inline`. */
  disposition: "attachment" | "inline";
  /** The `Content-ID:` (for inline images referenced from HTML), with angle brackets. */
  contentId?: string;
  /** The decoded bytes. */
  content: Uint8Array;
  /** The part it came from. */
  part: MimePart;
}

/** Options of {@linkcode parseMessage}. */
export interface ParseMessageOptions {
  /**
   * Throw the first problem as a `MessageSyntaxError` instead of collecting it.
   * @default false
   */
  strict?: boolean;
}

/**
 * Whether a leaf is body text: `text/plain` or `text/html` that no Content-Disposition sends
 * away (a type other than `inline` counts as `attachment`, RFC 2183 §2.8). Without the field the
 * reader chooses (RFC 2183 §2): a `name` on the type (deprecated for `filename`, RFC 2046
 * §4.5.1) then marks a file, except where the part stands for the message itself (`lead`): a
 * single-part body, the first part of a multipart, any alternative of multipart/alternative
 * (RFC 2046 §5.1.4). postal-mime and mailparser read those as body text too (and go further).
 */
function isBodyText(part: MimePart, lead: boolean): boolean {
  const type = part.mediaType;
  if (type !== "text/plain" && type !== "text/html") return false;
  const disposition = part.disposition?.type;
  if (disposition !== undefined) return disposition === "inline";
  return lead || part.contentType.params.name === undefined;
}

/**
 * A parsed message. The header is read at once; text, HTML and attachments are worked out from
 * the MIME tree when first asked for.
 */
export class ParsedMessage {
  /** The message's bytes, as given (no copy). */
  readonly bytes: Uint8Array;
  /** The root of the MIME tree; its header is the message header. */
  readonly root: MimePart;
  /** Everything the lenient parser skipped or guessed, in document order. */
  readonly problems: readonly MessageSyntaxError[];
  #bodies?: { text?: string; html?: string; attachments: Attachment[] };

  /**
   * Wraps a parsed tree; use {@linkcode parseMessage}.
   *
   * @param bytes The message bytes.
   * @param parsed The MIME tree and the problems found.
   */
  constructor(bytes: Uint8Array, parsed: { root: MimePart; problems: MessageSyntaxError[] }) {
    this.bytes = bytes;
    this.root = parsed.root;
    this.problems = parsed.problems;
  }

  /** The message header: ordered fields, raw bytes kept, case-insensitive lookup. */
  get header(): HeaderBlock {
    return this.root.header;
  }

  /** The decoded `Subject:`. */
  get subject(): string | undefined {
    return this.header.subject;
  }

  /** The `From:` mailboxes. */
  get from(): Mailbox[] {
    return this.header.from;
  }

  /** The `To:` addresses. */
  get to(): Address[] {
    return this.header.to;
  }

  /** The `Cc:` addresses. */
  get cc(): Address[] {
    return this.header.cc;
  }

  /** The `Date:` in milliseconds since the epoch. */
  get date(): number | undefined {
    return this.header.date;
  }

  /** The `Message-ID:`. */
  get messageId(): string | undefined {
    return this.header.messageId;
  }

  /** The `In-Reply-To:` identifiers. */
  get inReplyTo(): string[] {
    return this.header.inReplyTo;
  }

  /** The `References:` identifiers. */
  get references(): string[] {
    return this.header.references;
  }

  /**
   * The plain-text body: every `text/plain` part that is not an attachment, joined; `undefined`
   * when none.
   */
  get text(): string | undefined {
    return this.#collect().text;
  }

  /**
   * The HTML body: every `text/html` part that is not an attachment, joined; `undefined` when
   * none.
   */
  get html(): string | undefined {
    return this.#collect().html;
  }

  /** The attachments and inline files, in document order, with decoded bytes. */
  get attachments(): Attachment[] {
    return this.#collect().attachments;
  }

  #collect(): { text?: string; html?: string; attachments: Attachment[] } {
    if (this.#bodies) return this.#bodies;
    const texts: string[] = [];
    const htmls: string[] = [];
    const attachments: Attachment[] = [];
    const visit = (part: MimePart, lead: boolean) => {
      if (part.children.length > 0) {
        const alternative = part.contentType.subtype === "alternative";
        part.children.forEach((child, i) => visit(child, lead && (alternative || i === 0)));
        return;
      }
      if (part.contentType.type === "multipart") return;
      if (isBodyText(part, lead)) {
        const target = part.mediaType === "text/html" ? htmls : texts;
        target.push(part.text());
        return;
      }
      attachments.push({
        filename: part.filename,
        contentType: part.mediaType,
        disposition: part.disposition?.type === "inline" ? "inline" : "attachment",
        contentId: part.id,
        content: part.content(),
        part,
      });
    };
    visit(this.root, true);
    this.#bodies = {
      text: texts.length > 0 ? texts.join("\n") : undefined,
      html: htmls.length > 0 ? htmls.join("<br/>") : undefined,
      attachments,
    };
    return this.#bodies;
  }
}

/**
 * Parses a message leniently, or strictly with `strict: true`.
 *
 * @param bytes The message, as bytes or as text (encoded as UTF-8).
 * @param options Whether problems throw.
 * @returns The parsed message.
 * @throws {MessageSyntaxError} With `strict`, for the first problem found.
 *
 * @example Parse a message and read its parts
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "./parse.ts";
 *
 * const message = parseMessage(
 *   "From: Alice <alice@crepes.fr>\r\nTo: bob@hamburger.edu\r\n" +
 *     "Subject: =?UTF-8?B?7JWI64WV?=\r\n\r\nHello, Bob\r\n",
 * );
 * assert.equal(message.subject, "안녕");
 * assert.deepEqual(message.from, [{ name: "Alice", address: "alice@crepes.fr" }]);
 * assert.equal(message.text, "Hello, Bob\r\n");
 * assert.equal(message.root.find("1")?.size, 12);
 * ```
 */
export function parseMessage(
  bytes: Uint8Array | string,
  options: ParseMessageOptions = {},
): ParsedMessage {
  const data = typeof bytes === "string" ? utf8Bytes(bytes) : bytes;
  const problems: MessageSyntaxError[] = [];
  const root = parseMimeTree(data, { problems });
  if (options.strict && problems.length > 0) throw problems[0];
  return new ParsedMessage(data, { root, problems });
}
