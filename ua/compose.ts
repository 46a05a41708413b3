/**
 * What the user agent writes: a new message from a draft (with Bcc kept out of the header and
 * in the envelope), an answer to a message, and a forward of one.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { type Address, parseAddressList } from "../message/address.ts";
import { type AddressInput, type AttachmentInput, buildMessage } from "../message/build.ts";
import { type ParsedMessage, parseMessage } from "../message/parse.ts";

/** What to write. */
export interface Draft {
  /** Recipients. */
  to: AddressInput | AddressInput[];
  /** Copies. @default none */
  cc?: AddressInput | AddressInput[];
  /** Blind copies: in the envelope, never in the header. @default none */
  bcc?: AddressInput | AddressInput[];
  /** The subject. @default "" */
  subject?: string;
  /** The text. @default "" */
  text?: string;
  /** An HTML alternative. @default none */
  html?: string;
  /** Files. @default none */
  attachments?: AttachmentInput[];
  /** The Message-ID this answers. @default none */
  inReplyTo?: string;
  /** The thread's Message-IDs. @default none */
  references?: string[];
}

/** A composed message, ready to submit. */
export interface Composed {
  /** The message bytes. */
  bytes: Uint8Array;
  /** The envelope: the sender, and To, Cc and Bcc together. */
  envelope: { from: string; to: string[] };
  /** Its Message-ID. */
  messageId: string;
}

function flatten(addresses: Address[]): string[] {
  return addresses.flatMap((a) => "group" in a ? a.group.map((m) => m.address) : [a.address])
    .filter((a) => a !== "");
}

function recipients(input: AddressInput | AddressInput[] | undefined): string[] {
  if (input === undefined) return [];
  const list = Array.isArray(input) ? input : [input];
  return list.flatMap((a) => typeof a === "string" ? flatten(parseAddressList(a)) : [a.address]);
}

/** An empty list means "none", which the message builder wants as no field at all. */
function present(
  input: AddressInput | AddressInput[] | undefined,
): AddressInput | AddressInput[] | undefined {
  return Array.isArray(input) && input.length === 0 ? undefined : input;
}

/**
 * Writes a message: headers (From, To, Cc, Subject, Date, Message-ID) and body, with MIME and
 * encoded words as the content needs.
 *
 * @param draft What to write.
 * @param options The sender (its address and display name) and the clock for the Date.
 * @returns The bytes and the envelope to send them with.
 */
export function composeMessage(
  draft: Draft,
  options: { address: string; name?: string; clock: Clock },
): Composed {
  const from = options.name ? { name: options.name, address: options.address } : options.address;
  const bytes = buildMessage(
    {
      from,
      to: present(draft.to),
      cc: present(draft.cc),
      subject: draft.subject ?? "",
      text: draft.text ?? "",
      html: draft.html,
      attachments: draft.attachments,
      inReplyTo: draft.inReplyTo,
      references: draft.references,
    },
    { clock: options.clock },
  );
  const messageId = parseMessage(bytes).messageId ?? "";
  const to = [
    ...new Set([...recipients(draft.to), ...recipients(draft.cc), ...recipients(draft.bcc)]),
  ];
  return { bytes, envelope: { from: options.address, to }, messageId };
}

/**
 * The answer to a message: to its Reply-To or From, `Re:` subject, In-Reply-To and References
 * set, and the original quoted with `> `.
 *
 * @param original The message answered.
 * @param options The answer's text, whether to answer everyone in To and Cc, and who answers
 * (left out of the copies).
 * @returns The draft.
 */
export function replyDraft(
  original: ParsedMessage,
  options: { text: string; all?: boolean; self: string },
): Draft {
  const replyTo = original.header.get("Reply-To");
  const to = replyTo ? flatten(parseAddressList(replyTo)) : original.from.map((m) => m.address);
  const cc = options.all
    ? [...flatten(original.to), ...flatten(original.cc)].filter((a) =>
      a.toLowerCase() !== options.self.toLowerCase() && !to.includes(a)
    )
    : [];
  const subject = original.subject ?? "";
  const quoted = (original.text ?? "").replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n")
    .map((line) => `> ${line}`).join("\n");
  const references = [
    ...original.references,
    ...(original.messageId ? [original.messageId] : []),
  ];
  return {
    to,
    cc: cc.length > 0 ? cc : undefined,
    subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`,
    text: `${options.text}\n\n${quoted}\n`,
    inReplyTo: original.messageId,
    references: references.length > 0 ? references : undefined,
  };
}

/**
 * A forward of a message to someone else, attached whole as `message/rfc822`.
 *
 * @param original The message's bytes, as stored.
 * @param options The new recipients and a note above it.
 * @returns The draft.
 */
export function forwardDraft(
  original: Uint8Array,
  options: { to: AddressInput | AddressInput[]; text: string },
): Draft {
  return {
    to: options.to,
    subject: `Fwd: ${parseMessage(original).subject ?? ""}`,
    text: options.text,
    attachments: [{ filename: "forwarded.eml", contentType: "message/rfc822", content: original }],
  };
}
