/**
 * The files of a Maildir store, read and written with care: nothing is readable by others (files
 * 0600, directories 0700, given when each is made), and a message or any of the store's own files
 * is read or appended to only as a regular file with one link, checked before it is opened and
 * again (by its inode) once it is, so a link that someone put into a Maildir never leads to a
 * file outside it.
 *
 * Small messages are read (and, when nothing waits for the disk, written) synchronously: the few
 * system calls cost microseconds, a tenth of what the asynchronous machinery adds; larger ones,
 * and writes that wait for the disk, are asynchronous so that they do not hold up every session.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { syncDirectory } from "../../runtime/atomic_file.ts";
import { NotFoundError } from "./store.ts";

/** The mode of every file the store writes. */
export const FILE_MODE = 0o600;
/** The mode of every directory the store makes. */
export const DIR_MODE = 0o700;

const SYNC_LIMIT = 256 * 1024;

/**
 * A message file that is a link or no regular file, refused: to the store's callers, missing.
 *
 * @example A NotFoundError to those who catch one
 * ```ts
 * import assert from "node:assert/strict";
 * import { RefusedFileError } from "./maildir_message_file.ts";
 * import { NotFoundError } from "./store.ts";
 *
 * assert.ok(new RefusedFileError("a link") instanceof NotFoundError);
 * ```
 */
export class RefusedFileError extends NotFoundError {
  /**
   * Creates the error.
   *
   * @param message What was refused.
   */
  constructor(message: string) {
    super(message);
    this.name = "RefusedFileError";
  }
}

/** Options of {@linkcode writeNewFile}. */
export interface WriteFileOptions {
  /** Whether to wait for the disk before returning. @default true */
  fsync?: boolean;
  /** The file's modification time (a message's internal date). @default the time of writing */
  mtime?: Date;
}

/**
 * Writes a file that did not exist (never through a link: the create is exclusive), mode 0600,
 * with all its bytes and its modification time, and unless told not to waits for the disk.
 *
 * @param path Where to write; the call fails if anything is there.
 * @param bytes The content.
 * @param options Whether to fsync, and the modification time.
 *
 * @example Written once, readable by its owner only
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeNewFile } from "./maildir_message_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeNewFile(`${dir}/m`, new Uint8Array([1, 2]), { fsync: false });
 * assert.equal(Deno.statSync(`${dir}/m`).mode! & 0o777, 0o600);
 * await assert.rejects(writeNewFile(`${dir}/m`, new Uint8Array([3])), Deno.errors.AlreadyExists);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeNewFile(
  path: string,
  bytes: Uint8Array,
  options: WriteFileOptions = {},
): Promise<void> {
  const fsync = options.fsync ?? true;
  const open = { write: true, createNew: true, mode: FILE_MODE };
  // The access time stays the time of writing: it is what tells a write in progress from one a
  // crash left in `tmp/` (see clearOrphans), as in Dovecot, when the internal date is old.
  if (!fsync && bytes.length <= SYNC_LIMIT) {
    // Small and not waiting for the disk: the calls return at once (see the module doc).
    using file = Deno.openSync(path, open);
    for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
    if (options.mtime) file.utimeSync(new Date(), options.mtime);
    return;
  }
  const staged = await stageNewFile(path, bytes, options);
  try {
    if (fsync) await staged.sync();
  } finally {
    staged.close();
  }
}

/** A new file written but not yet waited for: see {@linkcode stageNewFile}. */
export interface StagedFile {
  /** Waits until the disk has its bytes (fdatasync). */
  sync(): Promise<void>;
  /** Closes it (after the wait, or instead of it). */
  close(): void;
}

/**
 * Writes a file that did not exist, as {@linkcode writeNewFile} does, and leaves the wait for the
 * disk to the caller, so that it can wait for several things at once (a delivery's files, their
 * directory and their index records).
 *
 * @param path Where to write; the call fails if anything is there.
 * @param bytes The content.
 * @param options The modification time.
 * @returns The open file, to sync and close.
 *
 * @example Written, then waited for
 * ```ts
 * import assert from "node:assert/strict";
 * import { stageNewFile } from "./maildir_message_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const staged = await stageNewFile(`${dir}/m`, new Uint8Array([1, 2]));
 * await staged.sync();
 * staged.close();
 * assert.deepEqual(await Deno.readFile(`${dir}/m`), new Uint8Array([1, 2]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function stageNewFile(
  path: string,
  bytes: Uint8Array,
  options: Pick<WriteFileOptions, "mtime"> = {},
): Promise<StagedFile> {
  // Making a file costs the kernel far more than writing to it (a journal entry for its inode
  // and name), and while other files' syncs are under way it can wait for the journal: half a
  // millisecond on some virtual disks. Then the create happens off the main thread, so as not to
  // hold up every session; with no sync under way (a lone sender) it is quick, and made at once
  // saves the thread pool's round trip. A small file's bytes then go in synchronously.
  const create = { write: true, createNew: true, mode: FILE_MODE };
  const file = syncing === 0 ? Deno.openSync(path, create) : await Deno.open(path, create);
  try {
    if (bytes.length <= SYNC_LIMIT) {
      for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
      if (options.mtime) file.utimeSync(new Date(), options.mtime);
    } else {
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
      if (options.mtime) await file.utime(new Date(), options.mtime);
    }
  } catch (error) {
    file.close();
    throw error;
  }
  // The wait is fdatasync, as in Dovecot: it covers the bytes and the size that finds them.
  return {
    sync: () => {
      syncing++;
      return file.syncData().finally(() => syncing--);
    },
    close: () => file.close(),
  };
}

/** Staged files whose sync is under way, in this process. */
let syncing = 0;

/** Options of {@linkcode replaceFile}. */
export interface ReplaceFileOptions extends WriteFileOptions {
  /** A directory on the same file system for the new file (a Maildir's `tmp/`). */
  tmpDir: string;
}

/**
 * Replaces a file atomically: the new content is written beside it, then renamed over it, so a
 * reader sees the old file or the new one, never a part.
 *
 * @param path The file.
 * @param bytes Its new content.
 * @param options Where to stage it, whether to fsync, its modification time.
 * @returns The new file's size and inode, to know it again.
 *
 * @example Replace
 * ```ts
 * import assert from "node:assert/strict";
 * import { replaceFile } from "./maildir_message_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await replaceFile(`${dir}/f`, new TextEncoder().encode("one"), { tmpDir: dir, fsync: false });
 * await replaceFile(`${dir}/f`, new TextEncoder().encode("two"), { tmpDir: dir, fsync: false });
 * assert.equal(await Deno.readTextFile(`${dir}/f`), "two");
 * assert.equal([...Deno.readDirSync(dir)].length, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function replaceFile(
  path: string,
  bytes: Uint8Array,
  options: ReplaceFileOptions,
): Promise<{ ino: number; size: number }> {
  const fsync = options.fsync ?? true;
  const tmp = join(options.tmpDir, `toolkit.${crypto.randomUUID()}`);
  try {
    await writeNewFile(tmp, bytes, { fsync, mtime: options.mtime });
    const { ino } = Deno.lstatSync(tmp);
    Deno.renameSync(tmp, path);
    if (fsync) await syncDirectory(dirname(path));
    return { ino: ino ?? 0, size: bytes.length };
  } catch (error) {
    await Deno.remove(tmp).catch(() => {}); // the write's error is the one worth reporting
    throw error;
  }
}

/**
 * Reads a whole message file, refusing a symbolic link, a file with more than one link, and
 * anything that is not a regular file.
 *
 * @param path The file.
 * @returns Its bytes.
 * @throws {RefusedFileError} For a link or a special file.
 * @throws {Deno.errors.NotFound} When it is not there (moved by another program, say).
 *
 * @example A symbolic link is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMessageFile, RefusedFileError } from "./maildir_message_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/m`, "Subject: hi\r\n\r\n");
 * assert.equal(new TextDecoder().decode(await readMessageFile(`${dir}/m`)), "Subject: hi\r\n\r\n");
 * await Deno.symlink(`${dir}/m`, `${dir}/link`);
 * await assert.rejects(readMessageFile(`${dir}/link`), RefusedFileError);
 * await Deno.link(`${dir}/m`, `${dir}/hard`);
 * await assert.rejects(readMessageFile(`${dir}/m`), RefusedFileError);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readMessageFile(path: string): Promise<Uint8Array> {
  const opened = openStoreFile(path, { read: true });
  using file = opened.file;
  return await readAll(file, opened.stat.size);
}

/**
 * Reads one of the store's own files (an index, a keywords list, subscriptions) as
 * {@linkcode readMessageFile} reads a message: a link or a special file in its place is never
 * read, and counts as no file, so whatever it points to stays unread; the store's next write
 * replaces the link itself (a rename does not follow it).
 *
 * @param path The file.
 * @returns Its bytes and what `fstat` says of it, or `undefined` when it is missing or refused.
 *
 * @example A link to a file elsewhere reads as no file
 * ```ts
 * import assert from "node:assert/strict";
 * import { readStoreFile } from "./maildir_message_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/secret`, "not for the store");
 * await Deno.symlink(`${dir}/secret`, `${dir}/subscriptions`);
 * assert.equal(await readStoreFile(`${dir}/subscriptions`), undefined);
 * assert.equal(await readStoreFile(`${dir}/missing`), undefined);
 * assert.equal((await readStoreFile(`${dir}/secret`))?.bytes.length, 17);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readStoreFile(
  path: string,
): Promise<{ bytes: Uint8Array; stat: Deno.FileInfo } | undefined> {
  let opened: { file: Deno.FsFile; stat: Deno.FileInfo };
  try {
    opened = openStoreFile(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof RefusedFileError) return;
    throw error;
  }
  using file = opened.file;
  return { bytes: await readAll(file, opened.stat.size), stat: opened.stat };
}

/**
 * Opens one of the store's files, refusing a symbolic link, a file with more than one link, and
 * anything that is not a regular file: the name is looked at first (so a link or a FIFO is
 * refused before it is opened), then the file that was opened is checked to be that same file,
 * so that a name swapped for a link in between is caught by the inode.
 *
 * @param path The file.
 * @param options How to open it (read, append).
 * @returns The open file and its `fstat`.
 * @throws {RefusedFileError} For a link or a special file.
 * @throws {Deno.errors.NotFound} When it is not there.
 *
 * @example Appending to a file with a second link is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { openStoreFile, RefusedFileError } from "./maildir_message_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/toolkit-index`, "");
 * openStoreFile(`${dir}/toolkit-index`, { append: true }).file.close();
 * await Deno.link(`${dir}/toolkit-index`, `${dir}/elsewhere`);
 * assert.throws(() => openStoreFile(`${dir}/toolkit-index`, { append: true }), RefusedFileError);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function openStoreFile(
  path: string,
  options: Deno.OpenOptions,
): { file: Deno.FsFile; stat: Deno.FileInfo } {
  // Deno's calls: node:fs's fstat (with O_NOFOLLOW) costs about 40 µs a message in its Stats
  // conversion, an asynchronous open as much again in waiting for a worker thread. Only a FIFO
  // swapped in between the lstat and the open would make the open wait, and only the store's own
  // user can put one there (its directories are 0700).
  const named = orMissing(path, () => Deno.lstatSync(path));
  if (!named.isFile || named.nlink !== 1) throw refused(path);
  const file = orMissing(path, () => Deno.openSync(path, options));
  const opened = file.statSync();
  if (
    !opened.isFile || opened.nlink !== 1 || opened.ino !== named.ino || opened.dev !== named.dev
  ) {
    file.close();
    throw refused(path);
  }
  return { file, stat: opened };
}

/** Reads a file of `size` bytes from its start (less, if it was cut meanwhile). */
async function readAll(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let done = 0;
  while (done < bytes.length) {
    const n = bytes.length - done <= SYNC_LIMIT
      ? file.readSync(bytes.subarray(done))
      : await file.read(bytes.subarray(done));
    if (n === null || n === 0) return bytes.subarray(0, done);
    done += n;
  }
  return bytes;
}

/** Runs a file call, with a missing file reported by its path. */
function orMissing<T>(path: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Deno.errors.NotFound(`No file "${path}"`);
    throw error;
  }
}

function refused(path: string): RefusedFileError {
  return new RefusedFileError(`Refused to open "${path}": not a regular file with one link`);
}
