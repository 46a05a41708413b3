/**
 * The mailbox store on disk, in the Maildir format that mutt, Dovecot and Courier read.
 *
 * ```
 * <root>/bob/                    bob's INBOX (a Maildir)
 *            tmp/ new/ cur/      delivery writes tmp/, renames into new/; flags move it to cur/
 *            toolkit-index       UIDs, file names, sizes, dates, modseqs (see maildir_index.ts)
 *            toolkit-cache       the summaries the IMAP server keeps (see maildir_cache.ts)
 *            dovecot-keywords    the keyword each letter a-z in file names stands for
 *            toolkit-uidvalidity the last UIDVALIDITY handed out for bob
 *            subscriptions       Dovecot's subscriptions file
 *            toolkit-special-use which mailboxes are Sent, Drafts, Trash, Junk
 *            .Work.Course/       the mailbox "Work.Course" (a Maildir++ folder)
 *                tmp/ new/ cur/ maildirfolder toolkit-index dovecot-keywords
 * ```
 *
 * Mailbox names are kept on disk as they are, in UTF-8 (Dovecot reads them so with `:UTF-8` in
 * its `mail_location`; without it, it expects modified UTF-7).
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import {
  AlreadyExistsError,
  changedFlags,
  checkUserName,
  type CopiedUid,
  type DeliverOptions,
  type FlagChange,
  InvalidNameError,
  type MailboxInfo,
  type MailboxStatus,
  type MailboxStore,
  type MessageInfo,
  normalizeFlags,
  NotFoundError,
  orGone,
  type SpecialUse,
  StorageFullError,
  type StoreChange,
} from "./store.ts";
import { type MaildirFolder, MaildirRoot } from "./maildir_root.ts";
import { OpenFolder } from "./maildir_folder.ts";
import { addMessages, type NewMessage, writeFlags } from "./maildir_writes.ts";
import { GroupCommit, GroupFailedError } from "./group_commit.ts";
import {
  changeFlags,
  claimRecent,
  expungeMessages,
  listOf,
  readMessages,
  statusOf,
  summaryOf,
  withMessage,
} from "./maildir_messages.ts";
import { MaildirMailboxes } from "./maildir_mailboxes.ts";
import { inTurn } from "./maildir_turn.ts";
import { nextUidValidity } from "./maildir_user.ts";

/** Options of {@linkcode MaildirStore}. */
export interface MaildirStoreOptions {
  /**
   * The directory that holds one Maildir per user; created with the first user. Required.
   * @default none
   */
  root: string;
  /** Supplies delivery times and UIDVALIDITY values. @default the system clock */
  clock?: Clock;
  /**
   * Whether a delivery waits until the disk has the message and its UID (fsync) before it counts
   * as done. Off trades crash safety for speed.
   * @default true
   */
  fsync?: boolean;
}

/** How an operation uses its folder. */
interface Use {
  /** Scan when `new/` or `cur/` changed behind the store's back. @default false */
  scan?: boolean;
  /** Make the user's INBOX when it is missing. @default false */
  createUser?: boolean;
}

const SCAN: Use = { scan: true };

/**
 * Mailboxes in Maildir folders on disk. A delivery is atomic (written to `tmp/`, synced, renamed
 * into `new/`), flags live in file names (`:2,FS`, keywords as Dovecot's letters `a`-`z`), and
 * UIDs, modification sequences, recent state and summaries persist in an index per folder, so a
 * new store on the same root sees the same mailboxes. Mail programs may work on the same
 * Maildirs: what they add, rename or remove is noticed by the next operation that lists the
 * folder (its directories' modification times change).
 *
 * A mailbox renamed or deleted on disk while a session has it selected answers
 * {@linkcode NotFoundError} from then on; a directory put in its place is another mailbox, read
 * afresh (with its own UIDVALIDITY). Operations on one folder run one at a time within the
 * process (two stores on one root share the turns); there is no lock file, so two processes of
 * this toolkit must not write to one root at once. Watchers hear of the changes made through
 * this store object. No file or directory is reached through a symbolic link or read with a
 * second hard link, nothing the store makes is readable by others, and what a crash left in
 * `tmp/` 36 hours ago goes when a folder is first opened. A full disk is a
 * {@linkcode StorageFullError} that leaves nothing behind, while listing, reading, flagging,
 * expunging and deleting go on, so that a user can log in and make room.
 *
 * @example Deliver, flag and read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { MaildirStore } from "./maildir_store.ts";
 *
 * const root = await Deno.makeTempDir();
 * const store = new MaildirStore({ root });
 * const uid = await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * assert.equal(uid, 1);
 * assert.equal((await Array.fromAsync(Deno.readDir(`${root}/bob/new`))).length, 1);
 * await store.setFlags("bob", "INBOX", uid, ["\\Seen", "$Label1"]);
 * const [file] = await Array.fromAsync(Deno.readDir(`${root}/bob/cur`));
 * assert.match(file.name, /,S=22:2,Sa$/);
 * assert.equal(await Deno.readTextFile(`${root}/bob/dovecot-keywords`), "0 $Label1\n");
 * const again = new MaildirStore({ root });
 * const list = await again.list("bob", "INBOX");
 * assert.deepEqual(list.map((m) => [m.uid, m.flags]), [[1, ["\\Seen", "$Label1"]]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class MaildirStore implements MailboxStore {
  #root: MaildirRoot;
  #clock: Clock;
  #fsync: boolean;
  #open = new Map<string, OpenFolder>();
  #groups = new GroupCommit<NewMessage, number>();
  #watchers = new Map<string, Set<(change: StoreChange) => void>>();
  #mailboxes: MaildirMailboxes;

  /**
   * Creates a store over a directory; nothing is touched until the first operation.
   *
   * @param options The root, the clock, and whether to fsync.
   */
  constructor(options: MaildirStoreOptions) {
    this.#root = new MaildirRoot(options.root);
    this.#clock = options.clock ?? systemClock;
    this.#fsync = options.fsync ?? true;
    this.#mailboxes = new MaildirMailboxes({
      root: this.#root,
      fsync: this.#fsync,
      open: (folder) => this.#openChecked(folder),
      forget: (path) => this.#forget(path),
      tell: (user, change) => this.#tell(user, change.mailbox, change.kind),
    });
  }

  /** The absolute path of the directory that holds the users' Maildirs. */
  get root(): string {
    return this.#root.path;
  }

  async ensureUser(user: string): Promise<void> {
    await this.#inFolder(user, "INBOX", { createUser: true }, () => Promise.resolve());
    const inbox = this.#root.locate(user, "INBOX");
    // On a full disk the INBOX is enough: the special-use mailboxes are made by a later login.
    await stored(inbox, this.#mailboxes.ensureSpecial(inbox)).catch((error) => {
      if (!(error instanceof StorageFullError)) throw error;
    });
  }

  async deliver(user: string, bytes: Uint8Array, options: DeliverOptions = {}): Promise<number> {
    const flags = normalizeFlags(options.flags ?? []);
    const mailbox = options.mailbox ?? "INBOX";
    const folder = this.#root.locate(user, mailbox);
    const use = { createUser: folder.name === "INBOX" };
    const message = { bytes, flags, internalDate: options.internalDate ?? this.#clock.now() };
    // The messages are taken when the folder's turn has come, so that all who waited join.
    const add = (take: () => NewMessage[]) =>
      this.#inFolder(user, mailbox, use, (open) => {
        return addMessages(open, take(), { now: this.#clock.now(), fsync: this.#fsync });
      });
    // Deliveries that meet at the folder share one commit (see group_commit.ts).
    const uid = await this.#groups.add(folder.path, message, add).catch(async (error) => {
      if (!(error instanceof GroupFailedError)) throw error;
      const [alone] = await add(() => [message]);
      return alone;
    });
    this.#tell(user, mailbox, "messages");
    return uid;
  }

  async mailboxes(user: string): Promise<MailboxInfo[]> {
    return await this.#mailboxes.list(this.#root.locate(user, "INBOX"));
  }

  async createMailbox(
    user: string,
    name: string,
    options: { specialUse?: SpecialUse } = {},
  ): Promise<void> {
    const folder = this.#root.locate(user, name);
    return await stored(folder, this.#mailboxes.create(folder, options.specialUse));
  }

  async deleteMailbox(user: string, name: string): Promise<void> {
    const folder = this.#root.locate(user, name);
    return await stored(folder, this.#mailboxes.delete(folder));
  }

  async renameMailbox(user: string, from: string, to: string): Promise<void> {
    const folder = this.#root.locate(user, from);
    return await stored(folder, this.#mailboxes.rename(folder, this.#root.locate(user, to)));
  }

  async subscriptions(user: string): Promise<string[]> {
    return await this.#mailboxes.subscriptions(this.#root.locate(user, "INBOX"));
  }

  async setSubscribed(user: string, name: string, subscribed: boolean): Promise<void> {
    const folder = this.#root.locate(user, name);
    return await stored(folder, this.#mailboxes.subscribe(folder, subscribed));
  }

  async status(user: string, mailbox: string): Promise<MailboxStatus> {
    return await this.#inFolder(user, mailbox, SCAN, (open) => Promise.resolve(statusOf(open)));
  }

  async list(user: string, mailbox: string): Promise<MessageInfo[]> {
    return await this.#inFolder(user, mailbox, SCAN, (open) => Promise.resolve(listOf(open)));
  }

  async read(user: string, mailbox: string, uid: number): Promise<Uint8Array> {
    return await this.#inFolder(
      user,
      mailbox,
      {},
      (open) => withMessage(open, uid, (message) => open.read(message)),
    );
  }

  async readMany(
    user: string,
    mailbox: string,
    uids: readonly number[],
  ): Promise<(Uint8Array | undefined)[]> {
    return await this.#inFolder(user, mailbox, {}, async (open) => {
      const found: (Uint8Array | undefined)[] = [];
      for (const uid of uids) {
        found.push(await orGone(withMessage(open, uid, (message) => open.read(message))));
      }
      return found;
    });
  }

  async setFlags(
    user: string,
    mailbox: string,
    uid: number,
    flags: readonly string[],
  ): Promise<number> {
    const normal = normalizeFlags(flags);
    const modseq = await this.#inFolder(
      user,
      mailbox,
      {},
      (open) => withMessage(open, uid, (message) => writeFlags(open, message, normal)),
    );
    this.#tell(user, mailbox, "messages");
    return modseq;
  }

  async updateFlags(
    user: string,
    where: { mailbox: string; uid: number },
    change: FlagChange,
  ): Promise<{ flags: string[]; modseq: number } | undefined> {
    changedFlags([], change); // a bad flag fails before anything is looked at
    const result = await this.#inFolder(
      user,
      where.mailbox,
      {},
      (open) => changeFlags(open, where.uid, change),
    );
    if (result?.changed) this.#tell(user, where.mailbox, "messages");
    return result && { flags: result.flags, modseq: result.modseq };
  }

  async expunge(user: string, mailbox: string, uids: readonly number[]): Promise<void> {
    const removed = await this.#inFolder(user, mailbox, {}, (open) => expungeMessages(open, uids));
    if (removed) this.#tell(user, mailbox, "messages");
  }

  async copy(
    user: string,
    mailbox: string,
    uids: readonly number[],
    target: string,
  ): Promise<CopiedUid[]> {
    // A missing source or target fails before anything is read.
    this.#root.check(this.#root.locate(user, mailbox), []);
    this.#root.check(this.#root.locate(user, target), []);
    const picked = await this.#inFolder(user, mailbox, {}, (open) => readMessages(open, uids));
    const copies = await this.#inFolder(
      user,
      target,
      {},
      (open) => addMessages(open, picked, { now: this.#clock.now(), fsync: this.#fsync }),
    );
    if (copies.length > 0) this.#tell(user, target, "messages");
    return picked.map((m, i) => ({ from: m.uid, to: copies[i] }));
  }

  async claimRecent(user: string, mailbox: string): Promise<number[]> {
    return await this.#inFolder(user, mailbox, SCAN, claimRecent);
  }

  async summary<T>(
    user: string,
    where: { mailbox: string; uid: number; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<T> {
    return await this.#inFolder(user, where.mailbox, {}, (open) => summaryOf(open, where, compute));
  }

  async summaries<T>(
    user: string,
    where: { mailbox: string; uids: readonly number[]; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<(T | undefined)[]> {
    const { kind } = where;
    return await this.#inFolder(user, where.mailbox, {}, async (open) => {
      const found: (T | undefined)[] = [];
      for (const uid of where.uids) {
        found.push(await orGone(summaryOf(open, { uid, kind }, compute)));
      }
      return found;
    });
  }

  watch(user: string, listener: (change: StoreChange) => void): () => void {
    this.#root.checkUser(this.#root.locate(user, "INBOX"));
    const name = checkUserName(user);
    let watchers = this.#watchers.get(name);
    if (!watchers) this.#watchers.set(name, watchers = new Set());
    watchers.add(listener);
    return () => watchers.delete(listener);
  }

  /** Runs `work` in the folder's turn, with the folder checked and brought up to date. */
  #inFolder<T>(
    user: string,
    mailbox: string,
    use: Use,
    work: (open: OpenFolder) => Promise<T>,
  ): Promise<T> {
    const folder = this.#root.locate(user, mailbox);
    return inTurn(folder.path, async () => {
      try {
        if (use.createUser) this.#root.createUser(folder);
        return await work(await this.#openChecked(folder, use));
      } catch (error) {
        // After a failure that is not the caller's, what is in memory may not match the disk.
        if (!isCallerError(error)) this.#forget(folder.path);
        throw storageError(error, folder);
      }
    });
  }

  /** Checks a folder and returns it up to date; the caller holds its turn. */
  async #openChecked(folder: MaildirFolder, use: Use = {}): Promise<OpenFolder> {
    const stat = this.#root.check(folder);
    let open = this.#open.get(folder.path);
    if (open?.id !== stat.id) {
      open = await OpenFolder.open(folder, stat.id, {
        fsync: this.#fsync,
        newUidValidity: () =>
          inTurn(
            `${folder.userDir}\0uidvalidity`,
            () => nextUidValidity(folder.userDir, this.#clock.now(), { fsync: this.#fsync }),
          ),
      });
      this.#open.set(folder.path, open);
    }
    await open.refresh(stat.mtimes, use.scan ?? false);
    return open;
  }

  #forget(path: string): void {
    for (const key of this.#open.keys()) {
      if (key === path || key.startsWith(`${path}.`)) this.#open.delete(key);
    }
  }

  #tell(user: string, mailbox: string, kind: StoreChange["kind"]): void {
    const change = { mailbox: this.#root.locate(user, mailbox).name, kind };
    for (const listener of this.#watchers.get(checkUserName(user)) ?? []) listener(change);
  }
}

/** Waits for an operation on a folder, the system's "disk full" made a StorageFullError. */
function stored<T>(folder: MaildirFolder, work: Promise<T>): Promise<T> {
  return work.catch((error) => Promise.reject(storageError(error, folder)));
}

function storageError(error: unknown, folder: MaildirFolder): unknown {
  const what = `Cannot write mailbox "${folder.name}" of user "${folder.user}"`;
  return StorageFullError.from(error, what) ?? error;
}

function isCallerError(error: unknown): boolean {
  return error instanceof NotFoundError || error instanceof InvalidNameError ||
    error instanceof AlreadyExistsError || error instanceof TypeError;
}
