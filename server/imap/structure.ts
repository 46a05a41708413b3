/**
 * ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2), built from the MIME tree of `message/`, and the
 * bytes of part sections such as `BODY[1.2]` or `BODY[2.HEADER]` (§6.4.5).
 *
 * @module
 */
import { type Address, type MimePart, parseMimeTree } from "../../message/mod.ts";
import { ImapResponseError } from "../../protocol/imap/error.ts";
import type { FetchSection } from "../../protocol/imap/fetch_items.ts";
import type { ImapData } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import { pickFields, splitMessage } from "./message_sections.ts";

/**
 * Parses a stored message into its MIME tree.
 *
 * @param bytes The whole message.
 * @returns The root part.
 */
export function mimeTree(bytes: Uint8Array): MimePart {
  return parseMimeTree(bytes);
}

const nstring = (value: string | undefined): ImapData =>
  value === undefined || value === "" ? null : { string: value };

function addresses(list: readonly Address[]): ImapData {
  const out: ImapData[] = [];
  for (const entry of list) {
    if ("group" in entry) {
      // RFC 3501 §7.4.2: a group starts with (NIL NIL "name" NIL) and ends with all NIL.
      out.push([null, null, { string: entry.name }, null]);
      for (const member of entry.group) out.push(address(member.name, member.address));
      out.push([null, null, null, null]);
    } else {
      out.push(address(entry.name, entry.address));
    }
  }
  return out.length > 0 ? out : null;
}

function address(name: string, addr: string): ImapData {
  const at = addr.lastIndexOf("@");
  const mailbox = at < 0 ? addr : addr.slice(0, at);
  const host = at < 0 ? "" : addr.slice(at + 1);
  return [nstring(name), null, nstring(mailbox), nstring(host)];
}

/**
 * The ENVELOPE of a message: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to and
 * message-id. Sender and reply-to default to from, as RFC 3501 §7.4.2 asks.
 *
 * @param root The message's root part (or the root of an enclosed message).
 * @returns The envelope as response data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResponse } from "../../protocol/imap/response.ts";
 * import { envelope, mimeTree } from "./structure.ts";
 *
 * const root = mimeTree(new TextEncoder().encode("From: Alice <alice@crepes.fr>\r\nSubject: hi\r\n\r\n"));
 * assert.equal(
 *   formatResponse("*", [envelope(root)]).lines[0],
 *   '* (NIL "hi" (("Alice" NIL "alice" "crepes.fr")) (("Alice" NIL "alice" "crepes.fr")) ' +
 *     '(("Alice" NIL "alice" "crepes.fr")) NIL NIL NIL NIL NIL)',
 * );
 * ```
 */
export function envelope(root: MimePart): ImapData {
  const h = root.header;
  const from = addresses(h.from);
  const sender = h.has("sender") ? addresses(h.sender ? [h.sender] : []) : from;
  const replyTo = h.has("reply-to") ? addresses(h.replyTo) : from;
  return [
    nstring(h.get("date")),
    nstring(h.get("subject")),
    from,
    sender,
    replyTo,
    addresses(h.to),
    addresses(h.cc),
    addresses(h.bcc),
    nstring(h.get("in-reply-to")),
    nstring(h.get("message-id")),
  ];
}

function params(record: Record<string, string>): ImapData {
  const entries = Object.entries(record);
  return entries.length > 0 ? entries.flatMap(([k, v]) => [{ string: k }, { string: v }]) : null;
}

function disposition(part: MimePart): ImapData {
  const d = part.disposition;
  return d ? [{ string: d.type }, params(d.params)] : null;
}

/**
 * The BODYSTRUCTURE of a part, or with `extensible` false the shorter BODY form.
 *
 * @param part The part (the root for the whole message).
 * @param extensible True for BODYSTRUCTURE, with parameters, disposition, language and location.
 * @returns The structure as response data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResponse } from "../../protocol/imap/response.ts";
 * import { bodyStructure, mimeTree } from "./structure.ts";
 *
 * const root = mimeTree(new TextEncoder().encode("Content-Type: text/plain; charset=utf-8\r\n\r\nHi\r\n"));
 * assert.equal(
 *   formatResponse("*", [bodyStructure(root, false)]).lines[0],
 *   '* ("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 4 1)',
 * );
 * ```
 */
export function bodyStructure(part: MimePart, extensible: boolean): ImapData {
  const type = part.contentType;
  if (type.type === "multipart") {
    const children = part.children.map((child) => bodyStructure(child, extensible));
    const out: ImapData[] = [...children, { string: type.subtype }];
    if (extensible) out.push(params(type.params), disposition(part), null, null);
    return out;
  }
  const out: ImapData[] = [
    { string: type.type },
    { string: type.subtype },
    params(type.params),
    nstring(part.id),
    nstring(part.header.get("content-description")),
    { string: part.encoding },
    String(part.size),
  ];
  if (type.type === "message" && type.subtype === "rfc822" && part.message) {
    out.push(envelope(part.message), bodyStructure(part.message, extensible), String(part.lines));
  } else if (type.type === "text") {
    out.push(String(part.lines));
  }
  if (extensible) out.push(nstring(part.header.get("content-md5")), disposition(part), null, null);
  return out;
}

/**
 * The bytes of a section with a part number: the part's body, its MIME header, or for a
 * `message/rfc822` part the enclosed message's header, text or chosen fields.
 *
 * @param root The message's root part.
 * @param section The section asked for (its `part` is not empty).
 * @returns The bytes.
 * @throws {ImapResponseError} NO when the part does not exist or cannot have that section.
 */
export function partBytes(root: MimePart, section: FetchSection): Uint8Array {
  const number = section.part.join(".");
  const part = root.find(number);
  if (!part) throw ImapResponseError.of(RESPONSE.NoSuchPart(number));
  if (section.text === "") return part.body;
  if (section.text === "MIME") return part.header.bytes;
  if (part.contentType.mediaType !== "message/rfc822") {
    throw ImapResponseError.of(RESPONSE.NotAMessage(number, section.text));
  }
  const { header, body } = splitMessage(part.body);
  if (section.text === "HEADER") return header;
  if (section.text === "TEXT") return body;
  return pickFields(header, section.fields, section.text === "HEADER.FIELDS.NOT");
}
