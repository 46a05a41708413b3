/**
 * The UID list of one Maildir folder, the file that makes IMAP UIDs outlive the process: a header
 * with the format version, the UIDVALIDITY and the next UID, then one `uid basename` line per
 * message in UID order. Dovecot keeps the same facts in `dovecot-uidlist`; ours has its own name
 * so the two never fight over one file.
 *
 * ```
 * 1 V1788253200 N4
 * 1 1788253200.M0P4242Q1R1f2e3d4c.crepes,S=1024
 * 3 1788253260.M0P4242Q2R5a6b7c8d.crepes,S=2048
 * ```
 *
 * @module
 */
import { dirname, join } from "node:path";
import { syncDirectory, writeNewFile } from "../../runtime/atomic_file.ts";

/** The UID list's file name inside a folder. */
export const UIDLIST_FILE = "toolkit-uidlist";
/** The file beside a user's INBOX that remembers the last UIDVALIDITY handed out. */
export const UIDVALIDITY_FILE = "toolkit-uidvalidity";

const VERSION = 1;
const MAX_UID = 2 ** 32 - 1;

/** Which base name has which UID in one folder. */
export interface UidList {
  /** The folder's UIDVALIDITY (RFC 3501 §2.3.1.1). */
  uidValidity: number;
  /** The UID the next message will get. */
  uidNext: number;
  /** Base name to UID, in UID order. */
  uids: Map<string, number>;
}

/** Options of the functions that write files. */
export interface WriteOptions {
  /** A directory on the same file system for the temporary file (a Maildir's `tmp/`). */
  tmpDir: string;
  /** Whether to wait for the disk before renaming. @default true */
  fsync?: boolean;
}

/**
 * Writes a UID list as text.
 *
 * @param list The list.
 * @returns The file's text.
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUidList, parseUidList } from "./maildir_uidlist.ts";
 *
 * const list = { uidValidity: 1788220800, uidNext: 4, uids: new Map([["a", 1], ["b", 3]]) };
 * assert.equal(formatUidList(list), "1 V1788220800 N4\n1 a\n3 b\n");
 * assert.deepEqual(parseUidList(formatUidList(list)), list);
 * ```
 */
export function formatUidList(list: UidList): string {
  const lines = [`${VERSION} V${list.uidValidity} N${list.uidNext}`];
  for (const [base, uid] of list.uids) lines.push(`${uid} ${base}`);
  return lines.join("\n") + "\n";
}

/**
 * Reads a UID list's text, refusing anything that is not exactly what
 * {@linkcode formatUidList} writes: a truncated or edited list must not hand out a UID twice.
 *
 * @param text The file's text.
 * @returns The list, or `undefined` when the text is corrupt.
 *
 * @example A corrupt list
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUidList } from "./maildir_uidlist.ts";
 *
 * assert.equal(parseUidList("1 V1788220800 N2\n1 a\n2 b\n"), undefined); // UID not below N
 * assert.equal(parseUidList("1 V1788220800 N3\n1 a"), undefined); // truncated
 * assert.equal(parseUidList("1 V1788220800 N1\n")?.uids.size, 0);
 * ```
 */
export function parseUidList(text: string): UidList | undefined {
  const lines = text.split("\n");
  if (lines.pop() !== "") return undefined;
  const header = /^(\d+) V(\d{1,10}) N(\d{1,10})$/.exec(lines[0] ?? "");
  if (!header || Number(header[1]) !== VERSION) return undefined;
  const uidValidity = Number(header[2]);
  const uidNext = Number(header[3]);
  if (uidValidity < 1 || uidValidity > MAX_UID || uidNext < 1 || uidNext > MAX_UID + 1) {
    return undefined;
  }
  const uids = new Map<string, number>();
  let last = 0;
  for (const line of lines.slice(1)) {
    const entry = /^(\d{1,10}) ([^\s/:.][^/:]*)$/.exec(line);
    const uid = Number(entry?.[1]);
    if (!entry || uid <= last || uid >= uidNext || uids.has(entry[2])) return undefined;
    uids.set(entry[2], uid);
    last = uid;
  }
  return { uidValidity, uidNext, uids };
}

/**
 * Reads a folder's UID list.
 *
 * @param folder The Maildir folder.
 * @returns The list, or `undefined` when it is missing or corrupt.
 *
 * @example A folder without a list
 * ```ts
 * import assert from "node:assert/strict";
 * import { readUidList } from "./maildir_uidlist.ts";
 *
 * const dir = await Deno.makeTempDir();
 * assert.equal(await readUidList(dir), undefined);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readUidList(folder: string): Promise<UidList | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(join(folder, UIDLIST_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  try {
    return parseUidList(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    if (error instanceof TypeError) return undefined; // not UTF-8: corrupt like any other damage
    throw error;
  }
}

/**
 * Replaces a folder's UID list atomically.
 *
 * @param folder The Maildir folder.
 * @param list The list to keep.
 * @param options Where to stage the file, and whether to fsync.
 *
 * @example Write and read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { readUidList, writeUidList } from "./maildir_uidlist.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const list = { uidValidity: 7, uidNext: 2, uids: new Map([["a", 1]]) };
 * await writeUidList(dir, list, { tmpDir: dir });
 * assert.deepEqual(await readUidList(dir), list);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeUidList(
  folder: string,
  list: UidList,
  options: WriteOptions,
): Promise<void> {
  const bytes = new TextEncoder().encode(formatUidList(list));
  await writeFileAtomic(join(folder, UIDLIST_FILE), bytes, options);
}

/**
 * Names the version of a folder's UID list on disk: it changes whenever the list is rewritten
 * (each rewrite is a new file renamed into place), so a reader that remembers it knows whether
 * the UIDs it saw still hold.
 *
 * @param folder The Maildir folder.
 * @returns The list's identity, or `""` when there is no list.
 *
 * @example A rewrite changes the stamp
 * ```ts
 * import assert from "node:assert/strict";
 * import { uidListStamp, writeUidList } from "./maildir_uidlist.ts";
 *
 * const dir = await Deno.makeTempDir();
 * assert.equal(await uidListStamp(dir), "");
 * const list = { uidValidity: 7, uidNext: 1, uids: new Map<string, number>() };
 * await writeUidList(dir, list, { tmpDir: dir, fsync: false });
 * const first = await uidListStamp(dir);
 * await writeUidList(dir, list, { tmpDir: dir, fsync: false });
 * assert.notEqual(await uidListStamp(dir), first);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function uidListStamp(folder: string): Promise<string> {
  try {
    const stat = await Deno.stat(join(folder, UIDLIST_FILE));
    return `${stat.ino}:${stat.size}:${stat.mtime?.getTime()}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

/**
 * Hands out a UIDVALIDITY for a user's folder whose UID list is new or was lost: the time in
 * seconds, but always above every value handed out before for this user, so a folder rebuilt in
 * the same second still tells IMAP clients that their cached UIDs are void. The caller
 * serialises calls for one user.
 *
 * @param userDir The user's Maildir, which keeps the last value handed out.
 * @param now The time in milliseconds since the epoch.
 * @param options Where to stage the file, and whether to fsync.
 * @returns The new UIDVALIDITY.
 *
 * @example Two in the same second differ
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextUidValidity } from "./maildir_uidlist.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const now = Date.UTC(2026, 8, 1);
 * assert.equal(await nextUidValidity(dir, now, { tmpDir: dir }), now / 1000);
 * assert.equal(await nextUidValidity(dir, now, { tmpDir: dir }), now / 1000 + 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function nextUidValidity(
  userDir: string,
  now: number,
  options: WriteOptions,
): Promise<number> {
  const path = join(userDir, UIDVALIDITY_FILE);
  let last = 0;
  try {
    last = Number(/^(\d{1,10})\n$/.exec(await Deno.readTextFile(path))?.[1] ?? 0);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const next = Math.min(MAX_UID, Math.max(Math.floor(now / 1000), last + 1, 1));
  await writeFileAtomic(path, new TextEncoder().encode(`${next}\n`), options);
  return next;
}

async function writeFileAtomic(path: string, bytes: Uint8Array, options: WriteOptions) {
  const fsync = options.fsync ?? true;
  const tmp = join(options.tmpDir, `toolkit.${crypto.randomUUID()}`);
  try {
    await writeNewFile(tmp, bytes, { fsync });
    await Deno.rename(tmp, path);
    if (fsync) await syncDirectory(dirname(path));
  } catch (error) {
    await Deno.remove(tmp).catch(() => {}); // the write's error is the one worth reporting
    throw error;
  }
}
