/**
 * What a Maildir store answers from one open folder, in the folder's turn: its status, its
 * messages, and the operations on messages that are no new file (flags against the current
 * ones, expunging, claiming the recent ones, summaries). {@linkcode MaildirStore} calls them;
 * their behaviour is the store's.
 *
 * @module
 */
import {
  changedFlags,
  type FlagChange,
  type MailboxStatus,
  type MessageInfo,
  NotFoundError,
} from "./store.ts";
import type { OpenFolder } from "./maildir_folder.ts";
import type { IndexedMessage } from "./maildir_index.ts";
import { type NewMessage, writeFlags } from "./maildir_writes.ts";

/**
 * A folder's status.
 *
 * @param open The folder, up to date.
 * @returns Its counters. *
 * @example A folder with one message read
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { statusOf } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * const status = statusOf(open);
 * assert.deepEqual([status.uidValidity, status.uidNext, status.messages, status.unseen], [7, 2, 1, 0]);
 * assert.deepEqual([status.recent, status.highestModseq, status.keywords], [1, 2, []]);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export function statusOf(open: OpenFolder): MailboxStatus {
  const { header, messages } = open.index;
  return {
    name: open.folder.name,
    uidValidity: header.uidValidity,
    uidNext: header.uidNext,
    messages: messages.length,
    unseen: unseenOf(open),
    recent: messages.length - firstAtOrAfter(messages, header.recentFrom),
    highestModseq: header.highestModseq,
    keywords: open.keywords.names,
  };
}

// Counting unseen messages looks at every one; IMAP asks for a status after every command, so
// the count is kept until a change: every flag change, delivery and expunge raises the modseq.
const unseenCounts = new WeakMap<OpenFolder, { key: string; unseen: number }>();

function unseenOf(open: OpenFolder): number {
  const { header, messages } = open.index;
  const key = `${header.uidValidity} ${header.highestModseq} ${messages.length}`;
  const kept = unseenCounts.get(open);
  if (kept?.key === key) return kept.unseen;
  let unseen = 0;
  for (const m of messages) if (!open.flags(m).includes("\\Seen")) unseen++;
  unseenCounts.set(open, { key, unseen });
  return unseen;
}

/**
 * A folder's messages, in UID order, as the store hands them out (copies).
 *
 * @param open The folder, up to date.
 * @returns One entry per message. *
 * @example One message
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { listOf } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * assert.deepEqual(listOf(open), [
 *   { uid: 1, flags: ["\\Seen"], size: 2, internalDate: 0, modseq: 2 },
 * ]);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export function listOf(open: OpenFolder): MessageInfo[] {
  return open.index.messages.map((m) => ({
    uid: m.uid,
    flags: [...open.flags(m)],
    size: m.size,
    internalDate: m.internalDate,
    modseq: m.modseq,
  }));
}

/**
 * Runs `work` on one message; when its file is not where the index says (another program
 * renamed or removed it), scans and tries once more.
 *
 * @param open The folder, in its turn.
 * @param uid The message's UID.
 * @param work What to do with it.
 * @returns What `work` returns.
 * @throws {NotFoundError} When there is no such message (or no file for it). *
 * @example Found after another program renamed its file
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { withMessage } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * const [name] = [...Deno.readDirSync(`${path}/cur`)].map((e) => e.name);
 * Deno.renameSync(`${path}/cur/${name}`, `${path}/cur/${name}F`); // flagged by mutt
 * assert.equal(new TextDecoder().decode(await withMessage(open, 1, (m) => open.read(m))), "hi");
 * await assert.rejects(withMessage(open, 2, (m) => open.read(m)), { name: "NotFoundError" });
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function withMessage<T>(
  open: OpenFolder,
  uid: number,
  work: (message: IndexedMessage) => Promise<T>,
): Promise<T> {
  // A UID past the index's may belong to a file that another program added: look for it.
  if (uid >= open.index.header.uidNext) await open.rescanIfChanged();
  for (let attempt = 0;; attempt++) {
    const message = open.index.byUid(uid);
    if (!message) throw new NotFoundError(`No message with UID ${uid} in "${open.folder.name}"`);
    try {
      return await work(message);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      if (attempt > 0) throw new NotFoundError(`No file for UID ${uid} in "${open.folder.name}"`);
      await open.rescan();
    }
  }
}

/**
 * Changes a message's flags against its current ones (RFC 7162 `UNCHANGEDSINCE` honoured).
 *
 * @param open The folder, in its turn.
 * @param uid The message's UID.
 * @param change What to add, remove or replace, and the condition.
 * @returns The flags and modseq now and whether they changed; `undefined` when the condition
 *   failed. *
 * @example Add a flag, then fail a condition
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { changeFlags } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * const changed = await changeFlags(open, 1, { add: ["$Done"] });
 * assert.deepEqual(changed, { flags: ["\\Seen", "$Done"], modseq: 3, changed: true });
 * assert.equal(await changeFlags(open, 1, { remove: ["$Done"], unchangedSince: 2 }), undefined);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export function changeFlags(
  open: OpenFolder,
  uid: number,
  change: FlagChange,
): Promise<{ flags: string[]; modseq: number; changed: boolean } | undefined> {
  return withMessage(open, uid, async (message) => {
    if (change.unchangedSince !== undefined && message.modseq > change.unchangedSince) return;
    const current = open.flags(message);
    const flags = changedFlags(current, change);
    const next = new Set(flags.map((f) => f.toLowerCase()));
    if (next.size === current.length && current.every((f) => next.has(f.toLowerCase()))) {
      return { flags: [...current], modseq: message.modseq, changed: false };
    }
    const modseq = await writeFlags(open, message, flags);
    return { flags: [...open.flags(message)], modseq, changed: true };
  });
}

/**
 * Removes messages' files and records them expunged.
 *
 * @param open The folder, in its turn.
 * @param uids The messages; unknown UIDs are ignored.
 * @returns Whether any was removed. *
 * @example Expunge one, then nothing
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { expungeMessages } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * assert.equal(await expungeMessages(open, [1, 5]), true);
 * assert.equal(await expungeMessages(open, [1]), false);
 * assert.equal([...Deno.readDirSync(`${path}/cur`)].length, 0);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function expungeMessages(open: OpenFolder, uids: readonly number[]): Promise<boolean> {
  const doomed = () => uids.map((uid) => open.index.byUid(uid)).filter((m) => m !== undefined);
  const halves = new Set<"new" | "cur">();
  const remove = (again: boolean) => {
    let missed = false;
    for (const message of doomed()) {
      halves.add(message.dir);
      try {
        Deno.removeSync(open.pathOf(message));
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        missed = !again;
      }
    }
    return missed;
  };
  // A file renamed by another program since (mutt marking it read) would come back: find it.
  if (remove(false)) {
    await open.rescan();
    remove(true);
  }
  const gone = [...new Set(uids)].filter((uid) => open.index.byUid(uid));
  if (gone.length === 0) return false;
  const modseq = open.index.header.highestModseq + 1;
  await open.commit([{ kind: "expunge", modseq, uids: gone }], [...halves]);
  return true;
}

/**
 * Reads messages to copy elsewhere, with their flags and dates.
 *
 * @param open The folder, in its turn.
 * @param uids The messages; unknown UIDs are skipped.
 * @returns The messages in UID order, each with its UID. *
 * @example Read for a copy
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { readMessages } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * const [message] = await readMessages(open, [9, 1]);
 * assert.deepEqual([message.uid, message.flags, message.internalDate], [1, ["\\Seen"], 0]);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function readMessages(
  open: OpenFolder,
  uids: readonly number[],
): Promise<(NewMessage & { uid: number })[]> {
  const wanted = new Set(uids);
  const found: (NewMessage & { uid: number })[] = [];
  for (const m of open.index.messages.filter((m) => wanted.has(m.uid))) {
    const bytes = await withMessage(open, m.uid, (message) => open.read(message));
    found.push({ uid: m.uid, bytes, flags: [...open.flags(m)], internalDate: m.internalDate });
  }
  return found;
}

/**
 * Takes a folder's recent messages.
 *
 * @param open The folder, in its turn and scanned.
 * @returns Their UIDs. *
 * @example The first claim takes them
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { claimRecent } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * assert.deepEqual(await claimRecent(open), [1]);
 * assert.deepEqual(await claimRecent(open), []);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function claimRecent(open: OpenFolder): Promise<number[]> {
  const { messages, header } = open.index;
  const recent = messages.slice(firstAtOrAfter(messages, header.recentFrom)).map((m) => m.uid);
  if (header.recentFrom !== header.uidNext) {
    await open.commit([{ kind: "recent", recentFrom: header.uidNext }], []);
  }
  return recent;
}

/**
 * A message's kept summary, made (and kept) when there is none.
 *
 * @param open The folder, in its turn.
 * @param where The message's UID and the kind of value.
 * @param compute Makes the value from the message's bytes.
 * @returns The value. *
 * @example Made once
 * ```ts
 * import assert from "node:assert/strict";
 * import { OpenFolder } from "./maildir_folder.ts";
 * import { addMessages } from "./maildir_writes.ts";
 * import { summaryOf } from "./maildir_messages.ts";
 *
 * const path = await Deno.makeTempDir();
 * for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(`${path}/${sub}`);
 * const folder = { user: "bob", name: "INBOX", userDir: path, path };
 * const options = { fsync: false, newUidValidity: () => Promise.resolve(7) };
 * const open = await OpenFolder.open(folder, "id", options);
 * const hi = { bytes: new TextEncoder().encode("hi"), flags: ["\\Seen"], internalDate: 0 };
 * await addMessages(open, [hi], { now: Date.now(), fsync: false });
 * assert.equal(await summaryOf(open, { uid: 1, kind: "size" }, (bytes) => bytes.length), 2);
 * assert.equal(await summaryOf(open, { uid: 1, kind: "size" }, () => -1), 2);
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export async function summaryOf<T>(
  open: OpenFolder,
  where: { uid: number; kind: string },
  compute: (bytes: Uint8Array) => T,
): Promise<T> {
  const cache = await open.summaries();
  if (open.index.byUid(where.uid)) {
    const kept = cache.get(where.uid, where.kind);
    if (kept) return kept.value as T;
  }
  const bytes = await withMessage(open, where.uid, (message) => open.read(message));
  const value = compute(bytes);
  await cache.put(where.uid, where.kind, value);
  return value;
}

/** The position of the first message whose UID is at least `uid`. */
function firstAtOrAfter(messages: readonly IndexedMessage[], uid: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (messages[mid].uid < uid) low = mid + 1;
    else high = mid;
  }
  return low;
}
