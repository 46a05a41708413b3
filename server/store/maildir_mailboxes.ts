/**
 * A user's tree of mailboxes in a Maildir store: Maildir++ folders (`.Work`, `.Work.Course`)
 * beside the INBOX, made, deleted and renamed as directories, with the user's subscriptions and
 * special uses in their own files (see maildir_user.ts).
 *
 * Deleting renames the folder out of the tree first (to `toolkit-deleted-<uuid>`, which is no
 * mailbox name), then removes it, so the mailbox is gone at once and a crash halfway leaves no
 * half mailbox. Renaming moves each folder of the subtree by one rename, keeping its index and
 * so its UIDVALIDITY; a crash halfway leaves some children under the old name, all intact.
 * Renaming INBOX moves its messages into a new folder, one rename per file.
 *
 * @module
 */
import { join } from "node:path";
import {
  AlreadyExistsError,
  InvalidNameError,
  type MailboxInfo,
  NotFoundError,
  SPECIAL_MAILBOXES,
  type SpecialUse,
  type StoreChange,
} from "./store.ts";
import type { MaildirFolder, MaildirRoot } from "./maildir_root.ts";
import type { OpenFolder } from "./maildir_folder.ts";
import { moveMessages } from "./maildir_writes.ts";
import { DIR_MODE, writeNewFile } from "./maildir_message_file.ts";
import { inTurns } from "./maildir_turn.ts";
import {
  readSpecialUse,
  readSubscriptions,
  writeSpecialUse,
  writeSubscriptions,
} from "./maildir_user.ts";

/** What the mailbox tree needs from its store. */
export interface MailboxesContext {
  /** The store's root. */
  root: MaildirRoot;
  /** Whether to fsync the files written. */
  fsync: boolean;
  /** Opens a folder, checked and up to date; the caller holds its turn. */
  open: (folder: MaildirFolder) => Promise<OpenFolder>;
  /** Forgets what the store keeps in memory of a folder. */
  forget: (path: string) => void;
  /** Tells the store's watchers. */
  tell: (user: string, change: StoreChange) => void;
}

/**
 * The mailbox tree of a Maildir store, one user at a time. {@linkcode MaildirStore} is its only
 * user; its behaviour is the store's.
 *
 * @example Through the store
 * ```ts
 * import assert from "node:assert/strict";
 * import { MaildirStore } from "./maildir_store.ts";
 *
 * const root = await Deno.makeTempDir();
 * const store = new MaildirStore({ root, fsync: false });
 * await store.ensureUser("bob");
 * await store.createMailbox("bob", "Work.Course");
 * await store.renameMailbox("bob", "Work.Course", "Old");
 * const names = (await store.mailboxes("bob")).map((m) => m.name);
 * assert.deepEqual(names, ["INBOX", "Drafts", "Junk", "Old", "Sent", "Trash"]);
 * assert.ok((await Array.fromAsync(Deno.readDir(`${root}/bob`))).some((e) => e.name === ".Old"));
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class MaildirMailboxes {
  #context: MailboxesContext;

  /**
   * Makes the tree.
   *
   * @param context What it needs from the store.
   */
  constructor(context: MailboxesContext) {
    this.#context = context;
  }

  /**
   * Lists a user's mailboxes, INBOX first.
   *
   * @param inbox The user's INBOX.
   * @returns The mailboxes with their special uses.
   */
  async list(inbox: MaildirFolder): Promise<MailboxInfo[]> {
    this.#context.root.checkUser(inbox);
    const uses = await readSpecialUse(inbox.userDir);
    const names = ["INBOX", ...await this.#context.root.folderNames(inbox)];
    return names.map((name) => {
      const specialUse = uses.get(name);
      return specialUse ? { name, specialUse } : { name };
    });
  }

  /**
   * Makes a mailbox, with a fresh UIDVALIDITY.
   *
   * @param folder The new mailbox.
   * @param specialUse Its special use.
   */
  async create(folder: MaildirFolder, specialUse?: SpecialUse): Promise<void> {
    await inTurns([this.#key(folder), folder.path], async () => {
      this.#context.root.checkUser(folder);
      if (folder.name === "INBOX" || this.#context.root.exists(folder)) {
        throw new AlreadyExistsError(`Mailbox "${folder.name}" exists already`);
      }
      await this.#make(folder);
      await this.#orUnmake([folder], () =>
        this.#setUses(folder, (uses) => {
          if (specialUse) uses.set(folder.name, specialUse);
          else uses.delete(folder.name);
        }));
    });
    this.#context.tell(folder.user, { mailbox: folder.name, kind: "mailboxes" });
  }

  /**
   * Makes the special-use mailboxes (Sent, Drafts, Trash, Junk) that are missing.
   *
   * @param inbox The user's INBOX, which exists.
   */
  async ensureSpecial(inbox: MaildirFolder): Promise<void> {
    const wanted = SPECIAL_MAILBOXES.map((s) => ({ ...s, folder: this.#locate(inbox, s.name) }));
    await inTurns([this.#key(inbox), ...wanted.map((w) => w.folder.path)], async () => {
      const missing = wanted.filter((w) => !this.#context.root.exists(w.folder));
      if (missing.length === 0) return;
      const made: MaildirFolder[] = [];
      await this.#orUnmake(made, async () => {
        for (const { folder } of missing) {
          await this.#make(folder);
          made.push(folder);
        }
        await this.#setUses(inbox, (uses) => {
          for (const { name, use } of missing) uses.set(name, use);
        });
      });
    });
  }

  /**
   * Deletes a mailbox and its messages; its children stay.
   *
   * @param folder The mailbox; never INBOX.
   */
  async delete(folder: MaildirFolder): Promise<void> {
    if (folder.name === "INBOX") throw new InvalidNameError("INBOX cannot be deleted");
    await inTurns([this.#key(folder), folder.path], async () => {
      this.#context.root.checkUser(folder);
      if (!this.#context.root.exists(folder)) {
        throw new NotFoundError(`No such mailbox "${folder.name}"`);
      }
      const doomed = join(folder.userDir, `toolkit-deleted-${crypto.randomUUID()}`);
      Deno.renameSync(folder.path, doomed);
      this.#context.forget(folder.path);
      await Deno.remove(doomed, { recursive: true });
      await this.#setUses(folder, (uses) => uses.delete(folder.name));
    });
    this.#context.tell(folder.user, { mailbox: folder.name, kind: "mailboxes" });
  }

  /**
   * Renames a mailbox and its children; renaming INBOX moves its messages.
   *
   * @param from The mailbox.
   * @param to Its new name, which must not exist.
   */
  async rename(from: MaildirFolder, to: MaildirFolder): Promise<void> {
    const { root } = this.#context;
    await inTurns([this.#key(from), from.path, to.path], async () => {
      root.checkUser(from);
      if (!root.exists(from)) throw new NotFoundError(`No such mailbox "${from.name}"`);
      if (to.name === "INBOX" || root.exists(to)) {
        throw new AlreadyExistsError(`Mailbox "${to.name}" exists already`);
      }
      if (to.name.startsWith(`${from.name}.`)) {
        throw new InvalidNameError(`Cannot rename "${from.name}" to "${to.name}"`);
      }
      if (from.name === "INBOX") return await this.#renameInbox(from, to);
      const children = (await root.folderNames(from)).filter((n) => n.startsWith(`${from.name}.`));
      // Every new name is checked, and must be free, before anything moves.
      const moves = [from, ...children.map((n) => this.#locate(from, n))].map((folder) => ({
        folder,
        target: this.#locate(from, to.name + folder.name.slice(from.name.length)),
      }));
      const taken = moves.find((move) => root.exists(move.target));
      if (taken) throw new AlreadyExistsError(`Mailbox "${taken.target.name}" exists already`);
      const paths = moves.slice(1).flatMap((move) => [move.folder.path, move.target.path]);
      await inTurns(paths, async () => {
        for (const { folder, target } of moves) {
          Deno.renameSync(folder.path, target.path);
          this.#context.forget(folder.path);
          this.#context.forget(target.path);
        }
        await this.#setUses(from, (uses) => {
          for (const { folder, target } of moves) {
            const use = uses.get(folder.name);
            uses.delete(folder.name);
            if (use) uses.set(target.name, use);
          }
        });
      });
    });
    this.#context.tell(from.user, { mailbox: from.name, kind: "mailboxes" });
  }

  /**
   * The user's subscriptions.
   *
   * @param inbox The user's INBOX.
   * @returns The names, sorted.
   */
  async subscriptions(inbox: MaildirFolder): Promise<string[]> {
    this.#context.root.checkUser(inbox);
    return (await readSubscriptions(inbox.userDir)).names.sort();
  }

  /**
   * Subscribes to a mailbox name, or unsubscribes.
   *
   * @param folder The name, as a folder of the user (existing or not).
   * @param subscribed Whether to subscribe.
   */
  async subscribe(folder: MaildirFolder, subscribed: boolean): Promise<void> {
    await inTurns([this.#key(folder)], async () => {
      this.#context.root.checkUser(folder);
      const file = await readSubscriptions(folder.userDir);
      const names = file.names.filter((name) => name !== folder.name);
      if (subscribed) names.push(folder.name);
      if (names.length === file.names.length && names.every((n, i) => n === file.names[i])) return;
      await writeSubscriptions(folder.userDir, { ...file, names }, { fsync: this.#context.fsync });
    });
  }

  async #renameInbox(inbox: MaildirFolder, to: MaildirFolder): Promise<void> {
    await this.#make(to);
    try {
      const target = await this.#context.open(to);
      await moveMessages(await this.#context.open(inbox), target);
    } catch (error) {
      // Halfway (the disk full, say), memory may not match the disk: both are read again.
      this.#context.forget(inbox.path);
      this.#context.forget(to.path);
      throw error;
    }
  }

  /** Makes a Maildir++ folder and its index; the caller holds the turns. */
  async #make(folder: MaildirFolder): Promise<void> {
    try {
      Deno.mkdirSync(folder.path, { mode: DIR_MODE });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      throw new AlreadyExistsError(`Mailbox "${folder.name}" exists already`);
    }
    await this.#orUnmake([folder], async () => {
      for (const sub of ["tmp", "new", "cur"]) {
        Deno.mkdirSync(join(folder.path, sub), { mode: DIR_MODE });
      }
      // Maildir++ marks a folder so that delivery agents know it is not a top-level Maildir.
      await writeNewFile(join(folder.path, "maildirfolder"), new Uint8Array(), { fsync: false });
      await this.#context.open(folder);
    });
  }

  /**
   * Runs `work`; when it fails (the disk full, say), removes the folders made for it, so that no
   * half mailbox stays (a folder without its index or its special use).
   */
  async #orUnmake(made: readonly MaildirFolder[], work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      for (const folder of made) {
        this.#context.forget(folder.path);
        await Deno.remove(folder.path, { recursive: true }).catch(() => {});
      }
      throw error; // the error that stopped the work is the one to report
    }
  }

  async #setUses(folder: MaildirFolder, change: (uses: Map<string, SpecialUse>) => void) {
    const uses = await readSpecialUse(folder.userDir);
    const before = JSON.stringify([...uses]);
    change(uses);
    if (JSON.stringify([...uses]) === before) return;
    await writeSpecialUse(folder.userDir, uses, { fsync: this.#context.fsync });
  }

  #locate(folder: MaildirFolder, name: string): MaildirFolder {
    return this.#context.root.locate(folder.user, name);
  }

  /** The turn of a user's tree: its mailbox list and the files beside the INBOX. */
  #key(folder: MaildirFolder): string {
    return `${folder.userDir}\0mailboxes`;
  }
}
