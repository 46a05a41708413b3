/**
 * What a mail reader shows of a message: the header fields a person reads (From, To, Cc, Date,
 * Subject), decoded from their encoded words (RFC 2047); the text, decoded from its transfer
 * encoding and charset (RFC 2045), or made from the HTML when there is no text; and the
 * attachments by name, type and size.
 *
 * @module
 */
import { type Address, formatAddressList } from "../message/address.ts";
import type { ParsedMessage } from "../message/parse.ts";

/** One attachment as a reader lists it. */
export interface AttachmentSummary {
  /** Its file name, when the message gives one. */
  filename?: string;
  /** Its `type/subtype`. */
  contentType: string;
  /** Its size in bytes, decoded. */
  size: number;
}

/** A message as a reader shows it; a field the message lacks is `undefined`. */
export interface MessageSummary {
  /** From, decoded, such as `Alice <alice@crepes.fr>`. */
  from?: string;
  /** To, decoded. */
  to?: string;
  /** Cc, decoded. */
  cc?: string;
  /** The Date field as the sender wrote it. */
  date?: string;
  /** The Subject, decoded. */
  subject?: string;
  /** The Return-Path: the envelope sender, as the last server recorded it; `""` for `<>`. */
  returnPath?: string;
  /** The text, with LF line ends. */
  text: string;
  /** Whether the text was made from the HTML part (the message has no text part). */
  fromHtml: boolean;
  /** The attachments, in order. */
  attachments: AttachmentSummary[];
}

function addresses(list: Address[]): string | undefined {
  return list.length === 0 ? undefined : formatAddressList(list, { utf8: true });
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/**
 * A rough text of an HTML body, for a terminal: scripts and styles dropped, line breaks kept
 * where the HTML breaks lines, tags removed, the common entities decoded.
 *
 * @param html The HTML.
 * @returns The text, with LF line ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { htmlToText } from "./reading.ts";
 *
 * assert.equal(htmlToText("<p>Ketchup &amp; <b>pickles</b></p><p>Bob</p>"), "Ketchup & pickles\n\nBob");
 * ```
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|h[1-6]|li|tr|blockquote)\s*>/gi, "\n\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] !== "#") return ENTITIES[name.toLowerCase()] ?? whole;
      const code = name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * The address of a message's Return-Path (RFC 5322 §3.6.7), which the server that delivered it
 * wrote from the envelope's MAIL FROM (RFC 5321 §4.4).
 *
 * @param message The parsed message.
 * @returns The address; `""` for the null path `<>` of a bounce; undefined when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "../message/parse.ts";
 * import { returnPathOf } from "./reading.ts";
 *
 * assert.equal(returnPathOf(parseMessage("Return-Path: <alice@crepes.fr>\r\n\r\n")), "alice@crepes.fr");
 * assert.equal(returnPathOf(parseMessage("Return-Path: <>\r\n\r\n")), "");
 * assert.equal(returnPathOf(parseMessage("Subject: hi\r\n\r\n")), undefined);
 * ```
 */
export function returnPathOf(message: ParsedMessage): string | undefined {
  const value = message.header.text("Return-Path")?.trim();
  if (value === undefined) return undefined;
  return /^<([^>]*)>$/.exec(value)?.[1].trim() ?? value;
}

/**
 * The text a person reads of a message: its text part, else its HTML made into text; LF line
 * ends.
 *
 * @param message The parsed message.
 * @returns The text, and whether it came from the HTML.
 */
export function readableText(message: ParsedMessage): { text: string; fromHtml: boolean } {
  if (message.text !== undefined) {
    return { text: message.text.replace(/\r\n/g, "\n"), fromHtml: false };
  }
  if (message.html !== undefined) return { text: htmlToText(message.html), fromHtml: true };
  return { text: "", fromHtml: false };
}

/**
 * Sums a message up as a mail reader shows it.
 *
 * @param message The parsed message.
 * @returns The decoded header fields, the text and the attachments.
 *
 * @example A Korean message in encoded words and base64
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "../message/parse.ts";
 * import { describeMessage } from "./reading.ts";
 *
 * const message = parseMessage(
 *   "From: =?UTF-8?B?7LKg7IiY?= <cheolsu@hamburger.edu>\r\n" +
 *     "Subject: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?=\r\n" +
 *     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
 *     "7JWI64WV7ZWY7IS47JqUDQo=\r\n",
 * );
 * const summary = describeMessage(message);
 * assert.equal(summary.from, "철수 <cheolsu@hamburger.edu>");
 * assert.equal(summary.subject, "안녕하세요");
 * assert.equal(summary.text, "안녕하세요\n");
 * assert.equal(summary.date, undefined);
 * ```
 */
export function describeMessage(message: ParsedMessage): MessageSummary {
  const date = message.header.text("Date")?.trim();
  return {
    from: addresses(message.from),
    to: addresses(message.to),
    cc: addresses(message.cc),
    date: date || undefined,
    subject: message.subject,
    returnPath: returnPathOf(message),
    ...readableText(message),
    attachments: message.attachments.map((a) => ({
      ...(a.filename === undefined ? {} : { filename: a.filename }),
      contentType: a.contentType,
      size: a.content.length,
    })),
  };
}
