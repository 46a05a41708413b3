/**
 * Field-by-field comparison of this parser with postal-mime, shared by the differential test
 * and the bench.
 *
 * @module
 */

// Test-only peer, pinned inline so deno.json stays untouched.
import PostalMime from "postal-mime";
import { type Address, parseMessage } from "../../message/mod.ts";

/** The fields compared, in table order. */
export const FIELDS = [
  "from",
  "to",
  "cc",
  "subject",
  "date",
  "messageId",
  "text",
  "attachments",
] as const;

/** One compared field. */
export type Field = typeof FIELDS[number];

/** A parser's view of a message, reduced to comparable strings. */
export type Summary = Record<Field, string>;

interface PostalAddress {
  name?: string;
  address?: string;
  group?: PostalAddress[];
}

function addressKey(list: readonly (Address | PostalAddress)[] | undefined): string {
  const flat: PostalAddress[] = (list ?? []).flatMap((a): PostalAddress[] =>
    "group" in a && Array.isArray(a.group) ? a.group : [a as PostalAddress]
  );
  return flat.map((a) => `${a.name ?? ""} <${(a.address ?? "").toLowerCase()}>`).join(", ");
}

function textKey(text: string | undefined): string {
  return (text ?? "").replace(/\r\n/g, "\n").replace(/\s+$/, "");
}

/**
 * Summarises a message as this parser reads it.
 *
 * @param bytes The message.
 * @returns The comparable fields.
 */
export function ours(bytes: Uint8Array): Summary {
  const m = parseMessage(bytes);
  return {
    from: addressKey(m.from.slice(0, 1)),
    to: addressKey(m.to),
    cc: addressKey(m.cc),
    subject: m.subject ?? "",
    date: m.date === undefined ? "" : new Date(m.date).toISOString(),
    messageId: m.messageId ?? "",
    text: textKey(m.text),
    attachments: m.attachments.map((a) => `${a.contentType} ${a.content.length}`).join(", "),
  };
}

/**
 * Summarises a message as postal-mime reads it.
 *
 * @param bytes The message.
 * @returns The comparable fields.
 */
export async function theirs(bytes: Uint8Array): Promise<Summary> {
  const m = await PostalMime.parse(bytes);
  const date = m.date ? Date.parse(m.date) : NaN;
  return {
    from: addressKey(m.from ? [m.from as PostalAddress] : []),
    to: addressKey(m.to as PostalAddress[] | undefined),
    cc: addressKey(m.cc as PostalAddress[] | undefined),
    subject: m.subject ?? "",
    date: Number.isNaN(date) ? "" : new Date(date).toISOString(),
    messageId: m.messageId ?? "",
    text: textKey(m.text),
    attachments: m.attachments.map((a) =>
      `${a.mimeType} ${typeof a.content === "string" ? a.content.length : a.content.byteLength}`
    ).join(", "),
  };
}
