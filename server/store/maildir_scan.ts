/**
 * Scanning a Maildir folder, and matching what is on disk (the truth) with the index: a file the
 * index does not know gets the next UID, a file renamed by another program (mutt marking it read)
 * keeps its UID and, if its flags changed, gets a new modification sequence, and a file that
 * disappeared is expunged. The store scans only when `new/` or `cur/` changed behind its back
 * (their modification times differ from the index's), or when the index is rebuilt. What a
 * crash left in `tmp/` is cleared when the store first opens the folder.
 *
 * @module
 */
import { join } from "node:path";
import type { IndexedMessage, IndexHeader, IndexRecord } from "./maildir_index.ts";
import { baseOf } from "./maildir_index_format.ts";
import type { KeywordTable } from "./maildir_keywords.ts";
import {
  compareDeliveryNames,
  infoLetters,
  isMessageName,
  parseMaildirName,
  systemFlagsOf,
} from "./maildir_name.ts";

/** One message file found on disk. */
export interface FoundFile {
  /** The subdirectory that holds it. */
  dir: "new" | "cur";
  /** Its name there. */
  filename: string;
}

/**
 * Lists a folder's message files by base name. Entries that are not regular files (links,
 * directories) and names that start with a dot are no messages; a message in both `new/` and
 * `cur/` (copied, not moved) counts once, in `cur/`, the later state.
 *
 * @param folder The Maildir folder.
 * @returns Base name to file.
 *
 * @example A hidden file and a link are no messages
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanFolder } from "./maildir_scan.ts";
 *
 * const dir = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${dir}/${sub}`);
 * await Deno.writeTextFile(`${dir}/new/1.a.host`, "x");
 * await Deno.writeTextFile(`${dir}/new/.hidden`, "x");
 * await Deno.symlink(`${dir}/new/1.a.host`, `${dir}/cur/2.b.host`);
 * assert.deepEqual([...(await scanFolder(dir)).values()], [{ dir: "new", filename: "1.a.host" }]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function scanFolder(folder: string): Promise<Map<string, FoundFile>> {
  const found = new Map<string, FoundFile>();
  for (const dir of ["new", "cur"] as const) {
    for await (const entry of Deno.readDir(join(folder, dir))) {
      if (!entry.isFile || !isMessageName(entry.name)) continue;
      found.set(baseOf(entry.name), { dir, filename: entry.name });
    }
  }
  return found;
}

/**
 * The flags a file name stands for in a folder: system flags, then keywords in letter order.
 *
 * @param filename The message's file name.
 * @param table The folder's keywords.
 * @returns The flags.
 *
 * @example System flags, then keywords by letter
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeywordTable } from "./maildir_keywords.ts";
 * import { flagsOf } from "./maildir_scan.ts";
 *
 * const table = new KeywordTable(["$Label1", "Work"]);
 * assert.deepEqual(flagsOf("m:2,FSba", table), ["\\Seen", "\\Flagged", "$Label1", "Work"]);
 * ```
 */
export function flagsOf(filename: string, table: KeywordTable): string[] {
  const letters = infoLetters(filename);
  if (letters === "") return [];
  const flags: string[] = systemFlagsOf(letters);
  let keywords = "";
  for (const c of letters) if (c >= "a" && c <= "z") keywords += c;
  if (keywords === "") return flags;
  return [...flags, ...table.namesOf([...keywords].sort().join(""))];
}

/** What {@linkcode reconcile} needs besides the files. */
export interface ReconcileOptions {
  /** The keywords the index's flags were read with. */
  before: KeywordTable;
  /** The keywords as the folder's file has them now. */
  after: KeywordTable;
}

/**
 * Compares the files on disk with the index and says what changed, as index records: first the
 * expunged messages, then the renamed ones, then the new ones in delivery order (each new file is
 * looked at with `lstat`: a link or a file with more than one link is no message).
 *
 * @param folder The Maildir folder.
 * @param index The index's counters and messages.
 * @param found What {@linkcode scanFolder} found.
 * @param options The keywords before and after.
 * @returns The records that bring the index to what is on disk.
 *
 * @example A file from outside and one gone
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeywordTable } from "./maildir_keywords.ts";
 * import { reconcile } from "./maildir_scan.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/new`);
 * const filename = "1600000000.x.host";
 * await Deno.writeTextFile(`${dir}/new/${filename}`, "hello");
 * const header = { uidValidity: 1, uidNext: 2, highestModseq: 2, recentFrom: 1 };
 * const gone = { uid: 1, modseq: 2, size: 1, internalDate: 0, dir: "new" as const, filename: "g" };
 * const found = new Map([[filename, { dir: "new" as const, filename }]]);
 * const keywords = { before: new KeywordTable(), after: new KeywordTable() };
 * const records = await reconcile(dir, { header, messages: [gone] }, found, keywords);
 * assert.deepEqual(records.map((r) => r.kind), ["expunge", "add"]);
 * const added = records[1].kind === "add" ? records[1].message : undefined;
 * assert.deepEqual([added?.uid, added?.modseq, added?.size, added?.filename], [2, 4, 5, filename]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function reconcile(
  folder: string,
  index: { header: IndexHeader; messages: readonly IndexedMessage[] },
  found: ReadonlyMap<string, FoundFile>,
  options: ReconcileOptions,
): Promise<IndexRecord[]> {
  let modseq = index.header.highestModseq;
  let uidNext = index.header.uidNext;
  const records: IndexRecord[] = [];
  const known = new Set<string>();
  const gone: number[] = [];
  const moved: { message: IndexedMessage; file: FoundFile; flagsChanged: boolean }[] = [];
  const sameKeywords = options.before.equals(options.after);
  for (const message of index.messages) {
    const base = baseOf(message.filename);
    known.add(base);
    const file = found.get(base);
    if (!file) {
      gone.push(message.uid);
      continue;
    }
    const sameName = file.filename === message.filename;
    const flagsChanged = !(sameName && sameKeywords) &&
      flagsOf(message.filename, options.before).join(" ") !==
        flagsOf(file.filename, options.after).join(" ");
    if (sameName && file.dir === message.dir && !flagsChanged) continue;
    moved.push({ message, file, flagsChanged });
  }
  if (gone.length > 0) records.push({ kind: "expunge", modseq: ++modseq, uids: gone });
  for (const { message, file, flagsChanged } of moved) {
    const { uid } = message;
    const next = flagsChanged ? ++modseq : message.modseq;
    records.push({ kind: "change", uid, modseq: next, dir: file.dir, filename: file.filename });
  }
  const fresh = [...found.values()].filter((f) => !known.has(baseOf(f.filename)));
  fresh.sort((a, b) => compareDeliveryNames(a.filename, b.filename));
  for (const file of fresh) {
    const found = await describeFile(folder, file);
    if (found) {
      records.push({ kind: "add", message: { uid: uidNext++, modseq: ++modseq, ...found } });
    }
  }
  return records;
}

/**
 * Looks at a message file that another program made: its size and its modification time (the
 * internal date). A link, or a file with more than one link, is no message.
 *
 * @param folder The Maildir folder.
 * @param file The file.
 * @returns What the index keeps of it, but its UID and modseq; `undefined` when it is no
 *   message or gone already.
 *
 * @example A file, and a link to it
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeFile } from "./maildir_scan.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/new`);
 * await Deno.writeTextFile(`${dir}/new/m`, "hello");
 * await Deno.symlink(`${dir}/new/m`, `${dir}/new/link`);
 * assert.equal((await describeFile(dir, { dir: "new", filename: "m" }))?.size, 5);
 * assert.equal(await describeFile(dir, { dir: "new", filename: "link" }), undefined);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function describeFile(
  folder: string,
  file: FoundFile,
): Promise<Omit<IndexedMessage, "uid" | "modseq"> | undefined> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.lstat(join(folder, file.dir, file.filename));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined; // gone again since the scan
    throw error;
  }
  if (!stat.isFile || stat.nlink !== 1) return undefined; // links are refused, never followed
  return {
    size: stat.size,
    internalDate: stat.mtime?.getTime() ?? parseMaildirName(file.filename).time ?? 0,
    dir: file.dir,
    filename: file.filename,
  };
}

/** How old a file in `tmp/` must be to count as left by a crash: the Maildir rule's 36 hours. */
export const ORPHAN_AGE = 36 * 60 * 60 * 1000;

/**
 * Removes the files that a delivery or a rewrite cut short by a crash left in a folder's `tmp/`:
 * those neither written nor read for 36 hours, as the Maildir spec asks. A newer file may be a
 * delivery in progress, by this store or another program, and stays. The time a file was
 * written is the later of its access and modification times: a delivery sets the modification
 * time to the message's internal date, which may be old, but leaves the access time as it
 * writes. Links are removed as links (never followed); directories stay.
 *
 * @param folder The Maildir folder.
 * @param now The time in milliseconds since the epoch. @default the time of the call
 * @returns The names removed.
 *
 * @example A file from two days ago goes, one from an hour ago stays
 * ```ts
 * import assert from "node:assert/strict";
 * import { clearOrphans } from "./maildir_scan.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/tmp`);
 * const hours = (h: number) => new Date(Date.now() - h * 3600_000);
 * await Deno.writeTextFile(`${dir}/tmp/old`, "x");
 * await Deno.utime(`${dir}/tmp/old`, hours(48), hours(48));
 * await Deno.writeTextFile(`${dir}/tmp/new`, "x");
 * await Deno.utime(`${dir}/tmp/new`, hours(1), hours(100));
 * assert.deepEqual(await clearOrphans(dir), ["old"]);
 * assert.deepEqual([...Deno.readDirSync(`${dir}/tmp`)].map((e) => e.name), ["new"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function clearOrphans(folder: string, now: number = Date.now()): Promise<string[]> {
  const tmp = join(folder, "tmp");
  const removed: string[] = [];
  for await (const entry of Deno.readDir(tmp)) {
    if (entry.isDirectory) continue;
    const path = join(tmp, entry.name);
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.lstat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // renamed into place meanwhile
      throw error;
    }
    const written = Math.max(stat.atime?.getTime() ?? now, stat.mtime?.getTime() ?? now);
    if (stat.isDirectory || now - written <= ORPHAN_AGE) continue;
    try {
      await Deno.remove(path);
      removed.push(entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return removed;
}
