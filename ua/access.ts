/**
 * How the user agent reaches its mailboxes: one interface, {@linkcode MailAccess}, with two
 * ways behind it: IMAP (`imap_access.ts`, a session per task) and the server's HTTP interface
 * (`http_access.ts`, one logged-in HTTP session). `UserAgent` holds one of them and does not
 * know which.
 *
 * @module
 */
import type { Folder, InboxEntry, SearchPlace } from "./folders.ts";
import type { MailboxNews, WatchOptions } from "./watch.ts";

/** What a way to the mailboxes can do: each of `UserAgent`'s mailbox methods. */
export interface MailAccess {
  /** The mailboxes, INBOX first, with their counters. */
  mailboxes(): Promise<Folder[]>;
  /** A mailbox's listing lines in UID order, marking nothing read. */
  list(mailbox: string): Promise<InboxEntry[]>;
  /** The listing lines of the messages the server finds, in UID order. */
  search(text: string, where: { mailbox: string; in: SearchPlace }): Promise<InboxEntry[]>;
  /** One message's bytes as stored, and when it arrived; marks it seen with `markSeen`. */
  fetch(
    uid: number,
    where: { mailbox: string; markSeen: boolean; internalDate?: boolean },
  ): Promise<{ bytes: Uint8Array; internalDate?: number }>;
  /** Moves a message; its new UID, when the server says. */
  move(uid: number, where: { from: string; to: string }): Promise<number | undefined>;
  /** Moves a message to Trash, or deletes it for good when in Trash already. */
  trash(uid: number, mailbox: string): Promise<number | undefined>;
  /** Deletes a message for good. */
  delete(uid: number, mailbox: string): Promise<void>;
  /** Sets (`on`) or clears flags; the message's flags now. */
  flag(uid: number, flags: string[], where: { mailbox: string; on: boolean }): Promise<string[]>;
  /** Reports a mailbox's news until the signal aborts. */
  watch(mailbox: string, onNews: (news: MailboxNews) => void, options: WatchOptions): Promise<void>;
}
