/**
 * The mailbox store on disk, in the Maildir format that mutt, Dovecot and Courier read.
 *
 * ```
 * <root>/bob/                    bob's INBOX (a Maildir)
 *            tmp/ new/ cur/      delivery writes tmp/, renames into new/; flags move it to cur/
 *            toolkit-uidlist     "1 V<uidvalidity> N<uidnext>", then "<uid> <base name>" lines
 *            toolkit-uidvalidity the last UIDVALIDITY handed out for bob
 *            .Work.Course/       the mailbox "Work.Course" (a Maildir++ folder)
 *                tmp/ new/ cur/ maildirfolder toolkit-uidlist
 * ```
 *
 * @module
 */
import { join } from "node:path";
import type { Clock } from "../../protocol/clock.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import {
  AlreadyExistsError,
  type DeliverOptions,
  type MailboxStatus,
  type MailboxStore,
  type MessageInfo,
  normalizeFlags,
  NotFoundError,
  type SystemFlag,
} from "./store.ts";
import { formatMaildirName, parseMaildirName, uniqueBaseName } from "./maildir_name.ts";
import {
  type FolderMessage,
  type FolderState,
  inFolderTurn,
  syncFolder,
} from "./maildir_folder.ts";
import { type MaildirFolder, MaildirRoot } from "./maildir_root.ts";
import { syncDirectory, writeNewFile } from "../../runtime/atomic_file.ts";
import { uidListStamp, writeUidList } from "./maildir_uidlist.ts";

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
   * Whether a delivery waits until the disk has the message (fsync) before it counts as done.
   * Off trades crash safety for speed.
   * @default true
   */
  fsync?: boolean;
}

/**
 * Mailboxes in Maildir folders on disk. A delivery is atomic (written to `tmp/`, synced, renamed
 * into `new/`), flags live in file names (`:2,FS`), and IMAP UIDs and UIDVALIDITY persist in a
 * UID list per folder, so a new store on the same root sees the same UIDs. Mail programs may work
 * on the same Maildirs: what they add or remove is noticed the next time the folder is listed, and
 * their flag changes are read from the file names. Operations on one folder run one at a time
 * within the process (two stores on one root share the turns); there is no lock file, so two
 * processes of this toolkit must not write to one root at once.
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
 * await store.setFlags("bob", "INBOX", uid, ["\\Seen"]);
 * const [file] = await Array.fromAsync(Deno.readDir(`${root}/bob/cur`));
 * assert.match(file.name, /,S=22:2,S$/);
 * const again = new MaildirStore({ root });
 * assert.deepEqual((await again.list("bob", "INBOX")).map((m) => [m.uid, m.flags]), [[1, ["\\Seen"]]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class MaildirStore implements MailboxStore {
  #root: MaildirRoot;
  #clock: Clock;
  #fsync: boolean;
  /** What this store last saw of each folder, trusted while the folder's UID list is unchanged. */
  #seen = new Map<string, Seen>();

  /**
   * Creates a store over a directory; nothing is touched until the first operation.
   *
   * @param options The root, the clock, and whether to fsync.
   */
  constructor(options: MaildirStoreOptions) {
    this.#root = new MaildirRoot(options.root);
    this.#clock = options.clock ?? systemClock;
    this.#fsync = options.fsync ?? true;
  }

  /** The absolute path of the directory that holds the users' Maildirs. */
  get root(): string {
    return this.#root.path;
  }

  async ensureUser(user: string): Promise<void> {
    await this.#inTurn(user, "INBOX", async (folder) => {
      await this.#root.open(folder, { createInbox: true });
      await this.#sync(folder);
    });
  }

  async deliver(user: string, bytes: Uint8Array, options: DeliverOptions = {}): Promise<number> {
    const flags = normalizeFlags(options.flags ?? []);
    return await this.#inTurn(user, options.mailbox ?? "INBOX", async (folder) => {
      await this.#root.open(folder, { createInbox: folder.name === "INBOX" });
      // No scan: files that others added get their UIDs at the next listing, after this one.
      const state = (await this.#unchanged(folder))?.state ?? await this.#sync(folder);
      const now = this.#clock.now();
      const base = uniqueBaseName(now, bytes.length);
      const tmp = join(folder.path, "tmp", base);
      const dir = flags.length === 0 ? "new" : "cur";
      const filename = dir === "new" ? base : formatMaildirName(base, flags);
      try {
        const mtime = new Date(options.internalDate ?? now);
        await writeNewFile(tmp, bytes, { fsync: this.#fsync, mtime });
        await Deno.rename(tmp, join(folder.path, dir, filename));
      } catch (error) {
        await Deno.remove(tmp).catch(() => {}); // the write's error is the one worth reporting
        throw error;
      }
      if (this.#fsync) await syncDirectory(join(folder.path, dir));
      // A crash before the list is saved loses nothing: the next sync gives the file this UID.
      const uid = state.list.uidNext++;
      state.list.uids.set(base, uid);
      state.messages.push({ uid, dir, filename, name: parseMaildirName(filename) });
      await this.#save(folder, state);
      return uid;
    });
  }

  async mailboxes(user: string): Promise<string[]> {
    const folder = this.#root.locate(user, "INBOX");
    await this.#root.open(folder);
    return ["INBOX", ...await this.#root.folderNames(folder)];
  }

  async createMailbox(user: string, name: string): Promise<void> {
    await this.#inTurn(user, name, async (folder) => {
      await this.#root.checkUser(folder);
      if (folder.name === "INBOX") throw new AlreadyExistsError(`Mailbox "${name}" exists already`);
      try {
        await Deno.mkdir(folder.path);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        throw new AlreadyExistsError(`Mailbox "${name}" exists already`);
      }
      await this.#root.open(folder);
      // Maildir++ marks a folder so that delivery agents know it is not a top-level Maildir.
      await Deno.writeFile(join(folder.path, "maildirfolder"), new Uint8Array());
      await this.#sync(folder);
    });
  }

  async status(user: string, mailbox: string): Promise<MailboxStatus> {
    return await this.#inTurn(user, mailbox, async (folder) => {
      await this.#root.open(folder);
      const { list, messages } = await this.#sync(folder);
      return {
        name: folder.name,
        uidValidity: list.uidValidity,
        uidNext: list.uidNext,
        messages: messages.length,
        unseen: messages.filter((m) => !m.name.flags.includes("\\Seen")).length,
      };
    });
  }

  async list(user: string, mailbox: string): Promise<MessageInfo[]> {
    return await this.#inTurn(user, mailbox, async (folder) => {
      await this.#root.open(folder);
      const describe = async ({ messages }: FolderState) =>
        await Promise.all(messages.map(async (message) => {
          const { name } = message;
          const stat = await Deno.stat(messagePath(folder, message));
          return {
            uid: message.uid,
            flags: [...name.flags],
            size: name.size ?? stat.size,
            internalDate: stat.mtime?.getTime() ?? name.time ?? 0,
          };
        }));
      try {
        return await describe(await this.#sync(folder));
      } catch (error) {
        // Another mail program may rename a message (mutt marking it read) under us: look again.
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        return await describe(await this.#sync(folder));
      }
    });
  }

  async read(user: string, mailbox: string, uid: number): Promise<Uint8Array> {
    return await this.#inTurn(user, mailbox, async (folder) => {
      await this.#root.open(folder);
      return await this.#withMessage(folder, uid, (message) => {
        return Deno.readFile(messagePath(folder, message));
      });
    });
  }

  async setFlags(user: string, mailbox: string, uid: number, flags: SystemFlag[]): Promise<void> {
    const normal = normalizeFlags(flags);
    await this.#inTurn(user, mailbox, async (folder) => {
      await this.#root.open(folder);
      await this.#withMessage(folder, uid, async (message) => {
        const filename = formatMaildirName(message.name.base, normal, message.name.otherLetters);
        if (message.dir === "cur" && message.filename === filename) return;
        await Deno.rename(messagePath(folder, message), join(folder.path, "cur", filename));
        Object.assign(message, { dir: "cur", filename, name: parseMaildirName(filename) });
      });
    });
  }

  async expunge(user: string, mailbox: string, uids: number[]): Promise<void> {
    const gone = new Set(uids);
    await this.#inTurn(user, mailbox, async (folder) => {
      await this.#root.open(folder);
      const state = await this.#sync(folder);
      const doomed = state.messages.filter((m) => gone.has(m.uid));
      for (const message of doomed) {
        await Deno.remove(messagePath(folder, message)).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error; // removed from outside
        });
        state.list.uids.delete(message.name.base);
      }
      state.messages = state.messages.filter((m) => !gone.has(m.uid));
      if (doomed.length > 0) await this.#save(folder, state);
    });
  }

  /** Checks the names, then runs `work` in the folder's turn. */
  async #inTurn<T>(user: string, mailbox: string, work: (folder: MaildirFolder) => Promise<T>) {
    const folder = this.#root.locate(user, mailbox);
    return await inFolderTurn(folder.path, () => work(folder));
  }

  async #sync(folder: MaildirFolder): Promise<FolderState> {
    const state = await syncFolder(folder.path, {
      userDir: folder.userDir,
      now: this.#clock.now(),
      fsync: this.#fsync,
    });
    await this.#remember(folder, state);
    return state;
  }

  async #save(folder: MaildirFolder, state: FolderState): Promise<void> {
    const tmpDir = join(folder.path, "tmp");
    await writeUidList(folder.path, state.list, { tmpDir, fsync: this.#fsync });
    await this.#remember(folder, state);
  }

  async #remember(folder: MaildirFolder, state: FolderState): Promise<void> {
    const byUid = new Map(state.messages.map((m) => [m.uid, m]));
    this.#seen.set(folder.path, { stamp: await uidListStamp(folder.path), state, byUid });
  }

  /** What this store last saw of a folder, if its UID list has not been rewritten since. */
  async #unchanged(folder: MaildirFolder): Promise<Seen | undefined> {
    const seen = this.#seen.get(folder.path);
    if (seen && seen.stamp !== "" && seen.stamp === await uidListStamp(folder.path)) return seen;
    this.#seen.delete(folder.path);
  }

  /**
   * Runs `work` on one message. A UID means the same file for as long as the UID list is not
   * rewritten, so a read or a flag change needs no new scan of the folder (which would make a
   * FETCH of every message cost the square of their number). If the file moved under us
   * (another mail program changed its flags), the folder is scanned again and `work` retried.
   */
  async #withMessage<T>(
    folder: MaildirFolder,
    uid: number,
    work: (message: FolderMessage) => Promise<T>,
  ): Promise<T> {
    const known = (await this.#unchanged(folder))?.byUid.get(uid);
    if (known) {
      try {
        return await work(known);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    const find = async () => {
      const message = (await this.#sync(folder)).messages.find((m) => m.uid === uid);
      if (!message) throw new NotFoundError(`No message with UID ${uid} in "${folder.name}"`);
      return message;
    };
    try {
      return await work(await find());
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return await work(await find());
    }
  }
}

/** A folder as this store last saw it. */
interface Seen {
  /** The UID list's {@linkcode uidListStamp} then. */
  stamp: string;
  state: FolderState;
  byUid: Map<number, FolderMessage>;
}

function messagePath(folder: MaildirFolder, message: FolderMessage): string {
  return join(folder.path, message.dir, message.filename);
}
