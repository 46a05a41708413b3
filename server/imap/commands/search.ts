/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4): the numbers of the messages that match every
 * criterion, as `* SEARCH 2 5`; with RETURN options, as `* ESEARCH (TAG "a1") MIN 2 COUNT 3`
 * (RFC 4731); with a MODSEQ key, followed by the highest mod-sequence found (RFC 7162 §3.1.5).
 * How keys match is the business of {@linkcode searchMailbox}.
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import type { ImapData } from "../../../protocol/imap/response.ts";
import { parseSearch, type SearchReturn } from "../../../protocol/imap/search_keys.ts";
import { formatSequenceSet } from "../../../protocol/imap/sequence_set.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import { checkCharset, type SearchHit, searchMailbox, usesModseq } from "../search_eval.ts";

/**
 * SEARCH [RETURN (options)] [CHARSET name] criteria, and UID SEARCH.
 *
 * @param session The session.
 * @param args The result options, charset and criteria.
 * @param command The command, to tell SEARCH from UID SEARCH and to tag ESEARCH.
 * @returns CONDSTORE enabled when a MODSEQ key was used, else nothing.
 *
 * @example Unseen mail, as a list and as an ESEARCH count
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "../../accounts.ts";
 * import { MemoryStore } from "../../store/memory_store.ts";
 * import { ImapSession } from "../session.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const store = new MemoryStore();
 * const mail = new TextEncoder().encode("From: alice@crepes.fr\r\nSubject: Lunch\r\n\r\nHi\r\n");
 * for (const flags of [[], ["\\Seen"], []]) await store.deliver("bob", mail, { flags });
 * const session = new ImapSession({ store, accounts });
 * await session.receiveLine("a1 LOGIN bob pickles");
 * await session.receiveLine("a2 SELECT INBOX");
 * assert.equal((await session.receiveLine("a3 SEARCH UNSEEN FROM alice")).lines[0], "* SEARCH 1 3");
 * assert.equal(
 *   (await session.receiveLine("a4 SEARCH RETURN (MIN COUNT) UNSEEN")).lines[0],
 *   '* ESEARCH (TAG "a4") MIN 1 COUNT 2',
 * );
 * ```
 */
export async function search(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<CommandResult | void> {
  const query = parseSearch(args.rest());
  checkCharset(query.charset);
  const hits = await searchMailbox(session, query.key);
  const byUid = command.name === "UID SEARCH";
  const modseq = usesModseq(query.key);
  if (query.returns) {
    session.send("* ESEARCH", esearchData(hits, { ...command, byUid, modseq }, query.returns));
  } else {
    const numbers = hits.map((m) => String(byUid ? m.info.uid : m.seq));
    session.send("* SEARCH", modseq ? [...numbers, ...modseqData(hits)] : numbers);
  }
  if (modseq) return { enable: ["CONDSTORE"] };
}

/**
 * The `(MODSEQ n)` that ends a SEARCH or SORT response whose criteria used MODSEQ: the highest
 * mod-sequence of the messages found, nothing when none was (RFC 7162 §3.1.5).
 *
 * @param hits The messages found.
 * @returns The data to append.
 *
 * @example The highest of two, and nothing for none
 * ```ts
 * import assert from "node:assert/strict";
 * import { modseqData } from "./search.ts";
 *
 * const info = (modseq: number) => ({ uid: 1, flags: [], size: 1, internalDate: 0, modseq });
 * assert.deepEqual(modseqData([{ seq: 1, info: info(4) }, { seq: 2, info: info(9) }]), [["MODSEQ", "9"]]);
 * assert.deepEqual(modseqData([]), []);
 * ```
 */
export function modseqData(hits: readonly SearchHit[]): ImapData[] {
  return hits.length === 0 ? [] : [["MODSEQ", String(highestModseq(hits))]];
}

/**
 * The data of an ESEARCH response (RFC 4731 §3.1): the tag, `UID` for UID SEARCH, then the
 * results asked for, in the order MIN, MAX, ALL, COUNT. MIN, MAX and ALL are left out when no
 * message matched; COUNT is always there. With MODSEQ (RFC 7162 §3.1.5), the mod-sequence of
 * the one message MIN or MAX names, of the higher of the two for both, or else the highest of
 * all found.
 *
 * @param hits The messages found, in sequence order.
 * @param command The tag, whether numbers are UIDs, and whether the criteria used MODSEQ.
 * @param returns The RETURN options.
 * @returns The values after `* ESEARCH`.
 *
 * @example Four UIDs, compressed
 * ```ts
 * import assert from "node:assert/strict";
 * import { esearchData } from "./search.ts";
 *
 * const hit = (seq: number, uid: number) =>
 *   ({ seq, info: { uid, flags: [], size: 1, internalDate: 0, modseq: uid } });
 * const hits = [hit(1, 2), hit(2, 3), hit(3, 4), hit(4, 9)];
 * assert.deepEqual(
 *   esearchData(hits, { tag: "a1", byUid: true, modseq: false }, ["MIN", "MAX", "ALL", "COUNT"]),
 *   [["TAG", { string: "a1" }], "UID", "MIN", "2", "MAX", "9", "ALL", "2:4,9", "COUNT", "4"],
 * );
 * ```
 */
export function esearchData(
  hits: readonly SearchHit[],
  command: { tag: string; byUid: boolean; modseq: boolean },
  returns: readonly SearchReturn[],
): ImapData[] {
  const data: ImapData[] = [["TAG", { string: command.tag }]];
  if (command.byUid) data.push("UID");
  const number = (m: SearchHit) => command.byUid ? m.info.uid : m.seq;
  const wants = new Set(returns);
  const first = hits[0];
  const last = hits.at(-1);
  if (first && last) {
    if (wants.has("MIN")) data.push("MIN", String(number(first)));
    if (wants.has("MAX")) data.push("MAX", String(number(last)));
    if (wants.has("ALL")) data.push("ALL", formatSequenceSet(hits.map(number)));
  }
  if (wants.has("COUNT")) data.push("COUNT", String(hits.length));
  if (command.modseq && first && last) {
    const only = wants.has("ALL") || wants.has("COUNT")
      ? hits
      : [...(wants.has("MIN") ? [first] : []), ...(wants.has("MAX") ? [last] : [])];
    data.push("MODSEQ", String(highestModseq(only)));
  }
  return data;
}

function highestModseq(hits: readonly SearchHit[]): number {
  return hits.reduce((max, m) => Math.max(max, m.info.modseq), 0);
}
