/**
 * Message identifiers (RFC 5322 §3.6.4): `Message-ID:` names a message uniquely, `In-Reply-To:`
 * and `References:` link a reply to the messages before it, which is how mail readers build
 * threads.
 *
 * ```
 * msg-id      = [CFWS] "<" id-left "@" id-right ">" [CFWS]
 * in-reply-to = "In-Reply-To:" 1*msg-id CRLF
 * references  = "References:" 1*msg-id CRLF
 * ```
 *
 * @module
 */

const ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Generates a new Message-ID: 26 random base-36 characters (about 134 bits from
 * `crypto.getRandomValues`, so no clock is needed) at the given domain.
 *
 * @param domain The domain that vouches for uniqueness, normally the sender's.
 * @returns The identifier with its angle brackets, `<...@domain>`.
 *
 * @example A fresh identifier for crepes.fr
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateMessageId } from "./message_id.ts";
 *
 * const id = generateMessageId("crepes.fr");
 * assert.match(id, /^<[0-9a-z]{26}@crepes\.fr>$/);
 * assert.notEqual(id, generateMessageId("crepes.fr"));
 * ```
 */
export function generateMessageId(domain: string): string {
  const random = crypto.getRandomValues(new Uint8Array(26));
  let left = "";
  for (const byte of random) left += ID_CHARS[byte % 36];
  return `<${left}@${domain}>`;
}

/**
 * Reads every `<...>` identifier of a field value, in order, ignoring comments and phrases that
 * old mailers put around them. A value without brackets counts as one bare identifier.
 *
 * @param text The value of `Message-ID:`, `In-Reply-To:` or `References:`.
 * @returns The identifiers, each with its angle brackets.
 *
 * @example Read a References field
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessageIds } from "./message_id.ts";
 *
 * assert.deepEqual(parseMessageIds("<a@x.org> (first)\r\n <b@y.org>"), ["<a@x.org>", "<b@y.org>"]);
 * assert.deepEqual(parseMessageIds("bare@id.org"), ["<bare@id.org>"]);
 * ```
 */
export function parseMessageIds(text: string): string[] {
  const ids = text.match(/<[^<>\s]*>/g);
  if (ids) return ids;
  const bare = text.replace(/\([^)]*\)/g, "").trim();
  return bare && !/\s/.test(bare) ? [`<${bare}>`] : [];
}

/** The identifiers of a message that is being replied to (a `ParsedMessage` or `HeaderBlock`). */
export interface ReplyParent {
  /** The parent's `Message-ID:`. */
  messageId?: string;
  /** The parent's `In-Reply-To:` identifiers. */
  inReplyTo: readonly string[];
  /** The parent's `References:` identifiers. */
  references: readonly string[];
}

/**
 * The `In-Reply-To:` and `References:` of a reply (RFC 5322 §3.6.4): In-Reply-To names the
 * parent; References is the parent's References (or, failing that, its single In-Reply-To)
 * followed by the parent's Message-ID.
 *
 * @param parent The message being replied to.
 * @returns The two field values, ready for `buildMessage`.
 *
 * @example Reply to a reply
 * ```ts
 * import assert from "node:assert/strict";
 * import { replyIdentifiers } from "./message_id.ts";
 *
 * const ids = replyIdentifiers({
 *   messageId: "<2@hamburger.edu>",
 *   inReplyTo: ["<1@crepes.fr>"],
 *   references: ["<1@crepes.fr>"],
 * });
 * assert.deepEqual(ids, {
 *   inReplyTo: "<2@hamburger.edu>",
 *   references: ["<1@crepes.fr>", "<2@hamburger.edu>"],
 * });
 * ```
 */
export function replyIdentifiers(
  parent: ReplyParent,
): { inReplyTo?: string; references: string[] } {
  const earlier = parent.references.length > 0
    ? [...parent.references]
    : parent.inReplyTo.length === 1
    ? [...parent.inReplyTo]
    : [];
  if (!parent.messageId) return { references: earlier };
  return { inReplyTo: parent.messageId, references: [...earlier, parent.messageId] };
}
