/**
 * The index file on disk: read whole, followed as other writers append to it, appended to, and
 * rewritten as a snapshot when its log has grown as long as the folder has messages (so each
 * change costs one short append, and the occasional rewrite is paid for by the changes before
 * it). See {@linkcode MailboxIndex} and maildir_index_format.ts for the format.
 *
 * What a crash can leave: an append cut short (its line is dropped on reading, and the file cut
 * back to the last whole line before the next append), or a snapshot that was not renamed into
 * place yet (a stray file in `tmp/`; the old index stays whole). A message file whose record was
 * lost is found again by the next scan, since the record of the directories' times was lost with
 * it.
 *
 * A write that fails (the disk full) is cut back off at once, so the file still ends with a whole
 * record. Records of new messages then fail with it (their UIDs must be on disk before anyone
 * sees them: the caller takes the messages back); the others only describe what is on disk
 * already (a file removed or renamed, the directories' times), so they stay in memory, ahead of
 * the file, and the next write that finds room is a whole snapshot. Reading, flagging and
 * expunging so go on when the disk is full, as Dovecot keeps an index in memory it cannot write.
 *
 * The file is opened only as a regular file with one link (see maildir_message_file.ts): a link
 * in its place reads as no index, and is replaced by the rebuilt one.
 *
 * @module
 */
import { join } from "node:path";
import { INDEX_FILE, type IndexRecord, MailboxIndex } from "./maildir_index.ts";
import { formatRecord } from "./maildir_index_format.ts";
import {
  openStoreFile,
  readStoreFile,
  RefusedFileError,
  replaceFile,
} from "./maildir_message_file.ts";
import { StorageFullError } from "./store.ts";

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** What {@linkcode IndexFile.follow} found. */
export type FollowResult = "same" | "followed" | "replaced" | "missing" | "damaged";

/**
 * One folder's index file, as one reader and writer knows it.
 *
 * @example Write a snapshot, append, read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { IndexFile } from "./maildir_index_file.ts";
 * import { MailboxIndex } from "./maildir_index.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/tmp`);
 * const file = new IndexFile(dir, { fsync: false });
 * const index = new MailboxIndex({ uidValidity: 7, uidNext: 1, highestModseq: 1, recentFrom: 1 });
 * await file.writeSnapshot(index);
 * await file.append(index, [{ kind: "recent", recentFrom: 1 }]);
 * const loaded = await new IndexFile(dir, { fsync: false }).load();
 * assert.ok(loaded instanceof MailboxIndex);
 * assert.equal(loaded.header.uidValidity, 7);
 * assert.equal(file.follow(index), "same");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class IndexFile {
  #path: string;
  #tmpDir: string;
  #fsync: boolean;
  #ino = -1;
  /** The bytes of the file that the index in memory has read or written. */
  #length = 0;
  /** Whether the index in memory has records that the file lacks (a write found no room). */
  #behind = false;

  /**
   * Names a folder's index file.
   *
   * @param folder The Maildir folder.
   * @param options Whether appends of new messages and snapshots wait for the disk.
   */
  constructor(folder: string, options: { fsync: boolean }) {
    this.#path = join(folder, INDEX_FILE);
    this.#tmpDir = join(folder, "tmp");
    this.#fsync = options.fsync;
  }

  /**
   * Reads the whole file, cutting off what a crash left of an unfinished append.
   *
   * @returns The index, `"missing"` or `"damaged"`.
   */
  async load(): Promise<MailboxIndex | "missing" | "damaged"> {
    const file = await readStoreFile(this.#path);
    if (!file) return "missing";
    const { bytes } = file;
    const text = decode(bytes);
    const parsed = text === undefined ? undefined : MailboxIndex.parse(text);
    if (!parsed) return "damaged";
    this.#ino = file.stat.ino ?? 0;
    this.#length = byteLength(text!, parsed.used, bytes.length);
    this.#behind = false;
    if (this.#length < bytes.length) {
      using cut = openStoreFile(this.#path, { write: true }).file;
      cut.truncateSync(this.#length); // needs no room, even on a full disk
    }
    return parsed.index;
  }

  /**
   * Brings an index up to date with the file, which another store may have appended to or
   * replaced since. One `lstat` when nothing changed.
   *
   * @param index The index this file was loaded into.
   * @returns `"same"`, `"followed"` (new records applied), or what calls for loading again.
   */
  follow(index: MailboxIndex): FollowResult {
    let stat: Deno.FileInfo;
    try {
      stat = Deno.lstatSync(this.#path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return "missing";
      throw error;
    }
    if (stat.ino !== this.#ino || stat.size < this.#length) return "replaced";
    if (stat.size === this.#length) return "same";
    // Records of another store cannot follow the ones this one could not write: read it all.
    if (this.#behind) return "replaced";
    let opened: { file: Deno.FsFile; stat: Deno.FileInfo };
    try {
      opened = openStoreFile(this.#path, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof RefusedFileError) {
        return "replaced";
      }
      throw error;
    }
    using file = opened.file;
    if (opened.stat.ino !== this.#ino) return "replaced";
    file.seekSync(this.#length, Deno.SeekMode.Start);
    const bytes = new Uint8Array(stat.size - this.#length);
    for (let done = 0; done < bytes.length;) {
      const n = file.readSync(bytes.subarray(done));
      if (n === null) return "replaced";
      done += n;
    }
    const text = decode(bytes);
    const used = text === undefined ? undefined : index.applyText(text);
    if (used === undefined) return "damaged";
    this.#length += byteLength(text!, used, bytes.length);
    return "followed";
  }

  /**
   * Applies records to the index and appends them to the file; a record of a new message waits
   * for the disk (when fsync is on), so its UID survives a crash. Rewrites the file as a
   * snapshot when the log has grown long, or when the file is behind. On a full disk, what the
   * failed write added is cut off again; records of new messages fail, the others are kept in
   * memory only, until the next snapshot (see the module doc).
   *
   * @param index The index.
   * @param records The changes, in order.
   * @throws {StorageFullError} When the disk has no room for records of new messages (they are
   *   applied to `index` all the same: the caller reads the file again).
   * @throws {Error} When a record does not follow (a bug: nothing is written then).
   */
  async append(index: MailboxIndex, records: readonly IndexRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const record of records) {
      if (!index.apply(record)) {
        throw new Error(`Index record does not follow: ${formatRecord(record)}`);
      }
    }
    if (this.#behind || index.logLength > Math.max(1000, index.messages.length)) {
      try {
        await this.writeSnapshot(index);
      } catch (error) {
        this.#fellBehind(error, records);
      }
      return;
    }
    let opened: { file: Deno.FsFile; stat: Deno.FileInfo };
    try {
      opened = openStoreFile(this.#path, { append: true });
    } catch (error) {
      // Removed or replaced from outside: the next operation finds it so and reads it again (or
      // rebuilds the index from the files).
      if (error instanceof Deno.errors.NotFound || error instanceof RefusedFileError) return;
      throw error;
    }
    using file = opened.file;
    if (opened.stat.ino !== this.#ino) return; // replaced meanwhile: as above
    const bytes = encoder.encode(records.map(formatRecord).join(""));
    try {
      if (this.#fsync && records.some((r) => r.kind === "add")) {
        await writeAll(file, bytes);
        await file.syncData();
      } else {
        for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
      }
    } catch (error) {
      // A write cut short by a full disk would leave half a line, which the next append would
      // turn into damage: cut the file back to its last whole record (a truncate needs no room).
      file.truncateSync(opened.stat.size);
      this.#fellBehind(error, records);
      return;
    }
    this.#length += bytes.length;
  }

  /** After a failed write: records that may wait in memory do; anything else throws. */
  #fellBehind(error: unknown, records: readonly IndexRecord[]): void {
    const full = StorageFullError.from(error, `Cannot write "${this.#path}"`);
    if (!full) throw error;
    if (records.some((record) => record.kind === "add")) throw full;
    this.#behind = true;
  }

  /**
   * Replaces the file with a snapshot of the index.
   *
   * @param index The index.
   */
  async writeSnapshot(index: MailboxIndex): Promise<void> {
    const bytes = encoder.encode(index.snapshot());
    const { ino } = await replaceFile(this.#path, bytes, {
      tmpDir: this.#tmpDir,
      fsync: this.#fsync,
    });
    index.logLength = 0;
    this.#ino = ino;
    this.#length = bytes.length;
    this.#behind = false;
  }

  /**
   * Moves a damaged file aside (`toolkit-index.damaged`, for whoever wants to see what broke).
   */
  setAside(): void {
    try {
      Deno.renameSync(this.#path, `${this.#path}.damaged`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
}

function decode(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return undefined; // not UTF-8: damaged like any other way
    throw error;
  }
}

/** The bytes of the first `used` characters of `text`, whose whole is `total` bytes. */
function byteLength(text: string, used: number, total: number): number {
  return used === text.length ? total : encoder.encode(text.slice(0, used)).length;
}
