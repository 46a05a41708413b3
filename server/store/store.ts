/**
 * The mailbox store: where a domain's users keep their mail. One interface, two implementations
 * ({@linkcode MemoryStore} for notebooks and tests, `MaildirStore` on disk), both checked by one
 * conformance suite.
 *
 * @module
 */

/** IMAP's system flags (RFC 3501 §2.3.2) that a store keeps. */
export type SystemFlag = "\\Seen" | "\\Answered" | "\\Flagged" | "\\Deleted" | "\\Draft";

/** The flags a store keeps, in the order IMAP lists them. */
export const SYSTEM_FLAGS: readonly SystemFlag[] = [
  "\\Seen",
  "\\Answered",
  "\\Flagged",
  "\\Deleted",
  "\\Draft",
];

/** How many keywords one mailbox may define (Maildir keeps them as the letters a to z). */
export const MAX_KEYWORDS = 26;

// RFC 3501 §9: flag-keyword = atom; an atom has no atom-specials: ( ) { SP CTL % * " \ ]
// deno-lint-ignore no-control-regex -- control characters are what an atom may not hold
const KEYWORD = /^[^\x00-\x20\x7f(){%*"\\\]]{1,100}$/;

/**
 * Checks a list of flags and returns it without duplicates: the system flags first in
 * {@linkcode SYSTEM_FLAGS} order, then the keywords (`$Forwarded`, `NonJunk`, RFC 3501 §2.3.2) in
 * the order given, each once whatever its case. Every store reports flags this way.
 *
 * @param flags Flags in any order, possibly repeated.
 * @returns The distinct flags.
 * @throws {TypeError} For an unknown `\`-flag (`\Recent` is session state, not stored) or a
 *   keyword that is not an IMAP atom.
 *
 * @example Order, deduplicate, keep keywords
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeFlags } from "./store.ts";
 *
 * assert.deepEqual(normalizeFlags(["$Label1", "\\Draft", "\\Seen", "$label1", "\\Draft"]), ["\\Seen", "\\Draft", "$Label1"]);
 * assert.throws(() => normalizeFlags(["\\Recent"]), TypeError);
 * assert.throws(() => normalizeFlags(["two words"]), TypeError);
 * ```
 */
export function normalizeFlags(flags: readonly string[]): string[] {
  const keywords = new Map<string, string>();
  for (const flag of flags) {
    if (flag.startsWith("\\")) {
      if (!SYSTEM_FLAGS.some((f) => f.toLowerCase() === flag.toLowerCase())) {
        throw new TypeError(`Unknown flag "${flag}"`);
      }
    } else if (!KEYWORD.test(flag)) {
      throw new TypeError(`Invalid keyword "${flag}"`);
    } else if (!keywords.has(flag.toLowerCase())) {
      keywords.set(flag.toLowerCase(), flag);
    }
  }
  const lower = flags.map((f) => f.toLowerCase());
  const system = SYSTEM_FLAGS.filter((f) => lower.includes(f.toLowerCase()));
  return [...system, ...keywords.values()];
}

/**
 * Applies a {@linkcode FlagChange} to a message's flags (its condition aside): what every store's
 * `updateFlags` does.
 *
 * @param current The flags now.
 * @param change What to add, remove or replace.
 * @returns The new flags, normalized.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { changedFlags } from "./store.ts";
 *
 * assert.deepEqual(changedFlags(["\\Seen"], { add: ["\\Answered", "$Done"] }), ["\\Seen", "\\Answered", "$Done"]);
 * assert.deepEqual(changedFlags(["\\Seen", "$Done"], { remove: ["$done"] }), ["\\Seen"]);
 * assert.deepEqual(changedFlags(["\\Seen"], { replace: ["\\Draft"] }), ["\\Draft"]);
 * ```
 */
export function changedFlags(current: readonly string[], change: FlagChange): string[] {
  let flags = [...(change.replace ?? current)];
  if (change.add) flags = [...flags, ...change.add];
  if (change.remove) {
    const gone = new Set(change.remove.map((f) => f.toLowerCase()));
    flags = flags.filter((f) => !gone.has(f.toLowerCase()));
  }
  return normalizeFlags(flags);
}

/** What a store knows of one message without reading it. */
export interface MessageInfo {
  /** The message's IMAP UID: unique in its mailbox, growing, never reused (RFC 3501 §2.3.1.1). */
  uid: number;
  /** Its flags: system flags, then keywords, as {@linkcode normalizeFlags} orders them. */
  flags: string[];
  /** Its size in bytes, as stored. */
  size: number;
  /** When the store received it, in milliseconds since the epoch. */
  internalDate: number;
  /** The mailbox's modification sequence when the message last changed (RFC 7162 §3.1.1). */
  modseq: number;
}

/** A mailbox's special use (RFC 6154): where clients keep sent mail, drafts, deleted mail, spam. */
export type SpecialUse = "\\Sent" | "\\Drafts" | "\\Trash" | "\\Junk" | "\\Archive";

/** The special-use mailboxes every user gets, with their names. */
export const SPECIAL_MAILBOXES: readonly { name: string; use: SpecialUse }[] = [
  { name: "Sent", use: "\\Sent" },
  { name: "Drafts", use: "\\Drafts" },
  { name: "Trash", use: "\\Trash" },
  { name: "Junk", use: "\\Junk" },
];

/** One mailbox of a user, as the store lists it. */
export interface MailboxInfo {
  /** Its name (`INBOX`, `Work.Course`). */
  name: string;
  /** Its special use, if any. */
  specialUse?: SpecialUse;
}

/** The state of one mailbox. */
export interface MailboxStatus {
  /** The mailbox's name (`INBOX` for the inbox). */
  name: string;
  /** Changes only when UIDs were lost, telling clients to forget their caches. */
  uidValidity: number;
  /** The UID the next delivered message will get. */
  uidNext: number;
  /** How many messages it holds. */
  messages: number;
  /** How many lack `\Seen`. */
  unseen: number;
  /** How many arrived since a session last claimed the mailbox's recent messages. */
  recent: number;
  /** The mailbox's highest modification sequence (RFC 7162): grows with every change. */
  highestModseq: number;
  /** The keywords its messages may carry, as defined so far. */
  keywords: string[];
}

/** Options of {@linkcode MailboxStore.deliver}. */
export interface DeliverOptions {
  /** The mailbox to deliver into. @default "INBOX" */
  mailbox?: string;
  /** Flags the new message starts with. @default [] */
  flags?: string[];
  /** Its internal date, in milliseconds since the epoch. @default the store's clock */
  internalDate?: number;
}

/** What changed in a user's store, for sessions that follow it (IMAP IDLE, other sessions). */
export interface StoreChange {
  /** The mailbox that changed. */
  mailbox: string;
  /** New messages, flags, expunged messages; or the mailbox itself (created, deleted, renamed). */
  kind: "messages" | "mailboxes";
}

/** A change of a message's flags, for {@linkcode MailboxStore.updateFlags}. */
export interface FlagChange {
  /** Flags to add. @default none */
  add?: readonly string[];
  /** Flags to remove. @default none */
  remove?: readonly string[];
  /** The flags to have instead of the current ones. @default the current ones, changed */
  replace?: readonly string[];
  /** Change nothing when the message's modseq is above this (RFC 7162). @default no condition */
  unchangedSince?: number;
}

/** A UID in one mailbox and the UID its copy got in another (RFC 4315 COPYUID). */
export interface CopiedUid {
  /** The UID in the source mailbox. */
  from: number;
  /** The UID of the copy. */
  to: number;
}

/**
 * Where a domain's mailboxes live. Every method names the user (a local part such as `bob`) and,
 * where it matters, the mailbox; a missing one is a {@linkcode NotFoundError}. UIDs grow and are
 * never reused within a mailbox's UIDVALIDITY (RFC 3501 §2.3.1.1); every change to a mailbox
 * raises its modification sequence (RFC 7162).
 */
export interface MailboxStore {
  /**
   * Creates the user's INBOX and special-use mailboxes (Sent, Drafts, Trash, Junk) if missing.
   *
   * @param user The user's local part.
   */
  ensureUser(user: string): Promise<void>;
  /**
   * Stores one message atomically: it is either wholly there, with its UID, or not at all.
   *
   * @param user The owner.
   * @param bytes The message exactly as it should be read back.
   * @param options Mailbox, flags and date.
   * @returns The new message's UID.
   */
  deliver(user: string, bytes: Uint8Array, options?: DeliverOptions): Promise<number>;
  /**
   * Lists the user's mailboxes, INBOX first, the others by name.
   *
   * @param user The owner.
   * @returns The mailboxes.
   */
  mailboxes(user: string): Promise<MailboxInfo[]>;
  /**
   * Creates a mailbox with a fresh UIDVALIDITY, higher than any this user's mailboxes had.
   *
   * @param user The owner.
   * @param name The new mailbox's name.
   * @param options Its special use.
   * @throws {AlreadyExistsError} When it exists.
   */
  createMailbox(user: string, name: string, options?: { specialUse?: SpecialUse }): Promise<void>;
  /**
   * Deletes a mailbox and its messages; its children stay.
   *
   * @param user The owner.
   * @param name The mailbox; never INBOX.
   */
  deleteMailbox(user: string, name: string): Promise<void>;
  /**
   * Renames a mailbox and its children (`Work` and `Work.Course` to `Old` and `Old.Course`).
   * Renaming INBOX moves its messages into a new mailbox and leaves INBOX empty (RFC 3501 §6.3.5).
   *
   * @param user The owner.
   * @param from The mailbox's name.
   * @param to Its new name, which must not exist.
   */
  renameMailbox(user: string, from: string, to: string): Promise<void>;
  /**
   * The mailbox names the user subscribed to (RFC 3501 §6.3.6), existing or not.
   *
   * @param user The owner.
   * @returns The names, sorted.
   */
  subscriptions(user: string): Promise<string[]>;
  /**
   * Subscribes to a mailbox name, or unsubscribes.
   *
   * @param user The owner.
   * @param name The name.
   * @param subscribed Whether to subscribe.
   */
  setSubscribed(user: string, name: string, subscribed: boolean): Promise<void>;
  /**
   * Reports a mailbox's counters.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @returns Its status.
   */
  status(user: string, mailbox: string): Promise<MailboxStatus>;
  /**
   * Lists a mailbox's messages in UID order.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @returns One entry per message.
   */
  list(user: string, mailbox: string): Promise<MessageInfo[]>;
  /**
   * Reads one message's bytes.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @param uid The message's UID.
   * @returns The bytes, exactly as delivered.
   */
  read(user: string, mailbox: string, uid: number): Promise<Uint8Array>;
  /**
   * Reads several messages at once, as `read` would one by one, but checking the mailbox once:
   * a FETCH of many bodies pays for the check once per batch, not once per message.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @param uids The messages' UIDs.
   * @returns Each message's bytes, in the order of `uids`; undefined for one that is gone.
   */
  readMany(
    user: string,
    mailbox: string,
    uids: readonly number[],
  ): Promise<(Uint8Array | undefined)[]>;
  /**
   * Replaces a message's flags; keywords new to the mailbox are defined (at most
   * {@linkcode MAX_KEYWORDS}).
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @param uid The message's UID.
   * @param flags The new flags.
   * @returns The message's new modification sequence.
   */
  setFlags(user: string, mailbox: string, uid: number, flags: readonly string[]): Promise<number>;
  /**
   * Changes a message's flags in one step, against its current flags (not a session's possibly
   * older view): adds, removes or replaces them, unless the message changed after
   * `unchangedSince` (RFC 7162 §3.1.3).
   *
   * @param user The owner.
   * @param where The mailbox and the message's UID.
   * @param change What to do to the flags, and the condition.
   * @returns The flags and modification sequence now, or `undefined` when the condition failed
   *   (nothing was changed).
   */
  updateFlags(
    user: string,
    where: { mailbox: string; uid: number },
    change: FlagChange,
  ): Promise<{ flags: string[]; modseq: number } | undefined>;
  /**
   * Removes messages for good.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @param uids The messages to remove; unknown UIDs are ignored.
   */
  expunge(user: string, mailbox: string, uids: readonly number[]): Promise<void>;
  /**
   * Copies messages, with their flags and internal dates, to another mailbox, all or none.
   *
   * @param user The owner.
   * @param mailbox The source mailbox.
   * @param uids The messages; unknown UIDs are skipped.
   * @param target The mailbox to copy to.
   * @returns Each copied UID and its copy's UID, in UID order.
   */
  copy(
    user: string,
    mailbox: string,
    uids: readonly number[],
    target: string,
  ): Promise<CopiedUid[]>;
  /**
   * Takes the mailbox's recent messages (RFC 3501 §2.3.2 `\Recent`): those that arrived since
   * the last call. The first session to select a mailbox after a delivery gets them, no other.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @returns Their UIDs.
   */
  claimRecent(user: string, mailbox: string): Promise<number[]>;
  /**
   * Keeps a value computed from a message (an IMAP summary: envelope, body structure), so that
   * it is computed once per message rather than at every fetch. The value must survive
   * `JSON.stringify`.
   *
   * @param user The owner.
   * @param where The mailbox, the message's UID, and the kind of value (such as `imap-1`; a
   *   new kind, when its shape changes, leaves old values unread).
   * @param compute Makes the value from the message's bytes when it is not kept yet.
   * @returns The value.
   */
  summary<T>(
    user: string,
    where: { mailbox: string; uid: number; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<T>;
  /**
   * The summaries of several messages at once, as `summary` would give them one by one, with
   * the mailbox checked once.
   *
   * @param user The owner.
   * @param where The mailbox, the messages' UIDs, and the kind of value.
   * @param compute Makes a value from a message's bytes when it is not kept yet.
   * @returns Each message's value, in the order of `where.uids`; undefined for one that is gone.
   */
  summaries<T>(
    user: string,
    where: { mailbox: string; uids: readonly number[]; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<(T | undefined)[]>;
  /**
   * Follows the user's changes: new mail, flags, expunges, mailboxes created, renamed, deleted.
   *
   * @param user The owner.
   * @param listener Told of each change, after it is made.
   * @returns A function that stops following.
   */
  watch(user: string, listener: (change: StoreChange) => void): () => void;
}

/**
 * What a batch read gives for a message that is not there: undefined, where a single read
 * throws {@linkcode NotFoundError}. Other errors pass.
 *
 * @param work A store operation on one message.
 * @returns Its value, or undefined when the message is gone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "./memory_store.ts";
 * import { orGone } from "./store.ts";
 *
 * const store = new MemoryStore();
 * await store.ensureUser("bob");
 * assert.equal(await orGone(store.read("bob", "INBOX", 7)), undefined);
 * ```
 */
export async function orGone<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** A store operation named a user, mailbox or message that does not exist. */
export class NotFoundError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was not found.
   */
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

/** A user or mailbox name that the store refuses (path tricks, control characters). */
export class InvalidNameError extends Error {
  /**
   * Creates the error.
   *
   * @param message Why the name was refused.
   */
  constructor(message: string) {
    super(message);
    this.name = "InvalidNameError";
  }
}

/** A mailbox that already exists was created again. */
export class AlreadyExistsError extends Error {
  /**
   * Creates the error.
   *
   * @param message What exists already.
   */
  constructor(message: string) {
    super(message);
    this.name = "AlreadyExistsError";
  }
}

/** What the operating system calls a full disk (ENOSPC) or a full quota (EDQUOT). */
const STORAGE_FULL: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

/**
 * A write that found no room on the disk (or in the quota). Nothing of the refused write is
 * left behind, and reading and removing go on working, so a user can still log in and delete
 * mail. It is temporary: the SMTP server answers `452 4.3.1` (RFC 5321 §4.2.3, RFC 3463 X.3.1),
 * and the sender tries again later.
 *
 * @example Recognise the operating system's error
 * ```ts
 * import assert from "node:assert/strict";
 * import { StorageFullError } from "./store.ts";
 *
 * const os = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * const full = StorageFullError.from(os, 'Cannot store in mailbox "INBOX" of user "bob"');
 * assert.ok(full instanceof StorageFullError);
 * assert.equal(full.message, 'Cannot store in mailbox "INBOX" of user "bob": no space left on device');
 * assert.equal(full.cause, os);
 * assert.equal(StorageFullError.from(full), full);
 * assert.equal(StorageFullError.from(new Error("Permission denied")), undefined);
 * ```
 */
export class StorageFullError extends Error {
  /**
   * Creates the error.
   *
   * @param message What could not be written, and why.
   * @param options The operating system's error, as `cause`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StorageFullError";
  }

  /**
   * The error for a failed write, when it failed for lack of room.
   *
   * @param error Any error.
   * @param what What failed, for the message. @default "Cannot write"
   * @returns The error itself when it is a StorageFullError, a new one (with the system's error
   *   as its cause) when the system said ENOSPC or EDQUOT, else `undefined`.
   */
  static from(error: unknown, what = "Cannot write"): StorageFullError | undefined {
    if (error instanceof StorageFullError) return error;
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
    const why = typeof code === "string" && Object.hasOwn(STORAGE_FULL, code)
      ? STORAGE_FULL[code]
      : undefined;
    return why === undefined
      ? undefined
      : new StorageFullError(`${what}: ${why}`, { cause: error });
  }
}

const USER = /^[a-z0-9][a-z0-9._+-]{0,63}$/;

/**
 * Checks a user name and returns it in lower case.
 *
 * @param user A local part such as `Bob`.
 * @returns The name in lower case.
 * @throws {InvalidNameError} When it could name a path or holds odd characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkUserName } from "./store.ts";
 *
 * assert.equal(checkUserName("Bob"), "bob");
 * assert.throws(() => checkUserName("../etc"), { name: "InvalidNameError" });
 * ```
 */
export function checkUserName(user: string): string {
  const lower = user.toLowerCase();
  if (!USER.test(lower) || lower.includes("..")) {
    throw new InvalidNameError(`Invalid user name "${user}"`);
  }
  return lower;
}

/**
 * Checks a mailbox name and returns its canonical form (`INBOX` in upper case, others as given).
 * Names are `.`-separated parts; each part is non-empty, at most 100 characters, and free of
 * `/`, `\`, control characters and IMAP wildcards. The whole name is at most 200 bytes in UTF-8,
 * so that it fits a file name on disk. `INBOX` has no children: `INBOX.Sub` is refused.
 *
 * @param name An IMAP mailbox name.
 * @returns The canonical name.
 * @throws {InvalidNameError} When the name is refused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMailboxName } from "./store.ts";
 *
 * assert.equal(checkMailboxName("inbox"), "INBOX");
 * assert.equal(checkMailboxName("Work.Course"), "Work.Course");
 * assert.throws(() => checkMailboxName("../../etc"), { name: "InvalidNameError" });
 * ```
 */
export function checkMailboxName(name: string): string {
  if (name.toUpperCase() === "INBOX") return "INBOX";
  const parts = name.split(".");
  const bad = new TextEncoder().encode(name).length > 200 ||
    // deno-lint-ignore no-control-regex -- control characters are exactly what is refused
    parts.some((p) => p.length === 0 || p.length > 100 || /[\x00-\x1f\x7f/\\*%]/.test(p)) ||
    parts[0].toUpperCase() === "INBOX";
  if (bad) throw new InvalidNameError(`Invalid mailbox name "${name}"`);
  return name;
}
