/**
 * STORE and UID STORE (RFC 3501 §6.4.6): replace, add or remove flags.
 *
 * ```
 * store          = "STORE" SP sequence-set SP store-att-flags
 * store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
 * ```
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { ImapResponseError, ImapSyntaxError } from "../../../protocol/imap/error.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { parseSequenceSet } from "../../../protocol/imap/sequence_set.ts";
import { SYSTEM_FLAGS, type SystemFlag } from "../../store/store.ts";
import type { SessionContext } from "../context.ts";

const ACTION = /^([+-]?)FLAGS(\.SILENT)?$/i;
const FLAG = /^\\?[^\s(){%*"\\\]]+$/;

/**
 * STORE sequence-set action flags, and UID STORE. Keywords and `\Recent` are accepted and
 * ignored: the store keeps system flags only, which PERMANENTFLAGS announces.
 *
 * @param session The session.
 * @param args The set, the action and the flags.
 * @param command The command, to tell STORE from UID STORE.
 */
export async function store(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<void> {
  const byUid = command.name === "UID STORE";
  const set = parseSequenceSet(args.atom("sequence set"));
  const action = ACTION.exec(args.atom("store action"));
  if (!action) throw new ImapSyntaxError("Expected FLAGS, +FLAGS or -FLAGS");
  const tokens = args.rest();
  const flagTokens = tokens.length === 1 && tokens[0].kind === "list" ? tokens[0].items : tokens;
  const names = flagTokens.map((t) => {
    if (t.kind !== "atom" || !FLAG.test(t.value)) throw new ImapSyntaxError("Invalid flag");
    return t.value;
  });
  if (tokens.length === 0) throw new ImapSyntaxError("Missing flags");
  const box = session.selected!;
  if (box.readOnly) throw ImapResponseError.of(RESPONSE.ReadOnly(box.name));
  const given = names
    .map((n) => SYSTEM_FLAGS.find((f) => f.toLowerCase() === n.toLowerCase()))
    .filter((f): f is SystemFlag => f !== undefined);
  for (const { seq, info } of box.pick(set, byUid)) {
    const next = action[1] === "+"
      ? [...new Set([...info.flags, ...given])]
      : action[1] === "-"
      ? info.flags.filter((f) => !given.includes(f))
      : [...new Set(given)];
    const ordered = SYSTEM_FLAGS.filter((f) => next.includes(f));
    if (ordered.length !== info.flags.length || ordered.some((f) => !info.flags.includes(f))) {
      await session.store.setFlags(session.user!, box.name, info.uid, ordered);
      box.setFlags(info.uid, ordered);
    }
    if (!action[2]) {
      const uid = byUid ? ["UID", String(info.uid)] : [];
      session.send(`* ${seq} FETCH`, [[...uid, "FLAGS", ordered]]);
    }
  }
}
