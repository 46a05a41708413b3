/**
 * Typed views of untagged response data (RFC 3501 §7.2-§7.4): LIST entries and their special
 * uses, what SELECT and STATUS tell about a mailbox, SEARCH and SORT numbers, FETCH items,
 * EXPUNGE and ENABLED, and the UIDPLUS codes of APPEND, COPY and MOVE. Clients read responses
 * through these.
 *
 * @module
 */
import { parseImapDateTime } from "./date.ts";
import type { ImapToken } from "./lexer.ts";
import type { ImapResponse } from "./response_parser.ts";
import { parseSequenceSet } from "./sequence_set.ts";

/** The outcome of one command. */
export interface CommandReply {
  /** The untagged responses that came before the tagged OK. */
  untagged: ImapResponse[];
  /** The tagged OK's response code, if any. */
  code?: string;
  /** The tagged OK's text. */
  text: string;
}

/** One entry of a LIST reply. */
export interface ListEntry {
  /** The mailbox name. */
  name: string;
  /** The hierarchy delimiter, or null for a flat namespace. */
  delimiter: string | null;
  /** Attributes such as `\HasNoChildren` or `\Noselect`. */
  attributes: string[];
}

/** What SELECT or EXAMINE told about a mailbox. */
export interface SelectedInfo {
  /** How many messages it holds. */
  exists: number;
  /** How many are recent. */
  recent: number;
  /** Its UIDVALIDITY. */
  uidValidity: number;
  /** The next UID. */
  uidNext: number;
  /** The sequence number of the first unseen message, if the server said. */
  unseen?: number;
  /** The flags it knows. */
  flags: string[];
  /** The flags it keeps for good. */
  permanentFlags: string[];
  /** True when opened read-only. */
  readOnly: boolean;
}

/** One message's FETCH data. */
export interface FetchedMessage {
  /** Its sequence number. */
  seq: number;
  /** Its UID, when fetched. */
  uid?: number;
  /** Its flags, when fetched. */
  flags?: string[];
  /** RFC822.SIZE, when fetched. */
  size?: number;
  /** INTERNALDATE in milliseconds since the epoch, when fetched. */
  internalDate?: number;
  /** Body sections and RFC822 items by their response name, such as `BODY[]` or `RFC822`. */
  sections: Record<string, Uint8Array>;
}

/**
 * The text of an atom or string token; a list gives "".
 *
 * @param token Any token.
 * @returns Its text.
 */
export function tokenText(token: ImapToken): string {
  return token.kind === "list" ? "" : token.value;
}

/**
 * Whether a token is the atom NIL.
 *
 * @param token Any token.
 * @returns True for NIL.
 */
export function isNil(token: ImapToken): boolean {
  return token.kind === "atom" && token.value.toUpperCase() === "NIL";
}

/**
 * Makes a filter for untagged data of one name.
 *
 * @param name Such as `LIST` or `FETCH`.
 * @returns A type guard.
 */
export function isData(
  name: string,
): (r: ImapResponse) => r is Extract<ImapResponse, { kind: "data" }> {
  return (r): r is Extract<ImapResponse, { kind: "data" }> => r.kind === "data" && r.name === name;
}

/**
 * Reads the LIST (or LSUB) entries among responses.
 *
 * @param responses Untagged responses.
 * @param name `LIST` or `LSUB`.
 * @returns The entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 * import { readList } from "./response_data.ts";
 *
 * const progress = new ResponseParser().pushLine('* LIST (\\HasNoChildren) "." INBOX');
 * assert.ok(progress.done);
 * assert.deepEqual(readList([progress.response]), [
 *   { name: "INBOX", delimiter: ".", attributes: ["\\HasNoChildren"] },
 * ]);
 * ```
 */
export function readList(responses: readonly ImapResponse[], name = "LIST"): ListEntry[] {
  return responses.filter(isData(name)).map((r) => {
    const [attributes, delimiter, mailbox] = r.args;
    return {
      name: mailbox ? tokenText(mailbox) : "",
      delimiter: !delimiter || isNil(delimiter) ? null : tokenText(delimiter),
      attributes: attributes?.kind === "list" ? attributes.items.map(tokenText) : [],
    };
  });
}

/**
 * Reads what SELECT or EXAMINE told: EXISTS, RECENT, FLAGS and the codes UIDVALIDITY, UIDNEXT,
 * UNSEEN and PERMANENTFLAGS.
 *
 * @param responses The untagged responses.
 * @param code The tagged OK's code (`READ-ONLY` or `READ-WRITE`).
 * @returns The mailbox's facts.
 */
export function readSelected(responses: readonly ImapResponse[], code?: string): SelectedInfo {
  const info: SelectedInfo = {
    exists: 0,
    recent: 0,
    uidValidity: 0,
    uidNext: 0,
    flags: [],
    permanentFlags: [],
    readOnly: code?.toUpperCase() === "READ-ONLY",
  };
  for (const r of responses) {
    if (r.kind === "data" && r.name === "EXISTS") info.exists = r.number ?? 0;
    if (r.kind === "data" && r.name === "RECENT") info.recent = r.number ?? 0;
    if (r.kind === "data" && r.name === "FLAGS" && r.args[0]?.kind === "list") {
      info.flags = r.args[0].items.map(tokenText);
    }
    const match = r.kind === "status" ? /^(\S+) ?(.*)$/.exec(r.code ?? "") : null;
    if (!match) continue;
    const key = match[1].toUpperCase();
    if (key === "UIDVALIDITY") info.uidValidity = Number(match[2]);
    if (key === "UIDNEXT") info.uidNext = Number(match[2]);
    if (key === "UNSEEN") info.unseen = Number(match[2]);
    if (key === "PERMANENTFLAGS") {
      info.permanentFlags = match[2].replace(/[()]/g, "").split(" ").filter((f) => f);
    }
  }
  return info;
}

/**
 * Reads the numbers of SEARCH responses. A CONDSTORE `(MODSEQ n)` at the end (RFC 7162 §3.1.5)
 * is no message number and is left out.
 *
 * @param responses Untagged responses.
 * @returns The numbers, in order.
 */
export function readSearch(responses: readonly ImapResponse[]): number[] {
  return responses.filter(isData("SEARCH")).flatMap((r) => numbersOf(r.args));
}

/**
 * Reads FETCH responses, merging several for one message.
 *
 * @param responses Untagged responses.
 * @returns One entry per message, in the order first seen.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 * import { readFetch } from "./response_data.ts";
 *
 * const progress = new ResponseParser().pushLine("* 2 FETCH (UID 9 FLAGS (\\Seen) RFC822.SIZE 120)");
 * assert.ok(progress.done);
 * assert.deepEqual(readFetch([progress.response]), [
 *   { seq: 2, uid: 9, flags: ["\\Seen"], size: 120, sections: {} },
 * ]);
 * ```
 */
export function readFetch(responses: readonly ImapResponse[]): FetchedMessage[] {
  const bySeq = new Map<number, FetchedMessage>();
  for (const r of responses.filter(isData("FETCH"))) {
    const seq = r.number ?? 0;
    const message = bySeq.get(seq) ?? { seq, sections: {} };
    bySeq.set(seq, message);
    const items = r.args[0]?.kind === "list" ? r.args[0].items : [];
    for (let i = 0; i + 1 < items.length; i += 2) {
      const label = tokenText(items[i]);
      const name = label.toUpperCase();
      const value = items[i + 1];
      if (name === "UID") message.uid = Number(tokenText(value));
      else if (name === "FLAGS") {
        message.flags = value.kind === "list" ? value.items.map(tokenText) : [];
      } else if (name === "RFC822.SIZE") message.size = Number(tokenText(value));
      else if (name === "INTERNALDATE") message.internalDate = parseImapDateTime(tokenText(value));
      else if (value.kind === "string") message.sections[label] = value.bytes;
      else if (isNil(value)) message.sections[label] = new Uint8Array();
    }
  }
  return [...bySeq.values()];
}

/** A special-use attribute of a mailbox (RFC 6154 §2): where a client keeps sent mail and so on. */
export type SpecialUseAttribute =
  | "\\All"
  | "\\Archive"
  | "\\Drafts"
  | "\\Flagged"
  | "\\Junk"
  | "\\Sent"
  | "\\Trash";

const SPECIAL_USE = /^\\(all|archive|drafts|flagged|junk|sent|trash)$/i;

/**
 * The special use a LIST entry announces among its attributes (RFC 6154 §2), whatever its case.
 *
 * @param entry A LIST entry.
 * @returns Such as `\Trash`, or undefined for an ordinary mailbox.
 *
 * @example Find Bob's trash
 * ```ts
 * import assert from "node:assert/strict";
 * import { specialUse } from "./response_data.ts";
 *
 * const entry = { name: "Deleted Items", delimiter: ".", attributes: ["\\HasNoChildren", "\\trash"] };
 * assert.equal(specialUse(entry), "\\Trash");
 * assert.equal(specialUse({ ...entry, attributes: [] }), undefined);
 * ```
 */
export function specialUse(entry: ListEntry): SpecialUseAttribute | undefined {
  const word = entry.attributes.map((a) => SPECIAL_USE.exec(a)?.[1]).find((w) => w);
  if (!word) return undefined;
  return `\\${word[0].toUpperCase()}${word.slice(1).toLowerCase()}` as SpecialUseAttribute;
}

/** What STATUS told about a mailbox (RFC 3501 §7.2.4); only the items asked for are set. */
export interface StatusInfo {
  /** The mailbox's name. */
  name: string;
  /** MESSAGES: how many messages it holds. */
  messages?: number;
  /** RECENT: how many are recent. */
  recent?: number;
  /** UIDNEXT: the next UID. */
  uidNext?: number;
  /** UIDVALIDITY. */
  uidValidity?: number;
  /** UNSEEN: how many lack `\Seen`. */
  unseen?: number;
  /** HIGHESTMODSEQ (RFC 7162 §3.1.2.3). */
  highestModseq?: number;
}

const STATUS_FIELDS: Record<string, keyof Omit<StatusInfo, "name">> = {
  MESSAGES: "messages",
  RECENT: "recent",
  UIDNEXT: "uidNext",
  UIDVALIDITY: "uidValidity",
  UNSEEN: "unseen",
  HIGHESTMODSEQ: "highestModseq",
};

/**
 * Reads the STATUS response among responses.
 *
 * ```
 * mailbox-data =/ "STATUS" SP mailbox SP "(" [status-att-list] ")"
 * ```
 *
 * @param responses Untagged responses.
 * @returns The counters, or undefined when there is no STATUS response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 * import { readStatus } from "./response_data.ts";
 *
 * const progress = new ResponseParser().pushLine("* STATUS Trash (MESSAGES 2 UNSEEN 1)");
 * assert.ok(progress.done);
 * assert.deepEqual(readStatus([progress.response]), { name: "Trash", messages: 2, unseen: 1 });
 * ```
 */
export function readStatus(responses: readonly ImapResponse[]): StatusInfo | undefined {
  const response = responses.find(isData("STATUS"));
  if (!response) return undefined;
  const [mailbox, items] = response.args;
  const info: StatusInfo = { name: mailbox ? tokenText(mailbox) : "" };
  const pairs = items?.kind === "list" ? items.items : [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const field = STATUS_FIELDS[tokenText(pairs[i]).toUpperCase()];
    if (field) info[field] = Number(tokenText(pairs[i + 1]));
  }
  return info;
}

/**
 * Reads the numbers of SORT responses (RFC 5256 §4), in the server's order. A CONDSTORE
 * `(MODSEQ n)` at the end is no message number and is left out.
 *
 * @param responses Untagged responses.
 * @returns The sequence numbers or UIDs, sorted as asked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 * import { readSort } from "./response_data.ts";
 *
 * const progress = new ResponseParser().pushLine("* SORT 5 3 4 1 2");
 * assert.ok(progress.done);
 * assert.deepEqual(readSort([progress.response]), [5, 3, 4, 1, 2]);
 * ```
 */
export function readSort(responses: readonly ImapResponse[]): number[] {
  return responses.filter(isData("SORT")).flatMap((r) => numbersOf(r.args));
}

/**
 * Reads the sequence numbers of EXPUNGE responses, as sent: each was valid when it was sent, so
 * `3, 3` means the third message went, then the one after it (RFC 3501 §7.4.1).
 *
 * @param responses Untagged responses.
 * @returns The numbers, in order.
 */
export function readExpunge(responses: readonly ImapResponse[]): number[] {
  return responses.filter(isData("EXPUNGE")).map((r) => r.number ?? 0);
}

/**
 * Reads what an ENABLED response names (RFC 5161 §3.2).
 *
 * @param responses Untagged responses.
 * @returns The extensions the server turned on.
 */
export function readEnabled(responses: readonly ImapResponse[]): string[] {
  return responses.filter(isData("ENABLED")).flatMap((r) => r.args.map(tokenText));
}

/** Where APPEND put a message (UIDPLUS, RFC 4315 §3). */
export interface AppendUid {
  /** The mailbox's UIDVALIDITY. */
  uidValidity: number;
  /** The new message's UID. */
  uid: number;
}

/**
 * Reads the APPENDUID code of APPEND's tagged OK.
 *
 * ```
 * resp-code-apnd = "APPENDUID" SP nz-number SP append-uid
 * ```
 *
 * @param code The tagged OK's code, such as `APPENDUID 1757 3`.
 * @returns The UIDVALIDITY and the first new UID, or undefined without the code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAppendUid } from "./response_data.ts";
 *
 * assert.deepEqual(readAppendUid("APPENDUID 1757 3"), { uidValidity: 1757, uid: 3 });
 * assert.equal(readAppendUid("READ-WRITE"), undefined);
 * ```
 */
export function readAppendUid(code: string | undefined): AppendUid | undefined {
  const match = /^APPENDUID (\d+) (\d+)/i.exec(code ?? "");
  return match ? { uidValidity: Number(match[1]), uid: Number(match[2]) } : undefined;
}

/** Where COPY or MOVE put messages (UIDPLUS, RFC 4315 §3; RFC 6851 §4.3). */
export interface CopyUid {
  /** The target mailbox's UIDVALIDITY. */
  uidValidity: number;
  /** Each source UID with the UID of its copy in the target, in the server's order. */
  uids: Map<number, number>;
}

/**
 * Reads the COPYUID code of a COPY's tagged OK or a MOVE's untagged OK.
 *
 * ```
 * resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set
 * ```
 *
 * @param reply The command's reply.
 * @returns The mapping, or undefined when the server sent no COPYUID (nothing was copied, or
 * the server lacks UIDPLUS).
 *
 * @example A MOVE's untagged COPYUID
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 * import { readCopyUid } from "./response_data.ts";
 *
 * const progress = new ResponseParser().pushLine("* OK [COPYUID 1757 4:5,9 11:13] Moved");
 * assert.ok(progress.done);
 * const copied = readCopyUid({ untagged: [progress.response], text: "MOVE completed" });
 * assert.deepEqual(copied, { uidValidity: 1757, uids: new Map([[4, 11], [5, 12], [9, 13]]) });
 * ```
 */
export function readCopyUid(reply: CommandReply): CopyUid | undefined {
  const codes = [
    reply.code,
    ...reply.untagged.map((r) => r.kind === "status" ? r.code : undefined),
  ];
  for (const code of codes) {
    const match = /^COPYUID (\d+) (\S+) (\S+)$/i.exec(code ?? "");
    if (!match) continue;
    const from = uidSetNumbers(match[2]);
    const to = uidSetNumbers(match[3]);
    return { uidValidity: Number(match[1]), uids: new Map(from.map((uid, i) => [uid, to[i]])) };
  }
  return undefined;
}

// A uid-set of a response code names each UID explicitly: `*` is not allowed (RFC 4315 §4).
function uidSetNumbers(text: string): number[] {
  return parseSequenceSet(text).flatMap(({ from, to }) => {
    const [low, high] = from <= to ? [from, to] : [to, from];
    return Array.from({ length: high - low + 1 }, (_, i) => low + i);
  });
}

function numbersOf(tokens: readonly ImapToken[]): number[] {
  return tokens.filter((t) => t.kind === "atom").map((t) => Number(t.value));
}
