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

/**
 * Checks a list of flags and returns it without duplicates, in {@linkcode SYSTEM_FLAGS} order, so
 * that every store reports the same flags the same way.
 *
 * @param flags Flags in any order, possibly repeated.
 * @returns The distinct flags in IMAP's order.
 * @throws {TypeError} When a flag is not one of {@linkcode SYSTEM_FLAGS} (`\Recent` is
 * session state, not stored).
 *
 * @example Order and deduplicate
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeFlags, type SystemFlag } from "./store.ts";
 *
 * assert.deepEqual(normalizeFlags(["\\Draft", "\\Seen", "\\Draft"]), ["\\Seen", "\\Draft"]);
 * assert.throws(() => normalizeFlags(["\\Recent" as SystemFlag]), TypeError);
 * ```
 */
export function normalizeFlags(flags: readonly SystemFlag[]): SystemFlag[] {
  for (const flag of flags) {
    if (!SYSTEM_FLAGS.includes(flag)) throw new TypeError(`Unknown flag "${flag}"`);
  }
  return SYSTEM_FLAGS.filter((flag) => flags.includes(flag));
}

/** What a store knows of one message without reading it. */
export interface MessageInfo {
  /** The message's IMAP UID: unique in its mailbox, growing, never reused (RFC 3501 §2.3.1.1). */
  uid: number;
  /** Its system flags. */
  flags: SystemFlag[];
  /** Its size in bytes, as stored. */
  size: number;
  /** When the store received it, in milliseconds since the epoch. */
  internalDate: number;
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
}

/** Options of {@linkcode MailboxStore.deliver}. */
export interface DeliverOptions {
  /** The mailbox to deliver into. @default "INBOX" */
  mailbox?: string;
  /** Flags the new message starts with. @default [] */
  flags?: SystemFlag[];
  /** Its internal date, in milliseconds since the epoch. @default the store's clock */
  internalDate?: number;
}

/**
 * Where users' mailboxes live. User names are local parts (`bob`), lower case. Mailbox names are
 * IMAP names with `.` as the hierarchy delimiter; `INBOX` is case-insensitive. A name that could
 * leave the store's root, or holds control characters, is refused with
 * {@linkcode InvalidNameError}.
 */
export interface MailboxStore {
  /**
   * Creates the user's INBOX if it is missing.
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
   * Lists the user's mailboxes, INBOX first.
   *
   * @param user The owner.
   * @returns Mailbox names.
   */
  mailboxes(user: string): Promise<string[]>;
  /**
   * Creates a mailbox.
   *
   * @param user The owner.
   * @param name The new mailbox's name.
   */
  createMailbox(user: string, name: string): Promise<void>;
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
   * Replaces a message's flags.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @param uid The message's UID.
   * @param flags The new flags.
   */
  setFlags(user: string, mailbox: string, uid: number, flags: SystemFlag[]): Promise<void>;
  /**
   * Removes messages for good.
   *
   * @param user The owner.
   * @param mailbox The mailbox.
   * @param uids The messages to remove; unknown UIDs are ignored.
   */
  expunge(user: string, mailbox: string, uids: number[]): Promise<void>;
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
