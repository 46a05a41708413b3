/**
 * FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8): message data by sequence number or UID.
 *
 * Each fetch attribute is one entry of {@linkcode FETCH_ATTRIBUTES}, and each body section goes
 * through {@linkcode sectionBytes}. ENVELOPE, BODYSTRUCTURE and part sections such as
 * `BODY[1.2]` come from the MIME tree of `message/`, parsed only when an item needs it.
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { formatImapDateTime } from "../../../protocol/imap/date.ts";
import {
  type FetchAttribute,
  type FetchItem,
  type FetchSection,
  parseFetchItems,
  sectionLabel,
} from "../../../protocol/imap/fetch_items.ts";
import type { ImapData } from "../../../protocol/imap/response.ts";
import { parseSequenceSet } from "../../../protocol/imap/sequence_set.ts";
import { type MessageInfo, NotFoundError } from "../../store/store.ts";
import type { MimePart } from "../../../message/mod.ts";
import type { SessionContext } from "../context.ts";
import { bodyStructure, envelope, mimeTree, partBytes } from "../structure.ts";
import { partialBytes, pickFields, splitMessage } from "../message_sections.ts";

/** One message while a FETCH answers for it. */
export interface FetchTarget {
  /** What the store knows of it (flags already updated for an implicit `\Seen`). */
  info: MessageInfo;
  /** Its bytes, read once, only when an item needs them. */
  bytes: () => Promise<Uint8Array>;
  /** Its MIME tree, parsed once, only when an item needs it. */
  tree: () => Promise<MimePart>;
}

/** How one fetch attribute is answered. */
type AttributeFetcher = (target: FetchTarget) => Promise<ImapData> | ImapData;

/** The fetch attributes and how each is answered (RFC 3501 §7.4.2). */
export const FETCH_ATTRIBUTES: Record<FetchAttribute, AttributeFetcher> = {
  FLAGS: (t) => t.info.flags,
  UID: (t) => String(t.info.uid),
  "RFC822.SIZE": (t) => String(t.info.size),
  INTERNALDATE: (t) => ({ string: formatImapDateTime(t.info.internalDate) }),
  RFC822: (t) => t.bytes(),
  "RFC822.HEADER": async (t) => splitMessage(await t.bytes()).header,
  "RFC822.TEXT": async (t) => splitMessage(await t.bytes()).body,
  ENVELOPE: async (t) => envelope(await t.tree()),
  BODYSTRUCTURE: async (t) => bodyStructure(await t.tree(), true),
  // BODY without a section is BODYSTRUCTURE without its extension data.
  BODY: async (t) => bodyStructure(await t.tree(), false),
};

/** Items that set `\Seen` unless the mailbox is read-only (RFC 3501 §6.4.5). */
function marksSeen(item: FetchItem): boolean {
  return item.kind === "section"
    ? !item.peek
    : item.name === "RFC822" || item.name === "RFC822.TEXT";
}

/**
 * The bytes of a body section of a message.
 *
 * @param target The message.
 * @param section The section asked for.
 * @returns The section's bytes, before any partial range.
 */
export async function sectionBytes(
  target: FetchTarget,
  section: FetchSection,
): Promise<Uint8Array> {
  if (section.part.length > 0) return partBytes(await target.tree(), section);
  const message = await target.bytes();
  const { header, body } = splitMessage(message);
  switch (section.text) {
    case "HEADER":
      return header;
    case "TEXT":
      return body;
    case "HEADER.FIELDS":
      return pickFields(header, section.fields, false);
    case "HEADER.FIELDS.NOT":
      return pickFields(header, section.fields, true);
    default:
      return message;
  }
}

/**
 * FETCH sequence-set items, and UID FETCH uid-set items.
 *
 * @param session The session.
 * @param args The set and the items.
 * @param command The command, to tell FETCH from UID FETCH.
 */
export async function fetch(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<void> {
  const byUid = command.name === "UID FETCH";
  const set = parseSequenceSet(args.atom("sequence set"));
  const token = args.any("fetch items");
  args.end();
  let items = parseFetchItems(token);
  const hasUid = items.some((i) => i.kind === "attribute" && i.name === "UID");
  if (byUid && !hasUid) items = [{ kind: "attribute", name: "UID" }, ...items];
  const box = session.selected!;
  const seen = !box.readOnly && items.some(marksSeen);
  for (const { seq, info } of box.pick(set, byUid)) {
    let cached: Uint8Array | undefined;
    let tree: MimePart | undefined;
    const bytes = async () =>
      cached ??= await session.store.read(session.user!, box.name, info.uid);
    const target: FetchTarget = { info, bytes, tree: async () => tree ??= mimeTree(await bytes()) };
    try {
      const data = await fetchOne(session, target, items, seen);
      session.send(`* ${seq} FETCH`, [data]);
    } catch (error) {
      // Expunged by another session since our snapshot: RFC 3501 §7.4.1 lets us skip it.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
}

async function fetchOne(
  session: SessionContext,
  target: FetchTarget,
  items: FetchItem[],
  seen: boolean,
): Promise<ImapData[]> {
  const data: ImapData[] = [];
  for (const item of items) {
    if (item.kind === "attribute") {
      data.push(item.name, await FETCH_ATTRIBUTES[item.name](target));
    } else {
      const bytes = await sectionBytes(target, item);
      const shown = item.partial
        ? partialBytes(bytes, item.partial.start, item.partial.count)
        : bytes;
      data.push(sectionLabel(item), shown);
    }
  }
  if (seen && !target.info.flags.includes("\\Seen")) {
    const box = session.selected!;
    const flags = [...target.info.flags, "\\Seen" as const];
    await session.store.setFlags(session.user!, box.name, target.info.uid, flags);
    box.setFlags(target.info.uid, flags);
    target.info.flags = flags;
    const at = items.findIndex((i) => i.kind === "attribute" && i.name === "FLAGS");
    if (at >= 0) data[at * 2 + 1] = flags;
    else data.push("FLAGS", flags);
  }
  return data;
}
