/**
 * Where mailboxes live under a Maildir store's root, and the proof that they stay there: names
 * pass the store's checks before they become paths, and no symbolic link below the root is ever
 * followed: every directory on the way to a message is looked at with `lstat` (which does not
 * follow links) at each operation, and refused when it is a link.
 *
 * The checks are synchronous: an `lstat` costs a few microseconds, and the asynchronous call
 * would cost ten times that for each of the five directories checked.
 *
 * @module
 */
import { join, resolve, sep } from "node:path";
import { checkMailboxName, checkUserName, InvalidNameError, NotFoundError } from "./store.ts";
import { DIR_MODE } from "./maildir_message_file.ts";

/** Where one mailbox lives: its names checked, its paths joined. */
export interface MaildirFolder {
  /** The user, in lower case. */
  user: string;
  /** The canonical mailbox name. */
  name: string;
  /** The user's Maildir, which is also the INBOX. */
  userDir: string;
  /** The mailbox's Maildir: the user's for INBOX, else the Maildir++ folder `.<name>`. */
  path: string;
}

/** A Maildir's subdirectories. */
export type Subdir = "tmp" | "new" | "cur";

/** What one check of a folder saw: which directory it is, and when its halves changed. */
export interface FolderStat {
  /** The folder directory's device and inode: another directory under the same name differs. */
  id: string;
  /** The modification times of `new/` and `cur/` (those checked), in milliseconds. */
  mtimes: { new?: number; cur?: number };
}

/**
 * The root directory of a Maildir store.
 *
 * @example Locate a folder and refuse a way out
 * ```ts
 * import assert from "node:assert/strict";
 * import { MaildirRoot } from "./maildir_root.ts";
 *
 * const root = new MaildirRoot("/srv/mail");
 * assert.equal(root.locate("Bob", "Work.Course").path, "/srv/mail/bob/.Work.Course");
 * assert.equal(root.locate("bob", "inbox").path, "/srv/mail/bob");
 * assert.throws(() => root.locate("bob", "../alice"), { name: "InvalidNameError" });
 * ```
 */
export class MaildirRoot {
  #path: string;

  /**
   * Names the root; nothing on disk is touched yet.
   *
   * @param path The root directory, absolute or relative to the working directory.
   */
  constructor(path: string) {
    this.#path = resolve(path);
  }

  /** The root's absolute path. */
  get path(): string {
    return this.#path;
  }

  /**
   * Checks a user and a mailbox name and says where the mailbox lives.
   *
   * @param user The user.
   * @param mailbox The mailbox.
   * @returns The folder's names and paths.
   * @throws {InvalidNameError} When a name is refused.
   */
  locate(user: string, mailbox: string): MaildirFolder {
    const userName = checkUserName(user);
    const name = checkMailboxName(mailbox);
    const userDir = join(this.#path, userName);
    const path = name === "INBOX" ? userDir : join(userDir, `.${name}`);
    // The name checks already rule this out; a second, independent check costs nothing.
    if (!path.startsWith(this.#path + sep) || resolve(path) !== path) {
      throw new InvalidNameError(`Mailbox "${mailbox}" of user "${user}" leaves the store's root`);
    }
    return { user: userName, name, userDir, path };
  }

  /**
   * Makes a user's Maildir (the INBOX) if it is missing.
   *
   * @param folder A folder of the user.
   */
  createUser(folder: MaildirFolder): void {
    try {
      Deno.lstatSync(folder.userDir);
      return; // there (what it is, the check that follows says)
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    Deno.mkdirSync(this.#path, { recursive: true, mode: DIR_MODE });
    try {
      Deno.mkdirSync(folder.userDir, { mode: DIR_MODE });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }

  /**
   * Checks that a folder is a directory inside the root, reached through no symbolic link, with
   * the subdirectories an operation needs (made when another program left them out).
   *
   * @param folder The folder.
   * @param subdirs The subdirectories to check. @default all three
   * @returns Which directory it is, and the modification times of `new/` and `cur/`.
   * @throws {NotFoundError} When the user or the mailbox does not exist.
   * @throws {InvalidNameError} When a directory on the way is a symbolic link.
   */
  check(folder: MaildirFolder, subdirs: readonly Subdir[] = ["tmp", "new", "cur"]): FolderStat {
    const user = this.#lstatDir(folder.userDir, folder, `No such user "${folder.user}"`);
    const dir = folder.path === folder.userDir
      ? user
      : this.#lstatDir(folder.path, folder, `No such mailbox "${folder.name}"`);
    const mtimes: FolderStat["mtimes"] = {};
    for (const sub of subdirs) {
      const path = join(folder.path, sub);
      let stat: Deno.FileInfo;
      try {
        stat = this.#lstatDir(path, folder, `No directory "${path}"`);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        try {
          Deno.mkdirSync(path, { mode: DIR_MODE });
        } catch (error) {
          if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        }
        stat = this.#lstatDir(path, folder, `No directory "${path}"`);
      }
      if (sub !== "tmp") mtimes[sub] = stat.mtime?.getTime() ?? 0;
    }
    return { id: `${dir.dev}:${dir.ino}`, mtimes };
  }

  /**
   * Checks that the folder's user exists inside the root.
   *
   * @param folder A folder of the user.
   * @throws {NotFoundError} When the user does not exist.
   * @throws {InvalidNameError} When the user's Maildir is a symbolic link.
   */
  checkUser(folder: MaildirFolder): void {
    this.#lstatDir(folder.userDir, folder, `No such user "${folder.user}"`);
  }

  /**
   * Whether a mailbox's folder exists (as a directory, not a link).
   *
   * @param folder The folder.
   * @returns True when it does.
   */
  exists(folder: MaildirFolder): boolean {
    try {
      return Deno.lstatSync(folder.path).isDirectory;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  /**
   * Lists the names of a user's Maildir++ folders, sorted. Symbolic links are not followed, and
   * names the store would refuse are left out.
   *
   * @param folder A folder of the user, already checked.
   * @returns The mailbox names other than INBOX.
   */
  async folderNames(folder: MaildirFolder): Promise<string[]> {
    const names: string[] = [];
    for await (const entry of Deno.readDir(folder.userDir)) {
      if (entry.isDirectory && entry.name.startsWith(".")) {
        const name = entry.name.slice(1);
        if (isCanonicalName(name)) names.push(name);
      }
    }
    return names.sort();
  }

  #lstatDir(path: string, folder: MaildirFolder, missing: string): Deno.FileInfo {
    let stat: Deno.FileInfo;
    try {
      stat = Deno.lstatSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new NotFoundError(missing);
      throw error;
    }
    if (stat.isSymlink) {
      throw new InvalidNameError(
        `Mailbox "${folder.name}" of user "${folder.user}" is reached through a symbolic link`,
      );
    }
    if (!stat.isDirectory) throw new NotFoundError(missing);
    return stat;
  }
}

function isCanonicalName(name: string): boolean {
  try {
    return checkMailboxName(name) === name && name !== "INBOX";
  } catch (error) {
    if (error instanceof InvalidNameError) return false;
    throw error;
  }
}
