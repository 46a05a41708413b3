/**
 * Leaving and cleaning a mailbox: EXPUNGE (RFC 3501 §6.4.3), CLOSE (§6.4.2) and UNSELECT
 * (RFC 3691).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapResponseError } from "../../../protocol/imap/error.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import { reportChanges } from "./any.ts";

async function removeDeleted(session: SessionContext): Promise<void> {
  const box = session.selected!;
  const uids = box.messages.filter((m) => m.flags.includes("\\Deleted")).map((m) => m.uid);
  if (uids.length > 0) await session.store.expunge(session.user!, box.name, uids);
}

/**
 * EXPUNGE: removes the messages flagged `\Deleted` and reports each with `* n EXPUNGE`.
 *
 * @param session The session.
 * @param args No arguments.
 */
export async function expunge(session: SessionContext, args: Arguments): Promise<void> {
  args.end();
  const box = session.selected!;
  if (box.readOnly) throw ImapResponseError.of(RESPONSE.ReadOnly(box.name));
  await removeDeleted(session);
  await reportChanges(session);
}

/**
 * CLOSE: removes the `\Deleted` messages silently (unless read-only) and leaves the mailbox.
 *
 * @param session The session.
 * @param args No arguments.
 */
export async function close(session: SessionContext, args: Arguments): Promise<CommandResult> {
  args.end();
  if (!session.selected!.readOnly) await removeDeleted(session);
  return { state: "authenticated" };
}

/**
 * UNSELECT: leaves the mailbox without removing anything.
 *
 * @param session The session.
 * @param args No arguments.
 */
export function unselect(_session: SessionContext, args: Arguments): CommandResult {
  args.end();
  return { state: "authenticated" };
}
