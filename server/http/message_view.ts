/**
 * What the HTTP interface shows of a message: a row of a mailbox listing, and the whole message
 * read (headers decoded, the text, the HTML made safe, the attachments as downloads, and the
 * `Received:` fields that tell how it travelled).
 *
 * HTML mail is sanitised by sanitize-html (a maintained HTML parser's allow-list, not regular
 * expressions): no scripts, no event handlers, no forms, no frames, no `javascript:` links, no
 * CSS; images only from the message itself (`cid:`) or `data:` unless remote images are asked
 * for. The page shows it in a sandboxed frame whose Content-Security-Policy loads nothing more.
 *
 * @module
 */
// @ts-types="@types/sanitize-html"
import sanitizeHtml from "sanitize-html";
import { type Address, parseHeaders, parseMessage } from "../../message/mod.ts";
import type { MessageInfo } from "../store/store.ts";

/** One address, decoded. */
export interface AddressView {
  /** The display name, decoded; empty when there is none. */
  name: string;
  /** `local@domain`; empty for a name without an address. */
  address: string;
}

/** A message as a row of a mailbox listing. */
export interface MessageRow {
  /** Its UID in the mailbox. */
  uid: number;
  /** The first From, decoded; undefined when the message has none. */
  from?: AddressView;
  /** The subject, decoded; empty when there is none. */
  subject: string;
  /** The Date field, in milliseconds since the epoch; undefined when missing or unreadable. */
  date?: number;
  /** When the server received it, in milliseconds since the epoch. */
  received: number;
  /** Its size in bytes. */
  size: number;
  /** Its flags, such as `\Seen`. */
  flags: string[];
  /** Whether it has been read (`\Seen`). */
  seen: boolean;
}

/** One attachment, as a download. */
export interface AttachmentView {
  /** Its position among the message's attachments, from 0; its download URL ends with it. */
  index: number;
  /** Its file name; a made-up one when the message gives none. */
  filename: string;
  /** `type/subtype`. */
  contentType: string;
  /** Its decoded size in bytes. */
  size: number;
}

/** A message read. */
export interface MessageView extends MessageRow {
  /** To, Cc and Reply-To, decoded (groups flattened). */
  to: AddressView[];
  cc: AddressView[];
  replyTo: AddressView[];
  /** Message-ID, In-Reply-To and References, for threading. */
  messageId?: string;
  inReplyTo: string[];
  references: string[];
  /** The text part, decoded. */
  text?: string;
  /** The HTML part, sanitised; remote images removed unless `remoteImages` was asked. */
  html?: string;
  /** Whether the HTML had remote images that were blocked. */
  remoteImagesBlocked: boolean;
  /** The attachments. */
  attachments: AttachmentView[];
  /** The `Received:` fields, newest (this server's) first, unfolded. */
  received_fields: string[];
}

function flatten(addresses: readonly Address[]): AddressView[] {
  return addresses.flatMap((a) =>
    "group" in a
      ? a.group.map((m) => ({ name: m.name, address: m.address }))
      : [{ name: a.name, address: a.address }]
  );
}

/** What a listing row needs of a message's header, kept by the store (JSON-safe). */
export interface RowSummary {
  /** The first From, decoded. */
  from?: AddressView;
  /** The subject, decoded; empty when there is none. */
  subject: string;
  /** The Date field, in milliseconds since the epoch. */
  date?: number;
}

/** The kind under which stores keep {@linkcode RowSummary} values. */
export const ROW_SUMMARY_KIND = "http-row-1";

/**
 * What a listing row needs of a message, from its header alone.
 *
 * @param bytes The message.
 * @returns The summary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowSummary } from "./message_view.ts";
 *
 * const bytes = new TextEncoder().encode("From: =?UTF-8?B?7JWo66as7Iqk?= <alice@crepes.fr>\r\nSubject: hi\r\n\r\n.\r\n");
 * assert.deepEqual(rowSummary(bytes), { from: { name: "앨리스", address: "alice@crepes.fr" }, subject: "hi" });
 * ```
 */
export function rowSummary(bytes: Uint8Array): RowSummary {
  const header = parseHeaders(bytes);
  const [from] = flatten(header.from);
  const date = header.date;
  return { ...(from ? { from } : {}), subject: header.subject ?? "", ...(date ? { date } : {}) };
}

/**
 * A listing row from the store's entry and the message's row summary.
 *
 * @param info The store's entry.
 * @param summary What {@linkcode rowSummary} made of it.
 * @returns The row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { messageRow } from "./message_view.ts";
 *
 * const row = messageRow({ uid: 3, flags: ["\\Seen"], size: 9, internalDate: 0, modseq: 1 }, { subject: "hi" });
 * assert.equal(row.seen, true);
 * assert.equal(row.subject, "hi");
 * ```
 */
export function messageRow(info: MessageInfo, summary: RowSummary): MessageRow {
  return {
    uid: info.uid,
    ...summary,
    received: info.internalDate,
    size: info.size,
    flags: [...info.flags],
    seen: info.flags.includes("\\Seen"),
  };
}

/** Options of {@linkcode messageView}. */
export interface MessageViewOptions {
  /** Keep images from `http:` and `https:` URLs in the HTML. @default false */
  remoteImages?: boolean;
}

/**
 * The whole message, ready for a page.
 *
 * @param info The store's entry.
 * @param bytes The message.
 * @param options Whether remote images stay.
 * @returns The view.
 *
 * @example A script and a remote image never reach the page
 * ```ts
 * import assert from "node:assert/strict";
 * import { messageView } from "./message_view.ts";
 *
 * const html = '<p onclick="steal()">Hi<script>steal()</script><img src="https://evil.example/t.gif"></p>';
 * const bytes = new TextEncoder().encode(`Subject: hi\r\nContent-Type: text/html\r\n\r\n${html}\r\n`);
 * const view = messageView({ uid: 1, flags: [], size: bytes.length, internalDate: 0, modseq: 1 }, bytes);
 * assert.equal(view.html?.trim(), "<p>Hi</p>");
 * assert.equal(view.remoteImagesBlocked, true);
 * ```
 */
export function messageView(
  info: MessageInfo,
  bytes: Uint8Array,
  options: MessageViewOptions = {},
): MessageView {
  const message = parseMessage(bytes);
  const header = message.header;
  const html = message.html === undefined ? undefined : sanitize(message.html, options);
  return {
    ...messageRow(info, rowSummary(bytes)),
    to: flatten(message.to),
    cc: flatten(message.cc),
    replyTo: flatten(header.replyTo),
    ...(message.messageId ? { messageId: message.messageId } : {}),
    inReplyTo: message.inReplyTo,
    references: message.references,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(html ? { html: html.html } : {}),
    remoteImagesBlocked: html?.blocked ?? false,
    attachments: message.attachments.map((a, index) => ({
      index,
      filename: a.filename ?? `attachment-${index + 1}${extensionOf(a.contentType)}`,
      contentType: a.contentType,
      size: a.content.length,
    })),
    received_fields: header.getAll("received").map((v) => v.replace(/\s+/g, " ").trim()),
  };
}

/**
 * One attachment's bytes and how to name them.
 *
 * @param bytes The message.
 * @param index The attachment's position, as in {@linkcode MessageView.attachments}.
 * @returns The attachment, or undefined when there is no such one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attachmentOf } from "./message_view.ts";
 *
 * const text = 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\nhi\r\n--b\r\n' +
 *   'Content-Type: text/csv; name="a.csv"\r\nContent-Disposition: attachment; filename="a.csv"\r\n\r\nx,y\r\n--b--\r\n';
 * const found = attachmentOf(new TextEncoder().encode(text), 0);
 * assert.equal(found?.filename, "a.csv");
 * assert.equal(attachmentOf(new TextEncoder().encode(text), 1), undefined);
 * ```
 */
export function attachmentOf(
  bytes: Uint8Array,
  index: number,
): { filename: string; contentType: string; content: Uint8Array } | undefined {
  const attachment = parseMessage(bytes).attachments[index];
  if (!attachment) return undefined;
  return {
    filename: attachment.filename ??
      `attachment-${index + 1}${extensionOf(attachment.contentType)}`,
    contentType: attachment.contentType,
    content: attachment.content,
  };
}

function extensionOf(type: string): string {
  return { "text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml" }[type] ?? "";
}

function sanitize(html: string, options: MessageViewOptions): { html: string; blocked: boolean } {
  let blocked = false;
  const schemes = options.remoteImages ? ["cid", "data", "http", "https"] : ["cid", "data"];
  const clean = sanitizeHtml(html, {
    allowedTags: sanitizeHtml.defaults.allowedTags.concat(["img", "font", "center"]),
    allowedAttributes: {
      a: ["href", "title"],
      img: ["src", "alt", "title", "width", "height"],
      td: ["colspan", "rowspan", "align", "valign"],
      th: ["colspan", "rowspan", "align", "valign"],
      table: ["width", "border", "cellpadding", "cellspacing"],
      font: ["color", "size"],
      "*": ["align", "dir", "lang"],
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowedSchemesByTag: { img: schemes },
    allowProtocolRelative: false,
    exclusiveFilter: (frame) => {
      if (frame.tag !== "img") return false;
      const src = (frame.attribs.src ?? "").trim().toLowerCase();
      const remote = !src.startsWith("cid:") && !src.startsWith("data:");
      if (remote && !options.remoteImages) blocked = true;
      return remote && !options.remoteImages;
    },
    transformTags: {
      a: sanitizeHtml.simpleTransform("a", { target: "_blank", rel: "noopener noreferrer" }),
    },
  });
  return { html: clean, blocked };
}
