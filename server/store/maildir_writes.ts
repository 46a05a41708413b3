/**
 * What the store writes into a folder. Delivered or copied messages are written into `tmp/` and
 * renamed into `new/` (no flags yet) or `cur/` (flags in the name), as the Maildir spec asks, so
 * a reader never sees half a message; INBOX's messages, when INBOX is renamed, move by a rename
 * each. Either way the new messages get the folder's next UIDs, and their keywords are defined in
 * the folder (all of them, before any file is written, so a batch that does not fit writes
 * nothing). New flags rename a message's file into `cur/` with the new letters.
 *
 * @module
 */
import { join } from "node:path";
import type { OpenFolder } from "./maildir_folder.ts";
import type { IndexedMessage, IndexRecord } from "./maildir_index.ts";
import { formatMaildirName, parseMaildirName, uniqueBaseName } from "./maildir_name.ts";
import { stageNewFile, writeNewFile } from "./maildir_message_file.ts";
import { syncDirectory, waitAll } from "../../runtime/atomic_file.ts";
import type { SystemFlag } from "./store.ts";

/** A message to put into a folder. */
export interface NewMessage {
  /** Its bytes. */
  bytes: Uint8Array;
  /** Its flags, normalized. */
  flags: readonly string[];
  /** Its internal date in milliseconds (the file's modification time). */
  internalDate: number;
}

/** Options of {@linkcode addMessages}. */
export interface AddOptions {
  /** The time, for the unique file names. */
  now: number;
  /** Whether the files wait for the disk before they are renamed into place. */
  fsync: boolean;
}

/**
 * Writes messages into a folder, all or none, and records them. When any step fails, every file
 * it made is removed again (from `tmp/`, `new/` or `cur/`) and the index file is left as it was;
 * the index in memory may hold the failed records, so the caller must read it again.
 *
 * @param open The folder, in its turn.
 * @param messages The messages, in the order their UIDs should follow.
 * @param options The time and whether to fsync.
 * @returns Their UIDs.
 * @throws {InvalidNameError} When their keywords do not fit the folder; nothing is written.
 * @throws {Error} The system's `ENOSPC` when the disk is full (the store makes it a
 *   `StorageFullError`); nothing is left.
 *
 * @example Two messages, one flagged
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const bytes = new TextEncoder().encode("hi");
 * const uids = await addMessages(open, [
 *   { bytes, flags: [], internalDate: 0 },
 *   { bytes, flags: ["\\Flagged", "$Label1"], internalDate: 0 },
 * ], { now: Date.now(), fsync: false });
 * assert.deepEqual(uids, [1, 2]);
 * assert.equal([...Deno.readDirSync(`${path}/new`)].length, 1);
 * assert.match([...Deno.readDirSync(`${path}/cur`)][0].name, /:2,Fa$/);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function addMessages(
  open: OpenFolder,
  messages: readonly NewMessage[],
  options: AddOptions,
): Promise<number[]> {
  await open.define(messages.flatMap((m) => keywordsOf(m.flags)));
  const placed: { tmp: string; dir: "new" | "cur"; filename: string; done: boolean }[] = [];
  const { uidNext, highestModseq } = open.index.header;
  const progress = { recorded: false };
  try {
    for (const message of messages) {
      const base = uniqueBaseName(options.now, message.bytes.length);
      const tmp = join(open.folder.path, "tmp", base);
      placed.push({ tmp, ...placeOf(open, base, message.flags), done: false });
    }
    const records: IndexRecord[] = placed.map((file, i) => ({
      kind: "add",
      message: {
        uid: uidNext + i,
        modseq: highestModseq + 1 + i,
        size: messages[i].bytes.length,
        internalDate: messages[i].internalDate,
        dir: file.dir,
        filename: file.filename,
      },
    }));
    if (options.fsync) {
      await stageAndRecord(open, messages, placed.map((file) => file.tmp), records, progress);
    } else {
      await waitAll(messages.map((message, i) => {
        const mtime = new Date(message.internalDate);
        return writeNewFile(placed[i].tmp, message.bytes, { fsync: false, mtime });
      }));
    }
    for (const file of placed) {
      Deno.renameSync(file.tmp, open.pathOf(file));
      file.done = true;
    }
    // Waited for, the records are in the index already: only the directories' times are left.
    await open.commit(options.fsync ? [] : records, placed.map((file) => file.dir));
    return records.map((_, i) => uidNext + i);
  } catch (error) {
    // All or none, whichever step failed (the disk full in tmp/, the fsync, a rename, the index:
    // whose failed write is cut back off): what was written goes again, so that the sender's
    // retry does not find a copy already there. The caller reads the index again. The error that
    // stopped us is the one to report.
    for (const file of placed) {
      await Deno.remove(file.done ? open.pathOf(file) : file.tmp).catch(() => {});
    }
    if (progress.recorded) {
      // Their records reached the disk before the failure: they go too (if the disk takes it; if
      // not, the next scan finds no file for them).
      const uids = placed.map((_, i) => uidNext + i);
      const modseq = open.index.header.highestModseq + 1;
      await open.commit([{ kind: "expunge", modseq, uids }], []).catch(() => {});
    }
    throw error;
  }
}

/**
 * Moves every message of one folder into another, each by a rename (its flags and internal date
 * stay; its keywords get the target's letters), in UID order, and records both sides.
 *
 * @param from The folder emptied, in its turn.
 * @param to The folder filled, in its turn. *
 * @example Move into another folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages, moveMessages } from "./maildir_writes.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * const other = `${path}/.Old`;
 * for (const sub of ["", "/tmp", "/new", "/cur"]) await Deno.mkdir(`${other}${sub}`);
 * const to = await OpenFolder.open({ ...folder, name: "Old", path: other }, "other", options);
 * await moveMessages(open, to);
 * assert.equal(open.index.messages.length, 0);
 * assert.deepEqual(to.index.messages.map((m) => to.flags(m)), [["\\Seen"]]);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function moveMessages(from: OpenFolder, to: OpenFolder): Promise<void> {
  const messages = [...from.index.messages];
  await to.define(messages.flatMap((m) => keywordsOf(from.flags(m))));
  const moved: IndexRecord[] = [];
  const gone: number[] = [];
  let { uidNext, highestModseq } = to.index.header;
  try {
    for (const message of messages) {
      const name = parseMaildirName(message.filename);
      const flags = from.flags(message);
      const info = message.filename.includes(":")
        ? placeOf(to, name.base, flags, { otherLetters: name.otherLetters, extra: name.extra })
          .filename
        : message.filename;
      const target = { dir: message.dir, filename: info };
      try {
        Deno.renameSync(from.pathOf(message), to.pathOf(target));
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        gone.push(message.uid); // removed meanwhile: nothing to move
        continue;
      }
      gone.push(message.uid);
      const { size, internalDate } = message;
      moved.push({
        kind: "add",
        message: { uid: uidNext++, modseq: ++highestModseq, size, internalDate, ...target },
      });
    }
  } finally {
    // What moved is recorded on both sides even when a rename failed halfway.
    await to.commit(moved, moved.map((r) => r.kind === "add" ? r.message.dir : "new"));
    const modseq = from.index.header.highestModseq + 1;
    await from.commit([{ kind: "expunge", modseq, uids: gone }], messages.map((m) => m.dir));
  }
}

/**
 * Gives a message new flags: its file is renamed into `cur/` with their letters (keywords new to
 * the folder are defined first), and it gets a new modification sequence.
 *
 * @param open The folder, in its turn.
 * @param message The message.
 * @param flags Its new flags, normalized.
 * @returns Its new modification sequence.
 * @throws {Deno.errors.NotFound} When its file is not where the index says. *
 * @example Flag a message
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages, writeFlags } from "./maildir_writes.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * assert.equal(await writeFlags(open, open.index.byUid(1)!, ["\\Answered", "Work"]), 3);
 * assert.match([...Deno.readDirSync(`${path}/cur`)][0].name, /:2,Ra$/);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function writeFlags(
  open: OpenFolder,
  message: IndexedMessage,
  flags: readonly string[],
): Promise<number> {
  const keywords = keywordsOf(flags);
  await open.define(keywords);
  const name = parseMaildirName(message.filename);
  const filename = formatMaildirName(name.base, {
    ...name,
    flags: flags.filter((flag) => flag.startsWith("\\")) as SystemFlag[],
    // Letters with no name here (from a lost keywords file) are not ours to drop.
    keywordLetters: [...name.keywordLetters].filter((c) => !open.keywords.nameOf(c)).join("") +
      open.keywords.lettersOf(keywords),
  });
  if (message.dir !== "cur" || message.filename !== filename) {
    Deno.renameSync(open.pathOf(message), open.pathOf({ dir: "cur", filename }));
  }
  const modseq = open.index.header.highestModseq + 1;
  const { uid, dir } = message;
  await open.commit([{ kind: "change", uid, modseq, dir: "cur", filename }], [dir, "cur"]);
  return modseq;
}

/**
 * Writes the messages into `tmp/` and waits, all at once, for the disk to have their bytes, their
 * names there and their index records: one wait, not one after another (a journaling file system
 * commits them together). Only then are they renamed into place, so a reader never sees a file
 * that a crash could take back. A crash after the wait leaves a recorded file in `tmp/`, which
 * the folder's next opening puts into place (see OpenFolder.open).
 */
async function stageAndRecord(
  open: OpenFolder,
  messages: readonly NewMessage[],
  tmps: readonly string[],
  records: IndexRecord[],
  progress: { recorded: boolean },
): Promise<void> {
  const staging = await Promise.allSettled(messages.map((message, i) => {
    return stageNewFile(tmps[i], message.bytes, { mtime: new Date(message.internalDate) });
  }));
  const files = staging.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  try {
    const failed = staging.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    await waitAll([
      ...files.map((file) => file.sync()),
      syncDirectory(join(open.folder.path, "tmp")),
      open.record(records).then(() => void (progress.recorded = true)),
    ]);
  } finally {
    for (const file of files) file.close();
  }
}

function keywordsOf(flags: readonly string[]): string[] {
  return flags.filter((flag) => !flag.startsWith("\\"));
}

/** Where a message with these flags lives in a folder: `new/` without flags, else `cur/`. */
function placeOf(
  open: OpenFolder,
  base: string,
  flags: readonly string[],
  kept?: { otherLetters: string; extra: string },
): { dir: "new" | "cur"; filename: string } {
  if (flags.length === 0 && !kept) return { dir: "new", filename: base };
  const system = flags.filter((flag) => flag.startsWith("\\")) as SystemFlag[];
  const keywordLetters = open.keywords.lettersOf(keywordsOf(flags));
  return {
    dir: "cur",
    filename: formatMaildirName(base, { flags: system, keywordLetters, ...kept }),
  };
}
