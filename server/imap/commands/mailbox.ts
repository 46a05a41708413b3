/**
 * Commands on a mailbox as a whole: SELECT and EXAMINE (RFC 3501 §6.3.1, §6.3.2), CREATE
 * (§6.3.3) and STATUS (§6.3.10).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapSyntaxError } from "../../../protocol/imap/error.ts";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { SYSTEM_FLAGS } from "../../store/store.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import { SelectedMailbox } from "../selected.ts";

/**
 * Makes SELECT (read-write) or EXAMINE (read-only).
 *
 * @param readOnly True for EXAMINE.
 * @returns The handler.
 */
export function selectCommand(
  readOnly: boolean,
): (session: SessionContext, args: Arguments) => Promise<CommandResult> {
  return async (session, args) => {
    const name = args.astring("mailbox name");
    args.end();
    const box = await SelectedMailbox.open(session.store, session.user!, name, readOnly);
    const firstUnseen = box.messages.findIndex((m) => !m.flags.includes("\\Seen"));
    session.send("* FLAGS", [SYSTEM_FLAGS]);
    session.send(`* ${box.exists} EXISTS`);
    session.send("* 0 RECENT");
    if (firstUnseen >= 0) session.send(formatStatus("*", RESPONSE.FirstUnseen(firstUnseen + 1)));
    session.send(formatStatus("*", RESPONSE.UidValidity(box.uidValidity)));
    session.send(formatStatus("*", RESPONSE.UidNext(box.uidNext)));
    session.send(formatStatus("*", RESPONSE.PermanentFlags(readOnly ? [] : SYSTEM_FLAGS)));
    return { response: RESPONSE.Selected(readOnly), state: "selected", selected: box };
  };
}

/**
 * CREATE name: a trailing delimiter is dropped, as RFC 3501 §6.3.3 allows.
 *
 * @param session The session.
 * @param args The new mailbox's name.
 */
export async function create(session: SessionContext, args: Arguments): Promise<void> {
  const name = args.astring("mailbox name").replace(/\.$/, "");
  args.end();
  await session.store.createMailbox(session.user!, name);
}

const STATUS_ITEMS = new Set(["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN"]);

/**
 * STATUS name (items): the counters of a mailbox without selecting it.
 *
 * @param session The session.
 * @param args The mailbox name and a list of status items.
 */
export async function status(session: SessionContext, args: Arguments): Promise<void> {
  const name = args.astring("mailbox name");
  const items = args.list("status items").map((t) =>
    t.kind === "atom" ? t.value.toUpperCase() : ""
  );
  args.end();
  const unknown = items.find((i) => !STATUS_ITEMS.has(i));
  if (unknown !== undefined || items.length === 0) {
    throw new ImapSyntaxError(`Unknown status item "${unknown ?? ""}"`);
  }
  const counts = await session.store.status(session.user!, name);
  const values: Record<string, number> = {
    MESSAGES: counts.messages,
    RECENT: 0,
    UIDNEXT: counts.uidNext,
    UIDVALIDITY: counts.uidValidity,
    UNSEEN: counts.unseen,
  };
  session.send("* STATUS", [{ string: counts.name }, items.flatMap((i) => [i, String(values[i])])]);
}
