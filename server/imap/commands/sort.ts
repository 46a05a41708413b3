/**
 * SORT and UID SORT (RFC 5256 §3, with DISPLAYFROM and DISPLAYTO of RFC 5957): the messages a
 * search finds, in the order of the criteria, as `* SORT 3 1 2`. Keys come from the header
 * summary the store keeps, so sorting a large mailbox a second time reads no message.
 *
 * Strings compare by code point after upper-casing (RFC 5256 asks for i;ascii-casemap, which
 * agrees on ASCII); a missing field sorts as the empty string; DATE falls back to the internal
 * date when `Date:` is missing or unreadable (§2.2). REVERSE turns one criterion around; ties
 * left after every criterion go by sequence number, lowest first, whatever REVERSE says.
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { parseSort, type SortCriterion } from "../../../protocol/imap/search_keys.ts";
import { type MessageInfo, NotFoundError } from "../../store/store.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import {
  checkCharset,
  loadSummary,
  type SearchHit,
  searchMailbox,
  usesModseq,
} from "../search_eval.ts";
import type { SearchSummary } from "../search_summary.ts";
import { modseqData } from "./search.ts";

/**
 * SORT (criteria) charset search-criteria, and UID SORT.
 *
 * @param session The session.
 * @param args The criteria, charset and search criteria.
 * @param command The command, to tell SORT from UID SORT.
 * @returns CONDSTORE enabled when a MODSEQ key was used, else nothing.
 *
 * @example Sort by base subject, then latest arrival first
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "../../accounts.ts";
 * import { MemoryStore } from "../../store/memory_store.ts";
 * import { ImapSession } from "../session.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const store = new MemoryStore();
 * for (const [day, subject] of ["Re: lunch", "Budget", "lunch"].entries()) {
 *   const bytes = new TextEncoder().encode(`Subject: ${subject}\r\n\r\nHi\r\n`);
 *   await store.deliver("bob", bytes, { internalDate: Date.UTC(2026, 8, 1 + day) });
 * }
 * const session = new ImapSession({ store, accounts });
 * await session.receiveLine("a1 LOGIN bob pickles");
 * await session.receiveLine("a2 SELECT INBOX");
 * const sorted = await session.receiveLine("a3 SORT (SUBJECT REVERSE ARRIVAL) UTF-8 ALL");
 * assert.equal(sorted.lines[0], "* SORT 2 3 1");
 * ```
 */
export async function sort(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<CommandResult | void> {
  const query = parseSort(args.rest());
  checkCharset(query.charset);
  const hits = await searchMailbox(session, query.key);
  const sorted = await sortHits(session, hits, query.criteria);
  const byUid = command.name === "UID SORT";
  const numbers = sorted.map((m) => String(byUid ? m.info.uid : m.seq));
  const modseq = usesModseq(query.key);
  session.send("* SORT", modseq ? [...numbers, ...modseqData(sorted)] : numbers);
  if (modseq) return { enable: ["CONDSTORE"] };
}

const HEADER_KEYS = new Set(["CC", "DATE", "FROM", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"]);
const EMPTY: SearchSummary["sort"] = {
  subject: "",
  from: "",
  to: "",
  cc: "",
  displayFrom: "",
  displayTo: "",
};

/**
 * Orders messages by sort criteria, loading the summaries the criteria need.
 *
 * @param session The session, with a mailbox selected.
 * @param hits The messages, in sequence order, with their summaries when loaded.
 * @param criteria The criteria, most significant first.
 * @returns The messages in order; one that vanished meanwhile sorts with empty header keys.
 *
 * @example Largest first; equal sizes by sequence number
 * ```ts
 * import assert from "node:assert/strict";
 * import { sortHits } from "./sort.ts";
 *
 * const hit = (seq: number, size: number) =>
 *   ({ seq, info: { uid: seq, flags: [], size, internalDate: 0, modseq: 1 } });
 * const session = {} as Parameters<typeof sortHits>[0];
 * const sorted = await sortHits(session, [hit(1, 10), hit(2, 30), hit(3, 10)], [
 *   { key: "SIZE", reverse: true },
 * ]);
 * assert.deepEqual(sorted.map((m) => m.seq), [2, 1, 3]);
 * ```
 */
export async function sortHits(
  session: Pick<SessionContext, "store" | "user" | "selected">,
  hits: readonly SearchHit[],
  criteria: readonly SortCriterion[],
): Promise<SearchHit[]> {
  const needsHeader = criteria.some((c) => HEADER_KEYS.has(c.key));
  const rows: { hit: SearchHit; keys: (string | number)[] }[] = [];
  for (const hit of hits) {
    let summary = hit.summary;
    if (!summary && needsHeader) summary = await summaryOrNothing(session, hit.info);
    rows.push({ hit, keys: criteria.map((c) => keyOf(c, hit, summary)) });
  }
  rows.sort((a, b) => {
    for (let i = 0; i < criteria.length; i++) {
      const x = a.keys[i];
      const y = b.keys[i];
      if (x === y) continue;
      const order = x < y ? -1 : 1;
      return criteria[i].reverse ? -order : order;
    }
    return a.hit.seq - b.hit.seq;
  });
  return rows.map((row) => row.hit);
}

async function summaryOrNothing(
  session: Pick<SessionContext, "store" | "user" | "selected">,
  info: MessageInfo,
): Promise<SearchSummary | undefined> {
  try {
    return await loadSummary(session, info);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

function keyOf(
  criterion: SortCriterion,
  hit: SearchHit,
  summary: SearchSummary | undefined,
): string | number {
  const sort = summary?.sort ?? EMPTY;
  switch (criterion.key) {
    case "ARRIVAL":
      return hit.info.internalDate;
    case "SIZE":
      return hit.info.size;
    case "DATE":
      return summary?.sent ?? hit.info.internalDate;
    case "SUBJECT":
      return sort.subject;
    case "FROM":
      return sort.from;
    case "TO":
      return sort.to;
    case "CC":
      return sort.cc;
    case "DISPLAYFROM":
      return sort.displayFrom;
    case "DISPLAYTO":
      return sort.displayTo;
  }
}
