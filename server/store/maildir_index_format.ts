/**
 * The lines of a folder's index file (see {@linkcode MailboxIndex}): a header, the snapshot's
 * messages and the directories' times, then the log, one change per line (a change appends its
 * line, and a `d` line in the same write when it moved a directory's time).
 *
 * ```
 * toolkit-index 1 V1788220800 N3 M4 R1     header: UIDVALIDITY, next UID, modseq, recent from
 * m 1 2 1024 1788220800000 n 1788220800.M0P1Q1R0a.crepes,S=1024     snapshot: one message
 * d 1788220800123 1788220800456             the mtimes of new/ and cur/ agreed with
 * + 2 3 2048 1788220801000 n 1788220801.M0P1Q2R0b.crepes,S=2048     log: a message added
 * = 1 4 c 1788220800.M0P1Q1R0a.crepes,S=1024:2,S    its file renamed (flags), its new modseq
 * - 5 2                                     UIDs expunged, with the new modseq
 * r 3                                       recent claimed: UIDs from 3 on are recent
 * ```
 *
 * A message line is `<uid> <modseq> <size> <internal date> <n|c> <file name>`, the name last,
 * since names that other programs made may hold spaces.
 *
 * @module
 */
import { isMessageName } from "./maildir_name.ts";
import type { IndexHeader, IndexRecord } from "./maildir_index.ts";

const VERSION = 1;
/** The highest UID (and UIDVALIDITY) there can be (RFC 3501: a 32-bit number). */
export const MAX_UID = 2 ** 32 - 1;

/**
 * Writes the header line.
 *
 * @param h The counters.
 * @returns The line, without its newline.
 *
 * @example Read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatHeader, parseHeader } from "./maildir_index_format.ts";
 *
 * const header = { uidValidity: 7, uidNext: 3, highestModseq: 4, recentFrom: 1 };
 * assert.equal(formatHeader(header), "toolkit-index 1 V7 N3 M4 R1");
 * assert.deepEqual(parseHeader(formatHeader(header)), header);
 * assert.equal(parseHeader("toolkit-index 1 V7 N3 M4 R9"), undefined); // recent past next UID
 * ```
 */
export function formatHeader(h: IndexHeader): string {
  return `toolkit-index ${VERSION} V${h.uidValidity} N${h.uidNext} M${h.highestModseq} R${h.recentFrom}`;
}

/**
 * Writes one record as a line of the log.
 *
 * @param record The change.
 * @returns The line, with its newline.
 *
 * @example An expunge and the directories' times
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRecord } from "./maildir_index_format.ts";
 *
 * assert.equal(formatRecord({ kind: "expunge", modseq: 9, uids: [2, 5] }), "- 9 2 5\n");
 * assert.equal(formatRecord({ kind: "dirs", mtimes: { new: 1, cur: 2 } }), "d 1 2\n");
 * ```
 */
export function formatRecord(record: IndexRecord): string {
  switch (record.kind) {
    case "add": {
      const m = record.message;
      return `+ ${m.uid} ${m.modseq} ${m.size} ${m.internalDate} ${m.dir[0]} ${m.filename}\n`;
    }
    case "change":
      return `= ${record.uid} ${record.modseq} ${record.dir[0]} ${record.filename}\n`;
    case "expunge":
      return `- ${record.modseq} ${record.uids.join(" ")}\n`;
    case "recent":
      return `r ${record.recentFrom}\n`;
    case "dirs":
      return `d ${record.mtimes.new} ${record.mtimes.cur}\n`;
  }
}

/**
 * The base of a message file name: up to the info, the part that never changes.
 *
 * @param filename A file name.
 * @returns Its base.
 *
 * @example With and without info
 * ```ts
 * import assert from "node:assert/strict";
 * import { baseOf } from "./maildir_index_format.ts";
 *
 * assert.equal(baseOf("1600000000.x.host,S=3:2,FS"), "1600000000.x.host,S=3");
 * assert.equal(baseOf("1600000000.x.host"), "1600000000.x.host");
 * ```
 */
export function baseOf(filename: string): string {
  const colon = filename.indexOf(":");
  return colon < 0 ? filename : filename.slice(0, colon);
}

const HEADER = /^toolkit-index (\d+) V(\d{1,10}) N(\d{1,10}) M(\d{1,16}) R(\d{1,10})$/;

/**
 * Reads the header line, refusing counters that cannot be.
 *
 * @param line The file's first line.
 * @returns The counters, or `undefined`.
 *
 * @example Another version is no index of ours
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHeader } from "./maildir_index_format.ts";
 *
 * assert.equal(parseHeader("toolkit-index 2 V7 N3 M4 R1"), undefined);
 * assert.equal(parseHeader("toolkit-index 1 V7 N3 M4 R1")?.uidNext, 3);
 * ```
 */
export function parseHeader(line: string): IndexHeader | undefined {
  const match = HEADER.exec(line);
  if (!match || Number(match[1]) !== VERSION) return undefined;
  const [uidValidity, uidNext, highestModseq, recentFrom] = match.slice(2).map(Number);
  if (uidValidity < 1 || uidValidity > MAX_UID || uidNext < 1 || uidNext > MAX_UID + 1) return;
  if (highestModseq < 1 || recentFrom < 1 || recentFrom > uidNext) return undefined;
  return { uidValidity, uidNext, highestModseq, recentFrom };
}

/**
 * Reads one line of the log (or, with `kind` `"+"`, a snapshot's message line). Hand-made rather
 * than regular expressions: a big folder's index has tens of thousands of lines, and reading
 * them is most of the time it takes to open one.
 *
 * @param line The line, without its newline.
 * @param kind The record's kind, when not the line's first character.
 * @returns The record, or `undefined` for a line that is none.
 *
 * @example A change, and garbage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRecord } from "./maildir_index_format.ts";
 *
 * assert.deepEqual(parseRecord("= 1 4 c m1:2,S"), { kind: "change", uid: 1, modseq: 4, dir: "cur", filename: "m1:2,S" });
 * assert.equal(parseRecord("= 1 x c m1"), undefined);
 * assert.equal(parseRecord("+ 2 3 1 0 n .hidden"), undefined);
 * ```
 */
export function parseRecord(line: string, kind = line[0]): IndexRecord | undefined {
  const dir = (c: string) => c === "n" ? "new" as const : c === "c" ? "cur" as const : undefined;
  switch (kind) {
    case "+": {
      const f = split(line, 7);
      const [uid, modseq, size] = [int(f?.[1]), int(f?.[2]), int(f?.[3])];
      const date = signed(f?.[4]);
      const d = dir(f?.[5] ?? "");
      if (!f || !(uid && modseq) || size < 0 || Number.isNaN(date) || !d) return undefined;
      if (!isMessageName(f[6])) return undefined;
      const message = { uid, modseq, size, internalDate: date, dir: d, filename: f[6] };
      return { kind: "add", message };
    }
    case "=": {
      const f = split(line, 5);
      const [uid, modseq, d] = [int(f?.[1]), int(f?.[2]), dir(f?.[3] ?? "")];
      if (!f || !(uid && modseq) || !d || !isMessageName(f[4])) return undefined;
      return { kind: "change", uid, modseq, dir: d, filename: f[4] };
    }
    case "-": {
      const [, modseq, ...uids] = line.split(" ").map(int);
      if (line[1] !== " " || !modseq || !uids.every((uid) => uid > 0)) return undefined;
      return { kind: "expunge", modseq, uids };
    }
    case "r": {
      const f = line.split(" ");
      const recentFrom = int(f[1]);
      return f.length === 2 && f[0] === "r" && recentFrom > 0
        ? { kind: "recent", recentFrom }
        : undefined;
    }
    case "d": {
      const f = line.split(" ");
      const [n, c] = [signed(f[1]), signed(f[2])];
      if (f.length !== 3 || f[0] !== "d" || Number.isNaN(n) || Number.isNaN(c)) return undefined;
      return { kind: "dirs", mtimes: { new: n, cur: c } };
    }
  }
}

/** Splits off the first `count - 1` fields at single spaces; the last field is the rest. */
function split(line: string, count: number): string[] | undefined {
  const fields: string[] = [];
  let at = 0;
  for (let i = 1; i < count; i++) {
    const space = line.indexOf(" ", at);
    if (space < 0) return undefined;
    fields.push(line.slice(at, space));
    at = space + 1;
  }
  fields.push(line.slice(at));
  return fields[0].length === 1 ? fields : undefined;
}

/** A decimal number of at most 16 digits, perhaps negative, or NaN. */
function signed(text: string | undefined): number {
  return text?.startsWith("-") ? -int(text.slice(1)) : int(text);
}

/** A decimal number of at most 16 digits, or NaN. */
function int(text: string | undefined): number {
  if (!text || text.length > 16) return NaN;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}
