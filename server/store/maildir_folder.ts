/**
 * One Maildir folder as the store sees it: the message files in `new/` and `cur/`, matched to the
 * folder's UID list, and a queue that lets one operation at a time work on a folder.
 *
 * @module
 */
import { join } from "node:path";
import { type MaildirName, parseMaildirName } from "./maildir_name.ts";
import { nextUidValidity, readUidList, type UidList, writeUidList } from "./maildir_uidlist.ts";

/** One message file of a folder, with its UID. */
export interface FolderMessage {
  /** Its IMAP UID. */
  uid: number;
  /** The subdirectory that holds it. */
  dir: "new" | "cur";
  /** Its file name there. */
  filename: string;
  /** The file name taken apart. */
  name: MaildirName;
}

/** A folder's UID list and its messages, matched. */
export interface FolderState {
  /** The UID list, as now on disk. */
  list: UidList;
  /** The messages, in UID order. */
  messages: FolderMessage[];
}

/** Options of {@linkcode syncFolder}. */
export interface SyncFolderOptions {
  /** The user's Maildir, which remembers the UIDVALIDITY values handed out. */
  userDir: string;
  /** The time in milliseconds since the epoch, for a new UIDVALIDITY. @default Date.now() */
  now?: number;
  /** Whether to fsync the UID list when it changes. @default true */
  fsync?: boolean;
}

const queues = new Map<string, Promise<void>>();

/**
 * Runs `work` after every earlier call with the same key has finished, so that two deliveries to
 * one folder never hand out the same UID. The queues live in the module, so that two stores on one
 * root in one process share them.
 *
 * @param key What to serialise on: a folder's path.
 * @param work The operation.
 * @returns What `work` returns.
 *
 * @example One at a time
 * ```ts
 * import assert from "node:assert/strict";
 * import { inFolderTurn } from "./maildir_folder.ts";
 *
 * const order: string[] = [];
 * const slow = inFolderTurn("/box", async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 5));
 *   order.push("slow");
 * });
 * const fast = inFolderTurn("/box", () => Promise.resolve(order.push("fast")));
 * await Promise.all([slow, fast]);
 * assert.deepEqual(order, ["slow", "fast"]);
 * ```
 */
export function inFolderTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
  const result = (queues.get(key) ?? Promise.resolve()).then(work);
  // The next in line waits for this one to finish, whatever its outcome.
  const done = result.then(() => {}, () => {});
  queues.set(key, done);
  done.then(() => {
    if (queues.get(key) === done) queues.delete(key);
  });
  return result;
}

/**
 * Matches a folder's files to its UID list and saves the list when it changed: a file that
 * appeared from outside (another mail program, or a crash after delivery) gets the next UID, a
 * file that disappeared leaves the list, and a missing or corrupt list is rebuilt under a new
 * UIDVALIDITY. Call it in the folder's turn ({@linkcode inFolderTurn}).
 *
 * @param folder The Maildir folder, with `new/`, `cur/` and `tmp/`.
 * @param options The user's Maildir, the time, and whether to fsync.
 * @returns The list and the messages.
 *
 * @example A file dropped into new/ gets a UID
 * ```ts
 * import assert from "node:assert/strict";
 * import { syncFolder } from "./maildir_folder.ts";
 *
 * const dir = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${dir}/${sub}`);
 * await Deno.writeTextFile(`${dir}/new/1788220800.outside`, "Subject: hi\r\n\r\n");
 * const state = await syncFolder(dir, { userDir: dir, now: Date.UTC(2026, 8, 1) });
 * assert.equal(state.list.uidValidity, 1788220800);
 * assert.deepEqual(state.messages.map((m) => [m.uid, m.filename]), [[1, "1788220800.outside"]]);
 * assert.equal((await syncFolder(dir, { userDir: dir })).list.uidNext, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function syncFolder(
  folder: string,
  options: SyncFolderOptions,
): Promise<FolderState> {
  const fsync = options.fsync ?? true;
  const tmpDir = join(folder, "tmp");
  const found = await scanFolder(folder);
  let list = await readUidList(folder);
  let changed = list === undefined;
  if (list === undefined) {
    const uidValidity = await inFolderTurn(
      `${options.userDir}\0uidvalidity`,
      () => nextUidValidity(options.userDir, options.now ?? Date.now(), { tmpDir, fsync }),
    );
    list = { uidValidity, uidNext: 1, uids: new Map() };
  }
  for (const base of list.uids.keys()) {
    if (!found.has(base)) {
      list.uids.delete(base);
      changed = true;
    }
  }
  const fresh = [...found.values()].filter((file) => !list.uids.has(file.name.base));
  fresh.sort((a, b) =>
    (a.name.time ?? 0) - (b.name.time ?? 0) || (a.filename < b.filename ? -1 : 1)
  );
  for (const file of fresh) {
    list.uids.set(file.name.base, list.uidNext++);
    changed = true;
  }
  if (changed) await writeUidList(folder, list, { tmpDir, fsync });
  const messages = [...list.uids].map(([base, uid]) => ({ ...found.get(base)!, uid }));
  return { list, messages };
}

type FoundFile = Omit<FolderMessage, "uid">;

/** Lists message files; names that start with a dot are not messages (the spec's rule). */
async function scanFolder(folder: string): Promise<Map<string, FoundFile>> {
  const found = new Map<string, FoundFile>();
  for (const dir of ["new", "cur"] as const) {
    for await (const entry of Deno.readDir(join(folder, dir))) {
      // Symbolic links are skipped: a message must not be a way out of the store's root.
      // deno-lint-ignore no-control-regex -- a control character would break the UID list
      if (!entry.isFile || /^[.\s]|[\x00-\x1f\x7f/]/.test(entry.name)) continue;
      const name = parseMaildirName(entry.name);
      // A message in both (copied, not moved) counts once: cur/, scanned last, is the later state.
      found.set(name.base, { dir, filename: entry.name, name });
    }
  }
  return found;
}
