/**
 * A folder's index, `toolkit-index`, kept beside the Maildir as Dovecot keeps `dovecot.index`:
 * what the store knows of each message (UID, file name, size, internal date, modification
 * sequence) and of the folder (UIDVALIDITY, next UID, highest modification sequence, where the
 * recent messages start, and the modification times of `new/` and `cur/` it agrees with), so that
 * listing, status and reading need neither a directory scan nor a stat per file. Flags are not
 * in it: the file names carry them.
 *
 * The file is a snapshot followed by a log, one record per line (maildir_index_format.ts has the
 * lines); in memory, {@linkcode MailboxIndex} changes only by those records, so that what is in
 * memory and what the file says never part. Reading is strict: a line that does not follow from
 * the ones before marks the file damaged, unless only such lines end it (a write that a crash
 * cut short), which are dropped.
 *
 * @module
 */
import {
  baseOf,
  formatHeader,
  formatRecord,
  MAX_UID,
  parseHeader,
  parseRecord,
} from "./maildir_index_format.ts";

/** The index's file name inside a folder. */
export const INDEX_FILE = "toolkit-index";

/** The half of a Maildir that holds a message: `new/` until a mail program has seen it. */
export type MessageDir = "new" | "cur";

/** What the index keeps of one message. */
export interface IndexedMessage {
  /** Its UID. */
  uid: number;
  /** Its modification sequence. */
  modseq: number;
  /** Its size in bytes. */
  size: number;
  /** Its internal date in milliseconds since the epoch. */
  internalDate: number;
  /** The subdirectory that holds it. */
  dir: MessageDir;
  /** Its file name there, which carries its flags. */
  filename: string;
}

/** One change, as a line of the log. */
export type IndexRecord =
  | { kind: "add"; message: IndexedMessage }
  | { kind: "change"; uid: number; modseq: number; dir: MessageDir; filename: string }
  | { kind: "expunge"; modseq: number; uids: number[] }
  | { kind: "recent"; recentFrom: number }
  | { kind: "dirs"; mtimes: DirMtimes };

/** The modification times of `new/` and `cur/`, in milliseconds. */
export interface DirMtimes {
  /** `new/`'s. */
  new: number;
  /** `cur/`'s. */
  cur: number;
}

/** The folder-wide counters. */
export interface IndexHeader {
  /** The folder's UIDVALIDITY. */
  uidValidity: number;
  /** The UID the next message gets. */
  uidNext: number;
  /** The highest modification sequence. */
  highestModseq: number;
  /** UIDs from this one on are recent. */
  recentFrom: number;
}

/**
 * The index of one folder in memory, changed only by records, so that what is in memory and
 * what the file says never part.
 *
 * @example Apply records, write a snapshot, read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { MailboxIndex } from "./maildir_index.ts";
 * import { formatRecord } from "./maildir_index_format.ts";
 *
 * const index = new MailboxIndex({ uidValidity: 7, uidNext: 1, highestModseq: 1, recentFrom: 1 });
 * const message = { uid: 1, modseq: 2, size: 3, internalDate: 0, dir: "new" as const, filename: "m1" };
 * index.apply({ kind: "add", message });
 * assert.equal(formatRecord({ kind: "add", message }), "+ 1 2 3 0 n m1\n");
 * const read = MailboxIndex.parse(index.snapshot() + "= 1 3 c m1:2,S\n");
 * assert.deepEqual(read?.index.byUid(1), { ...message, modseq: 3, dir: "cur", filename: "m1:2,S" });
 * assert.equal(read?.index.header.uidNext, 2);
 * // A modseq that does not grow is damage; a line cut short by a crash is dropped.
 * assert.equal(MailboxIndex.parse(index.snapshot() + "+ 2 1 3 0 n m2\n"), undefined);
 * assert.equal(MailboxIndex.parse(index.snapshot() + "+ 2 3 3 0 n m")?.index.messages.length, 1);
 * ```
 */
export class MailboxIndex {
  /** The counters. */
  readonly header: IndexHeader;
  /** The `new/` and `cur/` mtimes the index agrees with (-1: none yet). */
  dirs: DirMtimes = { new: -1, cur: -1 };
  /** Records since the last snapshot. */
  logLength = 0;
  #messages: IndexedMessage[] = [];
  #byUid = new Map<number, IndexedMessage>();

  /**
   * Makes an empty index.
   *
   * @param header The counters to start from.
   */
  constructor(header: IndexHeader) {
    this.header = { ...header };
  }

  /**
   * Reads an index file's text.
   *
   * @param text The whole file.
   * @returns The index and how many bytes of the text it used (less than all when a crash cut
   *   the last write short), or `undefined` when the file is damaged.
   */
  static parse(text: string): { index: MailboxIndex; used: number } | undefined {
    let end = text.indexOf("\n");
    const header = parseHeader(end < 0 ? "" : text.slice(0, end));
    if (!header) return undefined;
    const index = new MailboxIndex(header);
    // The snapshot: "m" lines, then the "d" line that ends it (a snapshot without it was cut).
    for (let at = end + 1;; at = end + 1) {
      end = text.indexOf("\n", at);
      if (end < 0) return undefined;
      const line = text.slice(at, end);
      if (line.startsWith("d ")) {
        const record = parseRecord(line);
        if (record?.kind !== "dirs") return undefined;
        index.dirs = record.mtimes;
        break;
      }
      if (!line.startsWith("m ") || !index.#applySnapshotLine(line)) return undefined;
    }
    const used = index.applyText(text.slice(end + 1));
    return used === undefined ? undefined : { index, used: end + 1 + used };
  }

  /**
   * Applies log lines, from this index's writer or another.
   *
   * @param text The file's text from where this index stopped.
   * @returns How many bytes of it were used (short of all when a crash cut the last write
   *   short), or `undefined` when a line does not follow from the ones before: damage.
   */
  applyText(text: string): number | undefined {
    let used = 0;
    let cut = false;
    for (let at = 0; at < text.length;) {
      const end = text.indexOf("\n", at);
      if (end < 0) break;
      const record = parseRecord(text.slice(at, end));
      at = end + 1;
      if (!record) cut = true; // garbage: fine at the very end, where a crash leaves it
      else if (cut || !this.apply(record)) return undefined;
      else used = at;
    }
    return used;
  }

  /** The messages, in UID order (the index's own objects: callers copy what they hand out). */
  get messages(): readonly IndexedMessage[] {
    return this.#messages;
  }

  /**
   * Finds a message by UID.
   *
   * @param uid The UID.
   * @returns The message, if indexed.
   */
  byUid(uid: number): IndexedMessage | undefined {
    return this.#byUid.get(uid);
  }

  /**
   * Applies one record.
   *
   * @param record The change.
   * @returns False when it does not follow from the index (then nothing changed).
   */
  apply(record: IndexRecord): boolean {
    const h = this.header;
    switch (record.kind) {
      case "add": {
        const m = record.message;
        if (m.uid < h.uidNext || m.uid > MAX_UID || m.modseq <= h.highestModseq) return false;
        this.#insert({ ...m });
        h.uidNext = m.uid + 1;
        h.highestModseq = m.modseq;
        break;
      }
      case "change": {
        const m = this.#byUid.get(record.uid);
        if (!m || (record.modseq !== m.modseq && record.modseq <= h.highestModseq)) return false;
        const base = baseOf(record.filename);
        if (base !== baseOf(m.filename)) return false;
        Object.assign(m, { modseq: record.modseq, dir: record.dir, filename: record.filename });
        h.highestModseq = Math.max(h.highestModseq, record.modseq);
        break;
      }
      case "expunge": {
        if (record.modseq <= h.highestModseq) return false;
        const gone = new Set(record.uids.filter((uid) => this.#byUid.has(uid)));
        for (const uid of gone) this.#byUid.delete(uid);
        if (gone.size > 0) this.#messages = this.#messages.filter((m) => !gone.has(m.uid));
        h.highestModseq = record.modseq;
        break;
      }
      case "recent":
        if (record.recentFrom < h.recentFrom || record.recentFrom > h.uidNext) return false;
        h.recentFrom = record.recentFrom;
        break;
      case "dirs":
        this.dirs = { ...record.mtimes };
        break;
    }
    this.logLength++;
    return true;
  }

  /**
   * The whole index as a file: the header, one line per message, the directories' times.
   *
   * @returns The file's text.
   */
  snapshot(): string {
    const lines = [formatHeader(this.header)];
    for (const message of this.#messages) {
      lines.push("m" + formatRecord({ kind: "add", message }).slice(1, -1));
    }
    lines.push(formatRecord({ kind: "dirs", mtimes: this.dirs }).slice(0, -1));
    return lines.join("\n") + "\n";
  }

  #applySnapshotLine(line: string): boolean {
    const record = parseRecord(line, "+");
    if (record?.kind !== "add") return false;
    const m = record.message;
    const last = this.#messages.at(-1)?.uid ?? 0;
    const h = this.header;
    if (m.uid <= last || m.uid >= h.uidNext || m.modseq > h.highestModseq) return false;
    this.#insert(m);
    return true;
  }

  #insert(message: IndexedMessage): void {
    this.#messages.push(message);
    this.#byUid.set(message.uid, message);
  }
}
