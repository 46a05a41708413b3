/**
 * STORE and UID STORE (RFC 3501 §6.4.6): set, add or remove flags and keywords, with RFC 7162's
 * UNCHANGEDSINCE. Each change is made against the message's current flags in the store, so two
 * sessions never overwrite each other's changes; a message another session expunged is skipped
 * without an error (§7.4.1).
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { ImapResponseError, ImapSyntaxError } from "../../../protocol/imap/error.ts";
import { formatStatus, type ImapData, isFlag } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { formatSequenceSet, parseSequenceSet } from "../../../protocol/imap/sequence_set.ts";
import { type FlagChange, normalizeFlags, NotFoundError } from "../../store/store.ts";
import type { CommandResult, SessionContext } from "../context.ts";
import { mailboxFlags, permanentFlags } from "../updates.ts";

const ACTION = /^([+-]?)FLAGS(\.SILENT)?$/i;

/**
 * Reads a list of flags and keywords from tokens, as STORE and APPEND give them.
 *
 * @param names The flag tokens' texts.
 * @returns The flags, normalized; `\Recent` is dropped (the server sets it, RFC 3501 §2.3.2).
 * @throws {ImapSyntaxError} For an unknown system flag or an invalid keyword, such as one with
 *   8-bit characters, which no flag list could show (RFC 3501 §9: `flag-keyword = atom`).
 */
export function readFlags(names: string[]): string[] {
  const odd = names.find((name) => !isFlag(name));
  if (odd !== undefined) throw new ImapSyntaxError(`Invalid flag "${odd.slice(0, 100)}"`);
  try {
    return normalizeFlags(names.filter((n) => n.toLowerCase() !== "\\recent"));
  } catch (error) {
    throw new ImapSyntaxError((error as Error).message);
  }
}

/**
 * STORE sequence-set [(UNCHANGEDSINCE modseq)] [+|-]FLAGS[.SILENT] (flags).
 *
 * @param session The session.
 * @param args The set, the condition, the action and the flags.
 * @param command The whole command, to tell STORE from UID STORE.
 * @returns MODIFIED when UNCHANGEDSINCE left messages alone.
 */
export async function store(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<CommandResult> {
  const byUid = command.name === "UID STORE";
  const set = parseSequenceSet(args.atom("sequence set"));
  let unchangedSince: number | undefined;
  let word = args.any("store action");
  if (word.kind === "list") {
    const [name, value] = word.items;
    if (name?.kind !== "atom" || name.value.toUpperCase() !== "UNCHANGEDSINCE") {
      throw new ImapSyntaxError("Expected (UNCHANGEDSINCE modseq)");
    }
    unchangedSince = value?.kind === "atom" ? Number(value.value) : NaN;
    if (!Number.isSafeInteger(unchangedSince) || unchangedSince < 0) {
      throw new ImapSyntaxError("UNCHANGEDSINCE needs a number");
    }
    word = args.any("store action");
  }
  const action = word.kind === "atom" ? ACTION.exec(word.value) : null;
  if (!action) throw new ImapSyntaxError("Expected FLAGS, +FLAGS or -FLAGS");
  const tokens = args.rest();
  if (tokens.length === 0) throw new ImapSyntaxError("Missing flags");
  const flagTokens = tokens.length === 1 && tokens[0].kind === "list" ? tokens[0].items : tokens;
  const flags = readFlags(flagTokens.map((t) => {
    if (t.kind !== "atom") throw new ImapSyntaxError("Invalid flag");
    return t.value;
  }));
  const box = session.selected!;
  if (box.readOnly) throw ImapResponseError.of(RESPONSE.ReadOnly(box.name));
  const change: FlagChange = action[1] === "+"
    ? { add: flags }
    : action[1] === "-"
    ? { remove: flags }
    : { replace: flags };
  if (unchangedSince !== undefined) change.unchangedSince = unchangedSince;
  const condstore = unchangedSince !== undefined || session.enabled.has("CONDSTORE");
  const modified: number[] = [];
  for (const { seq, info } of box.pick(set, byUid)) {
    let now;
    try {
      now = await session.store.updateFlags(
        session.user!,
        { mailbox: box.name, uid: info.uid },
        change,
      );
    } catch (error) {
      if (error instanceof NotFoundError) continue; // expunged meanwhile by another session
      if (error instanceof Error && /keyword/.test(error.message)) {
        throw ImapResponseError.of(RESPONSE.Cannot(error.message));
      }
      throw error;
    }
    if (!now) {
      modified.push(byUid ? info.uid : seq);
      continue;
    }
    box.updated(info.uid, now);
    if (box.learn(now.flags)) {
      // RFC 3501 §7.2.6: a keyword is announced in FLAGS before a FETCH shows it.
      session.send("* FLAGS", [mailboxFlags(box)]);
      session.send(formatStatus("*", RESPONSE.PermanentFlags(permanentFlags(box, true))));
    }
    if (!action[2] || condstore) {
      // RFC 7162 §3.1.3: with CONDSTORE even .SILENT reports the new MODSEQ.
      const data: ImapData[] = byUid ? ["UID", String(info.uid)] : [];
      if (!action[2]) data.push("FLAGS", box.flagsOf(info));
      if (condstore) data.push("MODSEQ", [String(now.modseq)]);
      session.send(`* ${seq} FETCH`, [data]);
    }
  }
  const enable = condstore ? ["CONDSTORE"] : [];
  if (modified.length === 0) return { enable };
  return { enable, response: RESPONSE.Modified(formatSequenceSet(modified)) };
}
