/**
 * Answering and passing on a message, as a mail client does: a reply goes to Reply-To, else
 * From, else the Return-Path (RFC 5322 §3.6.2, §3.6.7), names its parent in In-Reply-To and
 * References (RFC 5322 §3.6.4), says `Re:` once and quotes the original with `> `; a forward
 * says `Fwd:` once and carries the original either quoted in its text or whole, as a
 * `message/rfc822` attachment (RFC 2046 §5.2.1).
 *
 * @module
 */
import { formatAddressList, type Mailbox } from "../message/address.ts";
import type { AddressInput, AttachmentInput } from "../message/build.ts";
import { replyIdentifiers } from "../message/message_id.ts";
import { type ParsedMessage, parseMessage } from "../message/parse.ts";
import { type Draft, isEmailAddress } from "./compose.ts";
import { NoReplyAddressError } from "./errors.ts";
import { describeMessage, readableText, returnPathOf } from "./reading.ts";

/**
 * The subject of a reply: `Re: ` and the original subject, with the `Re:` (or `RE:`, `Re[2]:`)
 * prefixes it already had taken off, so that a thread never says `Re: Re:`.
 *
 * @param subject The original subject.
 * @returns The reply's subject.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replySubject } from "./answer.ts";
 *
 * assert.equal(replySubject("Lunch?"), "Re: Lunch?");
 * assert.equal(replySubject("RE: Re[2]: Lunch?"), "Re: Lunch?");
 * assert.equal(replySubject("Fwd: Recipe"), "Re: Fwd: Recipe");
 * ```
 */
export function replySubject(subject: string | undefined): string {
  return `Re: ${(subject ?? "").replace(/^(\s*re\s*(\[\d+\])?\s*:)+\s*/i, "")}`;
}

/**
 * The subject of a forward: `Fwd: ` once, whatever `Fwd:` or `Fw:` the original had.
 *
 * @param subject The original subject.
 * @returns The forward's subject.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forwardSubject } from "./answer.ts";
 *
 * assert.equal(forwardSubject("Fw: Fwd: Recipe"), "Fwd: Recipe");
 * assert.equal(forwardSubject("Re: Lunch?"), "Fwd: Re: Lunch?");
 * ```
 */
export function forwardSubject(subject: string | undefined): string {
  return `Fwd: ${(subject ?? "").replace(/^(\s*fwd?\s*:)+\s*/i, "")}`;
}

/**
 * Quotes a text for a reply, each line behind `> `; a line quoted already gets one more `>`,
 * without a space, so that the levels stay readable (RFC 3676 §4.5).
 *
 * @param text The text, with LF or CRLF line ends.
 * @returns The quoted lines, joined with LF.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quote } from "./answer.ts";
 *
 * assert.equal(quote("Yes\r\n\r\n> Lunch?\r\n"), "> Yes\n>\n>> Lunch?");
 * ```
 */
export function quote(text: string): string {
  return text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n")
    .map((line) => line === "" ? ">" : line.startsWith(">") ? `>${line}` : `> ${line}`)
    .join("\n");
}

function valid(list: readonly Mailbox[]): Mailbox[] {
  return list.filter((m) => isEmailAddress(m.address));
}

const mailboxesOf = (list: ParsedMessage["to"]): Mailbox[] =>
  valid(list.flatMap((a) => "group" in a ? a.group : [a]));

/**
 * Who a reply goes to: Reply-To when the author asked for it, else From (RFC 5322 §3.6.2), else
 * the Return-Path that the last server added (§3.6.7), for a message without either.
 *
 * @param original The message answered.
 * @returns The mailboxes, and the field they came from; `undefined` when no field names anyone.
 *
 * @example A message typed by hand, without From, goes back to its envelope sender
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "../message/parse.ts";
 * import { replyTarget } from "./answer.ts";
 *
 * const typed = parseMessage("Return-Path: <alice@crepes.fr>\r\nSubject: hi\r\n\r\nhello\r\n");
 * assert.deepEqual(replyTarget(typed), {
 *   to: [{ name: "", address: "alice@crepes.fr" }],
 *   field: "Return-Path",
 * });
 * assert.equal(replyTarget(parseMessage("Return-Path: <>\r\n\r\nbounce\r\n")), undefined);
 * ```
 */
export function replyTarget(
  original: ParsedMessage,
): { to: Mailbox[]; field: "Reply-To" | "From" | "Return-Path" } | undefined {
  const replyTo = mailboxesOf(original.header.replyTo);
  if (replyTo.length > 0) return { to: replyTo, field: "Reply-To" };
  const from = valid(original.from);
  if (from.length > 0) return { to: from, field: "From" };
  const path = returnPathOf(original);
  if (path && isEmailAddress(path)) {
    return { to: [{ name: "", address: path }], field: "Return-Path" };
  }
  return undefined;
}

/** Options of {@linkcode replyDraft}. */
export interface ReplyOptions {
  /** The answer's text. */
  text: string;
  /** Answer everyone in To and Cc as well. @default false */
  all?: boolean;
  /** Who answers, left out of the recipients. */
  self: string;
}

/**
 * The answer to a message: to its Reply-To, From or Return-Path; with `all`, also to the
 * original's To and Cc (and its From, when Reply-To pointed elsewhere), never to oneself;
 * `Re:` once; In-Reply-To and References per RFC 5322 §3.6.4; the original quoted below an
 * "On ... wrote:" line.
 *
 * @param original The message answered.
 * @param options The text, whether to answer everyone, and who answers.
 * @returns The draft.
 * @throws {NoReplyAddressError} When the message names no one to answer.
 *
 * @example Answer a reply: the thread grows by one
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "../message/parse.ts";
 * import { replyDraft } from "./answer.ts";
 *
 * const original = parseMessage(
 *   "From: Alice <alice@crepes.fr>\r\nTo: bob@hamburger.edu\r\nSubject: Re: Lunch?\r\n" +
 *     "Message-ID: <2@crepes.fr>\r\nIn-Reply-To: <1@hamburger.edu>\r\n\r\nNoon?\r\n",
 * );
 * const draft = replyDraft(original, { text: "Yes.", self: "bob@hamburger.edu" });
 * assert.deepEqual(draft.to, [{ name: "Alice", address: "alice@crepes.fr" }]);
 * assert.equal(draft.subject, "Re: Lunch?");
 * assert.equal(draft.inReplyTo, "<2@crepes.fr>");
 * assert.deepEqual(draft.references, ["<1@hamburger.edu>", "<2@crepes.fr>"]);
 * assert.equal(draft.text, "Yes.\n\nAlice <alice@crepes.fr> wrote:\n> Noon?\n");
 * ```
 */
export function replyDraft(original: ParsedMessage, options: ReplyOptions): Draft {
  const target = replyTarget(original);
  if (!target) {
    throw new NoReplyAddressError(
      "The message names no one to reply to: it has no From, Reply-To or Return-Path address" +
        (returnPathOf(original) === "" ? " (its Return-Path is <>, as a bounce's is)" : ""),
    );
  }
  const self = options.self.toLowerCase();
  const isSelf = (m: Mailbox) => m.address.toLowerCase() === self;
  const originalTo = mailboxesOf(original.to);
  // An answer to one's own message (in Sent) goes to whom it went to.
  let to = target.to.every(isSelf) && originalTo.some((m) => !isSelf(m))
    ? originalTo.filter((m) => !isSelf(m))
    : target.to;
  const seen = new Set(to.map((m) => m.address.toLowerCase()));
  const cc: Mailbox[] = [];
  if (options.all) {
    const from = target.field === "Reply-To" ? valid(original.from) : [];
    for (const m of [...from, ...originalTo, ...mailboxesOf(original.cc)]) {
      const key = m.address.toLowerCase();
      if (key === self || seen.has(key)) continue;
      seen.add(key);
      cc.push(m);
    }
  }
  if (to.length === 0) to = target.to;
  const { inReplyTo, references } = replyIdentifiers(original);
  const summary = describeMessage(original);
  const who = summary.from ?? formatAddressList(target.to, { utf8: true });
  const said = summary.date ? `On ${summary.date}, ${who} wrote:` : `${who} wrote:`;
  const quoted = quote(readableText(original).text);
  return {
    to,
    ...(cc.length > 0 ? { cc } : {}),
    subject: replySubject(original.subject),
    text: `${options.text.replace(/\n+$/, "")}\n\n${said}\n${quoted}\n`,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references.length > 0 ? { references } : {}),
  };
}

/** Options of {@linkcode forwardDraft}. */
export interface ForwardOptions {
  /** The new recipients. */
  to: AddressInput | AddressInput[];
  /** Copies. @default none */
  cc?: AddressInput | AddressInput[];
  /** A note above the original. @default "" */
  text?: string;
  /** Attach the original whole (`message/rfc822`) instead of quoting it. @default false */
  asAttachment?: boolean;
}

/** A file name from a subject: what file managers and mail clients accept. */
function emlName(subject: string | undefined): string {
  const name = (subject ?? "").replace(/[\\/:*?"<>|\p{Cc}]+/gu, " ").replace(/\s+/g, " ")
    .trim().slice(0, 60);
  return `${name || "forwarded message"}.eml`;
}

/**
 * A forward of a message to someone else: inline, its header summed up and its text quoted,
 * its attachments carried along; or, with `asAttachment`, the original's exact bytes attached
 * as `message/rfc822`. The subject says `Fwd:` once.
 *
 * @param original The message's bytes, as stored.
 * @param options The new recipients, a note, and how to carry the original.
 * @returns The draft.
 *
 * @example Forward inline, then as an attachment
 * ```ts
 * import assert from "node:assert/strict";
 * import { forwardDraft } from "./answer.ts";
 *
 * const original = new TextEncoder().encode("From: alice@crepes.fr\r\nSubject: Recipe\r\n\r\nKetchup.\r\n");
 * const inline = forwardDraft(original, { to: "carol@crepes.fr", text: "Look" });
 * assert.equal(inline.subject, "Fwd: Recipe");
 * assert.match(inline.text ?? "", /^Look\n\n-+ Forwarded message -+\nFrom: alice@crepes\.fr\n/);
 * assert.match(inline.text ?? "", /\n> Ketchup\.\n$/);
 * const attached = forwardDraft(original, { to: "carol@crepes.fr", asAttachment: true });
 * assert.equal(attached.attachments?.[0].contentType, "message/rfc822");
 * assert.equal(attached.attachments?.[0].content, original);
 * ```
 */
export function forwardDraft(original: Uint8Array, options: ForwardOptions): Draft {
  const message = parseMessage(original);
  const note = options.text ?? "";
  const base = {
    to: options.to,
    ...(options.cc === undefined ? {} : { cc: options.cc }),
    subject: forwardSubject(message.subject),
  };
  if (options.asAttachment) {
    const attachment: AttachmentInput = {
      filename: emlName(message.subject),
      contentType: "message/rfc822",
      content: original,
    };
    return { ...base, text: note, attachments: [attachment] };
  }
  const summary = describeMessage(message);
  const fields = [
    ["From", summary.from ?? "(no sender)"],
    ["Date", summary.date ?? "(no date)"],
    ["Subject", summary.subject ?? "(no subject)"],
    ["To", summary.to],
    ["Cc", summary.cc],
  ].filter(([, value]) => value !== undefined).map(([name, value]) => `${name}: ${value}`);
  const text = [
    ...(note ? [note.replace(/\n+$/, ""), ""] : []),
    "---------- Forwarded message ----------",
    ...fields,
    "",
    quote(readableText(message).text),
    "",
  ].join("\n");
  const attachments = message.attachments.map((a): AttachmentInput => ({
    ...(a.filename === undefined ? {} : { filename: a.filename }),
    contentType: a.contentType,
    content: a.content,
  }));
  return { ...base, text, ...(attachments.length > 0 ? { attachments } : {}) };
}
