/**
 * Mailbox names between the wire and the store: IMAP4rev1 sends them in modified UTF-7
 * (RFC 3501 §5.1.3), the store keeps them as text, and INBOX is INBOX in any case (§5.1). A name
 * that is not valid modified UTF-7, or that the store refuses (path tricks), is a NO.
 *
 * @module
 */
import type { Arguments } from "../../protocol/imap/command.ts";
import { ImapResponseError } from "../../protocol/imap/error.ts";
import { decodeMailboxName, encodeMailboxName } from "../../protocol/imap/mutf7.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import type { ImapData } from "../../protocol/imap/response.ts";

/** The hierarchy separator of this server's mailbox names. */
export const DELIMITER = ".";

/**
 * Reads a mailbox name argument.
 *
 * @param args The command's arguments.
 * @param what What the argument is, for errors. @default "mailbox name"
 * @returns The name as text.
 * @throws {ImapResponseError} NO [CANNOT] when it is not valid modified UTF-7.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Arguments } from "../../protocol/imap/command.ts";
 * import { readMailbox } from "./names.ts";
 *
 * const atom = (value: string) => new Arguments([{ kind: "atom", value }]);
 * assert.equal(readMailbox(atom("Sent-&AOk-t&AOk-")), "Sent-été");
 * assert.equal(readMailbox(atom("inbox")), "INBOX");
 * ```
 */
export function readMailbox(args: Arguments, what = "mailbox name"): string {
  const wire = args.astring(what);
  let name: string;
  try {
    name = decodeMailboxName(wire);
  } catch (error) {
    // Such a name cannot exist here, so it is refused like one that does not (as Dovecot does).
    throw ImapResponseError.of(RESPONSE.Cannot((error as Error).message));
  }
  return name.toUpperCase() === "INBOX" ? "INBOX" : name;
}

/**
 * A mailbox name as a response carries it.
 *
 * @param name The name as text.
 * @returns The quoted modified UTF-7 string.
 */
export function wireMailbox(name: string): ImapData {
  return { string: encodeMailboxName(name) };
}
