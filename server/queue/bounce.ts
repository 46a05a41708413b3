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
import { prependHeader, returnPathHeader } from "../smtp/trace.ts";
import type { MailboxStore } from "../store/store.ts";
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

const REPLY = /^([245])\d\d(?: ([245]\.\d{1,3}\.\d{1,3}))?/;

/**
 * The RFC 3463 status code of a recipient: the enhanced code of its last reply when it had one,
 * else one that matches what happened.
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
 * assert.equal(statusCode({ address: "x@y.z", status: "failed", lastError: "550 5.1.1 No such user" }, "failed"), "5.1.1");
 * assert.equal(statusCode({ address: "x@y.z", status: "failed", lastError: "Gave up after 3 attempts in 1d: Connection refused" }, "failed"), "4.4.7");
 * ```
 */
export function statusCode(recipient: QueuedRecipient, action: "failed" | "delayed"): string {
  const error = recipient.lastError ?? "";
  const reply = REPLY.exec(error.replace(/^Gave up after [^:]*: /, ""));
  if (error.startsWith("Gave up")) return "4.4.7"; // RFC 3463: delivery time expired
  if (reply?.[2]) return reply[2];
  if (reply) return `${reply[1]}.0.0`;
  return action === "failed" ? "5.4.0" : "4.4.1"; // routing failed / no answer from host
}

function perRecipient(r: QueuedRecipient, options: BounceOptions): string {
  const action = options.action ?? "failed";
  const lines = [
    `Final-Recipient: rfc822; ${r.address}`,
    `Action: ${action}`,
    `Status: ${statusCode(r, action)}`,
  ];
  if (r.remote) lines.push(`Remote-MTA: dns; ${r.remote.replace(/:\d+$/, "")}`);
  const reply = (r.lastError ?? "").replace(/^Gave up after [^:]*: /, "");
  if (REPLY.test(reply)) lines.push(`Diagnostic-Code: smtp; ${reply}`);
  else if (r.lastError) lines.push(`Diagnostic-Code: X-Mail-Toolkit; ${r.lastError}`);
  if (options.retryUntil && action === "delayed") {
    lines.push(`Will-Retry-Until: ${formatDate(options.retryUntil)}`);
  }
  return lines.join("\r\n") + "\r\n";
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
 *   recipients: [{ address: "carol@hamburger.edu", status: "failed" as const,
 *     lastError: "550 5.1.1 carol@hamburger.edu: no such user here", remote: "127.0.0.1:20025" }],
 * };
 * const original = new TextEncoder().encode("Subject: Hello\r\nMessage-ID: <1@crepes.fr>\r\n\r\nHi\r\n");
 * const bounce = buildBounce(entry, original, { reportingMta: "crepes.fr", at: 0 })!;
 * assert.deepEqual(bounce.envelope, { from: "", to: ["alice@crepes.fr"] });
 * const parsed = parseMessage(bounce.message);
 * assert.equal(parsed.root.mediaType, "multipart/report");
 * assert.match(parsed.root.children[1].text(), /Action: failed\r\nStatus: 5\.1\.1/);
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
    ...about.map((r) => `  <${r.address}>: ${r.lastError ?? "no answer"}`),
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
 * sender is a local user (with `Return-Path: <>`), otherwise into the queue with `MAIL FROM:<>`,
 * like any message. Nothing is sent for a message whose sender is `<>`, or for a local sender
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
 *   recipients: [{ address: "bob@hamburger.edu", status: "failed" as const, lastError: "550 5.1.1 No such user" }],
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
  const uid = await host.store.deliver(user, prependHeader(returnPathHeader(""), bounce.message));
  return { to, at, user, uid };
}
