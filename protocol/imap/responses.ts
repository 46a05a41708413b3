/**
 * The catalogue of every status response the IMAP server sends as a failure or a goodbye, and
 * of the fixed OK texts: each with its status, its response code (RFC 3501 §7.1, RFC 5530) and a
 * text that tells a student what happened. Tests compare against these entries, never against
 * string literals; `formatStatus` of `response.ts` writes one as a line.
 *
 * @module
 */
import type { ImapStatusName, ImapStatusResponse } from "./response.ts";

function make<S extends ImapStatusName>(
  status: S,
  text: string,
  code?: string,
): ImapStatusResponse<S> {
  return code ? { status, code, text } : { status, text };
}

const ok = (text: string, code?: string) => make("OK", text, code);
const no = (text: string, code?: string) => make("NO", text, code);
const bad = (text: string) => make("BAD", text);
const bye = (text: string, code?: string) => make("BYE", text, code);

/** The shape of {@linkcode RESPONSE}: each entry a status response or a function making one. */
export interface ResponseCatalogue {
  /** RFC 3501 §7.1.1 and §7.2.1: the greeting, with the capabilities, so clients need not ask. */
  readonly Greeting: (domain: string, capabilities: readonly string[]) => ImapStatusResponse<"OK">;
  /** RFC 3501 §6: a command that succeeded, with nothing more to say. */
  readonly Completed: (name: string) => ImapStatusResponse<"OK">;
  /** RFC 3501 §6.2.3 and §7.1: logged in, with the capabilities of the authenticated state. */
  readonly LoggedIn: (capabilities: readonly string[]) => ImapStatusResponse<"OK">;
  /** RFC 3501 §6.3.1 and §6.3.2: SELECT is read-write, EXAMINE read-only. */
  readonly Selected: (readOnly: boolean) => ImapStatusResponse<"OK">;
  /** RFC 3501 §6.3.1 and §7.1: the first message without `\Seen`. */
  readonly FirstUnseen: (seq: number) => ImapStatusResponse<"OK">;
  /** RFC 3501 §2.3.1.1 and §7.1: UIDs stay valid as long as this number does not change. */
  readonly UidValidity: (value: number) => ImapStatusResponse<"OK">;
  /** RFC 3501 §2.3.1.1 and §7.1: the UID the next message will get. */
  readonly UidNext: (uid: number) => ImapStatusResponse<"OK">;
  /** RFC 3501 §6.3.1 and §7.1: the flags a client can change for good (none when read-only). */
  readonly PermanentFlags: (flags: readonly string[]) => ImapStatusResponse<"OK">;
  /** RFC 3501 §6.2.1: STARTTLS accepted; the handshake follows this line. */
  readonly BeginTls: ImapStatusResponse<"OK">;
  /** RFC 7162 §3.1.2.1: the mailbox's highest modification sequence, at SELECT. */
  readonly HighestModseq: (modseq: number) => ImapStatusResponse<"OK">;
  /** RFC 5530 §3 (EXPUNGEISSUED): FETCH gave what it could of messages another session expunged. */
  readonly ExpungeIssued: ImapStatusResponse<"OK">;
  /** RFC 4315 §3: APPEND's tagged OK names the new messages' UIDs. */
  readonly AppendUid: (uidValidity: number, uids: string) => ImapStatusResponse<"OK">;
  /** RFC 4315 §3 and RFC 6851 §4.3: where COPY and MOVE put each message. */
  readonly CopyUid: (uidValidity: number, from: string, to: string) => ImapStatusResponse<"OK">;
  /** RFC 7162 §3.1.3: STORE UNCHANGEDSINCE left these messages alone, as they had changed. */
  readonly Modified: (set: string) => ImapStatusResponse<"OK">;
  /** RFC 2177 §3: IDLE ended with DONE. */
  readonly IdleDone: ImapStatusResponse<"OK">;
  /** RFC 5161 §3.1 and §4: ENABLE names the extensions it turned on. */
  readonly Enabled: ImapStatusResponse<"OK">;

  /** RFC 3501 §6.1.3: LOGOUT's BYE, before its tagged OK. */
  readonly LoggingOut: (domain: string) => ImapStatusResponse<"BYE">;
  /** RFC 3501 §5.4 and §7.1.5: the autologout timer ran out. */
  readonly IdleTimeout: ImapStatusResponse<"BYE">;
  /** RFC 3501 §7.1.5: too many failed logins on one connection. */
  readonly TooManyFailedLogins: ImapStatusResponse<"BYE">;
  /** RFC 3501 §7.1.5 and RFC 5530 §3 (UNAVAILABLE): refused before the greeting. */
  readonly TooManyConnections: ImapStatusResponse<"BYE">;
  /** RFC 3501 §7.1.5: the server is shutting down. */
  readonly ShuttingDown: ImapStatusResponse<"BYE">;
  /** RFC 3501 §7.1.5 and RFC 5530 §3 (SERVERBUG): the session failed and the connection ends. */
  readonly InternalError: ImapStatusResponse<"BYE">;
  /** RFC 7888 §4: a LITERAL+ literal over the limit is on its way already: the server hangs up. */
  readonly LiteralPlusTooLarge: (max: number) => ImapStatusResponse<"BYE">;
  /** RFC 3501 §7.1.5: the selected mailbox was deleted or renamed by another session. */
  readonly MailboxGone: (mailbox: string) => ImapStatusResponse<"BYE">;

  /** RFC 7162 §4 and RFC 3501 §7.1.3: a command line over the limit. */
  readonly LineTooLong: (max: number) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §2.2.1 and §7.5: BAD instead of the go-ahead for a literal over the limit. */
  readonly LiteralTooLarge: (max: number) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §7.1.3 and §9: a line that does not follow the grammar. */
  readonly Syntax: (reason: string) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §7.1.3: arguments that do not follow the command's syntax, which the text shows. */
  readonly BadArguments: (reason: string, syntax: string) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §7.1.3: a command this server does not know. */
  readonly UnknownCommand: (name: string) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §3 and §6.3: a command that needs the authenticated state. */
  readonly NeedLogin: (name: string) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §3 and §6.2: LOGIN, AUTHENTICATE and STARTTLS come before logging in. */
  readonly AlreadyLoggedIn: (name: string) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §3 and §6.4: a command that needs a selected mailbox. */
  readonly NeedSelected: (name: string) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §9 (seq-number): a sequence number past the last message is BAD. */
  readonly BadSequenceNumber: (seq: number, exists: number) => ImapStatusResponse<"BAD">;
  /** RFC 3501 §6.2.1: STARTTLS inside TLS. */
  readonly TlsActive: ImapStatusResponse<"BAD">;
  /** RFC 3501 §6.2.2: the client answered the challenge with "*". */
  readonly AuthCancelled: ImapStatusResponse<"BAD">;
  /** RFC 3501 §6.2.2: the client's answer is not base64. */
  readonly BadBase64: ImapStatusResponse<"BAD">;
  /** RFC 4616 §2: the PLAIN message is not `[authzid] NUL user NUL password`. */
  readonly BadPlain: ImapStatusResponse<"BAD">;
  /** RFC 2177 §3: during IDLE the client may only send DONE. */
  readonly NotDone: ImapStatusResponse<"BAD">;
  /** RFC 3501 §6.3.4: INBOX cannot be deleted. */
  readonly DeleteInbox: ImapStatusResponse<"NO">;

  /** RFC 3501 §6.2.1: STARTTLS needs a certificate, which this server has not. */
  readonly TlsNotOffered: ImapStatusResponse<"NO">;
  /** RFC 3501 §6.2.3 (LOGINDISABLED) and RFC 5530 §3 (PRIVACYREQUIRED): TLS before a password. */
  readonly PrivacyRequired: ImapStatusResponse<"NO">;
  /** RFC 3501 §6.2.2 and RFC 5530 §3 (CANNOT): a SASL mechanism this server does not offer. */
  readonly UnsupportedMechanism: (mechanism: string) => ImapStatusResponse<"NO">;
  /** RFC 4616 §2 and RFC 5530 §3 (AUTHORIZATIONFAILED): logging in as someone else. */
  readonly AuthorizationFailed: ImapStatusResponse<"NO">;
  /** RFC 3501 §6.2.3 and RFC 5530 §3 (AUTHENTICATIONFAILED): wrong user name or password. */
  readonly LoginFailed: ImapStatusResponse<"NO">;
  /** RFC 5530 §3 (UNAVAILABLE): too many failed logins of this address or account; wait. */
  readonly LoginLocked: (seconds: number) => ImapStatusResponse<"NO">;
  /** RFC 3501 §6.3.2 and RFC 5530 §3 (CANNOT): a change to a mailbox opened with EXAMINE. */
  readonly ReadOnly: (mailbox: string) => ImapStatusResponse<"NO">;
  /** RFC 3501 §6.3.11, §6.4.7 and §7.1 (TRYCREATE): APPEND or COPY to a missing mailbox. */
  readonly TryCreate: (mailbox: string) => ImapStatusResponse<"NO">;
  /** RFC 3501 §6.4.4 and §7.1 (BADCHARSET): a SEARCH charset this server does not know. */
  readonly BadCharset: (charset: string, supported: readonly string[]) => ImapStatusResponse<"NO">;
  /** RFC 5530 §3 (NONEXISTENT): the store has no such mailbox or message. */
  readonly Nonexistent: (reason: string) => ImapStatusResponse<"NO">;
  /** RFC 5530 §3 (OVERQUOTA): no room on the disk to write what was asked; as Dovecot answers. */
  readonly OverQuota: ImapStatusResponse<"NO">;
  /** RFC 5530 §3 (CANNOT): the store refused, such as a mailbox name that leaves the store. */
  readonly Cannot: (reason: string) => ImapStatusResponse<"NO">;
  /** RFC 3501 §6.3.3 and RFC 5530 §3 (ALREADYEXISTS): CREATE of a mailbox that exists. */
  readonly AlreadyExists: (reason: string) => ImapStatusResponse<"NO">;
  /** RFC 5530 §3 (SERVERBUG): a bug in the server, reported without its details. */
  readonly ServerBug: ImapStatusResponse<"NO">;
}

/**
 * Every status response of the server. Entries that need a value (a mailbox, a limit) are
 * functions.
 *
 * @example Throw, format and compare catalogue entries
 * ```ts
 * import assert from "node:assert/strict";
 * import { ImapResponseError } from "./error.ts";
 * import { formatStatus } from "./response.ts";
 * import { RESPONSE } from "./responses.ts";
 *
 * assert.equal(
 *   formatStatus("a1", RESPONSE.LoginFailed),
 *   "a1 NO [AUTHENTICATIONFAILED] Invalid user name or password",
 * );
 * assert.equal(formatStatus("*", RESPONSE.IdleTimeout), "* BYE Autologout: idle for too long");
 * assert.equal(ImapResponseError.of(RESPONSE.TlsActive).status, "BAD");
 * ```
 */
export const RESPONSE: ResponseCatalogue = {
  // RFC 3501 §7.1.1 and §7.2.1: the greeting, with the capabilities so that clients need not ask.
  Greeting: (domain, capabilities) =>
    ok(`${domain} IMAP4rev1 ready`, `CAPABILITY ${capabilities.join(" ")}`),
  // RFC 3501 §6: a command that succeeded, with nothing more to say.
  Completed: (name) => ok(`${name} completed`),
  // RFC 3501 §6.2.3 and §7.1: logged in, with the capabilities of the authenticated state.
  LoggedIn: (capabilities) => ok("Logged in", `CAPABILITY ${capabilities.join(" ")}`),
  // RFC 3501 §6.3.1 and §6.3.2: SELECT is read-write, EXAMINE read-only.
  Selected: (readOnly) =>
    readOnly ? ok("EXAMINE completed", "READ-ONLY") : ok("SELECT completed", "READ-WRITE"),
  // RFC 3501 §6.3.1 and §7.1: the first message without \Seen.
  FirstUnseen: (seq) => ok("First unseen message", `UNSEEN ${seq}`),
  // RFC 3501 §2.3.1.1 and §7.1: UIDs stay valid as long as this number does not change.
  UidValidity: (value) => ok("UIDs valid", `UIDVALIDITY ${value}`),
  // RFC 3501 §2.3.1.1 and §7.1: the UID the next message will get.
  UidNext: (uid) => ok("Predicted next UID", `UIDNEXT ${uid}`),
  // RFC 3501 §6.3.1 and §7.1: the flags a client can change for good (none when read-only).
  PermanentFlags: (flags) => ok("Flags kept for good", `PERMANENTFLAGS (${flags.join(" ")})`),
  // RFC 3501 §6.2.1: the RFC's own text.
  BeginTls: ok("Begin TLS negotiation now"),
  // RFC 7162 §3.1.2.1: sent at SELECT so the client can resynchronise cheaply later.
  HighestModseq: (modseq) => ok("Highest", `HIGHESTMODSEQ ${modseq}`),
  // RFC 5530 §3: Dovecot ends such a FETCH with an OK too, so the client carries on.
  ExpungeIssued: ok("Some messages have been expunged by another session", "EXPUNGEISSUED"),
  // RFC 4315 §3: the tagged OK of APPEND.
  AppendUid: (uidValidity, uids) => ok("APPEND completed", `APPENDUID ${uidValidity} ${uids}`),
  // RFC 4315 §3: the tagged OK of COPY, and an untagged OK before MOVE's EXPUNGEs (RFC 6851).
  CopyUid: (uidValidity, from, to) => ok("Copied", `COPYUID ${uidValidity} ${from} ${to}`),
  // RFC 7162 §3.1.3: the messages whose flags changed since UNCHANGEDSINCE were not stored.
  Modified: (set) => ok("Conditional STORE failed for some messages", `MODIFIED ${set}`),
  // RFC 2177 §3: the tagged OK after DONE.
  IdleDone: ok("IDLE terminated"),
  // RFC 5161 §3.1: the tagged OK after the untagged ENABLED.
  Enabled: ok("ENABLE completed"),

  // RFC 3501 §6.1.3: the RFC's own text.
  LoggingOut: (domain) => bye(`${domain} IMAP4rev1 server logging out`),
  // RFC 3501 §5.4 and §7.1.5: the autologout timer ran out.
  IdleTimeout: bye("Autologout: idle for too long"),
  // RFC 3501 §7.1.5: too many failed logins on one connection.
  TooManyFailedLogins: bye("Too many failed logins"),
  // RFC 3501 §7.1.5 and RFC 5530 §3: UNAVAILABLE tells the client to try again later.
  TooManyConnections: bye("Too many connections, try again later", "UNAVAILABLE"),
  // RFC 3501 §7.1.5: the server is shutting down.
  ShuttingDown: bye("Server shutting down"),
  // RFC 3501 §7.1.5 and RFC 5530 §3: the session failed and the connection ends.
  InternalError: bye("Internal server error, closing connection", "SERVERBUG"),
  // RFC 7888 §4: the literal's bytes are on their way already, so the server hangs up.
  LiteralPlusTooLarge: (max) => bye(`Literal too large, at most ${max} bytes`),
  // RFC 3501 §7.1.5: nothing of the selected mailbox is left to show, so the session ends.
  MailboxGone: (mailbox) => bye(`Mailbox "${mailbox}" was deleted or renamed by another session`),

  // RFC 7162 §4 and RFC 3501 §7.1.3: a command line over the limit.
  LineTooLong: (max) => bad(`Line too long, at most ${max} bytes`),
  // RFC 3501 §2.2.1 and §7.5: BAD instead of the go-ahead for a literal over the limit.
  LiteralTooLarge: (max) => bad(`Literal too large, at most ${max} bytes`),
  // RFC 3501 §7.1.3 and §9: a line that does not follow the grammar.
  Syntax: (reason) => bad(reason),
  // RFC 3501 §7.1.3: arguments that do not follow the command's syntax, which the text shows.
  BadArguments: (reason, syntax) => bad(`${reason} (syntax: ${syntax})`),
  // RFC 3501 §7.1.3: a command this server does not know; a long name is cut, not echoed.
  UnknownCommand: (name) => bad(`Unknown command "${name.slice(0, 40)}"`),
  // RFC 3501 §3 and §6.3: a command that needs the authenticated state.
  NeedLogin: (name) => bad(`Command "${name}" needs a login first`),
  // RFC 3501 §3 and §6.2: LOGIN, AUTHENTICATE and STARTTLS come before logging in.
  AlreadyLoggedIn: (name) => bad(`Command "${name}" is not allowed: already logged in`),
  // RFC 3501 §3 and §6.4: a command that needs a selected mailbox.
  NeedSelected: (name) => bad(`Command "${name}" needs a selected mailbox`),
  // RFC 3501 §9 (seq-number): a sequence number past the last message is BAD.
  BadSequenceNumber: (seq, exists) =>
    bad(
      `Invalid sequence number ${seq}: the mailbox has ${exists} message${exists === 1 ? "" : "s"}`,
    ),
  // RFC 3501 §6.2.1: STARTTLS inside TLS.
  TlsActive: bad("TLS is already active"),
  // RFC 3501 §6.2.2: a "*" answer cancels, and the RFC asks for BAD.
  AuthCancelled: bad("Authentication cancelled"),
  // RFC 3501 §6.2.2: the client's answer is not base64.
  BadBase64: bad("Invalid base64 in PLAIN response"),
  // RFC 4616 §2: the PLAIN message is [authzid] NUL user NUL password.
  BadPlain: bad("Invalid PLAIN response: expected [authzid] NUL user NUL password"),
  // RFC 2177 §3: nothing but DONE may follow IDLE.
  NotDone: bad("Expected DONE to end IDLE"),
  // RFC 3501 §6.3.4: the RFC's rule.
  DeleteInbox: no("INBOX cannot be deleted", "CANNOT"),

  // RFC 3501 §6.2.1: STARTTLS needs a certificate.
  TlsNotOffered: no("STARTTLS not available: this server has no certificate"),
  // RFC 3501 §6.2.3 (LOGINDISABLED) and RFC 5530 §3: no password outside TLS.
  PrivacyRequired: no("Logging in needs TLS first: use STARTTLS", "PRIVACYREQUIRED"),
  // RFC 3501 §6.2.2 and RFC 5530 §3: a SASL mechanism this server does not offer.
  UnsupportedMechanism: (mechanism) =>
    no(`Unsupported mechanism "${mechanism}" (use PLAIN)`, "CANNOT"),
  // RFC 4616 §2 and RFC 5530 §3: an authorization identity other than the user's own.
  AuthorizationFailed: no(
    "Cannot act as another user: leave the authorization identity empty",
    "AUTHORIZATIONFAILED",
  ),
  // RFC 3501 §6.2.3 and RFC 5530 §3: wrong user name or password, without telling which.
  LoginFailed: no("Invalid user name or password", "AUTHENTICATIONFAILED"),
  // RFC 5530 §3: UNAVAILABLE, "temporary failure"; the text says how long to wait.
  LoginLocked: (seconds: number) =>
    no(
      `Too many failed logins from this address or for this account; try again in ${seconds} s`,
      "UNAVAILABLE",
    ),
  // RFC 3501 §6.3.2 and RFC 5530 §3: a change to a mailbox opened with EXAMINE.
  ReadOnly: (mailbox) => no(`Mailbox "${mailbox}" is read-only`, "CANNOT"),
  // RFC 3501 §6.3.11, §6.4.7 and §7.1: TRYCREATE tells the client it may CREATE and retry.
  TryCreate: (mailbox) => no(`No mailbox "${mailbox}"`, "TRYCREATE"),
  // RFC 3501 §6.4.4 and §7.1: BADCHARSET lists the charsets this server knows.
  BadCharset: (charset, supported) =>
    no(`Unsupported charset "${charset}"`, `BADCHARSET (${supported.join(" ")})`),
  // RFC 5530 §3: the store has no such mailbox or message.
  Nonexistent: (reason) => no(reason, "NONEXISTENT"),
  // RFC 5530 §3: OVERQUOTA; the client keeps what it wanted to write and may try later.
  OverQuota: no("Not enough disk space", "OVERQUOTA"),
  // RFC 5530 §3: the store refused, such as a mailbox name that leaves the store.
  Cannot: (reason) => no(reason, "CANNOT"),
  // RFC 3501 §6.3.3 and RFC 5530 §3: CREATE of a mailbox that exists.
  AlreadyExists: (reason) => no(reason, "ALREADYEXISTS"),
  // RFC 5530 §3: a bug in the server, reported without its details.
  ServerBug: no("Internal server error", "SERVERBUG"),
};
