/**
 * What the server tells a client about its selected mailbox without being asked (RFC 3501 §7.3,
 * §7.4): messages expunged by anyone, new messages, flags another session changed, keywords newly
 * defined. Sent after every command (EXPUNGE only where §7.4.1 allows it) and, during IDLE, as soon
 * as the change happens.
 *
 * @module
 */
import { formatStatus, type ImapData, sendableFlags } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import { SYSTEM_FLAGS } from "../store/store.ts";
import type { SessionContext } from "./context.ts";
import type { MailboxChanges, SelectedMailbox, SyncOptions } from "./selected.ts";

/**
 * The FLAGS a mailbox announces: the system flags and its keywords (RFC 3501 §7.2.6), but those
 * that are no IMAP atom, which a flag list cannot carry.
 *
 * @param box The selected mailbox.
 * @returns The flags.
 */
export function mailboxFlags(box: SelectedMailbox): string[] {
  return [...SYSTEM_FLAGS, ...sendableFlags(box.keywords)];
}

/**
 * The flags a client may set for good: none when read-only, else every flag and any new keyword
 * (`\*`) while the mailbox has room for one.
 *
 * @param box The selected mailbox.
 * @param room Whether new keywords can still be defined.
 * @returns The PERMANENTFLAGS list.
 */
export function permanentFlags(box: SelectedMailbox, room: boolean): string[] {
  if (box.readOnly) return [];
  return room ? [...mailboxFlags(box), "\\*"] : mailboxFlags(box);
}

/**
 * Sends the changes a sync found, in the order a client expects: EXPUNGE, FLAGS, EXISTS and
 * RECENT, then FETCH for changed flags (with MODSEQ once the client enabled CONDSTORE).
 *
 * @param session The session.
 * @param changes What the sync found.
 */
export function sendChanges(session: SessionContext, changes: MailboxChanges): void {
  const box = session.selected!;
  for (const seq of changes.expunged) session.send(`* ${seq} EXPUNGE`);
  if (changes.keywords) {
    session.send("* FLAGS", [mailboxFlags(box)]);
    session.send(formatStatus("*", RESPONSE.PermanentFlags(permanentFlags(box, true))));
  }
  if (changes.exists !== undefined) {
    session.send(`* ${changes.exists} EXISTS`);
    session.send(`* ${changes.recent ?? 0} RECENT`);
  }
  const condstore = session.enabled.has("CONDSTORE");
  for (const { seq, info } of changes.flags) {
    const data: ImapData[] = ["UID", String(info.uid), "FLAGS", box.flagsOf(info)];
    if (condstore) data.push("MODSEQ", [String(info.modseq)]);
    session.send(`* ${seq} FETCH`, [data]);
  }
}

/**
 * Brings the selected mailbox up to date and sends what changed.
 *
 * @param session The session.
 * @param options Whether EXPUNGE may be sent now, and the clock's time when a recent check may
 *   be trusted.
 */
export async function reportChanges(
  session: SessionContext,
  options: SyncOptions,
): Promise<void> {
  const box = session.selected;
  if (!box) return;
  sendChanges(session, await box.sync(session.store, options));
}
