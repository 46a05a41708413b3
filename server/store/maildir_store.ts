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
import { join, resolve, sep } from "node:path";
import type { Clock } from "../../protocol/clock.ts";
import { systemClock } from "../../client/system_clock.ts";
import {
  AlreadyExistsError,
  checkMailboxName,
  checkUserName,
  type DeliverOptions,
  InvalidNameError,
  type MailboxStatus,
  type MailboxStore,
  type MessageInfo,
  normalizeFlags,
  NotFoundError,
  type SystemFlag,
} from "./store.ts";
import { formatMaildirName, uniqueBaseName } from "./maildir_name.ts";
import {
  type FolderMessage,
  type FolderState,
  inFolderTurn,
  syncFolder,
} from "./maildir_folder.ts";
import { syncDirectory, writeNewFile, writeUidList } from "./maildir_uidlist.ts";

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

/** Where one mailbox lives: names already checked, paths already joined. */
interface Folder {
  user: string;
  name: string;
  userDir: string;
  path: string;
}

const SUBDIRS = ["tmp", "new", "cur"] as const;

/**
 * Mailboxes in Maildir folders on disk. A delivery is atomic (written to `tmp/`, synced, renamed
 * into `new/`), flags live in file names (`:2,FS`), and IMAP UIDs and UIDVALIDITY persist in a
 * UID list per folder, so a new store on the same root sees the same UIDs. Messages that another
 * program adds or removes are noticed the next time the folder is read. Operations on one folder
 * run one at a time within the process; two processes must not share a root.
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
  #root: string;
  #realRoot: string | undefined;
  #clock: Clock;
  #fsync: boolean;

  /**
   * Creates a store over a directory; nothing is touched until the first operation.
   *
   * @param options The root, the clock, and whether to fsync.
   */
  constructor(options: MaildirStoreOptions) {
    this.#root = resolve(options.root);
    this.#clock = options.clock ?? systemClock;
    this.#fsync = options.fsync ?? true;
  }

  /** The absolute path of the directory that holds the users' Maildirs. */
  get root(): string {
    return this.#root;
  }

  async ensureUser(user: string): Promise<void> {
    await this.#inTurn(user, "INBOX", async (folder) => {
      await this.#open(folder, true);
      await this.#sync(folder);
    });
  }

  async deliver(user: string, bytes: Uint8Array, options: DeliverOptions = {}): Promise<number> {
    const flags = normalizeFlags(options.flags ?? []);
    return await this.#inTurn(user, options.mailbox ?? "INBOX", async (folder) => {
      await this.#open(folder, folder.name === "INBOX");
      const { list } = await this.#sync(folder);
      const now = this.#clock.now();
      const base = uniqueBaseName(now, bytes.length);
      const tmp = join(folder.path, "tmp", base);
      const dir = flags.length === 0 ? "new" : "cur";
      const target = join(folder.path, dir, dir === "new" ? base : formatMaildirName(base, flags));
      try {
        const mtime = new Date(options.internalDate ?? now);
        await writeNewFile(tmp, bytes, { fsync: this.#fsync, mtime });
        await Deno.rename(tmp, target);
      } catch (error) {
        await Deno.remove(tmp).catch(() => {}); // the write's error is the one worth reporting
        throw error;
      }
      if (this.#fsync) await syncDirectory(join(folder.path, dir));
      // A crash before the list is saved loses nothing: the next sync gives the file this UID.
      const uid = list.uidNext++;
      list.uids.set(base, uid);
      await this.#saveList(folder, list);
      return uid;
    });
  }

  async mailboxes(user: string): Promise<string[]> {
    const folder = this.#locate(user, "INBOX");
    await this.#open(folder, false);
    const names: string[] = [];
    for await (const entry of Deno.readDir(folder.userDir)) {
      // Symbolic links are not followed, and names this store would refuse are not offered.
      if (entry.isDirectory && entry.name.startsWith(".")) {
        const name = entry.name.slice(1);
        if (isCanonicalName(name)) names.push(name);
      }
    }
    return ["INBOX", ...names.sort()];
  }

  async createMailbox(user: string, name: string): Promise<void> {
    await this.#inTurn(user, name, async (folder) => {
      await this.#checkDir(folder.userDir, `No such user "${user}"`, folder);
      if (folder.name === "INBOX") throw new AlreadyExistsError(`Mailbox "${name}" exists already`);
      try {
        await Deno.mkdir(folder.path);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        throw new AlreadyExistsError(`Mailbox "${name}" exists already`);
      }
      await this.#open(folder, false);
      // Maildir++ marks a folder so that delivery agents know it is not a top-level Maildir.
      await Deno.writeFile(join(folder.path, "maildirfolder"), new Uint8Array());
      await this.#sync(folder);
    });
  }

  async status(user: string, mailbox: string): Promise<MailboxStatus> {
    return await this.#inTurn(user, mailbox, async (folder) => {
      await this.#open(folder, false);
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
      await this.#open(folder, false);
      return await this.#retrying(
        folder,
        ({ messages }) =>
          Promise.all(messages.map(async (message) => {
            const { name } = message;
            const stat = await Deno.stat(messagePath(folder, message));
            return {
              uid: message.uid,
              flags: name.flags,
              size: name.size ?? stat.size,
              internalDate: stat.mtime?.getTime() ?? name.time ?? 0,
            };
          })),
      );
    });
  }

  async read(user: string, mailbox: string, uid: number): Promise<Uint8Array> {
    return await this.#inTurn(user, mailbox, async (folder) => {
      await this.#open(folder, false);
      return await this.#retrying(
        folder,
        (state) => Deno.readFile(messagePath(folder, findMessage(state, folder, uid))),
      );
    });
  }

  async setFlags(user: string, mailbox: string, uid: number, flags: SystemFlag[]): Promise<void> {
    const normal = normalizeFlags(flags);
    await this.#inTurn(user, mailbox, async (folder) => {
      await this.#open(folder, false);
      await this.#retrying(folder, async (state) => {
        const message = findMessage(state, folder, uid);
        const { base, otherLetters } = message.name;
        const filename = formatMaildirName(base, normal, otherLetters);
        if (message.dir === "cur" && message.filename === filename) return;
        await Deno.rename(messagePath(folder, message), join(folder.path, "cur", filename));
      });
    });
  }

  async expunge(user: string, mailbox: string, uids: number[]): Promise<void> {
    const gone = new Set(uids);
    await this.#inTurn(user, mailbox, async (folder) => {
      await this.#open(folder, false);
      const { list, messages } = await this.#sync(folder);
      const doomed = messages.filter((m) => gone.has(m.uid));
      for (const message of doomed) {
        await Deno.remove(messagePath(folder, message)).catch((error) => {
          if (!(error instanceof Deno.errors.NotFound)) throw error; // removed from outside
        });
        list.uids.delete(message.name.base);
      }
      if (doomed.length > 0) await this.#saveList(folder, list);
    });
  }

  /** Checks the names, then runs `work` in the folder's turn. */
  async #inTurn<T>(user: string, mailbox: string, work: (folder: Folder) => Promise<T>) {
    const folder = this.#locate(user, mailbox);
    return await inFolderTurn(folder.path, () => work(folder));
  }

  #locate(user: string, mailbox: string): Folder {
    const userName = checkUserName(user);
    const name = checkMailboxName(mailbox);
    const userDir = join(this.#root, userName);
    const path = name === "INBOX" ? userDir : join(userDir, `.${name}`);
    // The name checks already rule this out; a second, independent check costs nothing.
    if (!isBelow(path, this.#root) || resolve(path) !== path) {
      throw new InvalidNameError(`Mailbox "${mailbox}" of user "${user}" leaves the store's root`);
    }
    return { user: userName, name, userDir, path };
  }

  /** Checks that a folder exists inside the root, creating a user's INBOX when asked. */
  async #open(folder: Folder, createInbox: boolean): Promise<void> {
    if (createInbox) await Deno.mkdir(folder.userDir, { recursive: true });
    await this.#checkDir(folder.userDir, `No such user "${folder.user}"`, folder);
    if (folder.path !== folder.userDir) {
      await this.#checkDir(folder.path, `No such mailbox "${folder.name}"`, folder);
    }
    for (const sub of SUBDIRS) {
      const path = join(folder.path, sub);
      try {
        await this.#checkDir(path, "", folder);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        // Some programs leave out tmp/ or cur/ until they need them.
        await Deno.mkdir(path).catch((error) => {
          if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        });
      }
    }
  }

  /** Resolves symbolic links and refuses a directory that ends up outside the root. */
  async #checkDir(path: string, missing: string, folder: Folder): Promise<void> {
    let real: string;
    try {
      this.#realRoot ??= await Deno.realPath(this.#root);
      real = await Deno.realPath(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new NotFoundError(missing);
      throw error;
    }
    if (!isBelow(real, this.#realRoot)) {
      throw new InvalidNameError(
        `Mailbox "${folder.name}" of user "${folder.user}" leaves the store's root`,
      );
    }
    if (!(await Deno.stat(real)).isDirectory) throw new NotFoundError(missing);
  }

  #sync(folder: Folder): Promise<FolderState> {
    return syncFolder(folder.path, {
      userDir: folder.userDir,
      now: this.#clock.now(),
      fsync: this.#fsync,
    });
  }

  #saveList(folder: Folder, list: FolderState["list"]): Promise<void> {
    return writeUidList(folder.path, list, {
      tmpDir: join(folder.path, "tmp"),
      fsync: this.#fsync,
    });
  }

  /**
   * Runs `work` on a fresh view of the folder, and once more if a file vanished under it: another
   * mail program may rename a message (mutt marking it read) between our scan and our use of it.
   */
  async #retrying<T>(folder: Folder, work: (state: FolderState) => Promise<T>): Promise<T> {
    try {
      return await work(await this.#sync(folder));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return await work(await this.#sync(folder));
    }
  }
}

function findMessage(state: FolderState, folder: Folder, uid: number): FolderMessage {
  const message = state.messages.find((m) => m.uid === uid);
  if (!message) throw new NotFoundError(`No message with UID ${uid} in "${folder.name}"`);
  return message;
}

function messagePath(folder: Folder, message: FolderMessage): string {
  return join(folder.path, message.dir, message.filename);
}

function isBelow(path: string, root: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function isCanonicalName(name: string): boolean {
  try {
    return checkMailboxName(name) === name;
  } catch (error) {
    if (error instanceof InvalidNameError) return false;
    throw error;
  }
}
