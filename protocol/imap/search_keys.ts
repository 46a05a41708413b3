/**
 * The arguments of SEARCH (RFC 3501 §6.4.4, with ESEARCH's RETURN options of RFC 4731 and
 * CONDSTORE's MODSEQ key of RFC 7162 §3.1.5) and of SORT (RFC 5256 §3, with the DISPLAYFROM and
 * DISPLAYTO keys of RFC 5957), as trees that a server evaluates against each message.
 *
 * ```
 * search         = "SEARCH" [SP "RETURN" SP "(" [return-opt *(SP return-opt)] ")"]
 *                  [SP "CHARSET" SP astring] 1*(SP search-key)
 * return-opt     = "MIN" / "MAX" / "ALL" / "COUNT"
 * search-key     = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
 *                  "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring /
 *                  "KEYWORD" SP flag-keyword / "NEW" / "OLD" / "ON" SP date / "RECENT" / "SEEN" /
 *                  "SINCE" SP date / "SUBJECT" SP astring / "TEXT" SP astring / "TO" SP astring /
 *                  "UNANSWERED" / "UNDELETED" / "UNFLAGGED" / "UNKEYWORD" SP flag-keyword /
 *                  "UNSEEN" / "DRAFT" / "HEADER" SP astring SP astring / "LARGER" SP number /
 *                  "NOT" SP search-key / "OR" SP search-key SP search-key /
 *                  "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date /
 *                  "SMALLER" SP number / "UID" SP sequence-set / "UNDRAFT" / sequence-set /
 *                  "(" search-key *(SP search-key) ")" /
 *                  "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
 * sort           = "SORT" SP "(" sort-criterion *(SP sort-criterion) ")" SP charset
 *                  1*(SP search-key)
 * sort-criterion = ["REVERSE" SP] sort-key
 * sort-key       = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO" /
 *                  "DISPLAYFROM" / "DISPLAYTO"
 * ```
 *
 * @module
 */
import { parseSearchDate } from "./date.ts";
import { ImapSyntaxError } from "./error.ts";
import type { ImapToken } from "./lexer.ts";
import { parseSequenceSet, type SequenceRange } from "./sequence_set.ts";

/** The address fields that FROM, TO, CC and BCC search. */
export type AddressField = "from" | "to" | "cc" | "bcc";

/**
 * One search criterion; `and` holds a list that must all match. Header field names are in lower
 * case; `\Recent` stands for the session's recent messages (RECENT, OLD, NEW).
 */
export type SearchKey =
  | { op: "and"; keys: SearchKey[] }
  | { op: "or"; left: SearchKey; right: SearchKey }
  | { op: "not"; key: SearchKey }
  | { op: "all" }
  | { op: "flag"; flag: string; present: boolean }
  | { op: "date"; compare: "before" | "on" | "since"; day: number; sent: boolean }
  | { op: "size"; compare: "larger" | "smaller"; size: number }
  | { op: "address"; field: AddressField; value: string }
  | { op: "header"; field: string; value: string }
  | { op: "text"; where: "body" | "text"; value: string }
  | { op: "uid"; set: SequenceRange[] }
  | { op: "seq"; set: SequenceRange[] }
  | { op: "modseq"; modseq: number };

/** What an ESEARCH response reports (RFC 4731 §3.1). */
export type SearchReturn = "MIN" | "MAX" | "ALL" | "COUNT";

/** A parsed SEARCH: its result options, its charset (when given) and its criteria. */
export interface SearchQuery {
  /** The RETURN options, when given (ESEARCH); an empty `RETURN ()` reads as `["ALL"]`. */
  returns?: SearchReturn[];
  /** The CHARSET argument in upper case, when given. */
  charset?: string;
  /** All criteria, combined with AND. */
  key: SearchKey;
}

/** What SORT orders by (RFC 5256 §3, RFC 5957 §3). */
export type SortKey =
  | "ARRIVAL"
  | "CC"
  | "DATE"
  | "FROM"
  | "SIZE"
  | "SUBJECT"
  | "TO"
  | "DISPLAYFROM"
  | "DISPLAYTO";

/** One sort criterion: a key, and whether REVERSE turns its order around. */
export interface SortCriterion {
  /** The key. */
  key: SortKey;
  /** True after REVERSE. */
  reverse: boolean;
}

/** A parsed SORT: its criteria, its charset and the search that picks the messages. */
export interface SortQuery {
  /** The criteria, most significant first. */
  criteria: SortCriterion[];
  /** The charset in upper case (SORT requires one). */
  charset: string;
  /** All search criteria, combined with AND. */
  key: SearchKey;
}

const FLAGS: Record<string, [string, boolean]> = {
  ANSWERED: ["\\Answered", true],
  DELETED: ["\\Deleted", true],
  DRAFT: ["\\Draft", true],
  FLAGGED: ["\\Flagged", true],
  SEEN: ["\\Seen", true],
  UNANSWERED: ["\\Answered", false],
  UNDELETED: ["\\Deleted", false],
  UNDRAFT: ["\\Draft", false],
  UNFLAGGED: ["\\Flagged", false],
  UNSEEN: ["\\Seen", false],
  OLD: ["\\Recent", false],
  RECENT: ["\\Recent", true],
};

const ADDRESSES = new Set(["BCC", "CC", "FROM", "TO"]);
const DATES: Record<string, ["before" | "on" | "since", boolean]> = {
  BEFORE: ["before", false],
  ON: ["on", false],
  SINCE: ["since", false],
  SENTBEFORE: ["before", true],
  SENTON: ["on", true],
  SENTSINCE: ["since", true],
};
const RETURNS = new Set<string>(["MIN", "MAX", "ALL", "COUNT"]);
const SORT_KEYS = new Set<string>([
  "ARRIVAL",
  "CC",
  "DATE",
  "FROM",
  "SIZE",
  "SUBJECT",
  "TO",
  "DISPLAYFROM",
  "DISPLAYTO",
]);

/**
 * Parses the arguments of SEARCH.
 *
 * @param tokens The tokens after `SEARCH`.
 * @returns The result options, the charset and the criteria.
 * @throws {ImapSyntaxError} When a key or result option is unknown or lacks its argument.
 *
 * @example Unseen mail from alice since the first of September, as an ESEARCH count
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSearch } from "./search_keys.ts";
 *
 * const atom = (value: string) => ({ kind: "atom" as const, value });
 * const query = parseSearch([
 *   atom("RETURN"), { kind: "list", items: [atom("COUNT")] },
 *   atom("UNSEEN"), atom("FROM"), atom("alice"), atom("SINCE"), atom("1-Sep-2026"),
 * ]);
 * assert.deepEqual(query.returns, ["COUNT"]);
 * assert.deepEqual(query.key, {
 *   op: "and",
 *   keys: [
 *     { op: "flag", flag: "\\Seen", present: false },
 *     { op: "address", field: "from", value: "alice" },
 *     { op: "date", compare: "since", day: Date.UTC(2026, 8, 1), sent: false },
 *   ],
 * });
 * ```
 */
export function parseSearch(tokens: readonly ImapToken[]): SearchQuery {
  const reader = { tokens, at: 0 };
  let returns: SearchReturn[] | undefined;
  if (isAtom(tokens[0], "RETURN")) {
    returns = readReturns(tokens[1]);
    reader.at = 2;
  }
  let charset: string | undefined;
  if (isAtom(tokens[reader.at], "CHARSET")) {
    charset = text(tokens[reader.at + 1], "charset").toUpperCase();
    reader.at += 2;
  }
  return { returns, charset, key: readProgram(reader) };
}

/**
 * Parses the arguments of SORT.
 *
 * @param tokens The tokens after `SORT`.
 * @returns The criteria, the charset and the search criteria.
 * @throws {ImapSyntaxError} When the criteria are not a list of known keys, or the charset or
 *   search criteria are missing.
 *
 * @example Newest first, then by subject, among unseen mail
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSort } from "./search_keys.ts";
 *
 * const atom = (value: string) => ({ kind: "atom" as const, value });
 * const query = parseSort([
 *   { kind: "list", items: [atom("REVERSE"), atom("DATE"), atom("SUBJECT")] },
 *   atom("UTF-8"),
 *   atom("UNSEEN"),
 * ]);
 * assert.deepEqual(query.criteria, [
 *   { key: "DATE", reverse: true },
 *   { key: "SUBJECT", reverse: false },
 * ]);
 * assert.equal(query.charset, "UTF-8");
 * assert.deepEqual(query.key, { op: "flag", flag: "\\Seen", present: false });
 * ```
 */
export function parseSort(tokens: readonly ImapToken[]): SortQuery {
  const list = tokens[0];
  if (list?.kind !== "list") throw new ImapSyntaxError("Missing sort criteria list");
  const criteria: SortCriterion[] = [];
  let reverse = false;
  for (const item of list.items) {
    const name = item.kind === "atom" ? item.value.toUpperCase() : "";
    if (name === "REVERSE" && !reverse) {
      reverse = true;
      continue;
    }
    if (!SORT_KEYS.has(name)) {
      throw new ImapSyntaxError(`Unknown sort criterion "${text(item, "sort key").slice(0, 40)}"`);
    }
    criteria.push({ key: name as SortKey, reverse });
    reverse = false;
  }
  if (reverse || criteria.length === 0) throw new ImapSyntaxError("Missing sort key");
  const charset = text(tokens[1], "charset").toUpperCase();
  return { criteria, charset, key: readProgram({ tokens, at: 2 }) };
}

interface Reader {
  tokens: readonly ImapToken[];
  at: number;
}

function isAtom(token: ImapToken | undefined, name: string): boolean {
  return token?.kind === "atom" && token.value.toUpperCase() === name;
}

function text(token: ImapToken | undefined, what: string): string {
  if (!token || token.kind === "list") throw new ImapSyntaxError(`Missing ${what}`);
  return token.value;
}

function readReturns(token: ImapToken | undefined): SearchReturn[] {
  if (token?.kind !== "list") throw new ImapSyntaxError("Missing search return options");
  const options = token.items.map((item) => {
    const name = item.kind === "atom" ? item.value.toUpperCase() : "";
    if (!RETURNS.has(name)) {
      throw new ImapSyntaxError(`Unknown search return option "${text(item, "option")}"`);
    }
    return name as SearchReturn;
  });
  // RFC 4731 §3.1: RETURN () means RETURN (ALL).
  return options.length === 0 ? ["ALL"] : [...new Set(options)];
}

function readProgram(reader: Reader): SearchKey {
  const keys: SearchKey[] = [];
  while (reader.at < reader.tokens.length) keys.push(readKey(reader, 0));
  if (keys.length === 0) throw new ImapSyntaxError("Missing search criteria");
  return keys.length === 1 ? keys[0] : { op: "and", keys };
}

function readKey(reader: Reader, depth: number): SearchKey {
  if (depth > 32) throw new ImapSyntaxError("Search criteria nested too deep");
  const token = reader.tokens[reader.at++];
  if (!token) throw new ImapSyntaxError("Missing search key");
  if (token.kind === "list") {
    const inner = { tokens: token.items, at: 0 };
    const keys: SearchKey[] = [];
    while (inner.at < token.items.length) keys.push(readKey(inner, depth + 1));
    if (keys.length === 0) throw new ImapSyntaxError("Empty search key list");
    return keys.length === 1 ? keys[0] : { op: "and", keys };
  }
  if (token.kind === "string") throw new ImapSyntaxError(`Unknown search key "${token.value}"`);
  const name = token.value.toUpperCase();
  const arg = (what: string) => text(reader.tokens[reader.at++], what);
  if (name === "ALL") return { op: "all" };
  if (name === "NEW") {
    return {
      op: "and",
      keys: [FLAGS.RECENT, FLAGS.UNSEEN].map(([flag, present]) => ({ op: "flag", flag, present })),
    };
  }
  if (FLAGS[name]) return { op: "flag", flag: FLAGS[name][0], present: FLAGS[name][1] };
  if (name === "KEYWORD" || name === "UNKEYWORD") {
    return { op: "flag", flag: arg("keyword"), present: name === "KEYWORD" };
  }
  if (ADDRESSES.has(name)) {
    return {
      op: "address",
      field: name.toLowerCase() as AddressField,
      value: arg(`${name} string`),
    };
  }
  if (name === "SUBJECT") return { op: "header", field: "subject", value: arg("SUBJECT string") };
  if (name === "HEADER") {
    const field = arg("header field name").toLowerCase();
    return { op: "header", field, value: arg("header value") };
  }
  if (name === "BODY" || name === "TEXT") {
    return { op: "text", where: name === "BODY" ? "body" : "text", value: arg(`${name} string`) };
  }
  if (DATES[name]) {
    const [compare, sent] = DATES[name];
    return { op: "date", compare, sent, day: parseSearchDate(arg("date")) };
  }
  if (name === "LARGER" || name === "SMALLER") {
    const size = number(arg("size"), 10, "size");
    return { op: "size", compare: name === "LARGER" ? "larger" : "smaller", size };
  }
  if (name === "UID") return { op: "uid", set: parseSequenceSet(arg("UID set")) };
  if (name === "NOT") return { op: "not", key: readKey(reader, depth + 1) };
  if (name === "OR") {
    const left = readKey(reader, depth + 1);
    return { op: "or", left, right: readKey(reader, depth + 1) };
  }
  if (name === "MODSEQ") return readModseq(reader);
  if (/^[\d*]/.test(name)) return { op: "seq", set: parseSequenceSet(name) };
  throw new ImapSyntaxError(`Unknown search key "${token.value.slice(0, 40)}"`);
}

// RFC 7162 §3.1.5: MODSEQ ["/flags/\\Seen" all] 620162338. The entry name narrows the search to
// one flag's changes; this server keeps one modseq per message, so it reads the entry and uses
// the message's.
function readModseq(reader: Reader): SearchKey {
  const next = reader.tokens[reader.at];
  if (next?.kind === "string" || (next?.kind === "atom" && next.value.startsWith("/"))) {
    const type = text(reader.tokens[reader.at + 1], "MODSEQ entry type").toLowerCase();
    if (type !== "all" && type !== "priv" && type !== "shared") {
      throw new ImapSyntaxError(`Invalid MODSEQ entry type "${type.slice(0, 40)}"`);
    }
    reader.at += 2;
  }
  return { op: "modseq", modseq: number(text(reader.tokens[reader.at++], "mod-sequence"), 19) };
}

function number(value: string, digits: number, what = "mod-sequence"): number {
  if (!new RegExp(`^\\d{1,${digits}}$`).test(value)) {
    throw new ImapSyntaxError(`Invalid ${what} "${value.slice(0, 40)}"`);
  }
  return Number(value);
}
