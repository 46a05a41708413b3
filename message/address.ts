/**
 * Addresses in header fields (RFC 5322 §3.4): mailboxes with display names, quoted strings,
 * comments and groups such as `undisclosed-recipients:;`, with internationalised addresses in
 * UTF-8 (RFC 6532) and display names in encoded words (RFC 2047).
 *
 * ```
 * address-list = address *("," address)
 * address      = mailbox / group
 * mailbox      = name-addr / addr-spec
 * name-addr    = [display-name] angle-addr
 * angle-addr   = [CFWS] "<" addr-spec ">" [CFWS]
 * group        = display-name ":" [group-list] ";" [CFWS]
 * addr-spec    = local-part "@" domain
 * ```
 *
 * @module
 */

import { decodeWords, encodeWords } from "./encoded_words.ts";

/** One mailbox: a display name (possibly empty) and an address. */
export interface Mailbox {
  /** The display name, decoded; empty when there is none. */
  name: string;
  /** The address, `local@domain`; empty when the field held a name only. */
  address: string;
  /**
   * An obsolete source route (RFC 5322 §4.4) as written before the colon, such as `@relay`;
   * present only when the field had one. IMAP's ENVELOPE shows it (RFC 3501 §7.4.2).
   */
  route?: string;
}

/** A named group of mailboxes, such as `undisclosed-recipients:;` (which has none). */
export interface Group {
  /** The group's display name, decoded. */
  name: string;
  /** The mailboxes in the group. */
  group: Mailbox[];
}

/** An entry of an address list. */
export type Address = Mailbox | Group;

type Token =
  | { kind: "atom"; text: string }
  | { kind: "quoted"; text: string }
  | { kind: "comment"; text: string }
  | { kind: "special"; text: string };

const SPECIALS = new Set(["<", ">", "@", ",", ";", ":"]);
const ATOM = /[^\s"(<>@,;:]+/y;
const SIMPLE = /^\s*(?:([^<>@\s][^<>@]*?)?\s*<([^<>\s@]+@[^<>\s@]+)>|([^<>\s@]+@[^<>\s@]+))\s*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
    } else if (c === '"') {
      let value = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i++];
      }
      i++;
      tokens.push({ kind: "quoted", text: value });
    } else if (c === "(") {
      let depth = 1;
      let value = "";
      i++;
      while (i < text.length && depth > 0) {
        const d = text[i];
        if (d === "\\" && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (d === "(") depth++;
        if (d === ")" && --depth === 0) break;
        value += d;
        i++;
      }
      i++;
      tokens.push({ kind: "comment", text: value });
    } else if (SPECIALS.has(c)) {
      tokens.push({ kind: "special", text: c });
      i++;
    } else {
      ATOM.lastIndex = i;
      const match = ATOM.exec(text);
      const value = match ? match[0] : text[i];
      i += value.length;
      tokens.push({ kind: "atom", text: value });
    }
  }
  return tokens;
}

function joinWords(tokens: Token[]): string {
  let out = "";
  let previous: Token | undefined;
  for (const token of tokens) {
    if (token.kind === "comment") continue;
    // Adjacent dot-atoms such as `a . b` or `a.b` join without spaces, words with one.
    const glue = previous && !(token.text === "." || previous.text.endsWith(".")) ? " " : "";
    out += glue + token.text;
    previous = token;
  }
  return out;
}

type Decode = (text: string) => string;

function isEncodedWord(text: string): boolean {
  return /^=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=$/.test(text);
}

function decodeName(tokens: Token[], decode: Decode): string {
  const parts: string[] = [];
  for (const token of tokens) {
    if (token.kind === "comment") continue;
    // Encoded words inside quotes break RFC 2047 §5 but are common; readers decode them.
    parts.push(decode(token.text));
  }
  // RFC 2047 §6.2: whitespace between adjacent encoded words is dropped; decodeWords does that
  // for words inside one string, so join the raw atoms first when every one is encoded.
  const raw = tokens.filter((t) => t.kind !== "comment").map((t) => t.text).join(" ");
  if (tokens.every((t) => t.kind === "atom") && raw.includes("=?")) return decode(raw).trim();
  return parts.join(" ").replace(/\s+/g, " ").trim();
}

function mailboxFrom(tokens: Token[], decode: Decode, routes: boolean): Mailbox | undefined {
  const open = tokens.findIndex((t) => t.kind === "special" && t.text === "<");
  if (open >= 0) {
    let close = tokens.findIndex((t, i) => i > open && t.kind === "special" && t.text === ">");
    if (close < 0) close = tokens.length;
    const inside = tokens.slice(open + 1, close).filter((t) => t.kind !== "comment");
    // An obsolete source route (`<@relay:user@host>`, RFC 5322 §4.4) is no part of the address.
    const colon = inside.findIndex((t) => t.kind === "special" && t.text === ":");
    const spec = colon >= 0 ? inside.slice(colon + 1) : inside;
    const name = decodeName(tokens.slice(0, open), decode);
    const address = spec.map((t) => t.text).join("");
    const comment = tokens.slice(close + 1).find((t) => t.kind === "comment");
    const mailbox: Mailbox = {
      name: name || (comment ? decode(comment.text).trim() : ""),
      address,
    };
    if (routes && colon > 0) mailbox.route = inside.slice(0, colon).map((t) => t.text).join("");
    return mailbox;
  }
  const words = tokens.filter((t) => t.kind !== "comment");
  if (words.length === 0) return undefined;
  const comment = tokens.find((t) => t.kind === "comment");
  const at = words.findIndex((t) => t.kind === "special" && t.text === "@");
  if (at < 0) {
    // No "@": no addr-spec (RFC 5322 §3.4.1, and §4.4 keeps the "@"), so this is a repair. One
    // atom is a local part without its domain, as Dovecot reads it and as SMTP knows one
    // (`postmaster`, RFC 5321 §4.5.1); several words, a quoted string or an encoded word (never
    // part of an address, RFC 2047 §5) are a display name whose address went missing.
    const text = joinWords(words);
    return /\s/.test(text) || words.some((t) => t.kind === "quoted") || isEncodedWord(text)
      ? { name: decodeName(words, decode), address: "" }
      : { name: comment ? decode(comment.text).trim() : "", address: text };
  }
  const address = words.map((t) => t.text).join("");
  return { name: comment ? decode(comment.text).trim() : "", address };
}

/** Options of {@linkcode parseAddressList}. */
export interface ParseAddressOptions {
  /**
   * Decode RFC 2047 encoded words in display names. IMAP's ENVELOPE wants them as they stand.
   * @default true
   */
  decode?: boolean;
  /**
   * Keep an obsolete source route (`<@relay:bob@x.org>`) in {@linkcode Mailbox.route}, as IMAP's
   * ENVELOPE shows it; otherwise it is dropped.
   * @default false
   */
  routes?: boolean;
}

/**
 * Parses an address list leniently: a missing `>`, stray commas, a name without an address and
 * obsolete routes all give a result instead of an error. Display names are decoded.
 *
 * @param text The field value (unfolded), for example the value of `To:`.
 * @param options Whether to decode encoded words in names.
 * @returns The mailboxes and groups, in order.
 *
 * @example Parse names, quoted strings, comments and a group
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAddressList } from "./address.ts";
 *
 * assert.deepEqual(
 *   parseAddressList('"Kim, Alice" <alice@crepes.fr>, bob@hamburger.edu (Bob)'),
 *   [
 *     { name: "Kim, Alice", address: "alice@crepes.fr" },
 *     { name: "Bob", address: "bob@hamburger.edu" },
 *   ],
 * );
 * assert.deepEqual(parseAddressList("undisclosed-recipients:;"), [
 *   { name: "undisclosed-recipients", group: [] },
 * ]);
 * assert.deepEqual(parseAddressList("=?UTF-8?B?7JWI64WV?= <bob@hamburger.edu>"), [
 *   { name: "안녕", address: "bob@hamburger.edu" },
 * ]);
 * ```
 */
export function parseAddressList(text: string, options: ParseAddressOptions = {}): Address[] {
  const decode: Decode = options.decode === false ? (text) => text : decodeWords;
  // Most fields are plain: "Name" <a@b>, Name <a@b>, a@b, separated by commas.
  if (!/["():;\\]/.test(text)) {
    const fast: Mailbox[] = [];
    for (const item of text.split(",")) {
      const m = SIMPLE.exec(item);
      if (!m) return parseGeneral(text, decode, options.routes === true);
      if (m[3] !== undefined) fast.push({ name: "", address: m[3] });
      else fast.push({ name: m[1] ? decode(m[1]).replace(/\s+/g, " ") : "", address: m[2] });
    }
    return fast;
  }
  return parseGeneral(text, decode, options.routes === true);
}

function parseGeneral(text: string, decode: Decode, routes: boolean): Address[] {
  const out: Address[] = [];
  const tokens = tokenize(text);
  let current: Token[] = [];
  let angle = false;
  let hasAt = false;
  const finish = (into: Mailbox[] | Address[]) => {
    const mailbox = mailboxFrom(current, decode, routes);
    if (mailbox) into.push(mailbox);
    current = [];
    angle = false;
    hasAt = false;
  };
  const isSpecial = (token: Token | undefined, text: string) =>
    token?.kind === "special" && token.text === text;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    if (isSpecial(token, ":") && !angle && !hasAt) {
      // A group: collect mailboxes up to ";" (or the end of the field).
      const name = decodeName(current, decode);
      current = [];
      const members: Mailbox[] = [];
      i++;
      while (i < tokens.length && !isSpecial(tokens[i], ";")) {
        if (isSpecial(tokens[i], ",")) finish(members);
        else current.push(tokens[i]);
        i++;
      }
      finish(members);
      out.push({ name, group: members });
      i++;
      continue;
    }
    if ((isSpecial(token, ",") || isSpecial(token, ";")) && !angle) {
      finish(out);
    } else {
      current.push(token);
      if (isSpecial(token, "<")) angle = true;
      if (isSpecial(token, "@")) hasAt = true;
      if (isSpecial(token, ">")) finish(out);
    }
    i++;
  }
  finish(out);
  return out;
}

/**
 * Every mailbox of an address list, with groups flattened into their members.
 *
 * @param text The field value.
 * @param options Whether to decode encoded words in names.
 * @returns The mailboxes.
 *
 * @example Flatten a group
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMailboxes } from "./address.ts";
 *
 * const list = parseMailboxes("team: a@x.org, b@x.org;, c@y.org");
 * assert.deepEqual(list.map((m) => m.address), ["a@x.org", "b@x.org", "c@y.org"]);
 * ```
 */
export function parseMailboxes(text: string, options: ParseAddressOptions = {}): Mailbox[] {
  return parseAddressList(text, options).flatMap((a) => "group" in a ? a.group : [a]);
}

// atext plus spaces; RFC 6532 §3.2 adds every non-ASCII character.
const ATOM_TEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ \u0080-\uffff]*$/;

/** Options of {@linkcode formatAddress}. */
export interface FormatAddressOptions {
  /**
   * Write non-ASCII display names as UTF-8 (RFC 6532, for SMTPUTF8 paths) instead of encoded
   * words.
   * @default false
   */
  utf8?: boolean;
}

function formatName(name: string, options: FormatAddressOptions): string {
  if (/[^\x20-\x7e]/.test(name) && !options.utf8) return encodeWords(name);
  if (ATOM_TEXT.test(name) && !/^\s|\s$|\s\s/.test(name)) return name;
  return `"${name.replace(/[\\"]/g, "\\$&")}"`;
}

/**
 * Formats a mailbox or group for a header, quoting the display name when it contains specials
 * (RFC 5322 §3.2.3) and encoding it as encoded words when it is not ASCII.
 *
 * @param address A mailbox, a group, or an address string used as it is.
 * @param options Whether UTF-8 may stay raw.
 * @returns The formatted address.
 *
 * @example Quote what must be quoted
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatAddress } from "./address.ts";
 *
 * assert.equal(formatAddress({ name: "Alice", address: "alice@crepes.fr" }), "Alice <alice@crepes.fr>");
 * assert.equal(formatAddress({ name: "Kim, Alice", address: "a@x.kr" }), '"Kim, Alice" <a@x.kr>');
 * assert.equal(formatAddress({ name: "김", address: "k@x.kr" }), "=?UTF-8?B?6rmA?= <k@x.kr>");
 * assert.equal(formatAddress({ name: "team", group: [] }), "team:;");
 * ```
 */
export function formatAddress(
  address: Address | string,
  options: FormatAddressOptions = {},
): string {
  if (typeof address === "string") return address;
  if ("group" in address) {
    const members = address.group.map((m) => formatAddress(m, options)).join(", ");
    return `${formatName(address.name, options)}:${members};`;
  }
  if (!address.name) return address.address;
  const name = formatName(address.name, options);
  if (address.address) return `${name} <${address.address}>`;
  // A name without an address is written as its phrase (`<>` is no address either), quoted when
  // it is one plain atom, which would read back as a local part.
  return /[\s"]/.test(name) || isEncodedWord(name) ? name : `"${name}"`;
}

/**
 * Formats several addresses, separated by commas.
 *
 * @param addresses The addresses.
 * @param options Whether UTF-8 may stay raw.
 * @returns The field value.
 *
 * @example Two recipients
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatAddressList } from "./address.ts";
 *
 * assert.equal(
 *   formatAddressList([{ name: "", address: "a@x.org" }, { name: "B", address: "b@x.org" }]),
 *   "a@x.org, B <b@x.org>",
 * );
 * ```
 */
export function formatAddressList(
  addresses: readonly (Address | string)[],
  options: FormatAddressOptions = {},
): string {
  return addresses.map((a) => formatAddress(a, options)).join(", ");
}
