/**
 * The body sections of FETCH (RFC 3501 §6.4.5): the header (up to and including the blank line),
 * the text after it, chosen header fields, MIME parts found by their numbers in a
 * {@linkcode MessageSummary}, and byte ranges. Everything is a slice of the stored bytes, so what
 * comes back is exactly what was delivered.
 *
 * ```
 * section-spec    = section-msgtext / (section-part ["." section-text])
 * section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
 * section-text    = section-msgtext / "MIME"
 * section-part    = nz-number *("." nz-number)
 * ```
 *
 * @module
 */
import type { FetchSection } from "../../protocol/imap/fetch_items.ts";
import type { MessageSummary, PartSummary } from "./summary.ts";

const latin1 = new TextDecoder("latin1");
const CR = 13;
const LF = 10;

/**
 * Splits a message at its first empty line.
 *
 * @param bytes The whole message.
 * @returns The header, including the empty line that ends it, and the body after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitMessage } from "./message_sections.ts";
 *
 * const { header, body } = splitMessage(new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * assert.equal(new TextDecoder().decode(header), "Subject: hi\r\n\r\n");
 * assert.equal(new TextDecoder().decode(body), "Hello\r\n");
 * ```
 */
export function splitMessage(bytes: Uint8Array): { header: Uint8Array; body: Uint8Array } {
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    const lineLength = i - lineStart - (i > lineStart && bytes[i - 1] === CR ? 1 : 0);
    if (lineLength === 0) return { header: bytes.subarray(0, i + 1), body: bytes.subarray(i + 1) };
    lineStart = i + 1;
  }
  return { header: bytes, body: bytes.subarray(bytes.length) };
}

/**
 * Splits a header into its fields, each with its continuation lines and line ending.
 *
 * @param header The header bytes, as from {@linkcode splitMessage}.
 * @returns Each field's name and raw bytes, in order (the final empty line is left out).
 */
export function headerFields(header: Uint8Array): { name: string; bytes: Uint8Array }[] {
  const fields: { name: string; start: number; end: number }[] = [];
  let lineStart = 0;
  while (lineStart < header.length) {
    let end = header.indexOf(LF, lineStart);
    end = end < 0 ? header.length : end + 1;
    const first = header[lineStart];
    const empty = first === LF || (first === CR && header[lineStart + 1] === LF);
    if (empty) break;
    if ((first === 0x20 || first === 0x09) && fields.length > 0) {
      fields[fields.length - 1].end = end;
    } else {
      const colon = header.subarray(lineStart, end).indexOf(0x3a);
      const name = colon > 0
        ? latin1.decode(header.subarray(lineStart, lineStart + colon)).trim()
        : "";
      fields.push({ name, start: lineStart, end });
    }
    lineStart = end;
  }
  return fields.map((f) => ({ name: f.name, bytes: header.subarray(f.start, f.end) }));
}

/**
 * The HEADER.FIELDS (or, with `not`, HEADER.FIELDS.NOT) subset of a header, ending with an empty
 * line as RFC 3501 §6.4.5 shows.
 *
 * @param header The header bytes.
 * @param names The field names, any case.
 * @param not True to keep the fields not named.
 * @returns The chosen fields followed by CRLF.
 *
 * @example Keep From and To
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickFields } from "./message_sections.ts";
 *
 * const header = new TextEncoder().encode("From: a@b\r\nSubject: x\r\n  y\r\nTo: c@d\r\n\r\n");
 * assert.equal(new TextDecoder().decode(pickFields(header, ["to", "FROM"], false)), "From: a@b\r\nTo: c@d\r\n\r\n");
 * assert.equal(new TextDecoder().decode(pickFields(header, ["From", "To"], true)), "Subject: x\r\n  y\r\n\r\n");
 * ```
 */
export function pickFields(header: Uint8Array, names: readonly string[], not: boolean): Uint8Array {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const kept = headerFields(header).filter((f) => wanted.has(f.name.toLowerCase()) !== not);
  const size = kept.reduce((n, f) => n + f.bytes.length, 0) + 2;
  const out = new Uint8Array(size);
  let at = 0;
  for (const f of kept) {
    out.set(f.bytes, at);
    at += f.bytes.length;
  }
  out.set([CR, LF], at);
  return out;
}

/**
 * The values of one header field, unfolded, as text (for SEARCH).
 *
 * @param header The header bytes.
 * @param name The field name, any case.
 * @returns Each occurrence's value, decoded as UTF-8.
 */
export function fieldValues(header: Uint8Array, name: string): string[] {
  const lower = name.toLowerCase();
  const decoder = new TextDecoder();
  return headerFields(header)
    .filter((f) => f.name.toLowerCase() === lower)
    .map((f) => {
      const text = decoder.decode(f.bytes);
      return text.slice(text.indexOf(":") + 1).replace(/\r?\n(?=[ \t])/g, "").trim();
    });
}

/**
 * A byte range of a section (`<start.count>`); a start beyond the end gives no bytes.
 *
 * @param bytes The section.
 * @param start The first byte.
 * @param count How many bytes at most.
 * @returns The range.
 */
export function partialBytes(bytes: Uint8Array, start: number, count: number): Uint8Array {
  return bytes.subarray(Math.min(start, bytes.length), Math.min(start + count, bytes.length));
}

/**
 * Finds a part by its section number (RFC 3501 §6.4.5). A multipart's parts are numbered from 1;
 * a message that is not multipart has one part, its body, numbered 1; and the numbers after a
 * message/rfc822 part count the parts of the message it holds. So when the stored message is
 * itself of type message/rfc822, `1` is its body (the whole enclosed message), `1.1` the
 * enclosed message's body, and `1.HEADER` the enclosed message's header.
 *
 * @param message The message's summary.
 * @param path The section number, `[2, 1]` for `2.1`; not empty.
 * @returns The part (for `1` of a message that is not multipart, the message's top-level part),
 *   or undefined when the message has no such part.
 *
 * @example Number the parts of a message that forwards another one
 * ```ts
 * import assert from "node:assert/strict";
 * import { findPart } from "./message_sections.ts";
 * import { summarize } from "./summary.ts";
 *
 * const text = "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nHello\r\n";
 * const summary = summarize(new TextEncoder().encode(text));
 * assert.equal(findPart(summary, [1]), summary.body);
 * assert.equal(findPart(summary, [1, 1]), summary.body.message?.body);
 * assert.equal(findPart(summary, [2]), undefined);
 * ```
 */
export function findPart(
  message: MessageSummary,
  path: readonly number[],
): PartSummary | undefined {
  let node: PartSummary | undefined;
  for (const n of path) {
    // The parts below a message/rfc822 part are those of its message.
    const container: PartSummary = node === undefined ? message.body : node.message?.body ?? node;
    node = container.parts
      ? container.parts[n - 1]
      : n === 1 && container !== node
      ? container
      : undefined;
    if (!node) return undefined;
  }
  return node;
}

const NOTHING = new Uint8Array(0);

/**
 * The bytes of a body section, before any partial range: `BODY[]`, `BODY[HEADER]`,
 * `BODY[TEXT]`, `BODY[HEADER.FIELDS (...)]` of the message, and for a part number the part's
 * body, its MIME header, or (for a message/rfc822 part) the enclosed message's header, text or
 * chosen fields. A part the message does not have, or the HEADER or TEXT of a part that is no
 * message/rfc822, is empty, as Dovecot answers it: one message without part 2 does not fail a
 * `FETCH 1:* BODY[2]` for all.
 *
 * @param bytes The whole message.
 * @param section The section asked for.
 * @param summary The message's summary; needed only when the section has a part number.
 * @returns A view of `bytes`, or new bytes for chosen fields.
 *
 * @example The header of the message inside part 2, and a part that is not there
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FetchSection } from "../../protocol/imap/fetch_items.ts";
 * import { sectionBytes } from "./message_sections.ts";
 * import { summarize } from "./summary.ts";
 *
 * const bytes = new TextEncoder().encode(
 *   'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\nsee below\r\n--b\r\n' +
 *     "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nhello\r\n--b--\r\n",
 * );
 * const summary = summarize(bytes);
 * const section: FetchSection = { kind: "section", peek: true, part: [2], text: "HEADER", fields: [] };
 * assert.equal(new TextDecoder().decode(sectionBytes(bytes, section, summary)), "Subject: inner\r\n\r\n");
 * assert.equal(sectionBytes(bytes, { ...section, part: [3] }, summary).length, 0);
 * ```
 */
export function sectionBytes(
  bytes: Uint8Array,
  section: FetchSection,
  summary?: MessageSummary,
): Uint8Array {
  let header: Uint8Array;
  let text: Uint8Array;
  if (section.part.length === 0) {
    if (section.text === "") return bytes;
    ({ header, body: text } = splitMessage(bytes));
  } else {
    if (!summary) throw new TypeError("A part section needs the message's summary");
    const part = findPart(summary, section.part);
    if (!part) return NOTHING;
    const [headerStart, bodyStart, end] = part.offsets;
    if (section.text === "") return bytes.subarray(bodyStart, end);
    if (section.text === "MIME") return bytes.subarray(headerStart, bodyStart);
    const inner = part.message?.body.offsets;
    if (!inner) return NOTHING;
    header = bytes.subarray(inner[0], inner[1]);
    text = bytes.subarray(inner[1], inner[2]);
  }
  switch (section.text) {
    case "HEADER":
      return header;
    case "TEXT":
      return text;
    default:
      return pickFields(header, section.fields, section.text === "HEADER.FIELDS.NOT");
  }
}
