/**
 * The user agent's view of the mailboxes, as a mail client shows them: a listing line per
 * message, the folders with their counters, and the special mailboxes (Sent, Trash) found by
 * their special use (RFC 6154) where the server names them, by their usual names otherwise;
 * and the few commands on one message of the selected mailbox: fetch, search, move, expunge.
 *
 * @module
 */
import type { Address } from "../message/address.ts";
import { parseMessage } from "../message/parse.ts";
import { ImapResponseError } from "../protocol/imap/error.ts";
import {
  type AppendUid,
  type FetchedMessage,
  specialUse,
  type SpecialUseAttribute,
} from "../protocol/imap/response_data.ts";
import type { ImapClient } from "../client/imap_client.ts";
import type { AppendOptions } from "../client/imap_mailboxes.ts";
import { NoSuchMessageError } from "./errors.ts";

/** One line of a mailbox listing. */
export interface InboxEntry {
  /** The message's UID. */
  uid: number;
  /** Whether it was read. */
  seen: boolean;
  /** Its flags (without `\Recent`). */
  flags: string[];
  /** Its size in bytes. */
  size: number;
  /** The From field, decoded. */
  from: string;
  /** The Subject, decoded. */
  subject: string;
  /** The Date field, in milliseconds since the epoch. */
  date?: number;
}

/** One mailbox, as a folder list shows it. */
export interface Folder {
  /** Its name. */
  name: string;
  /** Its special use, such as `\Sent`, when it has one. */
  specialUse?: SpecialUseAttribute;
  /** How many messages it holds (0 for a name that holds none, `\Noselect`). */
  messages: number;
  /** How many of them are unread. */
  unseen: number;
}

/** What a listing fetches: enough for a line, and nothing that marks a message read. */
export const LISTING_ITEMS = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])";
// The server names the section without .PEEK (RFC 3501 §7.4.2).
const HEADER = "BODY[HEADER.FIELDS (FROM SUBJECT DATE)]";

function addressesText(addresses: Address[]): string {
  return addresses.map((a) =>
    "group" in a ? `${a.name}:` : a.name ? `${a.name} <${a.address}>` : a.address
  ).join(", ");
}

/**
 * The flags a person cares about: `\Recent` only says which IMAP session saw a message first.
 *
 * @param flags The flags as FETCH gave them.
 * @returns The flags without `\Recent`.
 */
export function userFlags(flags: readonly string[] = []): string[] {
  return flags.filter((flag) => flag !== "\\Recent");
}

/**
 * Makes a listing line from a message fetched with {@linkcode LISTING_ITEMS}.
 *
 * @param message The FETCH data.
 * @returns The line's facts.
 */
export function inboxEntry(message: FetchedMessage): InboxEntry {
  const header = parseMessage(message.sections[HEADER] ?? new Uint8Array());
  const flags = userFlags(message.flags);
  return {
    uid: message.uid ?? 0,
    seen: flags.includes("\\Seen"),
    flags,
    size: message.size ?? 0,
    from: addressesText(header.from),
    subject: header.subject ?? "",
    date: header.date,
  };
}

/**
 * The error for a UID that the mailbox does not hold.
 *
 * @param uid The UID asked for.
 * @param mailbox The mailbox.
 * @returns The error, to throw.
 */
export function noMessage(uid: number, mailbox: string): NoSuchMessageError {
  return new NoSuchMessageError(uid, mailbox);
}

/**
 * Moves one message of the selected mailbox (MOVE, RFC 6851).
 *
 * @param client A client with `where.from` selected.
 * @param uid The message.
 * @param where The mailbox it is in and the one it goes to.
 * @returns Its new UID, when the server says (UIDPLUS).
 */
export async function moveMessage(
  client: ImapClient,
  uid: number,
  where: { from: string; to: string },
): Promise<number | undefined> {
  const moved = await client.move(String(uid), where.to, { uid: true });
  const copy = moved?.uids.get(uid);
  // With UIDPLUS, no COPYUID means that nothing was moved.
  if (copy === undefined && client.capabilities.includes("UIDPLUS")) {
    throw noMessage(uid, where.from);
  }
  return copy;
}

/**
 * Deletes one message of the selected mailbox for good: `\Deleted`, then UID EXPUNGE
 * (RFC 4315), which removes this message only, not others marked `\Deleted` by another client.
 *
 * @param client A client with `mailbox` selected.
 * @param uid The message.
 * @param mailbox The mailbox's name, for the error.
 */
export async function expungeMessage(
  client: ImapClient,
  uid: number,
  mailbox: string,
): Promise<void> {
  await client.store(String(uid), "+FLAGS.SILENT", ["\\Deleted"], { uid: true });
  const gone = await client.expunge({ uids: String(uid) });
  if (gone.length === 0) throw noMessage(uid, mailbox);
}

/**
 * The listing lines of some messages of the selected mailbox.
 *
 * @param client A client with a mailbox selected.
 * @param set Sequence numbers such as `1:*`, or UIDs with `uid`.
 * @param options Whether the set holds UIDs.
 * @returns The entries in UID order.
 */
export async function listMessages(
  client: ImapClient,
  set: string,
  options: { uid?: boolean } = {},
): Promise<InboxEntry[]> {
  const fetched = await client.fetch(set, LISTING_ITEMS, options);
  return fetched.map(inboxEntry).sort((a, b) => a.uid - b.uid);
}

/** Where a search looks: the whole message (`text`), the body, or one header field. */
export type SearchPlace = "text" | "body" | "subject" | "from" | "to";

/** Where a search looks, and its IMAP SEARCH key (RFC 3501 §6.4.4). */
const SEARCH_KEYS: Record<SearchPlace, string> = {
  text: "TEXT",
  body: "BODY",
  subject: "SUBJECT",
  from: "FROM",
  to: "TO",
};

/**
 * Searches the selected mailbox (UID SEARCH), and lists what it finds.
 *
 * @param client A client with a mailbox selected.
 * @param text What to look for; the server ignores case.
 * @param where Where to look.
 * @returns The listing lines of the messages found, in UID order.
 */
export async function searchMessages(
  client: ImapClient,
  text: string,
  where: SearchPlace,
): Promise<InboxEntry[]> {
  const uids = await client.search([SEARCH_KEYS[where], { string: text }], { uid: true });
  return uids.length === 0 ? [] : await listMessages(client, uids.join(","), { uid: true });
}

/**
 * Fetches one message of the selected mailbox, by UID.
 *
 * @param client A client with `where.mailbox` selected.
 * @param uid The message.
 * @param where The mailbox's name (for the error) and the FETCH items, which hold `BODY[]`.
 * @returns Its bytes and, when fetched, its INTERNALDATE.
 */
export async function fetchMessage(
  client: ImapClient,
  uid: number,
  where: { mailbox: string; items: string },
): Promise<{ bytes: Uint8Array; internalDate?: number }> {
  const [message] = await client.fetch(String(uid), where.items, { uid: true });
  const bytes = message?.sections["BODY[]"];
  if (!bytes) throw noMessage(uid, where.mailbox);
  return { bytes, internalDate: message.internalDate };
}

/**
 * Finds the mailbox of a special use: the one LIST marks so, else the usual name.
 *
 * @param client A logged-in client.
 * @param use Such as `\Trash`.
 * @returns The mailbox's name.
 */
export async function specialMailbox(
  client: ImapClient,
  use: "\\Sent" | "\\Trash",
): Promise<string> {
  const entry = (await client.list()).find((e) => specialUse(e) === use);
  return entry?.name ?? use.slice(1);
}

/**
 * Appends a message to the mailbox of a special use, creating the mailbox when the server says
 * it is missing (`NO [TRYCREATE]`, RFC 3501 §6.3.11), as a mail client does on a new account.
 *
 * @param client A logged-in client.
 * @param use Such as `\Sent`.
 * @param message The message.
 * @param options Its flags and date.
 * @returns Where it went, when the server says (UIDPLUS).
 */
export async function appendToSpecial(
  client: ImapClient,
  use: "\\Sent" | "\\Trash",
  message: Uint8Array,
  options: AppendOptions,
): Promise<AppendUid | undefined> {
  const mailbox = await specialMailbox(client, use);
  try {
    return await client.append(mailbox, message, options);
  } catch (error) {
    if (!(error instanceof ImapResponseError) || error.code !== "TRYCREATE") throw error;
    const marked = client.capabilities.includes("CREATE-SPECIAL-USE");
    await client.create(mailbox, marked ? { specialUse: use } : {});
    return await client.append(mailbox, message, options);
  }
}

/**
 * Lists every mailbox with its special use and counters (LIST, then STATUS of each).
 *
 * @param client A logged-in client.
 * @returns The folders, in the server's order.
 */
export async function listFolders(client: ImapClient): Promise<Folder[]> {
  const folders: Folder[] = [];
  for (const entry of await client.list()) {
    const empty = entry.attributes.some((a) => /^\\(Noselect|NonExistent)$/i.test(a));
    const status = empty
      ? { name: entry.name }
      : await client.status(entry.name, ["MESSAGES", "UNSEEN"]);
    const use = specialUse(entry);
    folders.push({
      name: entry.name,
      ...(use ? { specialUse: use } : {}),
      messages: status.messages ?? 0,
      unseen: status.unseen ?? 0,
    });
  }
  return folders;
}
