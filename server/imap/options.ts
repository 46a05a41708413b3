/**
 * The options of an IMAP session: its collaborators and its limits.
 *
 * @module
 */
import type { LoginGuard } from "../login_guard.ts";
import type { Clock } from "../../protocol/clock.ts";
import type { Transcript } from "../../protocol/transcript.ts";
import type { Accounts } from "../accounts.ts";
import type { MailboxStore } from "../store/store.ts";

/** Limits that keep one connection from using too much memory or time. */
export interface ImapLimits {
  /** The longest command line, CRLF included (RFC 7162 §4 asks for at least 8192; Dovecot takes 64 KiB). @default 65536 */
  maxLineLength?: number;
  /** The most literal bytes one command may carry: an APPENDed message at most. @default 10485760 */
  maxLiteralSize?: number;
  /** Failed LOGIN or AUTHENTICATE attempts before the server says BYE. @default 3 */
  maxFailedLogins?: number;
  /** The wait added to each failed login from the second on, so that guessing is slow. @default 1000 */
  loginFailureDelayMs?: number;
  /** Idle time before the server says BYE (RFC 3501 §5.4: at least 30 minutes). @default 1800000 */
  idleTimeoutMs?: number;
}

/**
 * Applies the limits' defaults.
 *
 * @param limits What the caller gave.
 * @returns Every limit set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveLimits } from "./options.ts";
 *
 * assert.equal(resolveLimits({ maxFailedLogins: 5 }).idleTimeoutMs, 30 * 60_000);
 * ```
 */
export function resolveLimits(limits: ImapLimits = {}): Required<ImapLimits> {
  return {
    maxLineLength: limits.maxLineLength ?? 65536,
    maxLiteralSize: limits.maxLiteralSize ?? 10 * 1024 * 1024,
    maxFailedLogins: limits.maxFailedLogins ?? 3,
    loginFailureDelayMs: limits.loginFailureDelayMs ?? 1000,
    idleTimeoutMs: limits.idleTimeoutMs ?? 30 * 60_000,
  };
}

/** Options of {@linkcode ImapSession}. */
export interface ImapSessionOptions {
  /** Where the mailboxes are. */
  store: MailboxStore;
  /**
   * The domain's accounts; their `verify` checks passwords. Give this or `authenticate`.
   * @default undefined
   */
  accounts?: Accounts;
  /**
   * Checks a local part and password and returns the canonical user name, or undefined to refuse.
   * Takes precedence over `accounts`.
   * @default accounts.verify
   */
  authenticate?: (user: string, password: string) => Promise<string | undefined>;
  /** The mail domain: `bob@` this domain logs in as `bob`; other domains are refused. @default "localhost" */
  domain?: string;
  /** Measures idle time and stamps transcript lines. @default systemClock */
  clock?: Clock;
  /** Where to record the dialog, masking passwords. @default undefined (no record) */
  transcript?: Transcript;
  /** The connection's limits. @default {} (each limit's own default) */
  limits?: ImapLimits;
  /** Offer STARTTLS (RFC 3501 §6.2.1): the server has a certificate. @default false */
  starttls?: boolean;
  /**
   * Allow LOGIN and AUTHENTICATE only inside TLS: before it, the capabilities say LOGINDISABLED
   * and a login is answered `NO [PRIVACYREQUIRED]`.
   * @default false
   */
  requireTls?: boolean;
  /** The server's guard against password guessing, shared with SMTP and HTTP. @default none */
  logins?: LoginGuard;
  /** The client's address (`host:port`), for the guard and the log. @default "" */
  remote?: string;
}

/** What the session waits for next. */
export type ImapExpectation =
  | { kind: "line" }
  | { kind: "literal"; size: number }
  | { kind: "closed" };
