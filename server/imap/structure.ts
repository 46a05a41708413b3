/**
 * ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2): the envelope built from a header, and the body
 * structure rendered from a part of a {@linkcode MessageSummary}, with or without the extension
 * data (`BODY` is BODYSTRUCTURE without it). {@linkcode structureData} renders each once per
 * summary, straight to wire text, so that fetching them again costs a string copy.
 *
 * ```
 * envelope      = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
 *                 env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
 * address       = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
 * body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
 * body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
 * body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
 * body-type-text  = media-text SP body-fields SP body-fld-lines
 * body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
 *                   body-fld-octets
 * body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
 * body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
 * ```
 *
 * @module
 */
import { type Address, type HeaderBlock, parseAddressList } from "../../message/mod.ts";
import { type ImapData, type ImapStringData, quote } from "../../protocol/imap/response.ts";
import type { MessageSummary, ParameterList, PartSummary } from "./summary.ts";

const nstring = (value: string | undefined): ImapData =>
  value === undefined ? null : { string: value };

// A NIL host marks group syntax (RFC 3501 §7.4.2), so an address without a domain or mailbox
// gets a placeholder instead, as Dovecot writes it.
const MISSING_MAILBOX = "MISSING_MAILBOX";
const MISSING_DOMAIN = "MISSING_DOMAIN";

function addressData(list: readonly Address[]): ImapData {
  const out: ImapData[] = [];
  for (const entry of list) {
    if ("group" in entry) {
      // A group starts with (NIL NIL "name" NIL) and ends with (NIL NIL NIL NIL).
      out.push([null, null, { string: entry.name }, null]);
      for (const member of entry.group) out.push(mailboxData(member));
      out.push([null, null, null, null]);
    } else {
      out.push(mailboxData(entry));
    }
  }
  return out.length > 0 ? out : null;
}

function mailboxData(entry: { name: string; address: string; route?: string }): ImapData {
  const at = entry.address.lastIndexOf("@");
  const local = at < 0 ? entry.address : entry.address.slice(0, at);
  const host = at < 0 ? "" : entry.address.slice(at + 1);
  return [
    entry.name ? { string: entry.name } : null,
    nstring(entry.route),
    { string: local || MISSING_MAILBOX },
    { string: host || MISSING_DOMAIN },
  ];
}

function addressField(values: readonly string[]): ImapData {
  // Encoded words in display names stay encoded: the client decodes them (RFC 3501 §7.4.2).
  return addressData(
    values.flatMap((value) => parseAddressList(value, { decode: false, routes: true })),
  );
}

/**
 * The ENVELOPE of a message from its header: date, subject, from, sender, reply-to, to, cc, bcc,
 * in-reply-to and message-id, as written (encoded words left encoded). A missing field is NIL;
 * a missing or empty Sender or Reply-To is From, as RFC 3501 §7.4.2 asks; groups are written in
 * the RFC's group syntax.
 *
 * @param header The message header (of the stored message, or of one inside a message/rfc822
 *   part).
 * @returns The envelope as response data: its wire text when no string in it needs a literal
 *   (so a summary keeps one short string, read back and sent as it is), else the structure.
 *
 * @example Sender and Reply-To default to From; a group in To
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHeaders } from "../../message/mod.ts";
 * import { formatResponse } from "../../protocol/imap/response.ts";
 * import { envelope } from "./structure.ts";
 *
 * const header = parseHeaders(new TextEncoder().encode(
 *   "From: =?UTF-8?Q?Alic=C3=A9?= <alice@crepes.fr>\r\nSender:\r\nTo: team: bob@hamburger.edu;\r\n\r\n",
 * ));
 * const alice = '(("=?UTF-8?Q?Alic=C3=A9?=" NIL "alice" "crepes.fr"))';
 * assert.equal(
 *   formatResponse("*", [envelope(header)]).lines[0],
 *   `* (NIL NIL ${alice} ${alice} ${alice} ` +
 *     '((NIL NIL "team" NIL) (NIL NIL "bob" "hamburger.edu") (NIL NIL NIL NIL)) NIL NIL NIL NIL)',
 * );
 * ```
 */
export function envelope(header: HeaderBlock): ImapData {
  const first = (name: string) => {
    const value = header.get(name);
    return value === undefined ? [] : [value];
  };
  const from = addressField(first("from"));
  const data: ImapData = [
    nstring(header.get("date")),
    nstring(header.get("subject")),
    from,
    addressField(first("sender")) ?? from,
    addressField(first("reply-to")) ?? from,
    addressField(header.getAll("to")),
    addressField(header.getAll("cc")),
    addressField(header.getAll("bcc")),
    nstring(header.get("in-reply-to")),
    nstring(header.get("message-id")),
  ];
  return wireText(data) ?? data;
}

function params(list: ParameterList): ImapData {
  return list.length > 0 ? list.flatMap(([k, v]) => [{ string: k }, { string: v }]) : null;
}

// body-fld-dsp, body-fld-lang and body-fld-loc: the extension data both part kinds end with.
function extension(part: PartSummary): ImapData[] {
  const d = part.disposition;
  return [
    d ? [{ string: d.type }, params(d.params)] : null,
    part.language ? part.language.map((tag) => ({ string: tag })) : null,
    nstring(part.location),
  ];
}

/**
 * The BODYSTRUCTURE of a part, or with `extensible` false the shorter BODY form (RFC 3501
 * §7.4.2). A message/rfc822 part shows its message's envelope and structure, text and
 * message/rfc822 parts their line counts.
 *
 * @param part The part (a summary's `body` for the whole message).
 * @param extensible True for BODYSTRUCTURE: parameters of multiparts, MD5, disposition,
 *   language and location.
 * @returns The structure as response data.
 *
 * @example A multipart with an attachment, as BODY and as BODYSTRUCTURE
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResponse } from "../../protocol/imap/response.ts";
 * import { bodyStructure } from "./structure.ts";
 * import { summarize } from "./summary.ts";
 *
 * const { body } = summarize(new TextEncoder().encode(
 *   'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\nHi\r\n--b\r\n' +
 *     "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n" +
 *     'Content-Disposition: attachment; filename="a.png"\r\nContent-Language: en\r\n\r\n' +
 *     "iVBORw0KGgo=\r\n--b--\r\n",
 * ));
 * const text = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 1';
 * const png = '("image" "png" NIL NIL NIL "base64" 12';
 * assert.equal(
 *   formatResponse("*", [bodyStructure(body, false)]).lines[0],
 *   `* (${text}) ${png}) "mixed")`,
 * );
 * assert.equal(
 *   formatResponse("*", [bodyStructure(body, true)]).lines[0],
 *   `* (${text} NIL NIL NIL NIL) ${png} NIL ("attachment" ("filename" "a.png")) ("en") NIL) ` +
 *     '"mixed" ("boundary" "b") NIL NIL NIL)',
 * );
 * ```
 */
export function bodyStructure(part: PartSummary, extensible: boolean): ImapData {
  if (part.parts) {
    const out: ImapData[] = part.parts.map((child) => bodyStructure(child, extensible));
    out.push({ string: part.subtype });
    if (extensible) out.push(params(part.params), ...extension(part));
    return out;
  }
  const out: ImapData[] = [
    { string: part.type },
    { string: part.subtype },
    params(part.params),
    nstring(part.id),
    nstring(part.description),
    { string: part.encoding },
    String(part.offsets[2] - part.offsets[1]),
  ];
  if (part.message) {
    const inner = part.message;
    out.push(inner.envelope, bodyStructure(inner.body, extensible), String(part.lines ?? 0));
  } else if (part.type === "text") {
    out.push(String(part.lines ?? 0));
  }
  if (extensible) out.push(nstring(part.md5), ...extension(part));
  return out;
}

/** The fetch attributes that show a message's structure. */
export type StructureAttribute = "ENVELOPE" | "BODY" | "BODYSTRUCTURE";

// The wire text of data that needs no literal, or undefined when some string must be one.
function wireText(data: ImapData): string | undefined {
  if (data === null) return "NIL";
  if (typeof data === "string") return data;
  if (data instanceof Uint8Array) return undefined;
  if (Array.isArray(data)) {
    const items: string[] = [];
    for (const item of data as readonly ImapData[]) {
      const text = wireText(item);
      if (text === undefined) return undefined;
      items.push(text);
    }
    return `(${items.join(" ")})`;
  }
  return quote((data as ImapStringData).string);
}

const rendered = new WeakMap<MessageSummary, Partial<Record<StructureAttribute, ImapData>>>();

/**
 * The ENVELOPE, BODY or BODYSTRUCTURE of a message, rendered the first time it is asked for a
 * summary and kept with it (as long as the summary lives): as wire text, written as it is,
 * unless some string needs a literal (8-bit text, line breaks).
 *
 * @param summary The message's summary.
 * @param attribute Which attribute.
 * @returns The attribute's value as response data.
 *
 * @example The same text twice, rendered once
 * ```ts
 * import assert from "node:assert/strict";
 * import { structureData } from "./structure.ts";
 * import { summarize } from "./summary.ts";
 *
 * const summary = summarize(new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * const body = structureData(summary, "BODY");
 * assert.equal(body, '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1)');
 * assert.equal(structureData(summary, "BODY"), body);
 * ```
 */
export function structureData(summary: MessageSummary, attribute: StructureAttribute): ImapData {
  let kept = rendered.get(summary);
  if (!kept) rendered.set(summary, kept = {});
  const known = kept[attribute];
  if (known !== undefined) return known;
  const data = attribute === "ENVELOPE"
    ? summary.envelope
    : bodyStructure(summary.body, attribute === "BODYSTRUCTURE");
  return kept[attribute] = wireText(data) ?? data;
}
