/**
 * SEARCH criteria (RFC 3501 §6.4.4) as a tree that a server evaluates against each message.
 *
 * ```
 * search     = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key)
 * search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
 *              "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring / "KEYWORD" SP flag /
 *              "NEW" / "OLD" / "ON" SP date / "RECENT" / "SEEN" / "SINCE" SP date /
 *              "SUBJECT" SP astring / "TEXT" SP astring / "TO" SP astring / "UNANSWERED" / ... /
 *              "DRAFT" / "HEADER" SP astring SP astring / "LARGER" SP number / "NOT" SP search-key /
 *              "OR" SP search-key SP search-key / "SENTBEFORE" SP date / "SENTON" SP date /
 *              "SENTSINCE" SP date / "SMALLER" SP number / "UID" SP sequence-set / "UNDRAFT" /
 *              sequence-set / "(" search-key *(SP search-key) ")"
 * ```
 *
 * @module
 */
import { parseSearchDate } from "./date.ts";
import { ImapSyntaxError } from "./error.ts";
import type { ImapToken } from "./lexer.ts";
import { parseSequenceSet, type SequenceRange } from "./sequence_set.ts";

/** One search criterion; `and` holds a list that must all match. */
export type SearchKey =
  | { op: "and"; keys: SearchKey[] }
  | { op: "or"; left: SearchKey; right: SearchKey }
  | { op: "not"; key: SearchKey }
  | { op: "all" }
  | { op: "flag"; flag: string; present: boolean }
  | { op: "date"; compare: "before" | "on" | "since"; day: number; sent: boolean }
  | { op: "size"; compare: "larger" | "smaller"; size: number }
  | { op: "header"; field: string; value: string }
  | { op: "text"; where: "body" | "text"; value: string }
  | { op: "uid"; set: SequenceRange[] }
  | { op: "seq"; set: SequenceRange[] };

/** A parsed SEARCH: its charset (when given) and its criteria. */
export interface SearchQuery {
  /** The CHARSET argument in upper case, when given. */
  charset?: string;
  /** All criteria, combined with AND. */
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

const HEADERS = new Set(["BCC", "CC", "FROM", "SUBJECT", "TO"]);
const DATES: Record<string, ["before" | "on" | "since", boolean]> = {
  BEFORE: ["before", false],
  ON: ["on", false],
  SINCE: ["since", false],
  SENTBEFORE: ["before", true],
  SENTON: ["on", true],
  SENTSINCE: ["since", true],
};

/**
 * Parses the arguments of SEARCH.
 *
 * @param tokens The tokens after `SEARCH`.
 * @returns The charset and the criteria.
 * @throws {ImapSyntaxError} When a key is unknown or lacks its argument.
 *
 * @example Unseen mail from alice since the first of September
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSearch } from "./search_keys.ts";
 *
 * const atom = (value: string) => ({ kind: "atom" as const, value });
 * const query = parseSearch([atom("UNSEEN"), atom("FROM"), atom("alice"), atom("SINCE"), atom("1-Sep-2026")]);
 * assert.deepEqual(query.key, {
 *   op: "and",
 *   keys: [
 *     { op: "flag", flag: "\\Seen", present: false },
 *     { op: "header", field: "FROM", value: "alice" },
 *     { op: "date", compare: "since", day: Date.UTC(2026, 8, 1), sent: false },
 *   ],
 * });
 * ```
 */
export function parseSearch(tokens: readonly ImapToken[]): SearchQuery {
  let at = 0;
  let charset: string | undefined;
  const first = tokens[0];
  if (first?.kind === "atom" && first.value.toUpperCase() === "CHARSET") {
    charset = text(tokens[1], "charset").toUpperCase();
    at = 2;
  }
  const reader = { tokens, at };
  const keys: SearchKey[] = [];
  while (reader.at < tokens.length) keys.push(readKey(reader, 0));
  if (keys.length === 0) throw new ImapSyntaxError("Missing search criteria");
  return { charset, key: keys.length === 1 ? keys[0] : { op: "and", keys } };
}

interface Reader {
  tokens: readonly ImapToken[];
  at: number;
}

function text(token: ImapToken | undefined, what: string): string {
  if (!token || token.kind === "list") throw new ImapSyntaxError(`Missing ${what}`);
  return token.value;
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
  if (HEADERS.has(name)) return { op: "header", field: name, value: arg(`${name} string`) };
  if (name === "HEADER") {
    return {
      op: "header",
      field: arg("header field name").toUpperCase(),
      value: arg("header value"),
    };
  }
  if (name === "BODY" || name === "TEXT") {
    return { op: "text", where: name === "BODY" ? "body" : "text", value: arg(`${name} string`) };
  }
  if (DATES[name]) {
    const [compare, sent] = DATES[name];
    return { op: "date", compare, sent, day: parseSearchDate(arg("date")) };
  }
  if (name === "LARGER" || name === "SMALLER") {
    const size = arg("size");
    if (!/^\d{1,10}$/.test(size)) throw new ImapSyntaxError(`Invalid size "${size}"`);
    return { op: "size", compare: name === "LARGER" ? "larger" : "smaller", size: Number(size) };
  }
  if (name === "UID") return { op: "uid", set: parseSequenceSet(arg("UID set")) };
  if (name === "NOT") return { op: "not", key: readKey(reader, depth + 1) };
  if (name === "OR") {
    const left = readKey(reader, depth + 1);
    return { op: "or", left, right: readKey(reader, depth + 1) };
  }
  if (/^[\d*]/.test(name)) return { op: "seq", set: parseSequenceSet(name) };
  throw new ImapSyntaxError(`Unknown search key "${token.value.slice(0, 40)}"`);
}
