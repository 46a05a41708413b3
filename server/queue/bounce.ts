/**
 * Bounces: the delivery status notification (RFC 3464) a mail server sends back to the sender
 * when it gives up on some recipients, or, as a warning, when a message is late. It is a
 * `multipart/report` (RFC 6522) of three parts: a note for people, the machine-readable
 * `message/delivery-status`, and the original message's header (`text/rfc822-headers`). It comes
 * from MAILER-DAEMON with the null envelope sender `<>`, so that it can never bounce itself.
 *
 * @module
 */
import { buildMime, formatDate, generateMessageId, parseHeaders } from "../../message/mod.ts";
import type { Clock } from "../../protocol/clock.ts";
import { domainOf, localPartOf } from "../../protocol/smtp/command.ts";
import { deliverLocally } from "../local_delivery.ts";
import type { MailboxStore } from "../store/store.ts";
import { type DeliveryStep, describeOutcome, replyText } from "./delivery.ts";
import { formatSpan } from "./entry_state.ts";
import type { QueuedRecipient, QueueEntry } from "./spool.ts";

/** Options of {@linkcode buildBounce}. */
export interface BounceOptions {
  /** The reporting server's domain, such as `crepes.fr`. */
  reportingMta: string;
  /** When the notification is written. */
  at: number;
  /** `failed`: a bounce for recipients given up on; `delayed`: a warning, still retrying. @default "failed" */
  action?: "failed" | "delayed";
  /** For a warning: until when the server keeps trying. @default unset */
  retryUntil?: number;
}

/** A notification ready to be delivered: its envelope (from `<>`) and its bytes. */
export interface Bounce {
  /** `from` is always `""`; `to` is the original sender. */
  envelope: { from: string; to: string[] };
  /** The message. */
  message: Uint8Array;
}

// RFC 3463 subject and detail for a failure that no reply describes, by where it happened.
const NO_REPLY: Partial<Record<DeliveryStep, string>> = {
  queue: "3.0", // other or undefined mail system status
  connect: "4.1", // no answer from host
};

/**
 * The RFC 3463 status code of a recipient, from its recorded outcome: `4.4.7` when the queue
 * gave up (delivery time expired); else the enhanced code of the reply, or `<class>.0.0` from
 * its code; else a code for where the delivery failed without a reply (`5.1.2` a destination
 * that cannot be routed to, `4.4.3` a lookup that failed, `4.4.1` no answer from the host,
 * `4.4.2` a broken connection).
 *
 * @param recipient The recipient.
 * @param action What the notification says of it.
 * @returns A code such as `5.1.1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusCode } from "./bounce.ts";
 *
 * const refused = { status: "failed" as const, step: "rcpt" as const, at: 0, reply: { code: 550, enhanced: "5.1.1", lines: ["No such user"] } };
 * assert.equal(statusCode({ address: "x@y.z", status: "failed", last: refused }, "failed"), "5.1.1");
 * assert.equal(statusCode({ address: "x@y.z", status: "failed", last: { ...refused, reply: { code: 554, lines: [] } } }, "failed"), "5.0.0");
 * const refusedConnection = { status: "deferred" as const, step: "connect" as const, at: 0, error: "Connection refused" };
 * assert.equal(statusCode({ address: "x@y.z", status: "pending", last: refusedConnection }, "delayed"), "4.4.1");
 * assert.equal(statusCode({ address: "x@y.z", status: "failed", last: refusedConnection, gaveUp: { attempts: 3, waited: 86_400_000 } }, "failed"), "4.4.7");
 * ```
 */
export function statusCode(recipient: QueuedRecipient, action: "failed" | "delayed"): string {
  if (recipient.gaveUp) return "4.4.7";
  const last = recipient.last;
  if (last?.reply) return last.reply.enhanced ?? `${Math.floor(last.reply.code / 100)}.0.0`;
  const permanent = last ? last.status === "failed" : action === "failed";
  const klass = permanent ? "5" : "4";
  if (!last?.step) return `${klass}.0.0`; // what an older version kept says no more
  if (last.step === "route") return permanent ? "5.1.2" : "4.4.3";
  return `${klass}.${NO_REPLY[last.step] ?? "4.2"}`; // 4.2: bad connection
}

// The port is not part of an MTA's name (RFC 3464 §2.3.5).
function hostOf(remote: string): string {
  const colon = remote.lastIndexOf(":");
  return colon > 0 ? remote.slice(0, colon) : remote;
}

function perRecipient(r: QueuedRecipient, options: BounceOptions): string {
  const action = options.action ?? "failed";
  const last = r.last;
  const lines = [
    `Final-Recipient: rfc822; ${r.address}`,
    `Action: ${action}`,
    `Status: ${statusCode(r, action)}`,
  ];
  if (last?.remote) lines.push(`Remote-MTA: dns; ${hostOf(last.remote)}`);
  if (last?.reply && !last.local) lines.push(`Diagnostic-Code: smtp; ${replyText(last.reply)}`);
  else if (last?.reply) lines.push(`Diagnostic-Code: X-Mail-Toolkit; ${replyText(last.reply)}`);
  else if (last?.error) lines.push(`Diagnostic-Code: X-Mail-Toolkit; ${last.error}`);
  if (last) lines.push(`Last-Attempt-Date: ${formatDate(last.at)}`);
  if (options.retryUntil && action === "delayed") {
    lines.push(`Will-Retry-Until: ${formatDate(options.retryUntil)}`);
  }
  return lines.join("\r\n") + "\r\n";
}

// The note for people: which step failed and what the server said, and when the queue gave up.
function explain(r: QueuedRecipient): string {
  const last = r.last ? describeOutcome(r.last) : "no answer";
  if (!r.gaveUp) return last;
  const { attempts, waited } = r.gaveUp;
  return `Gave up after ${attempts} attempts in ${formatSpan(waited)}; the last one: ${last}`;
}

/**
 * Writes the notification for a queued message, or returns `undefined` when none may be sent:
 * the message has the null sender (never a bounce for a bounce, RFC 5321 §6.1 and §4.5.5), or
 * nobody is in the state to report.
 *
 * @param entry The queued message's state.
 * @param message The queued message (only its header is quoted).
 * @param options The reporting server, the time and the kind.
 * @returns The bounce to deliver with `MAIL FROM:<>`, or `undefined`.
 *
 * @example Bounce alice's message to a recipient that does not exist
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "../../message/mod.ts";
 * import { buildBounce } from "./bounce.ts";
 *
 * const entry = {
 *   id: "Q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 0, attempts: 1, size: 10, history: [],
 *   recipients: [{ address: "carol@hamburger.edu", status: "failed" as const, last: {
 *     status: "failed" as const, step: "rcpt" as const, remote: "127.0.0.1:20025", at: 0,
 *     reply: { code: 550, enhanced: "5.1.1", lines: ["carol@hamburger.edu: no such user here"] },
 *   } }],
 * };
 * const original = new TextEncoder().encode("Subject: Hello\r\nMessage-ID: <1@crepes.fr>\r\n\r\nHi\r\n");
 * const bounce = buildBounce(entry, original, { reportingMta: "crepes.fr", at: 0 })!;
 * assert.deepEqual(bounce.envelope, { from: "", to: ["alice@crepes.fr"] });
 * const parsed = parseMessage(bounce.message);
 * assert.equal(parsed.root.mediaType, "multipart/report");
 * assert.match(parsed.root.children[0].text(), /<carol@hamburger\.edu>: at RCPT TO: 550 5\.1\.1 carol@/);
 * const status = parsed.root.children[1].text();
 * assert.match(status, /Action: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; 127\.0\.0\.1\r\n/);
 * assert.match(status, /Diagnostic-Code: smtp; 550 5\.1\.1 carol@hamburger\.edu: no such user here/);
 * assert.equal(buildBounce({ ...entry, from: "" }, original, { reportingMta: "crepes.fr", at: 0 }), undefined);
 * ```
 */
export function buildBounce(
  entry: QueueEntry,
  message: Uint8Array,
  options: BounceOptions,
): Bounce | undefined {
  if (entry.from === "") return undefined;
  const action = options.action ?? "failed";
  const about = entry.recipients.filter((r) =>
    action === "failed" ? r.status === "failed" : r.status === "pending"
  );
  if (about.length === 0) return undefined;
  const mta = options.reportingMta;
  const header = parseHeaders(message);
  const originalId = header.get("message-id");
  const subject = header.get("subject");
  const failed = action === "failed";
  const note = [
    `This is the mail system at ${mta}.`,
    "",
    failed
      ? `Your message${subject ? ` "${subject}"` : ""} could not be delivered to ${
        about.length === 1 ? "this recipient" : "these recipients"
      }, and has been removed from the queue:`
      : `Your message${subject ? ` "${subject}"` : ""} has not been delivered yet to ${
        about.length === 1 ? "this recipient" : "these recipients"
      }. The server keeps trying${
        options.retryUntil ? ` until ${formatDate(options.retryUntil)}` : ""
      }; you need not send it again:`,
    "",
    ...about.map((r) => `  <${r.address}>: ${explain(r)}`),
    "",
    "The delivery report and your message's header are attached.",
    "",
  ].join("\r\n");
  const status = [
    `Reporting-MTA: dns; ${mta}`,
    `X-Queue-ID: ${entry.id}`,
    `Arrival-Date: ${formatDate(entry.createdAt)}`,
    "",
    ...about.map((r) => perRecipient(r, options)),
  ].join("\r\n");
  const headers: [string, string][] = [
    ["From", `Mail Delivery System <MAILER-DAEMON@${mta}>`],
    ["To", `<${entry.from}>`],
    [
      "Subject",
      failed ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)",
    ],
    ["Date", formatDate(options.at)],
    ["Message-ID", generateMessageId(mta)],
    ["Auto-Submitted", "auto-replied"], // RFC 3834 §5: no automatic answer to this
  ];
  if (originalId) headers.push(["In-Reply-To", originalId], ["References", originalId]);
  const bytes = buildMime({
    contentType: "multipart/report",
    params: { "report-type": "delivery-status" },
    headers,
    parts: [
      { contentType: "text/plain", params: { charset: "utf-8" }, body: note },
      { contentType: "message/delivery-status", body: status },
      { contentType: "text/rfc822-headers", body: message.subarray(0, header.end) },
    ],
  });
  return { envelope: { from: "", to: [entry.from] }, message: bytes };
}

/** The parts of a mail server that a bounce needs (a `MailServer` is one). */
export interface BounceHost {
  /** The server's domain: the reporting MTA. */
  domain: string;
  /** The time of the report. */
  clock: Clock;
  /** Where a local sender's bounce is stored. */
  store: MailboxStore;
  /** Which local users exist. */
  accounts: { has(user: string): boolean };
  /** Where a remote sender's bounce is queued; `maxAge` dates a warning's retry limit. */
  queue: {
    enqueue(envelope: { from: string; to: string[] }, message: Uint8Array): Promise<string>;
    maxAge: number;
  };
}

/** Options of {@linkcode deliverBounce}. */
export interface DeliverBounceOptions {
  /** The queued message. */
  message: Uint8Array;
  /** A bounce (`failed`) or a delay warning (`delayed`). @default "failed" */
  action?: "failed" | "delayed";
}

/** Where {@linkcode deliverBounce} put the notification. */
export interface BounceDelivery {
  /** The original sender, who gets it. */
  to: string;
  /** When it was written. */
  at: number;
  /** The local user whose INBOX holds it, when the sender is local. */
  user?: string;
  /** Its UID there. */
  uid?: number;
}

/**
 * Writes the notification for a queued message and delivers it: into the sender's INBOX when the
 * sender is a local user (by local delivery, with `Return-Path: <>`), otherwise into the queue
 * with `MAIL FROM:<>`, like any message. Nothing is sent for a message whose sender is `<>`, or for a local sender
 * who no longer exists.
 *
 * @param host The server.
 * @param entry The queued message's state.
 * @param options The message and the kind of notification.
 * @returns Where it went, or `undefined` when nothing was sent.
 *
 * @example A local sender finds the bounce in her INBOX
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { deliverBounce } from "./bounce.ts";
 *
 * const store = new MemoryStore();
 * await store.ensureUser("alice");
 * const host = {
 *   domain: "crepes.fr", clock: new ManualClock(), store, accounts: { has: (u: string) => u === "alice" },
 *   queue: { enqueue: () => Promise.reject(new Error("not used")), maxAge: 86_400_000 },
 * };
 * const entry = {
 *   id: "Q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 0, attempts: 1, size: 2, history: [],
 *   recipients: [{ address: "bob@hamburger.edu", status: "failed" as const, last: {
 *     status: "failed" as const, step: "rcpt" as const, at: 0, reply: { code: 550, enhanced: "5.1.1", lines: ["No such user"] },
 *   } }],
 * };
 * const sent = await deliverBounce(host, entry, { message: new TextEncoder().encode("\r\nhi") });
 * assert.equal(sent?.user, "alice");
 * assert.equal((await store.list("alice", "INBOX")).length, 1);
 * ```
 */
export async function deliverBounce(
  host: BounceHost,
  entry: QueueEntry,
  options: DeliverBounceOptions,
): Promise<BounceDelivery | undefined> {
  const at = host.clock.now();
  const bounce = buildBounce(entry, options.message, {
    reportingMta: host.domain,
    at,
    action: options.action,
    retryUntil: entry.createdAt + host.queue.maxAge,
  });
  if (!bounce) return undefined;
  const to = bounce.envelope.to[0];
  if (domainOf(to) !== host.domain) {
    await host.queue.enqueue(bounce.envelope, bounce.message);
    return { to, at };
  }
  const user = localPartOf(to).toLowerCase();
  if (!host.accounts.has(user)) return undefined;
  const { stored } = await deliverLocally(host.store, bounce.message, {
    returnPath: "",
    users: [user],
  });
  return { to, at, user, uid: stored[0].uid };
}
