/**
 * The HTTP interface of one domain's mail server (the course's other way to a mailbox, 2.3.3):
 * a JSON API over the same store, accounts and submission rules as IMAP and SMTP. Handlers are
 * `Request -> Response`, so a test or a notebook calls them without a socket; `HttpServer`
 * puts them on a port.
 *
 * | method and path | what |
 * | --- | --- |
 * | `POST /api/login` `{user, password}` | logs in: a session cookie (HttpOnly, SameSite=Strict) |
 * | `POST /api/logout` | logs out |
 * | `GET /api/me` | who is logged in |
 * | `GET /api/mailboxes` | the mailboxes with their counts |
 * | `GET /api/mailboxes/:mailbox/messages?page&size&sort&order&q` | a page of a listing |
 * | `GET /api/mailboxes/:mailbox/messages/:uid[?images=1]` | one message, read (sets `\Seen`) |
 * | `GET …/:uid/raw` | its exact bytes, as a `.eml` download |
 * | `GET …/:uid/html[?images=1]` | its HTML, sanitised, as a page for a sandboxed frame |
 * | `GET …/:uid/travel` | how it travelled: each hop's dialog, `C:`/`S:` lines and a diagram |
 * | `GET …/:uid/attachments/:index` | one attachment, as a download |
 * | `POST …/:uid/flags` `{add?, remove?}` | changes flags |
 * | `POST …/:uid/move` `{to}` | moves it to another mailbox |
 * | `DELETE …/:uid` | moves it to Trash; in Trash, removes it for good |
 * | `POST /api/send` `{to, cc?, bcc?, subject, text?, html?, attachments?, inReplyTo?, references?}` | submits, as the SMTP submission port does |
 * | `POST /api/submit?to=…[&saveSent=1]`, body `message/rfc822` | submits a message the client composed (From: must be the login) |
 * | `GET /api/queue` | the server's outbound queue |
 * | `GET /api/events` | server-sent events: the user's mailboxes changed |
 *
 * Every refusal is JSON `{error, field?}` with its status: 400 bad input, 401 not logged in,
 * 403 another origin, 404 nothing there, 405 wrong method, 413 too large, 415 not JSON, 429 too
 * many failed logins or requests. There is no user in any path: every request reaches only the
 * logged-in user's own mail.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../../protocol/clock.ts";
import type { Transcript, TranscriptFactory } from "../../protocol/transcript.ts";
import { buildMessage, parseHeaders } from "../../message/mod.ts";
import { SmtpReplyError } from "../../protocol/smtp/reply.ts";
import type { Accounts } from "../accounts.ts";
import type { OutboundQueue } from "../queue/queue.ts";
import type { SmtpClientInfo, SmtpHandler } from "../smtp/types.ts";
import { InvalidNameError, type MailboxStore, NotFoundError } from "../store/store.ts";
import {
  attachmentOf,
  messageRow,
  messageView,
  ROW_SUMMARY_KIND,
  rowSummary,
} from "./message_view.ts";
import { download, errorResponse, HttpError, json, validate } from "./reply.ts";
import { eventStream } from "./event_stream.ts";
import { travelOf } from "./travel.ts";
import { HttpSessions } from "./sessions.ts";
import { LoginGuard } from "../login_guard.ts";

/** What the HTTP interface works with. */
export interface HttpApiOptions {
  /** The server's mail domain, in lower case. */
  domain: string;
  /** The users. */
  accounts: Accounts;
  /** Their mailboxes. */
  store: MailboxStore;
  /** The outbound queue (shown, and where mail to other domains goes through `handler`). */
  queue: OutboundQueue;
  /** The SMTP hooks of the submission port: the same recipients, the same delivery. */
  handler: SmtpHandler;
  /** The clock of sessions and throttles. */
  clock: Clock;
  /** The largest message accepted, in bytes. @default 10485760 */
  maxMessageSize?: number;
  /**
   * Requests per client address per minute, then 429. Generous: in the lab every browser, CLI
   * and test shares 127.0.0.1, and a webmail follows a busy mailbox live.
   * @default 6000
   */
  maxRequestsPerMinute?: number;
  /** The wait added to each failed login after the first (for its own guard). @default 1000 */
  loginFailureDelayMs?: number;
  /**
   * The server's guard against password guessing, shared with SMTP and IMAP.
   * @default one of its own
   */
  logins?: LoginGuard;
  /** Records a submission over HTTP as a dialog, beside SMTP's. @default none */
  transcripts?: TranscriptFactory;
  /** Where the travel panel looks for a message's hops. @default none (no hops) */
  travelSources?: () => readonly Transcript[];
}

/** The client's address, as `Deno.serve` tells it. */
export interface RequestInfo {
  /** `host:port` or just the host. */
  remote: string;
}

type Handler = (request: Request, match: Record<string, string>, who: Who) => Promise<Response>;
interface Who {
  user?: string;
  remote: string;
}
interface Route {
  method: string;
  pattern: URLPattern;
  handler: Handler;
  /** Whether it works without a login. */
  open?: boolean;
}

const JSON_LIMIT = 64 * 1024;

const LoginSchema = z.object({ user: z.string().min(1).max(320), password: z.string().max(1024) });
const ListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.enum(["arrival", "date", "from", "subject", "size"]).default("arrival"),
  order: z.enum(["asc", "desc"]).default("desc"),
  q: z.string().max(200).default(""),
});
const FlagSchema = z.string().regex(/^\\?[!#$&'+\-.0-9A-Z^_`a-z|~]{1,64}$/, "not a flag name");
const FlagsSchema = z.object({
  add: z.array(FlagSchema).max(20).default([]),
  remove: z.array(FlagSchema).max(20).default([]),
});
const MoveSchema = z.object({ to: z.string().min(1).max(500) });
const AddressListSchema = z.union([z.string(), z.array(z.string())]).optional();
const SendSchema = z.object({
  to: AddressListSchema,
  cc: AddressListSchema,
  bcc: AddressListSchema,
  subject: z.string().max(998).default(""),
  text: z.string().optional(),
  html: z.string().optional(),
  attachments: z.array(z.object({
    filename: z.string().min(1).max(255),
    contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, "not a media type").default(
      "application/octet-stream",
    ),
    content: z.base64(),
  })).max(20).default([]),
  inReplyTo: z.string().max(998).optional(),
  references: z.array(z.string().max(998)).max(100).optional(),
});
const ADDRESS = /^[^\s<>@",;]+@[^\s<>@",;]+\.[^\s<>@",;]+$/;

/**
 * The JSON API of one domain's mail server.
 *
 * @example Log in and list the mailboxes, without a socket
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { Accounts } from "../accounts.ts";
 * import { mailHandler } from "../mail_handler.ts";
 * import { OutboundQueue } from "../queue/queue.ts";
 * import { MemorySpool } from "../queue/spool.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { HttpApi } from "./api.ts";
 *
 * const clock = new ManualClock();
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const store = new MemoryStore({ clock });
 * await store.ensureUser("bob");
 * const queue = new OutboundQueue({ spool: new MemorySpool(), deliverer: { async *deliver() {} }, clock });
 * const handler = mailHandler({ domain: "hamburger.edu", accounts, store, queue, clock });
 * const api = new HttpApi({ domain: "hamburger.edu", accounts, store, queue, handler, clock });
 * const login = await api.handle(new Request("http://mail/api/login", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ user: "bob", password: "pickles" }),
 * }), { remote: "127.0.0.1" });
 * const cookie = login.headers.get("set-cookie")!.split(";")[0];
 * const boxes = await api.handle(new Request("http://mail/api/mailboxes", { headers: { cookie } }), { remote: "127.0.0.1" });
 * assert.deepEqual((await boxes.json()).map((m: { name: string }) => m.name), ["INBOX", "Drafts", "Junk", "Sent", "Trash"]);
 * ```
 */
export class HttpApi {
  #options: HttpApiOptions;
  #sessions: HttpSessions;
  #logins: LoginGuard;
  #routes: Route[];
  #requests = new Map<string, { start: number; count: number }>();
  #streams = new Set<() => void>();

  /**
   * Prepares the API.
   *
   * @param options The server's parts.
   */
  constructor(options: HttpApiOptions) {
    this.#options = options;
    this.#sessions = new HttpSessions({ clock: options.clock, domain: options.domain });
    this.#logins = options.logins ??
      new LoginGuard({ clock: options.clock, failureDelayMs: options.loginFailureDelayMs });
    const message = "/api/mailboxes/:mailbox/messages/:uid(\\d+)";
    this.#routes = [
      { method: "POST", pattern: path("/api/login"), handler: this.#login, open: true },
      { method: "POST", pattern: path("/api/logout"), handler: this.#logout, open: true },
      { method: "GET", pattern: path("/api/me"), handler: this.#me },
      { method: "GET", pattern: path("/api/mailboxes"), handler: this.#mailboxes },
      { method: "GET", pattern: path("/api/mailboxes/:mailbox/messages"), handler: this.#list },
      { method: "GET", pattern: path(message), handler: this.#read },
      { method: "DELETE", pattern: path(message), handler: this.#delete },
      { method: "GET", pattern: path(`${message}/raw`), handler: this.#raw },
      { method: "GET", pattern: path(`${message}/html`), handler: this.#html },
      { method: "GET", pattern: path(`${message}/travel`), handler: this.#travel },
      {
        method: "GET",
        pattern: path(`${message}/attachments/:index(\\d+)`),
        handler: this.#attachment,
      },
      { method: "POST", pattern: path(`${message}/flags`), handler: this.#flags },
      { method: "POST", pattern: path(`${message}/move`), handler: this.#move },
      { method: "POST", pattern: path("/api/send"), handler: this.#send },
      { method: "POST", pattern: path("/api/submit"), handler: this.#submitRaw },
      { method: "GET", pattern: path("/api/queue"), handler: this.#queue },
      { method: "GET", pattern: path("/api/events"), handler: this.#events },
    ];
  }

  /**
   * Answers one request; never throws (a failure of the server itself is a 500).
   *
   * @param request The request.
   * @param info The client's address.
   * @returns The response.
   */
  async handle(request: Request, info: RequestInfo): Promise<Response> {
    try {
      const remote = info.remote.replace(/:\d+$/, "");
      this.#countRequest(remote);
      const url = new URL(request.url);
      const found = this.#routes.filter((r) => r.pattern.test(url));
      if (found.length === 0) throw new HttpError(404, `Nothing at ${url.pathname}`);
      const route = found.find((r) => r.method === request.method);
      if (!route) {
        const allow = found.map((r) => r.method).join(", ");
        throw new HttpError(405, `${request.method} is not allowed here: use ${allow}`, {
          headers: { Allow: allow },
        });
      }
      if (request.method !== "GET") checkOrigin(request, url);
      const user = this.#sessions.find(request)?.user;
      if (!route.open && !user) throw new HttpError(401, "Log in first");
      const groups = route.pattern.exec(url)!.pathname.groups as Record<string, string>;
      const match = Object.fromEntries(
        Object.entries(groups).map(([k, v]) => [k, decodeSegment(v)]),
      );
      return await route.handler(request, match, { user, remote });
    } catch (error) {
      return errorResponse(asHttpError(error));
    }
  }

  /** Ends every open event stream (the server is closing). */
  endStreams(): void {
    for (const end of [...this.#streams]) end();
  }

  #countRequest(remote: string): void {
    const now = this.#options.clock.now();
    const limit = this.#options.maxRequestsPerMinute ?? 6000;
    const seen = this.#requests.get(remote);
    if (!seen || now - seen.start >= 60_000) {
      if (this.#requests.size > 10_000) this.#requests.clear();
      this.#requests.set(remote, { start: now, count: 1 });
      return;
    }
    if (++seen.count > limit) {
      const wait = Math.max(1, Math.ceil((seen.start + 60_000 - now) / 1000));
      throw new HttpError(429, `More than ${limit} requests a minute: slow down`, {
        headers: { "Retry-After": String(wait) },
      });
    }
  }

  #login: Handler = async (request, _match, who) => {
    const input = validate(LoginSchema, await readJson(request));
    const at = input.user.lastIndexOf("@");
    const name = at < 0 ? input.user : input.user.slice(0, at);
    const domainOk = at < 0 || input.user.slice(at + 1).toLowerCase() === this.#options.domain;
    const check = () =>
      domainOk ? this.#options.accounts.verify(name, input.password) : Promise.resolve(undefined);
    const outcome = await this.#logins.attempt("HTTP", who.remote, name, check);
    if (!outcome.ok && outcome.lockedMs) {
      const seconds = Math.ceil(outcome.lockedMs / 1000);
      throw new HttpError(
        429,
        `Too many failed logins from this address or for this account; try again in ${seconds} s`,
        { headers: { "Retry-After": String(seconds) } },
      );
    }
    if (!outcome.ok) throw new HttpError(401, "Wrong user name or password");
    const user = outcome.user;
    return json(this.#me_(user), { headers: { "Set-Cookie": this.#sessions.open(user) } });
  };

  #logout: Handler = (request) =>
    Promise.resolve(
      new Response(null, {
        status: 204,
        headers: { "Set-Cookie": this.#sessions.close(request) },
      }),
    );

  #me_(user: string) {
    return { user, address: `${user}@${this.#options.domain}`, domain: this.#options.domain };
  }

  #me: Handler = (_request, _match, who) => Promise.resolve(json(this.#me_(who.user!)));

  #mailboxes: Handler = async (_request, _match, who) => {
    const store = this.#options.store;
    const boxes = await store.mailboxes(who.user!);
    const rows = [];
    for (const box of boxes) {
      const status = await store.status(who.user!, box.name);
      rows.push({
        name: box.name,
        ...(box.specialUse ? { specialUse: box.specialUse } : {}),
        messages: status.messages,
        unseen: status.unseen,
      });
    }
    return json(rows);
  };

  #list: Handler = async (request, match, who) => {
    const query = validate(
      ListQuerySchema,
      Object.fromEntries(new URL(request.url).searchParams),
    );
    const store = this.#options.store;
    const infos = await store.list(who.user!, match.mailbox);
    const summaries = await store.summaries(
      who.user!,
      { mailbox: match.mailbox, uids: infos.map((i) => i.uid), kind: ROW_SUMMARY_KIND },
      rowSummary,
    );
    let rows = infos.flatMap((info, i) => {
      const summary = summaries[i];
      return summary ? [messageRow(info, summary)] : [];
    });
    const q = query.q.trim().toLowerCase();
    if (q) {
      rows = rows.filter((row) =>
        row.subject.toLowerCase().includes(q) ||
        `${row.from?.name ?? ""} ${row.from?.address ?? ""}`.toLowerCase().includes(q)
      );
    }
    const key = {
      arrival: (r: typeof rows[number]) => r.uid,
      date: (r: typeof rows[number]) => r.date ?? r.received,
      from: (r: typeof rows[number]) => (r.from?.name || r.from?.address || "").toLowerCase(),
      subject: (r: typeof rows[number]) => r.subject.toLowerCase(),
      size: (r: typeof rows[number]) => r.size,
    }[query.sort];
    const sign = query.order === "asc" ? 1 : -1;
    rows.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return (x < y ? -1 : x > y ? 1 : a.uid - b.uid) * sign;
    });
    const start = (query.page - 1) * query.size;
    return json({
      mailbox: match.mailbox,
      total: rows.length,
      unseen: rows.filter((r) => !r.seen).length,
      page: query.page,
      size: query.size,
      messages: rows.slice(start, start + query.size),
    });
  };

  async #message(who: Who, match: Record<string, string>) {
    const uid = Number(match.uid);
    const store = this.#options.store;
    const info = (await store.list(who.user!, match.mailbox)).find((m) => m.uid === uid);
    if (!info) throw new HttpError(404, `No message ${uid} in ${match.mailbox}`);
    return { info, bytes: await store.read(who.user!, match.mailbox, uid), uid };
  }

  #read: Handler = async (request, match, who) => {
    const { info, bytes, uid } = await this.#message(who, match);
    const images = new URL(request.url).searchParams.get("images") === "1";
    let flags = info.flags;
    if (!flags.includes("\\Seen")) {
      const now = await this.#options.store.updateFlags(
        who.user!,
        { mailbox: match.mailbox, uid },
        {
          add: ["\\Seen"],
        },
      );
      flags = now?.flags ?? [...flags, "\\Seen"];
    }
    return json({
      mailbox: match.mailbox,
      ...messageView({ ...info, flags }, bytes, { remoteImages: images }),
    });
  };

  #raw: Handler = async (_request, match, who) => {
    const { bytes, uid } = await this.#message(who, match);
    return download(bytes, { type: "message/rfc822", filename: `message-${uid}.eml` });
  };

  // The HTML part as a document of its own, for a sandboxed frame: its Content-Security-Policy
  // runs no script and loads nothing but the message's own images (and remote ones if asked).
  #html: Handler = async (request, match, who) => {
    const { info, bytes } = await this.#message(who, match);
    const images = new URL(request.url).searchParams.get("images") === "1";
    const view = messageView(info, bytes, { remoteImages: images });
    const body = view.html ?? "";
    const page = `<!doctype html><html><head><meta charset="utf-8"><base target="_blank">` +
      `</head><body>${body}</body></html>`;
    const img = images ? "data: cid: https: http:" : "data: cid:";
    return new Response(page, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy":
          `default-src 'none'; img-src ${img}; style-src 'unsafe-inline'; sandbox allow-popups allow-popups-to-escape-sandbox`,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
      },
    });
  };

  #travel: Handler = async (_request, match, who) => {
    // The header is all this needs: no body to decode, no HTML to sanitise.
    const { bytes } = await this.#message(who, match);
    const header = parseHeaders(bytes);
    const sources = this.#options.travelSources?.() ?? [];
    const reader = `${who.user}@${this.#options.domain}`;
    const showRecipients = header.from[0]?.address.toLowerCase() === reader;
    const messageId = header.messageId;
    const hops = messageId ? travelOf(sources, messageId, reader, { showRecipients }) : [];
    const received = header.getAll("received").map((v) => v.replace(/\s+/g, " ").trim());
    return json({ messageId, received, hops });
  };

  #attachment: Handler = async (_request, match, who) => {
    const { bytes, uid } = await this.#message(who, match);
    const found = attachmentOf(bytes, Number(match.index));
    if (!found) throw new HttpError(404, `Message ${uid} has no attachment ${match.index}`);
    return download(found.content, { type: found.contentType, filename: found.filename });
  };

  #flags: Handler = async (request, match, who) => {
    const input = validate(FlagsSchema, await readJson(request));
    const uid = Number(match.uid);
    const now = await this.#options.store.updateFlags(who.user!, { mailbox: match.mailbox, uid }, {
      add: input.add,
      remove: input.remove,
    });
    const flags = now?.flags ??
      (await this.#options.store.list(who.user!, match.mailbox)).find((m) => m.uid === uid)?.flags;
    if (!flags) throw new HttpError(404, `No message ${uid} in ${match.mailbox}`);
    return json({ uid, flags });
  };

  #move: Handler = async (request, match, who) => {
    const input = validate(MoveSchema, await readJson(request));
    return json(await this.#moveTo(who.user!, match.mailbox, Number(match.uid), input.to));
  };

  async #moveTo(user: string, from: string, uid: number, to: string) {
    const store = this.#options.store;
    const [pair] = await store.copy(user, from, [uid], to);
    if (!pair) throw new HttpError(404, `No message ${uid} in ${from}`);
    await store.expunge(user, from, [uid]);
    return { mailbox: to, uid: pair.to };
  }

  #delete: Handler = async (_request, match, who) => {
    const store = this.#options.store;
    const user = who.user!;
    const uid = Number(match.uid);
    const boxes = await store.mailboxes(user);
    const trash = boxes.find((b) => b.specialUse === "\\Trash")?.name;
    const here = boxes.find((b) => b.name.toLowerCase() === match.mailbox.toLowerCase());
    if (!here) throw new HttpError(404, `No mailbox ${match.mailbox}`);
    if (trash && here.name !== trash) return json(await this.#moveTo(user, here.name, uid, trash));
    const exists = (await store.list(user, here.name)).some((m) => m.uid === uid);
    if (!exists) throw new HttpError(404, `No message ${uid} in ${here.name}`);
    await store.expunge(user, here.name, [uid]);
    return json({ deleted: uid });
  };

  #send: Handler = async (request, _match, who) => {
    const max = this.#options.maxMessageSize ?? 10 * 1024 * 1024;
    const input = validate(SendSchema, await readJson(request, Math.ceil(max * 1.4) + JSON_LIMIT));
    const list = (value: string | string[] | undefined, field: string) => {
      const items = (typeof value === "string" ? value.split(",") : value ?? [])
        .map((a) => a.trim()).filter((a) => a !== "");
      for (const address of items) {
        if (!ADDRESS.test(address)) {
          throw new HttpError(400, `${field}: "${address}" is not an email address`, { field });
        }
      }
      return items;
    };
    const to = list(input.to, "to");
    const cc = list(input.cc, "cc");
    const bcc = list(input.bcc, "bcc");
    const recipients = [...new Set([...to, ...cc, ...bcc])];
    if (recipients.length === 0) {
      throw new HttpError(400, "to: give at least one recipient", { field: "to" });
    }
    if (recipients.length > 100) {
      throw new HttpError(400, "to: at most 100 recipients", { field: "to" });
    }
    const from = `${who.user}@${this.#options.domain}`;
    const bytes = buildFrom({
      from,
      ...(to.length > 0 ? { to } : {}),
      ...(cc.length > 0 ? { cc } : {}),
      subject: input.subject,
      text: input.text ?? (input.html === undefined ? "" : undefined),
      html: input.html,
      attachments: input.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Uint8Array.from(atob(a.content), (c) => c.charCodeAt(0)),
      })),
      inReplyTo: input.inReplyTo,
      references: input.references,
    }, { clock: this.#options.clock, domain: this.#options.domain });
    return await this.#submit(who, from, recipients, bytes, { max, saveSent: true });
  };

  // A message the client composed itself (a user agent's own bytes), as SMTP's DATA takes it:
  // the recipients in the address (`?to=a&to=b`), the From: the login's own address.
  #submitRaw: Handler = async (request, _match, who) => {
    const max = this.#options.maxMessageSize ?? 10 * 1024 * 1024;
    const type = request.headers.get("content-type") ?? "";
    if (!/^message\/rfc822\s*(;|$)/i.test(type)) {
      throw new HttpError(415, "Send the message itself, with Content-Type: message/rfc822");
    }
    const bytes = await readBody(request, max);
    const recipients = [...new Set(new URL(request.url).searchParams.getAll("to"))];
    for (const address of recipients) {
      if (!ADDRESS.test(address)) {
        throw new HttpError(400, `to: "${address}" is not an email address`, { field: "to" });
      }
    }
    if (recipients.length === 0) {
      throw new HttpError(400, "to: give at least one recipient (?to=...)", { field: "to" });
    }
    const from = `${who.user}@${this.#options.domain}`;
    // RFC 6409 §6.1: a submission server may refuse a message its login does not author.
    const authors = parseHeaders(bytes).from.map((m) => m.address.toLowerCase());
    if (authors.length === 0 || authors.some((a) => a !== from)) {
      throw new HttpError(403, `From: must be ${from}, the address you logged in as`, {
        field: "from",
      });
    }
    const saveSent = new URL(request.url).searchParams.get("saveSent") === "1";
    return await this.#submit(who, from, recipients, bytes, { max, saveSent });
  };

  // The submission port's own steps: each recipient as RCPT, the message as DATA (trace field,
  // local delivery, the queue), then the answer.
  async #submit(
    who: Who,
    from: string,
    recipients: string[],
    bytes: Uint8Array,
    options: { max: number; saveSent: boolean },
  ): Promise<Response> {
    const max = options.max;
    if (bytes.length > max) {
      throw new HttpError(413, `The message is ${bytes.length} bytes; the limit is ${max}`);
    }
    const smtputf8 = recipients.some((a) => /[^ -~]/.test(a));
    const envelope = { from, to: [] as string[], params: { body: "8BITMIME" as const, smtputf8 } };
    const client: SmtpClientInfo = {
      remote: who.remote,
      helo: "webmail",
      esmtp: true,
      submission: true,
      user: who.user,
    };
    const handler = this.#options.handler;
    for (const address of recipients) {
      await smtpStep(() => handler.rcpt?.(address, envelope, client), address);
      envelope.to.push(address);
    }
    const dialog = this.#record(who, from, recipients, bytes);
    try {
      await smtpStep(() => handler.data?.(envelope, bytes, client));
    } catch (error) {
      dialog?.server(
        `${asHttpError(error).status} ${asHttpError(error).message}`,
        this.#options.clock.now(),
      );
      throw error;
    }
    dialog?.server(
      "202 Accepted: delivered or queued, as SMTP's 250 would say",
      this.#options.clock.now(),
    );
    dialog?.note("HTTP request done", this.#options.clock.now());
    const sent = options.saveSent
      ? await this.#options.store.deliver(who.user!, bytes, { mailbox: "Sent", flags: ["\\Seen"] })
        .catch(() => undefined)
      : undefined;
    const messageId = /^Message-ID:\s*(\S+)/im.exec(
      new TextDecoder().decode(bytes.subarray(0, 4096)),
    )?.[1];
    return json({ messageId, recipients, sentUid: sent }, { status: 202 });
  }

  // A submission over HTTP, written down like an SMTP dialog: the request, the message's header
  // (its body as one line), the answer. The travel panel finds it by the Message-ID line.
  #record(who: Who, from: string, recipients: string[], bytes: Uint8Array) {
    const dialog = this.#options.transcripts?.({
      protocol: "HTTP",
      remote: who.remote,
      local: this.#options.domain,
    });
    if (!dialog) return undefined;
    const now = this.#options.clock.now();
    dialog.client(`POST /api/send (logged in as ${from})`, now);
    for (const recipient of recipients) dialog.client(`recipient: <${recipient}>`, now);
    const text = new TextDecoder().decode(bytes);
    const end = text.indexOf("\r\n\r\n");
    for (const line of text.slice(0, end < 0 ? text.length : end).split("\r\n")) {
      dialog.client(line, now);
    }
    return dialog;
  }

  #queue: Handler = () => {
    const entries = this.#options.queue.list().map((entry) => ({
      id: entry.id,
      from: entry.from,
      recipients: entry.recipients,
      size: entry.size,
      createdAt: entry.createdAt,
      nextAttemptAt: entry.nextAttemptAt,
      attempts: entry.attempts,
    }));
    return Promise.resolve(json(entries));
  };

  #events: Handler = (_request, _match, who) => {
    const { store } = this.#options;
    return Promise.resolve(eventStream({
      name: "mailbox",
      subscribe: (send) => store.watch(who.user!, send),
      register: (end) => this.#streams.add(end),
      ended: (end) => this.#streams.delete(end),
    }));
  };
}

// The message builder checks its input too (header lengths, names); what it refuses is a 400.
function buildFrom(...args: Parameters<typeof buildMessage>): Uint8Array {
  try {
    return buildMessage(...args);
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    const issue = error.issues[0];
    const field = issue.path.map(String).join(".");
    throw new HttpError(400, `${field || "The message"}: ${issue.message}`, field ? { field } : {});
  }
}

function path(pathname: string): URLPattern {
  return new URLPattern({ pathname });
}

// A path segment names a mailbox as given; one that does not decode is no name at all.
function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HttpError(400, `"${value}" is not a well-encoded path segment`);
  }
}

// CSRF: a state-changing request from a page of another origin is refused (a browser always
// says where a cross-site POST comes from; the cookie's SameSite=Strict is the second lock).
function checkOrigin(request: Request, url: URL): void {
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== url.origin) {
    throw new HttpError(403, `Requests from ${origin} are not allowed`);
  }
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    throw new HttpError(403, "Requests from other sites are not allowed");
  }
}

async function readJson(request: Request, limit = JSON_LIMIT): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, "Send JSON, with Content-Type: application/json");
  }
  const text = new TextDecoder().decode(await readBody(request, limit));
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "The request body is not valid JSON");
  }
}

// The body, refused with 413 as soon as it passes the limit (declared or sent).
async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw new HttpError(413, `The request is larger than ${limit} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body) {
      size += chunk.length;
      if (size > limit) throw new HttpError(413, `The request is larger than ${limit} bytes`);
      chunks.push(chunk);
    }
  }
  return concat(chunks, size);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

async function smtpStep(step: () => unknown, address?: string): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof SmtpReplyError)) throw error;
    const { code, enhanced, lines } = error.reply;
    const status = code >= 500 ? 400 : 503;
    const said = [code, enhanced, lines.join(" ")].filter((p) => p !== undefined).join(" ");
    throw new HttpError(
      status,
      address ? `${address}: the server said ${said}` : `The server said ${said}`,
      {
        ...(address ? { field: "to" } : {}),
      },
    );
  }
}

function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof NotFoundError) return new HttpError(404, error.message);
  if (error instanceof InvalidNameError) return new HttpError(400, error.message);
  console.error("HTTP interface failed:", error);
  return new HttpError(500, "The server failed; its log says why");
}
