/**
 * What SEARCH and SORT need from a message's header: the address fields as search text, the
 * fields HEADER looks at most, the sent date, and the sort keys of RFC 5256 and RFC 5957. It is
 * made once per message and kept by the store (`store.summary`, kind {@linkcode SEARCH_SUMMARY_KIND}),
 * so that a second SEARCH FROM or SORT over a large mailbox reads no message bytes.
 *
 * @module
 */
import { type Address, parseAddressList } from "../../message/address.ts";
import { parseDate } from "../../message/date.ts";
import { decodeWords } from "../../message/encoded_words.ts";
import { type HeaderBlock, parseHeaders } from "../../message/header.ts";
import type { AddressField } from "../../protocol/imap/search_keys.ts";
import { baseSubject } from "./base_subject.ts";

/** The `kind` under which the store keeps a {@linkcode SearchSummary}; a new shape, a new kind. */
export const SEARCH_SUMMARY_KIND = "search-1";

/**
 * The fields whose values a summary keeps for HEADER: the envelope's (RFC 3501 §7.4.2) and
 * References. HEADER on any other field reads the message.
 */
export const SUMMARY_FIELDS: readonly string[] = [
  "date",
  "subject",
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "in-reply-to",
  "message-id",
  "references",
];

const ADDRESS_FIELDS: readonly AddressField[] = ["from", "to", "cc", "bcc"];
const DAY = 24 * 60 * 60 * 1000;

/** The SORT keys of one message (RFC 5256 §3, RFC 5957 §3), in upper case for comparing. */
export interface SortKeys {
  /** The base subject (RFC 5256 §2.1). */
  subject: string;
  /** The local part (addr-mailbox) of the first From address; a group's name for a group. */
  from: string;
  /** The same for To. */
  to: string;
  /** The same for Cc. */
  cc: string;
  /** The display name of the first From address, else its address; a group's name. */
  displayFrom: string;
  /** The same for To. */
  displayTo: string;
}

/** What search and sort know of a message without reading it again. JSON-able. */
export interface SearchSummary {
  /** The decoded values of the {@linkcode SUMMARY_FIELDS} present, in lower case, by name. */
  fields: Record<string, string[]>;
  /**
   * From, To, Cc and Bcc as search text in lower case: each mailbox as `name <address>`, each
   * group as its name then its members, one per line; comments are gone, names decoded.
   */
  addresses: Record<AddressField, string>;
  /** The `Date:` in milliseconds since the epoch; null when absent or unreadable. */
  sent: number | null;
  /** The date of `Date:` as written, in the sender's zone, as 00:00 UTC of that day; or null. */
  sentDay: number | null;
  /** The sort keys. */
  sort: SortKeys;
}

/**
 * Makes a message's summary from its bytes; only the header is read.
 *
 * @param bytes The message.
 * @returns The summary.
 *
 * @example Addresses through comments and groups, and the sent date in its own zone
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "./search_summary.ts";
 *
 * const summary = summarize(new TextEncoder().encode(
 *   "From: alice@crepes.fr (Alice Kim)\r\nTo: team: bob@hamburger.edu;\r\n" +
 *     "Subject: Re: [lunch] Pickles\r\nDate: Tue, 1 Sep 2026 23:30:00 -0500\r\n\r\nHi\r\n",
 * ));
 * assert.equal(summary.addresses.from, "alice kim <alice@crepes.fr>");
 * assert.equal(summary.addresses.to, "team:\nbob@hamburger.edu");
 * assert.equal(summary.sentDay, Date.UTC(2026, 8, 1));
 * assert.equal(summary.sent, Date.UTC(2026, 8, 2, 4, 30));
 * assert.deepEqual(summary.sort, {
 *   subject: "PICKLES", from: "ALICE", to: "TEAM", cc: "",
 *   displayFrom: "ALICE KIM", displayTo: "TEAM",
 * });
 * ```
 */
export function summarize(bytes: Uint8Array): SearchSummary {
  const header = parseHeaders(bytes);
  const fields: Record<string, string[]> = {};
  for (const name of SUMMARY_FIELDS) {
    const values = header.textAll(name);
    if (values.length > 0) fields[name] = values.map((v) => decodeWords(v).toLowerCase());
  }
  const lists = Object.fromEntries(
    ADDRESS_FIELDS.map((name) => [name, addressesOf(header, name)]),
  ) as Record<AddressField, Address[]>;
  const date = header.text("date");
  const sent = date === undefined ? undefined : parseDate(date);
  return {
    fields,
    addresses: {
      from: searchText(lists.from),
      to: searchText(lists.to),
      cc: searchText(lists.cc),
      bcc: searchText(lists.bcc),
    },
    sent: sent ?? null,
    sentDay: sent === undefined ? null : wallDay(date!, sent),
    sort: {
      subject: baseSubject(header.text("subject") ?? "").toUpperCase(),
      from: mailboxOf(lists.from[0]).toUpperCase(),
      to: mailboxOf(lists.to[0]).toUpperCase(),
      cc: mailboxOf(lists.cc[0]).toUpperCase(),
      displayFrom: displayOf(lists.from[0]).toUpperCase(),
      displayTo: displayOf(lists.to[0]).toUpperCase(),
    },
  };
}

function addressesOf(header: HeaderBlock, name: string): Address[] {
  return header.textAll(name).flatMap((value) => parseAddressList(value));
}

function searchText(list: readonly Address[]): string {
  const lines: string[] = [];
  const mailbox = (m: { name: string; address: string }) =>
    m.name && m.address ? `${m.name} <${m.address}>` : m.name || m.address;
  for (const entry of list) {
    if ("group" in entry) lines.push(`${entry.name}:`, ...entry.group.map(mailbox));
    else lines.push(mailbox(entry));
  }
  return lines.join("\n").toLowerCase();
}

// RFC 5256 §3: the addr-mailbox of the first address, as IMAP's ENVELOPE gives it: a group
// starts with its name in the mailbox position.
function mailboxOf(first: Address | undefined): string {
  if (!first) return "";
  if ("group" in first) return first.name;
  const at = first.address.lastIndexOf("@");
  return at < 0 ? first.address : first.address.slice(0, at);
}

// RFC 5957 §3: the display name, or the address when there is none.
function displayOf(first: Address | undefined): string {
  if (!first) return "";
  if ("group" in first) return first.name;
  return first.name || first.address;
}

// The same text with its zone replaced by +0000 reads as the sender's wall clock.
const ZONE = /(\d{1,2}:\d{2}(?::\d{2})?)\s*(?:[+-]\d{4}|\b[A-Za-z]{1,5}\b)/;

function wallDay(date: string, sent: number): number {
  const wall = ZONE.test(date) ? parseDate(date.replace(ZONE, "$1 +0000")) ?? sent : sent;
  return Math.floor(wall / DAY) * DAY;
}
