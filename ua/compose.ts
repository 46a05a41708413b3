/**
 * What the user agent writes: a new message from a draft, with Bcc kept out of the header and in
 * the envelope, every address checked first (so a typo is named by its field), and non-ASCII
 * addresses written as UTF-8 for an SMTPUTF8 submission (RFC 6531, RFC 6532).
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { type Address, type Mailbox, parseAddressList } from "../message/address.ts";
import { type AddressInput, type AttachmentInput, buildMessage } from "../message/build.ts";
import { parseMessage } from "../message/parse.ts";
import { AddressError, type AddressField } from "./errors.ts";

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

// addr-spec (RFC 5322 §3.4.1) as a person types it: one @, no spaces or specials around it, and
// a domain of non-empty labels. Non-ASCII is welcome (RFC 6532 §3.2).
const ADDR_SPEC = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:".]+(\.[^\s@<>()[\]\\,;:".]+)*$/;

/**
 * Whether a text is one email address, such as `bob@hamburger.edu` or `철수@우체국.한국`.
 *
 * @param address The text.
 * @returns True for `local@domain`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isEmailAddress } from "./compose.ts";
 *
 * assert.equal(isEmailAddress("bob@hamburger.edu"), true);
 * assert.equal(isEmailAddress("bob@"), false);
 * assert.equal(isEmailAddress("Bob <bob@hamburger.edu>"), false);
 * ```
 */
export function isEmailAddress(address: string): boolean {
  return ADDR_SPEC.test(address);
}

function mailboxes(addresses: Address[]): Mailbox[] {
  return addresses.flatMap((a) => "group" in a ? a.group : [a]);
}

/** The mailboxes of one field, each checked; an empty group (`undisclosed:;`) is fine. */
function checked(field: AddressField, input: AddressInput | AddressInput[] | undefined): string[] {
  if (input === undefined) return [];
  const found: string[] = [];
  for (const item of Array.isArray(input) ? input : [input]) {
    if (typeof item !== "string") {
      if (!isEmailAddress(item.address)) throw new AddressError(field, item.address);
      found.push(item.address);
      continue;
    }
    const parsed = parseAddressList(item);
    if (parsed.length === 0) throw new AddressError(field, item);
    for (const mailbox of mailboxes(parsed)) {
      if (!isEmailAddress(mailbox.address)) throw new AddressError(field, mailbox.address || item);
      found.push(mailbox.address);
    }
  }
  return found;
}

/** An empty list means "none", which the message builder wants as no field at all. */
function present(
  input: AddressInput | AddressInput[] | undefined,
): AddressInput | AddressInput[] | undefined {
  return Array.isArray(input) && input.length === 0 ? undefined : input;
}

const nonAscii = (address: string) => /[\u0080-\uffff]/.test(address);

/**
 * Writes a message: headers (From, To, Cc, Subject, Date, Message-ID) and body, with MIME and
 * encoded words as the content needs. A non-ASCII address makes the whole header UTF-8
 * (RFC 6532): only a server that offers SMTPUTF8 takes it, and the SMTP client asks for it.
 *
 * @param draft What to write.
 * @param options The sender (its address and display name) and the clock for the Date.
 * @returns The bytes and the envelope to send them with.
 * @throws {AddressError} Naming the field of an address that is not one.
 *
 * @example A non-ASCII recipient makes a UTF-8 header; a typo is named by its field
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { composeMessage } from "./compose.ts";
 *
 * const sender = { address: "alice@crepes.fr", clock: new ManualClock() };
 * const { bytes, envelope } = composeMessage({ to: "철수@hamburger.edu", text: "Hi\n" }, sender);
 * assert.match(new TextDecoder().decode(bytes), /\r\nTo: 철수@hamburger\.edu\r\n/);
 * assert.deepEqual(envelope.to, ["철수@hamburger.edu"]);
 * assert.throws(() => composeMessage({ to: "bob@" }, sender), /^AddressError: to: "bob@"/);
 * ```
 */
export function composeMessage(
  draft: Draft,
  options: { address: string; name?: string; clock: Clock },
): Composed {
  const sender = checked("from", options.address);
  const to = checked("to", draft.to);
  const cc = checked("cc", draft.cc);
  const bcc = checked("bcc", draft.bcc);
  const from = options.name ? { name: options.name, address: options.address } : options.address;
  const bytes = buildMessage(
    {
      from,
      to: present(draft.to),
      cc: present(draft.cc),
      // A line break would end the field and start another (header injection).
      subject: (draft.subject ?? "").replace(/\r?\n|\r/g, " "),
      text: draft.text ?? "",
      html: draft.html,
      attachments: draft.attachments,
      inReplyTo: draft.inReplyTo,
      references: draft.references,
    },
    { clock: options.clock, utf8: [...sender, ...to, ...cc].some(nonAscii) },
  );
  const messageId = parseMessage(bytes).messageId ?? "";
  const recipients = [...new Set([...to, ...cc, ...bcc])];
  return { bytes, envelope: { from: options.address, to: recipients }, messageId };
}
