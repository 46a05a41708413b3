/**
 * The options of an SMTP session, and their defaults, applied in one place.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import type { Transcript } from "../../protocol/transcript.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import type { SmtpHandler } from "./types.ts";

/** Options of {@linkcode SmtpSession}. */
export interface SmtpSessionOptions {
  /** The server's domain, named in the greeting and in 221. */
  domain: string;
  /** Hooks that decide about senders, recipients and messages. @default accept everything */
  handler?: SmtpHandler;
  /** Whether this is the submission port: AUTH is offered and required before MAIL. @default false */
  submission?: boolean;
  /** The clock for transcript times. @default the system clock */
  clock?: Clock;
  /** Where to record the dialog. @default no recording */
  transcript?: Transcript;
  /** The client's address as `host:port`. @default "" */
  remote?: string;
  /** The largest message accepted, in bytes (RFC 1870). @default 10485760 */
  maxMessageSize?: number;
  /** Recipients per message (RFC 5321 §4.5.3.1.8 asks for at least 100). @default 100 */
  maxRecipients?: number;
  /** Longest line of message text in octets, CRLF included (RFC 5321 §4.5.3.1.6). @default 1000 */
  maxTextLine?: number;
  /** Error replies before the server gives up with 421 and closes. @default 20 */
  maxErrors?: number;
  /** Message text lines per message that the transcript keeps. @default 20 */
  maxDataLinesRecorded?: number;
  /**
   * Behave like a classic RFC 821 server: offer neither 8BITMIME nor SMTPUTF8, and refuse message
   * text with bytes over 127 (the course's 7-bit rule).
   * @default false
   */
  sevenBitOnly?: boolean;
  /** Failed AUTH attempts before the server says 421 and closes. @default 5 */
  maxAuthFailures?: number;
  /** Extra wait before answering each failed AUTH from the second on, growing each time (capped at 5 s). @default 1000 */
  authFailureDelayMs?: number;
  /** Longest command line in octets, CRLF included (RFC 5321 §4.5.3.1.4). @default 512 */
  maxCommandLine?: number;
  /** Idle time before the server says 421 and closes (RFC 5321 §4.5.3.2 suggests 5 minutes). @default 300000 */
  idleTimeoutMs?: number;
  /** The longest time one message's text may take to arrive, against slow senders. @default 600000 */
  maxDataTimeMs?: number;
  /**
   * The longest a whole session may last, however busy, so that connections cannot be held for
   * ever by a client that keeps them barely alive. @default 3600000 (an hour)
   */
  maxSessionTimeMs?: number;
  /** Offer STARTTLS (RFC 3207): the server has a certificate. @default false */
  starttls?: boolean;
  /**
   * Allow AUTH (and so, on the submission port, MAIL) only inside TLS: before it, EHLO offers no
   * AUTH and the answer is `530 5.7.0 Must issue a STARTTLS command first`.
   * @default false
   */
  requireTls?: boolean;
}

/** The session's options with every default applied. */
export type ResolvedSessionOptions =
  & Required<Omit<SmtpSessionOptions, "transcript" | "remote">>
  & Pick<SmtpSessionOptions, "transcript" | "remote">;

/**
 * Applies the defaults.
 *
 * @param options What the caller gave.
 * @returns Every option set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSessionOptions } from "./options.ts";
 *
 * const resolved = resolveSessionOptions({ domain: "hamburger.edu" });
 * assert.equal(resolved.maxRecipients, 100);
 * assert.equal(resolved.maxTextLine, 1000);
 * ```
 */
export function resolveSessionOptions(options: SmtpSessionOptions): ResolvedSessionOptions {
  if (resolved.has(options)) return options as ResolvedSessionOptions;
  return {
    domain: options.domain,
    handler: options.handler ?? {},
    submission: options.submission ?? false,
    clock: options.clock ?? systemClock,
    transcript: options.transcript,
    remote: options.remote,
    maxMessageSize: options.maxMessageSize ?? 10 * 1024 * 1024,
    maxRecipients: options.maxRecipients ?? 100,
    maxTextLine: options.maxTextLine ?? 1000,
    maxErrors: options.maxErrors ?? 20,
    maxDataLinesRecorded: options.maxDataLinesRecorded ?? 20,
    sevenBitOnly: options.sevenBitOnly ?? false,
    maxAuthFailures: options.maxAuthFailures ?? 5,
    authFailureDelayMs: options.authFailureDelayMs ?? 1000,
    maxCommandLine: options.maxCommandLine ?? 512,
    idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
    maxDataTimeMs: options.maxDataTimeMs ?? 600_000,
    maxSessionTimeMs: options.maxSessionTimeMs ?? 3_600_000,
    starttls: options.starttls ?? false,
    requireTls: options.requireTls ?? false,
  };
}

// Options resolved once for a whole server, and each connection's own small view of them.
const resolved = new WeakSet<object>();

/**
 * One connection's options: a server's resolved options with the connection's own address and
 * transcript. The connection's object holds only those two; the rest is shared, so that a
 * thousand idle connections do not hold a thousand copies of every limit.
 *
 * @param shared The server's options, resolved once.
 * @param own The connection's transcript and address.
 * @returns Options that {@linkcode resolveSessionOptions} takes as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { connectionOptions, resolveSessionOptions } from "./options.ts";
 *
 * const shared = resolveSessionOptions({ domain: "hamburger.edu", maxRecipients: 5 });
 * const own = connectionOptions(shared, { remote: "127.0.0.1:4000" });
 * assert.equal(resolveSessionOptions(own), own);
 * assert.equal(own.maxRecipients, 5);
 * assert.equal(own.remote, "127.0.0.1:4000");
 * ```
 */
export function connectionOptions(
  shared: ResolvedSessionOptions,
  own: Pick<SmtpSessionOptions, "transcript" | "remote">,
): ResolvedSessionOptions {
  const options = Object.create(shared) as ResolvedSessionOptions;
  options.transcript = own.transcript;
  options.remote = own.remote;
  resolved.add(options);
  return options;
}
