/**
 * The user agent's view of the mailboxes, as a mail client shows them: a listing line per
 * message, the folders with their counters, and the special mailboxes (Sent, Trash) found by
 * their special use (RFC 6154) where the server names them, by their usual names otherwise.
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
