/**
 * Putting messages into a mailbox: APPEND (RFC 3501 §6.3.11) with several messages at once
 * (MULTIAPPEND, RFC 3502), COPY (§6.4.7) and MOVE (RFC 6851), each naming the new UIDs (UIDPLUS,
 * RFC 4315), so a mail client can keep Sent, Drafts and Trash on the server.
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { parseImapDateTime } from "../../../protocol/imap/date.ts";
import { ImapResponseError, ImapSyntaxError } from "../../../protocol/imap/error.ts";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { formatSequenceSet, parseSequenceSet } from "../../../protocol/imap/sequence_set.ts";
import { NotFoundError } from "../../store/store.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import { readMailbox } from "../names.ts";
import { readFlags } from "./store.ts";

/** A missing target mailbox: RFC 3501 asks for [TRYCREATE], so the client offers to create it. */
async function intoMailbox<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) throw ImapResponseError.of(RESPONSE.TryCreate(name));
    throw error;
  }
}

interface Appended {
  bytes: Uint8Array;
  flags: string[];
  internalDate?: number;
}

function readMessages(args: Arguments): Appended[] {
  const messages: Appended[] = [];
  while (args.more || messages.length === 0) {
    let flags: string[] = [];
    let internalDate: number | undefined;
    let token = args.any("message literal");
    if (token.kind === "list") {
      flags = readFlags(token.items.map((t) => (t.kind === "list" ? "" : t.value)));
      token = args.any("message literal");
    }
    if (token.kind === "string" && !token.literal) {
      internalDate = parseImapDateTime(token.value);
      token = args.any("message literal");
    }
    if (token.kind !== "string" || !token.literal) {
      throw new ImapSyntaxError("Expected the message as a literal");
    }
    messages.push({ bytes: token.bytes, flags, internalDate });
  }
  return messages;
}

/**
 * APPEND mailbox [(flags)] [date-time] {size} [[(flags)] [date-time] {size} ...]: every message
 * is stored, or none (RFC 3502 §3).
 *
 * @param session The session.
 * @param args The mailbox, and each message with its flags and date.
 * @returns The tagged OK with APPENDUID.
 */
export async function append(session: SessionContext, args: Arguments): Promise<CommandResult> {
  const mailbox = readMailbox(args);
  const messages = readMessages(args);
  const user = session.user!;
  const status = await intoMailbox(mailbox, () => session.store.status(user, mailbox));
  const uids: number[] = [];
  try {
    for (const { bytes, flags, internalDate } of messages) {
      uids.push(await session.store.deliver(user, bytes, { mailbox, flags, internalDate }));
    }
  } catch (error) {
    if (uids.length > 0) await session.store.expunge(user, mailbox, uids).catch(() => {});
    if (error instanceof Error && /keyword/.test(error.message)) {
      throw ImapResponseError.of(RESPONSE.Cannot(error.message));
    }
    throw error;
  }
  return { response: RESPONSE.AppendUid(status.uidValidity, formatSequenceSet(uids)) };
}

/**
 * COPY, UID COPY, MOVE and UID MOVE: copy the messages (MOVE then expunges them here, and the
 * EXPUNGE responses follow) and say where the copies went (COPYUID).
 *
 * @param session The session.
 * @param args The set and the target mailbox.
 * @param command The whole command.
 * @returns The tagged OK, with COPYUID for a COPY.
 */
export async function copy(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<CommandResult> {
  const move = command.name.endsWith("MOVE");
  const set = parseSequenceSet(args.atom("sequence set"));
  const target = readMailbox(args);
  args.end();
  const box = session.selected!;
  if (move && box.readOnly) throw ImapResponseError.of(RESPONSE.ReadOnly(box.name));
  const user = session.user!;
  const status = await intoMailbox(target, () => session.store.status(user, target));
  const uids = box.pick(set, command.name.startsWith("UID ")).map((m) => m.info.uid);
  const copied = await intoMailbox(target, () => session.store.copy(user, box.name, uids, target));
  if (copied.length === 0) return {};
  const from = formatSequenceSet(copied.map((c) => c.from));
  const to = formatSequenceSet(copied.map((c) => c.to));
  const copyUid = RESPONSE.CopyUid(status.uidValidity, from, to);
  if (!move) return { response: copyUid };
  // RFC 6851 §4.3: COPYUID comes untagged, before the EXPUNGE responses of the moved messages.
  session.send(formatStatus("*", copyUid));
  await session.store.expunge(user, box.name, copied.map((c) => c.from));
  return {};
}
