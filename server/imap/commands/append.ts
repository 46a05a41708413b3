/**
 * Putting messages into a mailbox: APPEND (RFC 3501 §6.3.11), which a mail client uses to save
 * what it sent in "Sent" or a draft in "Drafts", and COPY / UID COPY (§6.4.7), which it uses to
 * move a message to another folder or to the trash.
 *
 * ```
 * append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal
 * copy   = "COPY" SP sequence-set SP mailbox
 * ```
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { parseImapDateTime } from "../../../protocol/imap/date.ts";
import { ImapResponseError, ImapSyntaxError } from "../../../protocol/imap/error.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { parseSequenceSet } from "../../../protocol/imap/sequence_set.ts";
import { NotFoundError, SYSTEM_FLAGS, type SystemFlag } from "../../store/store.ts";
import type { SessionContext } from "../context.ts";

/** A missing target mailbox: RFC 3501 asks for [TRYCREATE], so the client offers to create it. */
async function intoMailbox<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) throw ImapResponseError.of(RESPONSE.TryCreate(name));
    throw error;
  }
}

function systemFlags(names: string[]): SystemFlag[] {
  return SYSTEM_FLAGS.filter((f) => names.some((n) => n.toLowerCase() === f.toLowerCase()));
}

/**
 * APPEND mailbox [(flags)] ["date-time"] {literal}: stores the message as given.
 *
 * @param session The session.
 * @param args The mailbox, optional flags and date, and the message as a literal.
 */
export async function append(session: SessionContext, args: Arguments): Promise<void> {
  const mailbox = args.astring("mailbox name");
  let flags: SystemFlag[] = [];
  let internalDate: number | undefined;
  let token = args.any("message literal");
  if (token.kind === "list") {
    flags = systemFlags(token.items.map((t) => (t.kind === "list" ? "" : t.value)));
    token = args.any("message literal");
  }
  if (token.kind === "string" && !token.literal) {
    internalDate = parseImapDateTime(token.value);
    token = args.any("message literal");
  }
  args.end();
  if (token.kind !== "string" || !token.literal) {
    throw new ImapSyntaxError("Expected the message as a literal");
  }
  const bytes = token.bytes;
  await intoMailbox(
    mailbox,
    () => session.store.deliver(session.user!, bytes, { mailbox, flags, internalDate }),
  );
}

/**
 * COPY sequence-set mailbox, and UID COPY: each message, with its flags and date, into another
 * mailbox (RFC 3501 §6.4.7: all or nothing is not promised by this store; a failure stops).
 *
 * @param session The session.
 * @param args The set and the target mailbox.
 * @param command The command, to tell COPY from UID COPY.
 */
export async function copy(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<void> {
  const set = parseSequenceSet(args.atom("sequence set"));
  const target = args.astring("mailbox name");
  args.end();
  const box = session.selected!;
  await intoMailbox(target, () => session.store.status(session.user!, target));
  for (const { info } of box.pick(set, command.name === "UID COPY")) {
    const bytes = await session.store.read(session.user!, box.name, info.uid);
    await session.store.deliver(session.user!, bytes, {
      mailbox: target,
      flags: info.flags,
      internalDate: info.internalDate,
    });
  }
}
