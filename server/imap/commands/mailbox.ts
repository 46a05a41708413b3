/**
 * Commands on a mailbox as a whole: SELECT and EXAMINE (RFC 3501 §6.3.1, §6.3.2), CREATE
 * (§6.3.3, with RFC 6154's USE), DELETE (§6.3.4), RENAME (§6.3.5) and STATUS (§6.3.10, with
 * RFC 7162's HIGHESTMODSEQ).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapResponseError, ImapSyntaxError } from "../../../protocol/imap/error.ts";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { MAX_KEYWORDS, SPECIAL_MAILBOXES, type SpecialUse } from "../../store/store.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import { DELIMITER, readMailbox, wireMailbox } from "../names.ts";
import { SelectedMailbox } from "../selected.ts";
import { mailboxFlags, permanentFlags } from "../updates.ts";

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
    const name = readMailbox(args);
    let condstore = false;
    if (args.more) {
      // RFC 7162 §3.1.8: SELECT mailbox (CONDSTORE) enables CONDSTORE.
      const params = args.list("select parameters");
      condstore = params.some((t) => t.kind === "atom" && t.value.toUpperCase() === "CONDSTORE");
    }
    args.end();
    const user = session.user!;
    const box = await SelectedMailbox.open(session.store, { user, name, readOnly });
    const firstUnseen = box.messages.findIndex((m) => !m.flags.includes("\\Seen"));
    const room = box.keywords.length < MAX_KEYWORDS;
    session.send("* FLAGS", [mailboxFlags(box)]);
    session.send(formatStatus("*", RESPONSE.PermanentFlags(permanentFlags(box, room))));
    session.send(`* ${box.exists} EXISTS`);
    session.send(`* ${box.recent} RECENT`);
    if (firstUnseen >= 0) session.send(formatStatus("*", RESPONSE.FirstUnseen(firstUnseen + 1)));
    session.send(formatStatus("*", RESPONSE.UidValidity(box.uidValidity)));
    session.send(formatStatus("*", RESPONSE.UidNext(box.uidNext)));
    session.send(formatStatus("*", RESPONSE.HighestModseq(box.highestModseq)));
    return {
      response: RESPONSE.Selected(readOnly),
      state: "selected",
      selected: box,
      enable: condstore ? ["CONDSTORE"] : [],
    };
  };
}

const USES = new Set<string>([...SPECIAL_MAILBOXES.map((m) => m.use), "\\Archive"]);

/**
 * CREATE name [(USE (\Sent))]: a trailing delimiter is dropped, as RFC 3501 §6.3.3 allows; the
 * parents of a hierarchical name need not exist.
 *
 * @param session The session.
 * @param args The new mailbox's name, and its special use (RFC 6154 §3).
 */
export async function create(session: SessionContext, args: Arguments): Promise<void> {
  const name = readMailbox(args).replace(/\.+$/, "");
  let specialUse: SpecialUse | undefined;
  if (args.more) {
    const [keyword, uses] = args.list("create parameters");
    const use = uses?.kind === "list" && uses.items[0]?.kind === "atom" ? uses.items[0].value : "";
    if (keyword?.kind !== "atom" || keyword.value.toUpperCase() !== "USE") {
      throw new ImapSyntaxError("Expected (USE (\\Sent)) or no parameters");
    }
    const known = [...USES].find((u) => u.toLowerCase() === use.toLowerCase());
    if (!known) throw ImapResponseError.of(RESPONSE.Cannot(`Unknown special use "${use}"`));
    specialUse = known as SpecialUse;
  }
  args.end();
  if (name === "INBOX") throw ImapResponseError.of(RESPONSE.AlreadyExists("INBOX exists always"));
  await session.store.createMailbox(session.user!, name, { specialUse });
}

/**
 * DELETE name: removes a mailbox and its messages; its children stay (RFC 3501 §6.3.4).
 *
 * @param session The session.
 * @param args The mailbox's name.
 */
export async function deleteMailbox(session: SessionContext, args: Arguments): Promise<void> {
  const name = readMailbox(args);
  args.end();
  if (name === "INBOX") throw ImapResponseError.of(RESPONSE.DeleteInbox);
  await session.store.deleteMailbox(session.user!, name);
}

/**
 * RENAME from to: renames a mailbox and its children; renaming INBOX moves its messages to the
 * new name and leaves INBOX empty (RFC 3501 §6.3.5).
 *
 * @param session The session.
 * @param args The old and the new name.
 */
export async function rename(session: SessionContext, args: Arguments): Promise<void> {
  const from = readMailbox(args, "mailbox name");
  const to = readMailbox(args, "new mailbox name").replace(/\.+$/, "");
  args.end();
  if (to === "INBOX" || to.toUpperCase().startsWith(`INBOX${DELIMITER}`)) {
    throw ImapResponseError.of(RESPONSE.Cannot(`Cannot rename to "${to}"`));
  }
  await session.store.renameMailbox(session.user!, from, to);
}

const STATUS_ITEMS = new Set([
  "MESSAGES",
  "RECENT",
  "UIDNEXT",
  "UIDVALIDITY",
  "UNSEEN",
  "HIGHESTMODSEQ",
]);

/**
 * STATUS name (items): a mailbox's counters without selecting it.
 *
 * @param session The session.
 * @param args The mailbox's name and the items wanted.
 */
export async function status(session: SessionContext, args: Arguments): Promise<void> {
  const name = readMailbox(args);
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
    RECENT: counts.recent,
    UIDNEXT: counts.uidNext,
    UIDVALIDITY: counts.uidValidity,
    UNSEEN: counts.unseen,
    HIGHESTMODSEQ: counts.highestModseq,
  };
  session.send("* STATUS", [
    wireMailbox(counts.name),
    items.flatMap((i) => [i, String(values[i])]),
  ]);
}
