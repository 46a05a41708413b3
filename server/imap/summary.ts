/**
 * The IMAP summary of a message: what ENVELOPE, BODY and BODYSTRUCTURE show, and where each MIME
 * part lies in the stored bytes, so that `BODY[2.1]` is a slice. It is computed once per message
 * from a parse of the whole message and kept by the store ({@linkcode MailboxStore.summaries},
 * kind {@linkcode SUMMARY_KIND}); a session also remembers the summaries of its snapshot, so a
 * second `FETCH 1:* ENVELOPE` neither reads nor parses, and a message another session expunged
 * still has its ENVELOPE and BODYSTRUCTURE while this session may name it (RFC 3501 §7.4.1).
 *
 * Everything in a summary survives `JSON.stringify`, so a store on disk can keep it as text.
 *
 * @module
 */
import { type MimePart, parseMimeTree } from "../../message/mod.ts";
import type { ImapData } from "../../protocol/imap/response.ts";
import type { MailboxStore, MessageInfo } from "../store/store.ts";
import { envelope } from "./structure.ts";

/**
 * The kind under which stores keep {@linkcode MessageSummary} values. A change of the summary's
 * shape takes a new kind, so that values of the old shape are never read.
 */
export const SUMMARY_KIND = "imap-2";

/** A parameter list (`charset`, `utf-8`), in the order of the header. */
export type ParameterList = [name: string, value: string][];

/** One MIME part, as BODYSTRUCTURE shows it and as body sections find it. */
export interface PartSummary {
  /** Where the part's header starts, where its body starts, and where it ends. */
  offsets: [header: number, body: number, end: number];
  /** The media type in lower case: `text`, `multipart`, `message`... */
  type: string;
  /** The subtype in lower case: `plain`, `mixed`, `rfc822`... */
  subtype: string;
  /** The `Content-Type:` parameters. */
  params: ParameterList;
  /** `Content-ID:`, as written. */
  id?: string;
  /** `Content-Description:`, as written (encoded words left encoded). */
  description?: string;
  /** `Content-Transfer-Encoding:` in lower case; `7bit` when absent. */
  encoding: string;
  /** `Content-MD5:`. */
  md5?: string;
  /** `Content-Disposition:`: its type and parameters. */
  disposition?: { type: string; params: ParameterList };
  /** `Content-Language:` tags (RFC 3282). */
  language?: string[];
  /** `Content-Location:` (RFC 2557). */
  location?: string;
  /** The body's line count, for text and message/rfc822 parts (IMAP `body-fld-lines`). */
  lines?: number;
  /** The parts of a multipart, at least one. */
  parts?: PartSummary[];
  /** The message a message/rfc822 part holds. */
  message?: MessageSummary;
}

/** A message (the stored one, or one held by a message/rfc822 part). */
export interface MessageSummary {
  /** Its ENVELOPE (RFC 3501 §7.4.2), ready to send: wire text unless it needs a literal. */
  envelope: ImapData;
  /** Its top-level part: header offsets are those of the message header. */
  body: PartSummary;
}

function pairs(record: Record<string, string>): ParameterList {
  return Object.entries(record);
}

function summarizePart(part: MimePart): PartSummary {
  const { type, subtype, params } = part.contentType;
  const header = part.header;
  const out: PartSummary = {
    offsets: [part.headerStart, part.bodyStart, part.end],
    type,
    subtype,
    params: pairs(params),
    encoding: part.encoding,
  };
  const id = header.get("content-id");
  const description = header.get("content-description");
  const md5 = header.get("content-md5");
  const location = header.get("content-location");
  const language = (header.get("content-language") ?? "").split(",").map((t) => t.trim())
    .filter((t) => t !== "");
  const disposition = part.disposition;
  if (id) out.id = id;
  if (description) out.description = description;
  if (md5) out.md5 = md5;
  if (disposition) out.disposition = { type: disposition.type, params: pairs(disposition.params) };
  if (language.length > 0) out.language = language;
  if (location) out.location = location.replace(/\s+/g, "");
  if (type === "multipart" && part.children.length > 0) {
    out.parts = part.children.map(summarizePart);
  } else if (type === "multipart") {
    // A multipart whose boundary never shows has no parts, and BODYSTRUCTURE needs at least one:
    // it is shown as the plain text it is.
    Object.assign(out, { type: "text", subtype: "plain", params: [["charset", "us-ascii"]] });
  }
  if (part.mediaType === "message/rfc822" && part.message) {
    out.message = summarizeMessage(part.message);
  }
  if (out.type === "text" || out.message) out.lines = part.lines;
  return out;
}

function summarizeMessage(root: MimePart): MessageSummary {
  return { envelope: envelope(root.header), body: summarizePart(root) };
}

/**
 * Computes the summary of a stored message: one parse of its MIME tree.
 *
 * @param bytes The whole message.
 * @returns Its summary.
 *
 * @example A message/rfc822 part holds a message with its own envelope
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "./summary.ts";
 *
 * const text = 'Subject: fwd\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
 *   "--b\r\n\r\nsee below\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" +
 *   "Subject: inner\r\n\r\nhello\r\n--b--\r\n";
 * const summary = summarize(new TextEncoder().encode(text));
 * const [first, second] = summary.body.parts!;
 * assert.equal(first.type, "text");
 * assert.equal(first.lines, 1);
 * assert.equal(second.message?.body.type, "text");
 * assert.equal(summary.envelope, '(NIL "fwd" NIL NIL NIL NIL NIL NIL NIL NIL)'); // as sent
 * assert.equal(second.message?.envelope, '(NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL)');
 * assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
 * ```
 */
export function summarize(bytes: Uint8Array): MessageSummary {
  return summarizeMessage(parseMimeTree(bytes));
}

// The summaries of snapshot entries this process has seen, by entry: a second FETCH of the same
// snapshot needs not even ask the store, and an entry's summary outlives the stored message.
const remembered = new WeakMap<MessageInfo, MessageSummary>();

/**
 * The summaries of messages of a snapshot: remembered for the entry, else kept by the store,
 * else computed (and kept) from the message's bytes; one store call for all those not
 * remembered yet.
 *
 * @param store The store.
 * @param where The owner and the mailbox.
 * @param infos The snapshot's entries.
 * @returns Each entry's summary, in order; undefined for a message expunged before its summary
 *   was ever computed for the entry.
 *
 * @example A batch, then the same entries again without the store
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { loadSummaries } from "./summary.ts";
 *
 * const store = new MemoryStore();
 * await store.deliver("bob", new TextEncoder().encode("Subject: one\r\n\r\n1\r\n"));
 * await store.deliver("bob", new TextEncoder().encode("Subject: two\r\n\r\n2\r\n"));
 * const infos = await store.list("bob", "INBOX");
 * const where = { user: "bob", mailbox: "INBOX" };
 * const first = await loadSummaries(store, where, infos);
 * assert.equal(first[1]?.envelope, '(NIL "two" NIL NIL NIL NIL NIL NIL NIL NIL)');
 * await store.expunge("bob", "INBOX", [1, 2]);
 * assert.deepEqual(await loadSummaries(store, where, infos), first);
 * ```
 */
export async function loadSummaries(
  store: MailboxStore,
  where: { user: string; mailbox: string },
  infos: readonly MessageInfo[],
): Promise<(MessageSummary | undefined)[]> {
  const found = infos.map((info) => remembered.get(info));
  const asked = infos.filter((_, i) => !found[i]);
  if (asked.length === 0) return found;
  const answers = await store.summaries(
    where.user,
    { mailbox: where.mailbox, uids: asked.map((info) => info.uid), kind: SUMMARY_KIND },
    summarize,
  );
  answers.forEach((summary, i) => {
    if (summary) remembered.set(asked[i], summary);
  });
  return infos.map((info) => remembered.get(info));
}
