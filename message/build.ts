/**
 * Composing a message from a plain object, the way a user agent does: the input is validated
 * with zod, addresses and the subject are encoded for a 7-bit header, bodies get the transfer
 * encoding their content needs, and Date and Message-ID are added.
 *
 * @module
 */

import { z } from "zod";
import { isAsciiText } from "./_bytes.ts";
import { type Address, formatAddressList, parseAddressList } from "./address.ts";
import { formatDate } from "./date.ts";
import { encodeWords } from "./encoded_words.ts";
import { generateMessageId } from "./message_id.ts";
import { buildMime, type MimeNode } from "./mime_builder.ts";

const MailboxSchema = z.object({
  name: z.string().optional(),
  address: z.string().regex(/^[^\s<>]+@[^\s<>@]+$/, "Expected an address like local@domain"),
});
const AddressSchema = z.union([
  z.string().refine(
    (text) => parseAddressList(text).some((a) => "group" in a || a.address.includes("@")),
    "Expected an address like alice@crepes.fr or Alice <alice@crepes.fr>",
  ),
  MailboxSchema,
]);
const AddressesSchema = z.union([AddressSchema, z.array(AddressSchema).min(1)]);

/** A validator such as a zod schema: `parse` throws, `safeParse` reports. */
export interface InputSchema<T> {
  /** Returns the valid input or throws a `ZodError` that names the field. */
  parse(input: unknown): T;
  /** Returns the valid input or the error, without throwing. */
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: Error };
}

/**
 * The zod schema of {@linkcode MessageInput}.
 *
 * @example Validate an input before building
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageInputSchema } from "./build.ts";
 *
 * assert.equal(MessageInputSchema.safeParse({ from: "alice@crepes.fr" }).success, true);
 * assert.equal(MessageInputSchema.safeParse({ from: "not an address" }).success, false);
 * ```
 */
export const MessageInputSchema: InputSchema<MessageInput> = z.object({
  from: AddressesSchema,
  sender: AddressSchema.optional(),
  to: AddressesSchema.optional(),
  cc: AddressesSchema.optional(),
  bcc: AddressesSchema.optional(),
  replyTo: AddressesSchema.optional(),
  subject: z.string().optional(),
  text: z.string().optional(),
  html: z.string().optional(),
  attachments: z.array(z.object({
    filename: z.string().optional(),
    contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/).optional(),
    content: z.union([z.instanceof(Uint8Array), z.string()]),
    contentId: z.string().optional(),
    inline: z.boolean().optional(),
  })).optional(),
  headers: z.union([
    z.record(z.string(), z.string()),
    z.array(z.tuple([z.string(), z.string()])),
  ]).optional(),
  date: z.number().finite().optional(),
  messageId: z.string().optional(),
  inReplyTo: z.string().optional(),
  references: z.union([z.string(), z.array(z.string())]).optional(),
});

/** A mailbox given as an object. */
export interface MailboxInput {
  /** The display name (any text; encoded as needed). */
  name?: string;
  /** The address, `local@domain`. */
  address: string;
}

/** An address: `Alice <alice@crepes.fr>`, `alice@crepes.fr`, or `{ name, address }`. */
export type AddressInput = string | MailboxInput;

/** A file to attach. */
export interface AttachmentInput {
  /** The file name shown to the reader. */
  filename?: string;
  /** `type/subtype`; `application/octet-stream` when absent. */
  contentType?: string;
  /** The bytes, or text written as UTF-8. */
  content: Uint8Array | string;
  /** A `Content-ID:` such as `<logo@crepes.fr>`, for an image the HTML refers to. */
  contentId?: string;
  /** Mark it `inline` rather than `attachment`. */
  inline?: boolean;
}

/** What a message is made of; `bcc` is accepted (for the envelope) but never written. */
export interface MessageInput {
  /** The author(s). */
  from: AddressInput | AddressInput[];
  /** The sender, when not the author. */
  sender?: AddressInput;
  /** The primary recipients. */
  to?: AddressInput | AddressInput[];
  /** The carbon-copy recipients. */
  cc?: AddressInput | AddressInput[];
  /** The blind-copy recipients (never written into the header). */
  bcc?: AddressInput | AddressInput[];
  /** Where replies go. */
  replyTo?: AddressInput | AddressInput[];
  /** The subject, any text. */
  subject?: string;
  /** The plain-text body. */
  text?: string;
  /** The HTML body. */
  html?: string;
  /** Files to attach. */
  attachments?: AttachmentInput[];
  /** Extra header fields, in order. */
  headers?: Record<string, string> | [string, string][];
  /** The `Date:` in milliseconds since the epoch (otherwise the clock's time). */
  date?: number;
  /** The `Message-ID:` with angle brackets (otherwise a generated one). */
  messageId?: string;
  /** The `In-Reply-To:` identifier. */
  inReplyTo?: string;
  /** The `References:` identifiers. */
  references?: string | string[];
}

/** Options of {@linkcode buildMessage}. */
export interface BuildOptions {
  /**
   * Where the `Date:` comes from when the input has no `date` (any `Clock` from
   * `protocol/clock.ts` fits); without either, no `Date:` is
   * written (a submission server adds one, RFC 6409 §8.2).
   * @default undefined
   */
  clock?: { now(): number };
  /**
   * The domain of a generated Message-ID.
   * @default the domain of the first From address
   */
  domain?: string;
  /**
   * Allow 8bit bodies (the path supports 8BITMIME); otherwise the message is 7-bit only.
   * @default false
   */
  eightBit?: boolean;
  /**
   * The zone of the `Date:` field, in minutes east of UTC.
   * @default 0
   */
  offsetMinutes?: number;
  /**
   * Write non-ASCII header text as UTF-8 (RFC 6532; the path must support SMTPUTF8) instead of
   * encoded words. Needed for internationalised addresses such as `철수@우체국.한국`.
   * @default false
   */
  utf8?: boolean;
}

function addresses(input: AddressInput | AddressInput[]): Address[] {
  const list = Array.isArray(input) ? input : [input];
  return list.flatMap((a) =>
    typeof a === "string" ? parseAddressList(a) : [{ name: a.name ?? "", address: a.address }]
  );
}

function body(input: MessageInput): MimeNode {
  const text: MimeNode | undefined = input.text === undefined
    ? undefined
    : { contentType: "text/plain", body: input.text };
  const html: MimeNode | undefined = input.html === undefined
    ? undefined
    : { contentType: "text/html", body: input.html };
  let main: MimeNode = text && html
    ? { contentType: "multipart/alternative", parts: [text, html] }
    : text ?? html ?? { contentType: "text/plain", body: "" };
  const files = (input.attachments ?? []).map((a): MimeNode => ({
    contentType: a.contentType ?? "application/octet-stream",
    body: a.content,
    filename: a.filename,
    disposition: a.inline ? "inline" : "attachment",
    contentId: a.contentId,
  }));
  if (files.length > 0) main = { contentType: "multipart/mixed", parts: [main, ...files] };
  return main;
}

/**
 * Builds a message from a validated input: header fields in the usual order (Date, From, To,
 * Cc, Subject, Message-ID...), the bodies as `text/plain`, `multipart/alternative` with HTML,
 * and `multipart/mixed` with attachments. CRLF line ends; lines within 998 characters; 7-bit only
 * unless `eightBit` is set.
 *
 * @param input The message, validated with {@linkcode MessageInputSchema}.
 * @param options The clock, the Message-ID domain and whether 8bit is allowed.
 * @returns The message bytes.
 * @throws {z.ZodError} When the input does not fit the schema.
 * @throws {RangeError} For a non-ASCII address without `utf8`.
 *
 * @example Build alice's message to bob
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { buildMessage } from "./build.ts";
 * import { parseMessage } from "./parse.ts";
 *
 * const bytes = buildMessage(
 *   { from: "alice@crepes.fr", to: "bob@hamburger.edu", subject: "안녕, Bob", text: "Hi!\n" },
 *   { clock: new ManualClock(Date.UTC(2026, 8, 1, 9)) },
 * );
 * const text = new TextDecoder().decode(bytes);
 * assert.match(text, /^Date: Tue, 01 Sep 2026 09:00:00 \+0000\r\nFrom: alice@crepes.fr\r\n/);
 * assert.match(text, /\r\nMessage-ID: <[0-9a-z]+@crepes\.fr>\r\n/);
 * assert.equal(parseMessage(bytes).subject, "안녕, Bob");
 * assert.equal(parseMessage(bytes).text, "Hi!\r\n");
 * ```
 */
export function buildMessage(input: MessageInput, options: BuildOptions = {}): Uint8Array {
  const message = MessageInputSchema.parse(input);
  const from = addresses(message.from);
  // The Message-ID domain: the first author's, unless told otherwise.
  const domain = options.domain ?? (from.find((a) => "address" in a) as { address: string })
    ?.address.split("@")[1] ??
    "localhost";
  const utf8 = options.utf8 ?? false;
  const list = (input: AddressInput | AddressInput[]) => {
    const parsed = addresses(input);
    for (const mailbox of parsed.flatMap((a) => "group" in a ? a.group : [a])) {
      if (!utf8 && !isAsciiText(mailbox.address)) {
        throw new RangeError(
          `Cannot write address "${mailbox.address}" in a 7-bit header: set utf8 (SMTPUTF8, RFC 6532)`,
        );
      }
    }
    return formatAddressList(parsed, { utf8 });
  };
  const fields: [string, string][] = [];
  const date = message.date ?? options.clock?.now();
  if (date !== undefined) fields.push(["Date", formatDate(date, options.offsetMinutes ?? 0)]);
  fields.push(["From", list(message.from)]);
  if (message.sender) fields.push(["Sender", list(message.sender)]);
  if (message.replyTo) fields.push(["Reply-To", list(message.replyTo)]);
  if (message.to) fields.push(["To", list(message.to)]);
  if (message.cc) fields.push(["Cc", list(message.cc)]);
  if (message.subject !== undefined) {
    fields.push(["Subject", utf8 ? message.subject : encodeWords(message.subject)]);
  }
  fields.push(["Message-ID", message.messageId ?? generateMessageId(domain)]);
  if (message.inReplyTo) fields.push(["In-Reply-To", message.inReplyTo]);
  const references = [message.references ?? []].flat().join(" ").trim();
  if (references) fields.push(["References", references]);
  const extra = message.headers ?? [];
  for (const [name, value] of Array.isArray(extra) ? extra : Object.entries(extra)) {
    if (name.toLowerCase() !== "bcc") fields.push([name, value]);
  }
  const root = body(message);
  return buildMime({ ...root, headers: fields }, { eightBit: options.eightBit || utf8, utf8 });
}
