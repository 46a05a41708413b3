/**
 * Evaluating SEARCH criteria (RFC 3501 §6.4.4) against the selected mailbox. Each message is
 * tried with what costs least first: flags, size, dates and numbers from the snapshot; then the
 * header summary the store keeps ({@linkcode SearchSummary}); then, only when a BODY, TEXT or
 * uncommon HEADER key still decides, the message's bytes. Evaluation is three-valued, so
 * `FLAGGED BODY x` reads only the flagged messages and `OR FROM a BODY b` only those not from a.
 *
 * Matching ignores case and looks for substrings of decoded text: encoded words in headers,
 * transfer encodings and charsets in bodies. BEFORE, ON and SINCE compare the internal date's
 * day in UTC, the zone this server writes INTERNALDATE in; SENTBEFORE, SENTON and SENTSINCE
 * compare the day of `Date:` as written, in the sender's zone. A message without a readable
 * `Date:` matches no SENT key.
 *
 * @module
 */
import { decodeWords } from "../../message/encoded_words.ts";
import { type HeaderBlock, parseHeaders } from "../../message/header.ts";
import type { MimePart } from "../../message/mime_part.ts";
import { parseMessage } from "../../message/parse.ts";
import { ImapResponseError } from "../../protocol/imap/error.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import type { SearchKey } from "../../protocol/imap/search_keys.ts";
import { sequenceSetHas } from "../../protocol/imap/sequence_set.ts";
import { type MessageInfo, NotFoundError } from "../store/store.ts";
import type { SessionContext } from "./context.ts";
import {
  SEARCH_SUMMARY_KIND,
  type SearchSummary,
  summarize,
  SUMMARY_FIELDS,
} from "./search_summary.ts";
import type { NumberedMessage } from "./selected.ts";

/** The charsets SEARCH and SORT accept (RFC 3501 §6.4.4: US-ASCII and UTF-8 at least). */
export const CHARSETS: readonly string[] = ["US-ASCII", "UTF-8"];

const DAY = 24 * 60 * 60 * 1000;
const KEPT = new Set(SUMMARY_FIELDS);

/** A message that matched, with its summary when the search loaded it. */
export interface SearchHit extends NumberedMessage {
  /** The header summary, when a key needed it. */
  summary?: SearchSummary;
}

/** A message under test: the snapshot's facts, then what was loaded for it. */
interface Candidate extends SearchHit {
  recent: boolean;
  bytes?: Uint8Array;
  header?: HeaderBlock;
  parts?: MimePart[];
  body?: string;
  headers?: string;
}

/**
 * Refuses a charset other than those of {@linkcode CHARSETS}.
 *
 * @param charset The CHARSET argument in upper case, if any.
 * @throws {ImapResponseError} `NO [BADCHARSET (US-ASCII UTF-8)]` for another one.
 *
 * @example Accept UTF-8 and no charset, refuse KOI8-R
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCharset } from "./search_eval.ts";
 *
 * checkCharset("UTF-8");
 * checkCharset(undefined);
 * assert.throws(() => checkCharset("KOI8-R"), { code: "BADCHARSET (US-ASCII UTF-8)" });
 * ```
 */
export function checkCharset(charset: string | undefined): void {
  if (charset !== undefined && !CHARSETS.includes(charset)) {
    throw ImapResponseError.of(RESPONSE.BadCharset(charset, CHARSETS));
  }
}

/**
 * Whether a key uses MODSEQ (RFC 7162 §3.1.5): the response then ends with `(MODSEQ n)`, and the
 * command enables CONDSTORE.
 *
 * @param key The criteria.
 * @returns True when some MODSEQ key appears.
 *
 * @example Find MODSEQ under NOT
 * ```ts
 * import assert from "node:assert/strict";
 * import { usesModseq } from "./search_eval.ts";
 *
 * assert.equal(usesModseq({ op: "not", key: { op: "modseq", modseq: 7 } }), true);
 * assert.equal(usesModseq({ op: "all" }), false);
 * ```
 */
export function usesModseq(key: SearchKey): boolean {
  return some(key, (k) => k.op === "modseq");
}

/**
 * Finds the messages of the selected mailbox that match a key, in sequence order.
 *
 * @param session The session, with a mailbox selected.
 * @param key The criteria.
 * @returns The matching messages, each with its summary when the search loaded it. Messages
 *   another session expunged meanwhile match only keys that need neither header nor body.
 *
 * @example Search flags, then addresses (the second time from the store's summaries)
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { searchMailbox } from "./search_eval.ts";
 * import { SelectedMailbox } from "./selected.ts";
 *
 * const store = new MemoryStore();
 * const text = (from: string) => new TextEncoder().encode(`From: ${from}\r\n\r\nHi\r\n`);
 * await store.deliver("bob", text("Alice <alice@crepes.fr>"));
 * await store.deliver("bob", text("carol@hamburger.edu (Carol)"), { flags: ["\\Seen"] });
 * const selected = await SelectedMailbox.open(store, { user: "bob", name: "INBOX", readOnly: false });
 * const session = { store, user: "bob", selected } as Parameters<typeof searchMailbox>[0];
 * const seen = await searchMailbox(session, { op: "flag", flag: "\\Seen", present: true });
 * assert.deepEqual(seen.map((m) => m.seq), [2]);
 * const carol = await searchMailbox(session, { op: "address", field: "from", value: "CAROL" });
 * assert.deepEqual(carol.map((m) => m.seq), [2]);
 * ```
 */
export async function searchMailbox(
  session: Pick<SessionContext, "store" | "user" | "selected">,
  key: SearchKey,
): Promise<SearchHit[]> {
  const box = session.selected!;
  const all = box.messages;
  const largest = { seq: all.length, uid: all.at(-1)?.uid ?? 0 };
  const prepared = prepare(key);
  const wantsSummary = some(prepared, needsSummary);
  const hits: SearchHit[] = [];
  for (let i = 0; i < all.length; i++) {
    const info = all[i];
    const m: Candidate = { seq: i + 1, info, recent: box.isRecent(info.uid) };
    let result = evaluate(prepared, m, largest);
    try {
      if (result === undefined && wantsSummary) {
        m.summary = await loadSummary(session, info);
        result = evaluate(prepared, m, largest);
      }
      if (result === undefined) {
        m.bytes = await session.store.read(session.user!, box.name, info.uid);
        result = evaluate(prepared, m, largest);
      }
    } catch (error) {
      if (error instanceof NotFoundError) continue;
      throw error;
    }
    if (result) hits.push({ seq: m.seq, info, summary: m.summary });
  }
  return hits;
}

/**
 * A message's header summary: made from its bytes the first time and kept by the store, and
 * remembered with the snapshot's entry so that later searches in the session ask no store.
 *
 * @param session The session, with a mailbox selected.
 * @param info The message, as the snapshot has it.
 * @returns The summary.
 * @throws {NotFoundError} When the message is gone.
 *
 * @example The sort keys of a message
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { loadSummary } from "./search_eval.ts";
 * import { SelectedMailbox } from "./selected.ts";
 *
 * const store = new MemoryStore();
 * await store.deliver("bob", new TextEncoder().encode("From: Alice <alice@crepes.fr>\r\nSubject: Re: Hi\r\n\r\n"));
 * const selected = await SelectedMailbox.open(store, { user: "bob", name: "INBOX", readOnly: true });
 * const summary = await loadSummary({ store, user: "bob", selected }, selected.messages[0]);
 * assert.equal(summary.sort.subject, "HI");
 * assert.equal(summary.sort.displayFrom, "ALICE");
 * ```
 */
export async function loadSummary(
  session: Pick<SessionContext, "store" | "user" | "selected">,
  info: MessageInfo,
): Promise<SearchSummary> {
  const known = remembered.get(info);
  if (known) return known;
  const where = { mailbox: session.selected!.name, uid: info.uid, kind: SEARCH_SUMMARY_KIND };
  const summary = await session.store.summary(session.user!, where, summarize);
  remembered.set(info, summary);
  return summary;
}

// A message's bytes never change, so neither does its summary: the snapshot's entry for it can
// hold it for as long as the snapshot lives, sparing a store call per message per search.
const remembered = new WeakMap<MessageInfo, SearchSummary>();

function some(key: SearchKey, test: (key: SearchKey) => boolean): boolean {
  if (test(key)) return true;
  if (key.op === "and") return key.keys.some((k) => some(k, test));
  if (key.op === "or") return some(key.left, test) || some(key.right, test);
  if (key.op === "not") return some(key.key, test);
  return false;
}

function needsSummary(key: SearchKey): boolean {
  return key.op === "address" || (key.op === "header" && KEPT.has(key.field)) ||
    (key.op === "date" && key.sent);
}

// Lower-cases every value once, rather than once per message.
function prepare(key: SearchKey): SearchKey {
  switch (key.op) {
    case "and":
      return { op: "and", keys: key.keys.map(prepare) };
    case "or":
      return { op: "or", left: prepare(key.left), right: prepare(key.right) };
    case "not":
      return { op: "not", key: prepare(key.key) };
    case "flag":
      return { ...key, flag: key.flag.toLowerCase() };
    case "address":
    case "header":
    case "text":
      return { ...key, value: key.value.toLowerCase() };
    default:
      return key;
  }
}

// True, false, or undefined when the answer needs what is not loaded yet.
function evaluate(
  key: SearchKey,
  m: Candidate,
  largest: { seq: number; uid: number },
): boolean | undefined {
  switch (key.op) {
    case "and": {
      let known = true;
      for (const k of key.keys) {
        const r = evaluate(k, m, largest);
        if (r === false) return false;
        if (r === undefined) known = false;
      }
      return known ? true : undefined;
    }
    case "or": {
      const left = evaluate(key.left, m, largest);
      if (left === true) return true;
      const right = evaluate(key.right, m, largest);
      if (right === true) return true;
      return left === false && right === false ? false : undefined;
    }
    case "not": {
      const r = evaluate(key.key, m, largest);
      return r === undefined ? undefined : !r;
    }
    case "all":
      return true;
    case "flag": {
      const has = key.flag === "\\recent"
        ? m.recent
        : m.info.flags.some((f) => f.toLowerCase() === key.flag);
      return has === key.present;
    }
    case "size":
      return key.compare === "larger" ? m.info.size > key.size : m.info.size < key.size;
    case "uid":
      return sequenceSetHas(key.set, m.info.uid, largest.uid);
    case "seq":
      return sequenceSetHas(key.set, m.seq, largest.seq);
    case "modseq":
      return m.info.modseq >= key.modseq;
    case "date": {
      let day: number | null;
      if (!key.sent) day = Math.floor(m.info.internalDate / DAY) * DAY;
      else if (m.summary) day = m.summary.sentDay;
      else return undefined;
      if (day === null) return false;
      return key.compare === "before"
        ? day < key.day
        : key.compare === "on"
        ? day === key.day
        : day >= key.day;
    }
    case "address": {
      if (!m.summary) return undefined;
      if (key.value === "") return m.summary.fields[key.field] !== undefined;
      return m.summary.addresses[key.field].includes(key.value);
    }
    case "header": {
      let values: string[] | undefined;
      if (KEPT.has(key.field)) {
        if (!m.summary) return undefined;
        values = m.summary.fields[key.field];
      } else {
        if (!m.bytes) return undefined;
        m.header ??= parseHeaders(m.bytes);
        const found = m.header.textAll(key.field);
        values = found.length > 0 ? found.map((v) => decodeWords(v).toLowerCase()) : undefined;
      }
      if (values === undefined) return false;
      return key.value === "" || values.some((v) => v.includes(key.value));
    }
    case "text": {
      if (key.value === "") return true;
      if (!m.bytes) return undefined;
      m.parts ??= [...parseMessage(m.bytes).root.walk()];
      m.body ??= bodyText(m.parts);
      if (m.body.includes(key.value)) return true;
      if (key.where === "body") return false;
      m.headers ??= headerText(m.parts);
      return m.headers.includes(key.value);
    }
  }
}

// BODY searches every text part, decoded (transfer encoding and charset), in lower case; binary
// parts (images, archives) are not searched.
function bodyText(parts: readonly MimePart[]): string {
  const bodies: string[] = [];
  for (const part of parts) {
    if (part.children.length > 0 || part.message) continue;
    const type = part.contentType.type;
    if (type === "text" || type === "message") bodies.push(part.text());
  }
  return bodies.join("\n").toLowerCase();
}

// TEXT adds every header, the parts' own included, with encoded words decoded.
function headerText(parts: readonly MimePart[]): string {
  const lines: string[] = [];
  for (const part of parts) {
    for (const field of part.header.fields) {
      lines.push(`${field.name}: ${decodeWords(field.value)}`);
    }
  }
  return lines.join("\n").toLowerCase();
}
