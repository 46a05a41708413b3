/**
 * Typed views of untagged response data (RFC 3501 §7.2-§7.4): LIST entries, what SELECT tells
 * about a mailbox, SEARCH numbers and FETCH items. Clients read responses through these.
 *
 * @module
 */
import { parseImapDateTime } from "./date.ts";
import type { ImapToken } from "./lexer.ts";
import type { ImapResponse } from "./response_parser.ts";

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
 * Reads the numbers of SEARCH responses.
 *
 * @param responses Untagged responses.
 * @returns The numbers, in order.
 */
export function readSearch(responses: readonly ImapResponse[]): number[] {
  return responses.filter(isData("SEARCH")).flatMap((r) => r.args.map((a) => Number(tokenText(a))));
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
