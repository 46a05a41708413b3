/**
 * One Maildir folder as a store sees it: its index, its keywords and its summaries, kept in
 * memory between operations and checked against the disk at the start of each one, which costs a
 * few `lstat` calls and no directory scan in the common case.
 *
 * At each operation (in the folder's turn), the index file is followed (what another store
 * appended is applied; a file replaced is read again; a file missing or damaged is rebuilt from
 * a scan under a new UIDVALIDITY). Operations that enumerate messages (list, status, claiming
 * the recent ones) also compare the modification times of `new/` and `cur/` with the index's,
 * and scan when they differ: another program added, renamed or removed a file. Deliveries and
 * operations on one known message (read, flags, expunge, copy) do not scan: when a file is not
 * where the index says, they scan and try once more.
 *
 * A directory's modification time has a coarse grain (a clock tick, or a second on some file
 * systems), so a change by another program in the same tick as one of ours would leave the time
 * as we recorded it, unseen. So after each change of its own, the store sets the directory's time
 * a millisecond back (two, if one would give the time recorded before: every change leaves a time
 * of its own) and records that: any later change, even in the same tick, sets another. What
 * remains is the time between our own change and that `utime`, microseconds.
 *
 * @module
 */
import { join } from "node:path";
import type { MaildirFolder } from "./maildir_root.ts";
import {
  type IndexedMessage,
  type IndexRecord,
  MailboxIndex,
  type MessageDir,
} from "./maildir_index.ts";
import { IndexFile } from "./maildir_index_file.ts";
import {
  KEYWORDS_FILE,
  type KeywordsFile,
  type KeywordTable,
  readKeywords,
  writeKeywords,
} from "./maildir_keywords.ts";
import { clearOrphans, describeFile, flagsOf, reconcile, scanFolder } from "./maildir_scan.ts";
import { SummaryCache } from "./maildir_cache.ts";
import { readUidList, UIDLIST_FILE } from "./maildir_uidlist.ts";
import { infoLetters } from "./maildir_name.ts";
import { syncDirectory, waitAll } from "../../runtime/atomic_file.ts";
import { readMessageFile } from "./maildir_message_file.ts";
import { baseOf } from "./maildir_index_format.ts";

/** A directory time older than this (milliseconds) can no longer be shared with a new change. */
const SETTLED_AFTER = 2000;

/** Options of {@linkcode OpenFolder.open}. */
export interface OpenFolderOptions {
  /** Whether new messages' index records and snapshots wait for the disk. */
  fsync: boolean;
  /** Hands out a fresh UIDVALIDITY for this folder's user. */
  newUidValidity: () => Promise<number>;
}

/**
 * A folder's index, keywords and summaries in memory, for one store.
 *
 * @example Open a folder that mutt made, with one message in it
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * await Deno.writeTextFile(`${path}/cur/1600000000.mutt.host:2,S`, "Subject: hi\r\n\r\n");
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const open = await OpenFolder.open(folder, "id", { fsync: false, newUidValidity: () => Promise.resolve(7) });
 * assert.equal(open.index.header.uidValidity, 7);
 * assert.deepEqual(open.index.messages.map((m) => [m.uid, open.flags(m)]), [[1, ["\\Seen"]]]);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export class OpenFolder {
  /** Where the folder lives. */
  readonly folder: MaildirFolder;
  /** Which directory it is (device and inode): another directory under its name is another. */
  readonly id: string;
  #options: OpenFolderOptions;
  #file: IndexFile;
  #index!: MailboxIndex;
  #keywords!: KeywordsFile;
  #flags = new WeakMap<IndexedMessage, { filename: string; flags: string[] }>();
  #cache: SummaryCache | undefined;
  /** Whether `new/` and `cur/` had the index's times when this operation began. */
  #agreed = { new: false, cur: false };
  #rebuilt = false;

  private constructor(folder: MaildirFolder, id: string, options: OpenFolderOptions) {
    this.folder = folder;
    this.id = id;
    this.#options = options;
    this.#file = new IndexFile(folder.path, { fsync: options.fsync });
  }

  /**
   * Reads a folder's index, or builds it when there is none (or a damaged one), after clearing
   * what a crash left in its `tmp/` (see {@linkcode clearOrphans}).
   *
   * @param folder The folder, checked.
   * @param id Which directory it is.
   * @param options Whether to fsync, and where UIDVALIDITY values come from.
   * @returns The open folder.
   */
  static async open(
    folder: MaildirFolder,
    id: string,
    options: OpenFolderOptions,
  ): Promise<OpenFolder> {
    const open = new OpenFolder(folder, id, options);
    await open.#load();
    await open.#finishDeliveries();
    await clearOrphans(folder.path);
    return open;
  }

  // A crash between a delivery's wait for the disk and its renames leaves files in tmp/ that
  // the index records: each whole one (its size the record's) goes into place now, and a scan
  // then drops the records whose files never arrived whole. On a journaling file system a record
  // on disk means its file's name in tmp/ is too (the journal commits in order).
  async #finishDeliveries(): Promise<void> {
    const tmp = join(this.folder.path, "tmp");
    const waiting: string[] = [];
    for await (const entry of Deno.readDir(tmp)) if (entry.isFile) waiting.push(entry.name);
    if (waiting.length === 0) return;
    const recorded = new Map(this.#index.messages.map((m) => [baseOf(m.filename), m]));
    let found = false;
    for (const name of waiting) {
      const message = recorded.get(name);
      if (!message) continue; // a delivery in progress, or an orphan: see clearOrphans
      found = true;
      const stat = await Deno.lstat(join(tmp, name)).catch(() => undefined);
      const placed = await Deno.lstat(this.pathOf(message)).then(() => true, () => false);
      if (stat?.isFile && stat.size === message.size && !placed) {
        Deno.renameSync(join(tmp, name), this.pathOf(message));
      }
    }
    if (found) await this.rescan();
  }

  /** The index. */
  get index(): MailboxIndex {
    return this.#index;
  }

  /** The folder's keywords. */
  get keywords(): KeywordTable {
    return this.#keywords.table;
  }

  /**
   * Brings the folder up to date at the start of an operation.
   *
   * @param mtimes The times of `new/` and `cur/` that the folder check just saw.
   * @param scan Whether to scan when they differ from the index's.
   */
  async refresh(mtimes: { new?: number; cur?: number }, scan: boolean): Promise<void> {
    const followed = this.#file.follow(this.#index);
    if (followed === "missing" || followed === "damaged") await this.#rebuild(followed);
    else if (followed === "replaced") await this.#load();
    else if (followed === "followed") await this.#rereadKeywords();
    if (this.#rebuilt) mtimes = this.#mtimes(); // the rebuild settled the times it was given
    this.#rebuilt = false;
    const dirs = this.#index.dirs;
    this.#agreed = { new: mtimes.new === dirs.new, cur: mtimes.cur === dirs.cur };
    if (scan && !(this.#agreed.new && this.#agreed.cur)) await this.rescan();
  }

  /** Scans the folder when `new/` or `cur/` changed behind the store's back. */
  async rescanIfChanged(): Promise<void> {
    if (!(this.#agreed.new && this.#agreed.cur)) await this.rescan();
  }

  /** Scans the folder and brings the index to what is on disk. */
  async rescan(): Promise<void> {
    // A directory that changes while it is read is read again; after three tries, the index
    // keeps its old times, so the next operation scans once more.
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = this.#mtimes();
      const found = await scanFolder(this.folder.path);
      const keywords = await readKeywords(this.folder.path);
      const records = await reconcile(this.folder.path, this.#index, found, {
        before: this.#keywords.table,
        after: keywords.table,
      });
      this.#setKeywords(keywords);
      const stable = this.#settle(before, this.#index.dirs);
      if (stable) records.push({ kind: "dirs", mtimes: stable });
      await this.#commitRecords(records);
      if (stable) {
        this.#agreed = { new: true, cur: true };
        return;
      }
    }
  }

  /**
   * Records changes this store made to the folder's files. When fsync is on and the changes add
   * messages (a move), the directories that got them and the records wait for the disk side by
   * side.
   *
   * @param records The changes, in order.
   * @param touched The halves whose entries the changes added, renamed or removed.
   */
  async commit(records: IndexRecord[], touched: readonly MessageDir[]): Promise<void> {
    const dirs = { ...this.#index.dirs };
    let settled = false;
    for (const half of new Set(touched)) {
      // A change from outside was pending there: leave the old time, for the next scan to see.
      if (!this.#agreed[half]) continue;
      dirs[half] = settle(join(this.folder.path, half), dirs[half]);
      settled = true;
    }
    const recorded = settled ? [...records, { kind: "dirs" as const, mtimes: dirs }] : records;
    if (this.#options.fsync && records.some((record) => record.kind === "add")) {
      // The names and the records wait for the disk side by side (one journal commit, where the
      // file system can): either may reach it first, and a crash between them costs nothing
      // acknowledged. A name without its record is found by the next scan and gets a UID; a
      // record without its name is dropped by it, and that message had no 250 yet.
      const halves = [...new Set(touched)].map((half) => join(this.folder.path, half));
      return await waitAll([...halves.map(syncDirectory), this.#commitRecords(recorded)]);
    }
    await this.#commitRecords(recorded);
  }

  /**
   * Records new messages whose files are not in place yet: a delivery that waits for the disk
   * writes their records beside their files in `tmp/`, and renames the files once both are there
   * (see {@linkcode OpenFolder.open} for a crash in between). The directories' times follow with
   * {@linkcode OpenFolder.commit}.
   *
   * @param records Their `add` records, in UID order.
   */
  async record(records: IndexRecord[]): Promise<void> {
    await this.#commitRecords(records);
  }

  /**
   * The flags of a message, read from its file name (and kept while the name stays).
   *
   * @param message An indexed message.
   * @returns Its flags; the folder's own array, not to be changed.
   */
  flags(message: IndexedMessage): string[] {
    const kept = this.#flags.get(message);
    if (kept?.filename === message.filename) return kept.flags;
    const flags = flagsOf(message.filename, this.#keywords.table);
    this.#flags.set(message, { filename: message.filename, flags });
    return flags;
  }

  /**
   * Reads a message's file.
   *
   * @param message An indexed message.
   * @returns Its bytes.
   * @throws {Deno.errors.NotFound} When its file is not where the index says.
   */
  async read(message: IndexedMessage): Promise<Uint8Array> {
    return await readMessageFile(this.pathOf(message));
  }

  /**
   * The path of a message's file.
   *
   * @param message An indexed message.
   * @returns Its path.
   */
  pathOf(message: { dir: MessageDir; filename: string }): string {
    return join(this.folder.path, message.dir, message.filename);
  }

  /**
   * Defines the keywords that are new to the folder, writing its keywords file.
   *
   * @param names Keywords.
   * @throws {InvalidNameError} When they do not fit; then nothing is defined.
   */
  async define(names: readonly string[]): Promise<void> {
    const table = this.#keywords.table;
    if (names.every((name) => table.letterOf(name) !== undefined)) return;
    // Letters that messages carry with no name here (a lost keywords file) are left alone.
    const busy = new Set<string>();
    for (const m of this.#index.messages) {
      for (const c of infoLetters(m.filename)) {
        if (c >= "a" && c <= "z" && table.nameOf(c) === undefined) busy.add(c);
      }
    }
    const next = table.define(names, [...busy].join(""));
    const mtime = await writeKeywords(this.folder.path, next, {
      previous: this.#keywords.mtime,
      fsync: this.#options.fsync,
    });
    this.#keywords = { table: next, mtime };
  }

  /**
   * The folder's summaries, read when first needed.
   *
   * @returns The cache.
   */
  async summaries(): Promise<SummaryCache> {
    this.#cache ??= await SummaryCache.open(this.folder.path, this.#index.header.uidValidity);
    return this.#cache;
  }

  async #load(): Promise<void> {
    const loaded = await this.#file.load();
    if (loaded === "missing" || loaded === "damaged") return await this.#rebuild(loaded);
    this.#index = loaded;
    this.#setKeywords(await readKeywords(this.folder.path));
    this.#cache = undefined;
  }

  /** Builds the index from a scan, under a new UIDVALIDITY (or the old list's, once). */
  async #rebuild(reason: "missing" | "damaged"): Promise<void> {
    if (reason === "damaged") this.#file.setAside();
    const path = this.folder.path;
    const legacy = reason === "missing" ? await readUidList(path) : undefined;
    const uidValidity = legacy?.uidValidity ?? await this.#options.newUidValidity();
    const index = new MailboxIndex({ uidValidity, uidNext: 1, highestModseq: 1, recentFrom: 1 });
    const keywords = await readKeywords(path);
    const before = this.#mtimes();
    const found = await scanFolder(path);
    if (legacy) {
      // The old list's UIDs, for the files still there; the others get new UIDs after them.
      const kept = [...found].filter(([base]) => legacy.uids.has(base));
      kept.sort(([a], [b]) => legacy.uids.get(a)! - legacy.uids.get(b)!);
      for (const [base, file] of kept) {
        const message = await describeFile(path, file);
        const [uid, modseq] = [legacy.uids.get(base)!, index.header.highestModseq + 1];
        if (message) index.apply({ kind: "add", message: { ...message, uid, modseq } });
      }
      index.header.uidNext = Math.max(index.header.uidNext, legacy.uidNext);
      index.header.recentFrom = index.header.uidNext;
    }
    const same = { before: keywords.table, after: keywords.table };
    for (const record of await reconcile(path, index, found, same)) index.apply(record);
    index.dirs = this.#settle(before, index.dirs) ?? index.dirs;
    await this.#file.writeSnapshot(index);
    if (legacy) await Deno.remove(join(path, UIDLIST_FILE)).catch(() => {});
    this.#index = index;
    this.#setKeywords(keywords);
    this.#cache = undefined;
    this.#rebuilt = true;
  }

  async #commitRecords(records: IndexRecord[]): Promise<void> {
    await this.#file.append(this.#index, records);
    for (const record of records) {
      if (record.kind === "expunge" && this.#cache) await this.#cache.forget(record.uids);
    }
  }

  async #rereadKeywords(): Promise<void> {
    let mtime = 0;
    try {
      const stat = Deno.lstatSync(join(this.folder.path, KEYWORDS_FILE));
      if (stat.isFile) mtime = stat.mtime?.getTime() ?? 0; // a link reads as no file
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (mtime !== this.#keywords.mtime) this.#setKeywords(await readKeywords(this.folder.path));
  }

  #setKeywords(keywords: KeywordsFile): void {
    if (!this.#keywords?.table.equals(keywords.table)) this.#flags = new WeakMap();
    this.#keywords = keywords;
  }

  #mtimes(): { new: number; cur: number } {
    const time = (half: MessageDir) =>
      Deno.lstatSync(join(this.folder.path, half)).mtime?.getTime() ?? 0;
    return { new: time("new"), cur: time("cur") };
  }

  /** The halves' times after a scan, settled, if neither changed while it ran. */
  #settle(
    before: { new: number; cur: number },
    dirs: { new: number; cur: number },
  ): { new: number; cur: number } | undefined {
    const after = this.#mtimes();
    if (after.new !== before.new || after.cur !== before.cur) return undefined;
    return {
      new: settle(join(this.folder.path, "new"), dirs.new),
      cur: settle(join(this.folder.path, "cur"), dirs.cur),
    };
  }
}

/**
 * Sets a directory's fresh time back (see the module doc) and returns it: one millisecond back,
 * or one more when that is the time recorded before, so that each change leaves a time of its
 * own even when several fall in one tick (were the record of the last one lost in a crash, the
 * time before it would not match, and the folder would be scanned).
 */
function settle(dir: string, previous: number): number {
  const stat = Deno.lstatSync(dir);
  const mtime = stat.mtime?.getTime() ?? 0;
  if (Date.now() - mtime > SETTLED_AFTER && mtime !== previous) return mtime;
  const back = new Date(mtime - 1 === previous ? mtime - 2 : mtime - 1);
  try {
    Deno.utimeSync(dir, stat.atime ?? back, back);
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    return mtime; // not ours to touch: the small window stays
  }
  return Deno.lstatSync(dir).mtime?.getTime() ?? 0;
}
