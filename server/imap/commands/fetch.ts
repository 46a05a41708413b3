/**
 * FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8), with RFC 7162's `MODSEQ` item and
 * `CHANGEDSINCE` modifier.
 *
 * Each fetch attribute is one entry of `ATTRIBUTES`, which also says what it needs of the
 * message: nothing beyond the snapshot (FLAGS, UID, sizes, dates, MODSEQ), the message's
 * {@linkcode MessageSummary} (ENVELOPE, BODY, BODYSTRUCTURE, and the part offsets of sections
 * such as `BODY[1.2]`), or its bytes. A message is read only when an item needs its bytes, and
 * parsed only the first time anyone needs its summary.
 *
 * A message that another session expunged stays in this session's snapshot until an EXPUNGE
 * may be reported (RFC 3501 §7.4.1). FETCH never fails for it: it answers what the snapshot
 * and a summary already made allow, leaves out what would need the bytes, and ends with
 * `OK [EXPUNGEISSUED]` (RFC 5530 §3), as Dovecot does.
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { formatImapDateTime } from "../../../protocol/imap/date.ts";
import {
  type FetchAttribute,
  type FetchItem,
  parseFetchItems,
  parseFetchModifiers,
  sectionLabel,
} from "../../../protocol/imap/fetch_items.ts";
import { formatStatus, type ImapData } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { parseSequenceSet } from "../../../protocol/imap/sequence_set.ts";
import { type MessageInfo, NotFoundError } from "../../store/store.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import { partialBytes, sectionBytes, splitMessage } from "../message_sections.ts";
import type { SelectedMailbox } from "../selected.ts";
import { structureData } from "../structure.ts";
import { loadSummaries, type MessageSummary } from "../summary.ts";
import { mailboxFlags, permanentFlags } from "../updates.ts";

/** One message while a FETCH answers for it. */
interface FetchTarget {
  /** The snapshot's entry: UID, size, date, modification sequence and stored flags. */
  info: MessageInfo;
  /** The selected mailbox, for the flags as this session shows them. */
  box: SelectedMailbox;
  /** The message's summary, when an item needs it and it could be had. */
  summary?: MessageSummary;
  /** The message's bytes, when an item needs them and the message is still stored. */
  bytes?: Uint8Array;
}

/** How one fetch attribute is answered, and what of the message it needs besides the snapshot. */
interface AttributeFetcher {
  /** The summary or the bytes; without them the attribute is left out. @default nothing */
  needs?: "summary" | "bytes";
  /** The attribute's value. */
  answer: (target: FetchTarget) => ImapData;
}

// RFC 3501 §7.4.2 and RFC 7162 §3.1.4.1: the attributes and how each is answered.
const ATTRIBUTES: Record<FetchAttribute, AttributeFetcher> = {
  FLAGS: { answer: (t) => t.box.flagsOf(t.info) },
  UID: { answer: (t) => String(t.info.uid) },
  MODSEQ: { answer: (t) => [String(t.info.modseq)] },
  "RFC822.SIZE": { answer: (t) => String(t.info.size) },
  INTERNALDATE: { answer: (t) => ({ string: formatImapDateTime(t.info.internalDate) }) },
  RFC822: { needs: "bytes", answer: (t) => t.bytes! },
  "RFC822.HEADER": { needs: "bytes", answer: (t) => splitMessage(t.bytes!).header },
  "RFC822.TEXT": { needs: "bytes", answer: (t) => splitMessage(t.bytes!).body },
  ENVELOPE: { needs: "summary", answer: (t) => structureData(t.summary!, "ENVELOPE") },
  BODYSTRUCTURE: { needs: "summary", answer: (t) => structureData(t.summary!, "BODYSTRUCTURE") },
  // BODY without a section is BODYSTRUCTURE without its extension data.
  BODY: { needs: "summary", answer: (t) => structureData(t.summary!, "BODY") },
};

/** What one FETCH command asks of every message it names. */
interface FetchPlan {
  /** The items in the order of the answer. */
  items: FetchItem[];
  /** Whether some item needs the summary. */
  summary: boolean;
  /** Whether some item needs the bytes. */
  bytes: boolean;
  /** Whether the messages get `\Seen` (RFC 3501 §6.4.5). */
  seen: boolean;
  /** Whether every FLAGS comes with MODSEQ (CONDSTORE is on, RFC 7162 §3.1). */
  condstore: boolean;
}

const isAttribute = (item: FetchItem, name: FetchAttribute) =>
  item.kind === "attribute" && item.name === name;

function needsOf(item: FetchItem): "summary" | "bytes" | undefined {
  return item.kind === "attribute" ? ATTRIBUTES[item.name].needs : "bytes";
}

function plan(
  requested: FetchItem[],
  options: { byUid: boolean; changedSince: boolean; condstore: boolean; readOnly: boolean },
): FetchPlan {
  const items = [...requested];
  if (options.byUid && !items.some((i) => isAttribute(i, "UID"))) {
    items.unshift({ kind: "attribute", name: "UID" });
  }
  // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ.
  if (options.changedSince && !items.some((i) => isAttribute(i, "MODSEQ"))) {
    items.push({ kind: "attribute", name: "MODSEQ" });
  }
  return {
    items,
    summary: items.some((i) =>
      needsOf(i) === "summary" || (i.kind === "section" && i.part.length > 0)
    ),
    bytes: items.some((i) => needsOf(i) === "bytes"),
    seen: !options.readOnly &&
      items.some((item) =>
        item.kind === "section" ? !item.peek : item.name === "RFC822" || item.name === "RFC822.TEXT"
      ),
    condstore: options.condstore,
  };
}

/**
 * FETCH sequence-set items [(CHANGEDSINCE modseq)], and UID FETCH uid-set items [...].
 *
 * @param session The session.
 * @param args The set, the items and the modifiers.
 * @param command The command, to tell FETCH from UID FETCH.
 * @returns CONDSTORE to enable when MODSEQ or CHANGEDSINCE was used, and `OK [EXPUNGEISSUED]`
 *   when some message expunged by another session could not be given in full.
 *
 * @example Fetch a range of a message's text, then see the `\Seen` that BODY[] set
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "../../accounts.ts";
 * import { MemoryStore } from "../../store/memory_store.ts";
 * import { ImapSession } from "../session.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const store = new MemoryStore();
 * await store.deliver("bob", new TextEncoder().encode("Subject: Lunch\r\n\r\nPickles at noon?\r\n"));
 * const session = new ImapSession({ store, accounts });
 * session.greeting();
 * await session.receiveLine("a1 LOGIN bob pickles");
 * await session.receiveLine("a2 SELECT INBOX");
 * const out = await session.receiveLine("a3 FETCH 1 (UID BODY.PEEK[TEXT]<0.7>)");
 * assert.deepEqual(out.lines, [
 *   "* 1 FETCH (UID 1 BODY[TEXT]<0> {7}",
 *   "(7 bytes)",
 *   ")",
 *   "a3 OK FETCH completed",
 * ]);
 * await session.receiveLine("a4 FETCH 1 BODY[]");
 * const flags = await session.receiveLine("a5 FETCH 1 FLAGS");
 * assert.equal(flags.lines[0], "* 1 FETCH (FLAGS (\\Seen \\Recent))");
 * ```
 */
export async function fetch(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<CommandResult> {
  const byUid = command.name === "UID FETCH";
  const set = parseSequenceSet(args.atom("sequence set"));
  const requested = parseFetchItems(args.any("fetch items"));
  const { changedSince } = args.more ? parseFetchModifiers(args.any("fetch modifiers")) : {};
  args.end();
  const box = session.selected!;
  // RFC 7162 §3.1: the first MODSEQ or CHANGEDSINCE turns CONDSTORE on for the session.
  const enables = changedSince !== undefined || requested.some((i) => isAttribute(i, "MODSEQ"));
  const fetchPlan = plan(requested, {
    byUid,
    changedSince: changedSince !== undefined,
    condstore: enables || session.enabled.has("CONDSTORE"),
    readOnly: box.readOnly,
  });
  const messages = box.pick(set, byUid)
    .filter(({ info }) => changedSince === undefined || info.modseq > changedSince);
  let issued = false;
  for (const batch of batches(messages, fetchPlan)) {
    const targets = await gather(session, fetchPlan, batch.map(({ info }) => info));
    for (const [i, { seq }] of batch.entries()) {
      const { data, complete } = await answer(session, fetchPlan, targets[i]);
      if (!complete) issued = true;
      if (data.length > 0) session.send(`* ${seq} FETCH`, [data]);
      await session.flush();
    }
  }
  const result: CommandResult = { enable: enables ? ["CONDSTORE"] : [] };
  // RFC 5530 §3: FETCH gave what it could of messages that are gone, as Dovecot ends it.
  if (issued) result.response = RESPONSE.ExpungeIssued;
  return result;
}

// Messages are read from the store a batch at a time, the mailbox checked once per batch; a
// batch of bodies stops at about a mebibyte, so a long FETCH still streams.
const BATCH_MESSAGES = 256;
const BATCH_BODIES = 64;
const BATCH_BYTES = 1024 * 1024;

function* batches<T extends { info: MessageInfo }>(messages: T[], fetchPlan: FetchPlan) {
  const most = fetchPlan.bytes ? BATCH_BODIES : BATCH_MESSAGES;
  for (let start = 0; start < messages.length;) {
    let end = start + 1;
    let bytes = messages[start].info.size;
    while (end < messages.length && end - start < most) {
      bytes += messages[end].info.size;
      if (fetchPlan.bytes && bytes > BATCH_BYTES) break;
      end++;
    }
    yield messages.slice(start, end);
    start = end;
  }
}

// Reads what the plan needs of a batch of messages; a message gone from the store gives what it
// can (its summary, when one was made for this snapshot before).
async function gather(
  session: SessionContext,
  fetchPlan: FetchPlan,
  infos: MessageInfo[],
): Promise<FetchTarget[]> {
  const box = session.selected!;
  const where = { user: session.user!, mailbox: box.name };
  const targets: FetchTarget[] = infos.map((info) => ({ info, box }));
  if (fetchPlan.summary) {
    const summaries = await loadSummaries(session.store, where, infos);
    summaries.forEach((summary, i) => targets[i].summary = summary);
  }
  if (fetchPlan.bytes) {
    const uids = infos.map((info) => info.uid);
    const bodies = await session.store.readMany(where.user, where.mailbox, uids);
    bodies.forEach((bytes, i) => targets[i].bytes = bytes);
  }
  return targets;
}

// Sets \Seen for a message whose body is being sent; true when its flags changed.
async function markSeen(session: SessionContext, target: FetchTarget): Promise<boolean> {
  const { box, info } = target;
  if (info.flags.includes("\\Seen")) return false;
  let now;
  try {
    now = await session.store.updateFlags(
      session.user!,
      { mailbox: box.name, uid: info.uid },
      { add: ["\\Seen"] },
    );
  } catch (error) {
    if (error instanceof NotFoundError) return false; // expunged since it was read
    throw error;
  }
  if (!now) return false;
  box.updated(info.uid, now);
  if (box.learn(now.flags)) {
    // RFC 3501 §7.2.6: keywords another session defined meanwhile are announced first.
    session.send("* FLAGS", [mailboxFlags(box)]);
    session.send(formatStatus("*", RESPONSE.PermanentFlags(permanentFlags(box, true))));
  }
  return true;
}

async function answer(
  session: SessionContext,
  fetchPlan: FetchPlan,
  target: FetchTarget,
): Promise<{ data: ImapData[]; complete: boolean }> {
  const complete = (!fetchPlan.summary || target.summary !== undefined) &&
    (!fetchPlan.bytes || target.bytes !== undefined);
  const flagsChanged = fetchPlan.seen && target.bytes !== undefined &&
    await markSeen(session, target);
  const data: ImapData[] = [];
  let flagsShown = false;
  let modseqShown = false;
  for (const item of fetchPlan.items) {
    if (item.kind === "attribute") {
      const fetcher = ATTRIBUTES[item.name];
      if (fetcher.needs && !target[fetcher.needs]) continue;
      data.push(item.name, fetcher.answer(target));
      flagsShown ||= item.name === "FLAGS";
      modseqShown ||= item.name === "MODSEQ";
    } else if (target.bytes && (item.part.length === 0 || target.summary)) {
      const bytes = sectionBytes(target.bytes, item, target.summary);
      const shown = item.partial
        ? partialBytes(bytes, item.partial.start, item.partial.count)
        : bytes;
      data.push(sectionLabel(item), shown);
    }
  }
  if (flagsChanged && !flagsShown) {
    data.push("FLAGS", ATTRIBUTES.FLAGS.answer(target));
    flagsShown = true;
  }
  if (fetchPlan.condstore && flagsShown && !modseqShown) {
    data.push("MODSEQ", ATTRIBUTES.MODSEQ.answer(target));
  }
  return { data, complete };
}
