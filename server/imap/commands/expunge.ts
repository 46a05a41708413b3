/**
 * Leaving and tidying a mailbox: EXPUNGE (RFC 3501 §6.4.3), UID EXPUNGE (RFC 4315 §2.1), CLOSE
 * (§6.4.2) and UNSELECT (RFC 3691). What is removed is decided by the store's current flags, so
 * a `\Deleted` another session set counts too; the EXPUNGE responses follow after the command.
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { ImapResponseError } from "../../../protocol/imap/error.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { parseSequenceSet, sequenceSetHas } from "../../../protocol/imap/sequence_set.ts";
import type { CommandResult, SessionContext } from "../context.ts";

async function removeDeleted(session: SessionContext, only?: (uid: number) => boolean) {
  const box = session.selected!;
  const now = await session.store.list(session.user!, box.name);
  const uids = now.filter((m) => m.flags.includes("\\Deleted") && (!only || only(m.uid)))
    .map((m) => m.uid);
  if (uids.length > 0) await session.store.expunge(session.user!, box.name, uids);
}

/**
 * EXPUNGE, and UID EXPUNGE uid-set: removes the `\Deleted` messages (of the set).
 *
 * @param session The session.
 * @param args Nothing, or UID EXPUNGE's set.
 * @param command The whole command.
 */
export async function expunge(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<void> {
  const set = command.name === "UID EXPUNGE" ? parseSequenceSet(args.atom("uid set")) : undefined;
  args.end();
  const box = session.selected!;
  if (box.readOnly) throw ImapResponseError.of(RESPONSE.ReadOnly(box.name));
  const largest = Math.max(box.uidNext - 1, box.messages.at(-1)?.uid ?? 0);
  await removeDeleted(session, set && ((uid) => sequenceSetHas(set, uid, largest)));
}

/**
 * CLOSE: removes the `\Deleted` messages silently (unless read-only) and leaves the mailbox.
 *
 * @param session The session.
 * @param args No arguments.
 * @returns The authenticated state.
 */
export async function close(session: SessionContext, args: Arguments): Promise<CommandResult> {
  args.end();
  if (!session.selected!.readOnly) await removeDeleted(session);
  return { state: "authenticated" };
}

/**
 * UNSELECT: leaves the mailbox without removing anything.
 *
 * @param _session The session.
 * @param args No arguments.
 * @returns The authenticated state.
 */
export function unselect(_session: SessionContext, args: Arguments): CommandResult {
  args.end();
  return { state: "authenticated" };
}
