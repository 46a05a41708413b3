/**
 * Where mailboxes live under a Maildir store's root, and the proof that they stay there: names
 * pass the store's checks before they become paths, and every directory is resolved through its
 * symbolic links and refused if it ends up outside the root.
 *
 * @module
 */
import { join, resolve, sep } from "node:path";
import { checkMailboxName, checkUserName, InvalidNameError, NotFoundError } from "./store.ts";

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

/** Options of {@linkcode MaildirRoot.open}. */
export interface OpenFolderOptions {
  /** Create the user's INBOX when it is missing. @default false */
  createInbox?: boolean;
}

const SUBDIRS = ["tmp", "new", "cur"] as const;

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
  #real: string | undefined;

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
    if (!isBelow(path, this.#path) || resolve(path) !== path) {
      throw new InvalidNameError(`Mailbox "${mailbox}" of user "${user}" leaves the store's root`);
    }
    return { user: userName, name, userDir, path };
  }

  /**
   * Checks that a folder exists inside the root with `tmp/`, `new/` and `cur/`, creating the
   * subdirectories that other programs may leave out, and the user's INBOX when asked.
   *
   * @param folder The folder.
   * @param options Whether to create a missing INBOX.
   * @throws {NotFoundError} When the user or the mailbox does not exist.
   * @throws {InvalidNameError} When a symbolic link leads out of the root.
   */
  async open(folder: MaildirFolder, options: OpenFolderOptions = {}): Promise<void> {
    if (options.createInbox) await Deno.mkdir(folder.userDir, { recursive: true });
    await this.checkUser(folder);
    if (folder.path !== folder.userDir) {
      await this.#checkDir(folder.path, `No such mailbox "${folder.name}"`, folder);
    }
    for (const sub of SUBDIRS) {
      const path = join(folder.path, sub);
      try {
        await this.#checkDir(path, `No directory "${path}"`, folder);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        await Deno.mkdir(path).catch((error) => {
          if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        });
      }
    }
  }

  /**
   * Checks that the folder's user exists inside the root.
   *
   * @param folder A folder of the user.
   * @throws {NotFoundError} When the user does not exist.
   * @throws {InvalidNameError} When a symbolic link leads out of the root.
   */
  async checkUser(folder: MaildirFolder): Promise<void> {
    await this.#checkDir(folder.userDir, `No such user "${folder.user}"`, folder);
  }

  /**
   * Lists the names of a user's Maildir++ folders, sorted. Symbolic links are not followed, and
   * names the store would refuse are left out.
   *
   * @param folder A folder of the user, already opened.
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

  /** Resolves symbolic links and refuses a directory that ends up outside the root. */
  async #checkDir(path: string, missing: string, folder: MaildirFolder): Promise<void> {
    let real: string;
    try {
      this.#real ??= await Deno.realPath(this.#path);
      real = await Deno.realPath(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new NotFoundError(missing);
      throw error;
    }
    if (!isBelow(real, this.#real)) {
      throw new InvalidNameError(
        `Mailbox "${folder.name}" of user "${folder.user}" leaves the store's root`,
      );
    }
    if (!(await Deno.stat(real)).isDirectory) throw new NotFoundError(missing);
  }
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
