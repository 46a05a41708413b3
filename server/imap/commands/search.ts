/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4): the numbers of the messages that match every
 * criterion. Header keys match a substring of the raw, unfolded field value, without decoding
 * encoded words; BODY and TEXT match a substring of the raw bytes; all matching ignores case.
 *
 * @module
 */
import type { Arguments, ImapCommand } from "../../../protocol/imap/command.ts";
import { ImapResponseError } from "../../../protocol/imap/error.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { parseSearch, type SearchKey } from "../../../protocol/imap/search_keys.ts";
import { sequenceSetHas } from "../../../protocol/imap/sequence_set.ts";
import { NotFoundError } from "../../store/store.ts";
import type { SessionContext } from "../context.ts";
import { fieldValues, splitMessage } from "../message_sections.ts";
import type { NumberedMessage } from "../selected.ts";

const CHARSETS = new Set(["US-ASCII", "UTF-8"]);
const DAY = 24 * 60 * 60 * 1000;

/** A message under test: what the store knows and, when a key needs them, its bytes. */
interface Candidate extends NumberedMessage {
  bytes?: Uint8Array;
}

/**
 * Whether a key needs the message's bytes.
 *
 * @param key The criteria.
 * @returns True when some key reads the header or body.
 */
function needsBytes(key: SearchKey): boolean {
  switch (key.op) {
    case "and":
      return key.keys.some(needsBytes);
    case "or":
      return needsBytes(key.left) || needsBytes(key.right);
    case "not":
      return needsBytes(key.key);
    case "header":
    case "text":
      return true;
    case "date":
      return key.sent;
    default:
      return false;
  }
}

/**
 * Evaluates a key against one message.
 *
 * @param key The criteria.
 * @param m The message.
 * @param largest The largest sequence number and UID, for `*`.
 * @returns Whether it matches.
 */
export function matches(
  key: SearchKey,
  m: Candidate,
  largest: { seq: number; uid: number },
): boolean {
  switch (key.op) {
    case "and":
      return key.keys.every((k) => matches(k, m, largest));
    case "or":
      return matches(key.left, m, largest) || matches(key.right, m, largest);
    case "not":
      return !matches(key.key, m, largest);
    case "all":
      return true;
    case "flag":
      return m.info.flags.some((f) => f.toLowerCase() === key.flag.toLowerCase()) === key.present;
    case "size":
      return key.compare === "larger" ? m.info.size > key.size : m.info.size < key.size;
    case "uid":
      return sequenceSetHas(key.set, m.info.uid, largest.uid);
    case "seq":
      return sequenceSetHas(key.set, m.seq, largest.seq);
    case "date": {
      const when = key.sent ? sentDate(m) : m.info.internalDate;
      if (when === undefined) return false;
      const day = Math.floor(when / DAY) * DAY;
      return key.compare === "before"
        ? day < key.day
        : key.compare === "on"
        ? day === key.day
        : day >= key.day;
    }
    case "header": {
      const needle = key.value.toLowerCase();
      const values = fieldValues(splitMessage(m.bytes!).header, key.field);
      return values.some((v) => v.toLowerCase().includes(needle));
    }
    case "text": {
      const { body } = splitMessage(m.bytes!);
      const haystack = new TextDecoder().decode(key.where === "body" ? body : m.bytes!);
      return haystack.toLowerCase().includes(key.value.toLowerCase());
    }
  }
}

function sentDate(m: Candidate): number | undefined {
  const value = fieldValues(splitMessage(m.bytes!).header, "Date")[0];
  const when = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(when) ? undefined : when;
}

/**
 * SEARCH [CHARSET name] criteria, and UID SEARCH.
 *
 * @param session The session.
 * @param args The criteria.
 * @param command The command, to tell SEARCH from UID SEARCH.
 */
export async function search(
  session: SessionContext,
  args: Arguments,
  command: ImapCommand,
): Promise<void> {
  const query = parseSearch(args.rest());
  if (query.charset !== undefined && !CHARSETS.has(query.charset)) {
    throw ImapResponseError.of(RESPONSE.BadCharset(query.charset, [...CHARSETS]));
  }
  const box = session.selected!;
  const all = box.messages;
  const largest = { seq: all.length, uid: all.at(-1)?.uid ?? 0 };
  const withBytes = needsBytes(query.key);
  const found: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const candidate: Candidate = { seq: i + 1, info: all[i] };
    if (withBytes) {
      try {
        candidate.bytes = await session.store.read(session.user!, box.name, all[i].uid);
      } catch (error) {
        if (error instanceof NotFoundError) continue;
        throw error;
      }
    }
    if (matches(query.key, candidate, largest)) {
      found.push(command.name === "UID SEARCH" ? candidate.info.uid : candidate.seq);
    }
  }
  session.send("* SEARCH", found.map(String));
}
