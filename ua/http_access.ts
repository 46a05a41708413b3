/**
 * The user agent's mailboxes and submission over the server's HTTP interface
 * (`server/http/api.ts`), giving what the IMAP and SMTP ways give: the same listing lines
 * ({@linkcode InboxEntry}), the same exact bytes, the same errors.
 *
 * ```
 * C: GET /api/mailboxes/INBOX/messages?page=1&size=500&sort=arrival&order=asc
 * S: 200 {"total":1,"messages":[{"uid":1,"from":{...},"subject":"Lunch?","flags":[],...}]}
 * C: GET /api/mailboxes/INBOX/messages/1/raw          (exact bytes; \Seen unchanged)
 * C: POST /api/mailboxes/INBOX/messages/1/flags {"add":["\\Seen"]}
 * C: POST /api/submit?to=bob%40hamburger.edu          (Content-Type: message/rfc822)
 * S: 202 {"messageId":"<...>","recipients":["bob@hamburger.edu"]}
 * ```
 *
 * What differs from IMAP: a search looks in From and Subject only (the server's `q`); a listing
 * line names the first From address only; `delete` goes through Trash (moved there, then
 * removed from it); `watch` follows the server-sent events of `GET /api/events` and lists the
 * mailbox again at each change.
 *
 * @module
 */
import type { SendResult } from "../client/smtp_client.ts";
import type { MailAccess } from "./access.ts";
import type { Composed } from "./compose.ts";
import {
  HttpResponseError,
  NoSuchMailboxError,
  NoSuchMessageError,
  ServerConnectionError,
} from "./errors.ts";
import { type Folder, type InboxEntry, userFlags } from "./folders.ts";
import type { MessageRow } from "../server/http/message_view.ts";
import type { HttpTransport } from "./http_transport.ts";
import type { MailboxNews } from "./watch.ts";

/** A listing row as the HTTP interface sends it. */
type Row = MessageRow;

const PAGE = 500;

const messagesOf = (mailbox: string) => `/api/mailboxes/${encodeURIComponent(mailbox)}/messages`;
const messageOf = (mailbox: string, uid: number) => `${messagesOf(mailbox)}/${uid}`;

/** A 404 as the user agent's own error: which message, or which mailbox, is missing. */
function missing(error: unknown, where: { mailbox: string; uid?: number; to?: string }): unknown {
  if (!(error instanceof HttpResponseError) || error.status !== 404) return error;
  // The server's sentences: `No message 3 in INBOX`, `No such mailbox "X"`, `No mailbox X`.
  const box = /^No (?:such )?mailbox "?(.*?)"?$/.exec(error.said)?.[1];
  if (box !== undefined) return new NoSuchMailboxError(box);
  if (where.uid !== undefined && /^No (message|file)\b/.test(error.said)) {
    return new NoSuchMessageError(where.uid, where.mailbox);
  }
  return error;
}

async function mapped<T>(
  work: () => Promise<T>,
  where: { mailbox: string; uid?: number },
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw missing(error, where);
  }
}

function entryOf(row: Row): InboxEntry {
  const flags = userFlags(row.flags);
  const from = row.from
    ? (row.from.name ? `${row.from.name} <${row.from.address}>` : row.from.address)
    : "";
  return {
    uid: row.uid,
    seen: flags.includes("\\Seen"),
    flags,
    size: row.size,
    from,
    subject: row.subject,
    ...(row.date === undefined ? {} : { date: row.date }),
  };
}

/** Every row of a mailbox (or of a search), in UID order, page after page. */
async function rowsOf(http: HttpTransport, mailbox: string, q = ""): Promise<Row[]> {
  const rows: Row[] = [];
  for (let page = 1;; page++) {
    const query = { page, size: PAGE, sort: "arrival", order: "asc", ...(q ? { q } : {}) };
    const answer = await mapped(
      () => http.json<{ total: number; messages: Row[] }>("GET", messagesOf(mailbox), { query }),
      { mailbox },
    );
    rows.push(...answer.messages);
    if (answer.messages.length < PAGE || rows.length >= answer.total) return rows;
  }
}

/**
 * The mailboxes of one account over the HTTP interface.
 *
 * @param http A session with the account's server.
 * @returns The way to its mailboxes.
 */
export function httpAccess(http: HttpTransport): MailAccess {
  const flags = (uid: number, mailbox: string, change: { add?: string[]; remove?: string[] }) =>
    mapped(
      () =>
        http.json<{ flags: string[] }>("POST", `${messageOf(mailbox, uid)}/flags`, {
          json: change,
        }),
      { mailbox, uid },
    );
  const remove = (uid: number, mailbox: string) =>
    mapped(
      () => http.json<{ mailbox?: string; uid?: number }>("DELETE", messageOf(mailbox, uid)),
      { mailbox, uid },
    );
  return {
    mailboxes: () => http.json<Folder[]>("GET", "/api/mailboxes"),
    list: async (mailbox) => (await rowsOf(http, mailbox)).map(entryOf),
    search: async (text, where) => {
      if (where.in !== "text" && where.in !== "from" && where.in !== "subject") {
        throw new RangeError(
          `The HTTP interface searches From and Subject only, not "${where.in}"`,
        );
      }
      const entries = (await rowsOf(http, where.mailbox, text)).map(entryOf);
      const wanted = text.trim().toLowerCase();
      // The server's q looks in both; a search in one of them narrows what it found.
      return where.in === "text"
        ? entries
        : entries.filter((entry) => entry[where.in as "from"].toLowerCase().includes(wanted));
    },
    fetch: async (uid, where) => {
      const { mailbox } = where;
      const bytes = await mapped(
        () => http.bytes("GET", `${messageOf(mailbox, uid)}/raw`),
        { mailbox, uid },
      );
      if (where.markSeen) await flags(uid, mailbox, { add: ["\\Seen"] });
      if (!where.internalDate) return { bytes };
      // The arrival date is in the listing only.
      const row = (await rowsOf(http, mailbox)).find((r) => r.uid === uid);
      return { bytes, ...(row ? { internalDate: row.received } : {}) };
    },
    move: async (uid, where) => {
      const moved = await mapped(
        () =>
          http.json<{ uid?: number }>("POST", `${messageOf(where.from, uid)}/move`, {
            json: { to: where.to },
          }),
        { mailbox: where.from, uid },
      );
      return moved.uid;
    },
    trash: async (uid, mailbox) => (await remove(uid, mailbox)).uid,
    delete: async (uid, mailbox) => {
      // DELETE moves to Trash; there, it removes for good.
      const trashed = await remove(uid, mailbox);
      if (trashed.mailbox !== undefined && trashed.uid !== undefined) {
        await remove(trashed.uid, trashed.mailbox);
      }
    },
    flag: async (uid, list, where) => {
      const change = where.on ? { add: list } : { remove: list };
      return userFlags((await flags(uid, where.mailbox, change)).flags);
    },
    watch: (mailbox, onNews, options) => watchOverHttp(http, mailbox, onNews, options),
  };
}

/** The blocks of a server-sent event stream (`event:` and `data:` lines, a blank line after). */
async function* events(body: ReadableStream<Uint8Array>) {
  let buffer = "";
  for await (const text of body.pipeThrough(new TextDecoderStream())) {
    buffer += text.replaceAll("\r\n", "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block.split("\n").filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).trimStart()).join("\n");
      if (field("event") || field("data")) yield { event: field("event"), data: field("data") };
    }
  }
}

/** Watches a mailbox: each change the server announces is told apart by listing again. */
async function watchOverHttp(
  http: HttpTransport,
  mailbox: string,
  onNews: (news: MailboxNews) => void,
  options: { signal?: AbortSignal; onReady?: () => void },
): Promise<void> {
  const { signal } = options;
  const same = (name: string) =>
    name === mailbox || (/^inbox$/i.test(name) && /^inbox$/i.test(mailbox));
  let known = new Map((await rowsOf(http, mailbox)).map((r) => [r.uid, r.flags.join(" ")]));
  let response: Response;
  try {
    response = await http.request("GET", "/api/events", { signal });
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  const compare = async () => {
    const rows = await rowsOf(http, mailbox);
    const now = new Map(rows.map((r) => [r.uid, r.flags.join(" ")]));
    for (const uid of known.keys()) if (!now.has(uid)) onNews({ kind: "expunged", uid });
    for (const row of rows) {
      const before = known.get(row.uid);
      if (before !== undefined && before !== now.get(row.uid)) {
        onNews({ kind: "flags", uid: row.uid, flags: userFlags(row.flags) });
      }
    }
    const arrived = rows.filter((r) => !known.has(r.uid)).map(entryOf);
    if (arrived.length > 0) onNews({ kind: "arrived", messages: arrived });
    known = now;
  };
  // Whatever changed between the first listing and the stream's start.
  await compare();
  options.onReady?.();
  try {
    for await (const event of events(response.body!)) {
      if (event.event !== "mailbox") continue;
      const change = JSON.parse(event.data) as { mailbox: string };
      if (same(change.mailbox)) await compare();
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  if (signal?.aborted) return;
  throw new ServerConnectionError("HTTP", http.endpoint, {
    reason: "the server closed the event stream",
    connected: true,
  });
}

/** What `POST /api/submit` answered, as SMTP's answer would say it. */
export interface HttpSubmission {
  /** What became of each recipient. */
  result: SendResult;
  /** The UID of the copy the server kept in Sent (with `saveSent`). */
  sentUid?: number;
}

/**
 * Submits a composed message over HTTP: its bytes as `message/rfc822`, every envelope recipient
 * (To, Cc and Bcc) as a `to` parameter. A recipient the server refuses stops the whole
 * submission (unlike SMTP, where the others still get it): it comes back as a refused result.
 *
 * @param http A session with the sender's server.
 * @param composed The message and its envelope.
 * @param options Whether the server keeps a copy in Sent (`saveSent=1`).
 * @returns What the server said, as a {@linkcode SendResult}.
 */
export async function submitOverHttp(
  http: HttpTransport,
  composed: Composed,
  options: { saveSent: boolean },
): Promise<HttpSubmission> {
  const query = { to: composed.envelope.to, ...(options.saveSent ? { saveSent: "1" } : {}) };
  try {
    const answer = await http.json<{ recipients: string[]; sentUid?: number }>(
      "POST",
      "/api/submit",
      { query, body: { bytes: composed.bytes, type: "message/rfc822" } },
    );
    const result: SendResult = {
      accepted: answer.recipients,
      rejected: [],
      reply: { code: 202, lines: ["Accepted: delivered or queued"] },
      step: "end of data",
      downgraded: false,
    };
    return { result, ...(answer.sentUid === undefined ? {} : { sentUid: answer.sentUid }) };
  } catch (error) {
    // `bob@x: the server said 550 5.1.1 No such user`: the RCPT refusal, carried over HTTP.
    const said = error instanceof HttpResponseError && error.field === "to"
      ? /^(.+?): the server said (\d{3})(?: (\d\.\d{1,3}\.\d{1,3}))? (.*)$/.exec(error.said)
      : null;
    if (!said) throw error;
    const reply = {
      code: Number(said[2]),
      ...(said[3] ? { enhanced: said[3] } : {}),
      lines: [said[4]],
    };
    const result: SendResult = {
      accepted: [],
      rejected: [{ address: said[1], reply, step: "rcpt" }],
      reply,
      step: "rcpt",
      downgraded: false,
    };
    return { result };
  }
}
