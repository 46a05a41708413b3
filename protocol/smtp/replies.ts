/**
 * The catalogue of every reply the SMTP server sends, each with its RFC 5321 code, its RFC 3463
 * enhanced code and a text that tells a student what happened. Tests compare against these
 * entries, never against string literals.
 *
 * @module
 */
import { fixedReply, type SmtpReply } from "./reply.ts";

function reply(code: number, enhanced: string | undefined, ...lines: string[]): SmtpReply {
  return enhanced ? { code, enhanced, lines } : { code, lines };
}

/** The shape of {@linkcode REPLY}: each entry a reply, or a function that makes one. */
export interface ReplyCatalogue {
  /** RFC 5321 §4.5.2 and §2.3.8: message text with NUL is refused. */
  readonly NulInText: SmtpReply;
  /** RFC 5321 §2.3.8: a CR or LF that is not part of CRLF (the SMTP smuggling defence). */
  readonly BareLineBreak: SmtpReply;
  /** RFC 6152 §3 and RFC 3463 X.6.3: 8-bit text needs MAIL FROM:<...> BODY=8BITMIME. */
  readonly EightBitNotDeclared: SmtpReply;
  /** RFC 3030 §2: a BDAT chunk was read. */
  readonly ChunkOk: (octets: number) => SmtpReply;
  /** RFC 3030 §2: BDAT and DATA do not mix in one message. */
  readonly NoDataAfterBdat: SmtpReply;
  /** RFC 3030 §2: the BDAT size must be a number. */
  readonly BadChunkSize: SmtpReply;
  /** RFC 3030 §2: recipients come before the first BDAT chunk. */
  readonly NeedRcptBeforeBdat: SmtpReply;
  /** RFC 5321 §4.1.1.8: HELP for one command shows its syntax. */
  readonly HelpFor: (syntax: string) => SmtpReply;
  /** RFC 4954 §4: too many failed logins on one connection. */
  readonly TooManyAuthFailures: SmtpReply;
  /** RFC 5321 §6.3 and RFC 3463 X.4.6: too many Received fields, probably a mail loop. */
  readonly TooManyHops: (hops: number) => SmtpReply;
  /** RFC 5321 §4.5.3.2: the message text took too long to arrive. */
  readonly DataTimeout: SmtpReply;
  /** RFC 5321 §4.2 and §4.3.1: the opening greeting. The course shows exactly "220 hamburger.edu". */
  readonly Greeting: (domain: string) => SmtpReply;
  /** RFC 5321 §4.1.1.1: HELO's reply, in the course's words. */
  readonly Hello: (client: string) => SmtpReply;
  /** RFC 5321 §4.1.1.1: EHLO's reply names the server first, then one extension per line. */
  readonly Ehlo: (domain: string, client: string, extensions: string[]) => SmtpReply;
  /** RFC 5321 §4.1.1.2 and RFC 3463 X.1.0: the sender is accepted. */
  readonly SenderOk: (address: string) => SmtpReply;
  /** RFC 5321 §4.1.1.3 and RFC 3463 X.1.5: a recipient is accepted. */
  readonly RecipientOk: (address: string) => SmtpReply;
  /** RFC 5321 §4.1.1.4: go ahead with the message text. ASCII quotes, as the wire needs. */
  readonly StartData: SmtpReply;
  /** RFC 5321 §4.1.1.4: the message is safely stored or queued. */
  readonly Accepted: SmtpReply;
  /** RFC 5321 §4.1.1.10: QUIT's reply. */
  readonly Closing: (domain: string) => SmtpReply;
  /** RFC 5321 §4.1.1.5 and §4.1.1.9: RSET and NOOP. */
  readonly Ok: SmtpReply;
  /** RFC 5321 §4.1.1.5: RSET. */
  readonly Reset: SmtpReply;
  /** RFC 5321 §3.5.3: VRFY that does not tell whether a user exists. */
  readonly CannotVerify: SmtpReply;
  /** RFC 5321 §4.1.1.8 and RFC 3463 X.5.0: HELP, with the commands this server knows. */
  readonly Help: (verbs: string[]) => SmtpReply;
  /** RFC 5321 §4.2.4: a verb this server does not know. */
  readonly Unrecognized: (verb: string) => SmtpReply;
  /** RFC 5321 §4.1.1: commands are printable text; a NUL or other control byte is refused. */
  readonly BadCharacters: SmtpReply;
  /** RFC 5321 §4.5.3.1.4: a command line over 512 octets. */
  readonly LineTooLong: SmtpReply;
  /** RFC 5321 §4.2.4: the arguments do not follow the command's syntax. */
  readonly Syntax: (syntax: string) => SmtpReply;
  /** RFC 5321 §4.1.1: a domain or address that does not parse. */
  readonly BadAddress: (value: string, why: string) => SmtpReply;
  /** RFC 3463 X.1.7: the sender's address does not parse. */
  readonly BadSender: (value: string, why: string) => SmtpReply;
  /** RFC 6531 §3.4: a non-ASCII address needs MAIL FROM:<...> SMTPUTF8. */
  readonly NeedSmtputf8: (address: string) => SmtpReply;
  /** RFC 5321 §3.5.3: EXPN is not offered (it would tell list members to anyone). */
  readonly NotImplemented: (verb: string) => SmtpReply;
  /** RFC 5321 §4.1.4: commands out of order. */
  readonly NeedHello: SmtpReply;
  /** RFC 5321 §4.1.4: commands out of order. */
  readonly NeedMail: SmtpReply;
  /** RFC 5321 §4.1.4: commands out of order. */
  readonly NeedRcpt: SmtpReply;
  /** RFC 5321 §4.1.4: commands out of order. */
  readonly NestedMail: SmtpReply;
  /** RFC 1869 §6 and RFC 5321 §4.1.1.11: a MAIL or RCPT parameter that was not offered. */
  readonly UnknownParameter: (name: string) => SmtpReply;
  /** RFC 5321 §4.2.2 and RFC 3463 X.1.1: no such local user. */
  readonly NoSuchUser: (address: string) => SmtpReply;
  /** RFC 5321 §3.6.2 and RFC 3463 X.7.1: this server does not relay for strangers. */
  readonly RelayDenied: (address: string) => SmtpReply;
  /** RFC 6409 §6.1 and RFC 3463 X.7.1: a logged-in user sends only as an address of theirs. */
  readonly SenderNotOwned: (address: string, login: string) => SmtpReply;
  /** RFC 6409 §6.1 and RFC 3463 X.7.1: the From: header names an address the login does not own. */
  readonly FromNotOwned: (address: string, login: string) => SmtpReply;
  /** RFC 5321 §4.5.3.1.8 and RFC 3463 X.5.3: too many recipients in one message. */
  readonly TooManyRecipients: (limit: number) => SmtpReply;
  /** RFC 1870 §6 and RFC 3463 X.3.4: the message is over the size limit. */
  readonly TooBig: (limit: number) => SmtpReply;
  /** RFC 5321 §4.5.3.1.6: a text line over 1000 octets. */
  readonly TextLineTooLong: SmtpReply;
  /** RFC 5321 §4.2.5: the server could not keep the message; the sender keeps it and retries. */
  readonly LocalError: SmtpReply;
  /** RFC 5321 §4.2.3 and RFC 3463 X.3.1: no room on the disk for the message; retry later. */
  readonly InsufficientStorage: SmtpReply;
  /** RFC 4954 §6: authentication is required on the submission port before MAIL. */
  readonly AuthRequired: SmtpReply;
  /** RFC 4954 §6: authentication succeeded. */
  readonly AuthOk: SmtpReply;
  /** RFC 3463 X.7.0: too many failed logins of this address or for this account; wait. */
  readonly LoginLocked: (seconds: number) => SmtpReply;
  /** RFC 4954 §4: a server challenge (base64; empty for PLAIN without an initial response). */
  readonly AuthChallenge: (base64: string) => SmtpReply;
  /** RFC 4954 §6: wrong user name or password. */
  readonly AuthFailed: SmtpReply;
  /** RFC 4954 §4: the client cancelled with "*". */
  readonly AuthCancelled: SmtpReply;
  /** RFC 4954 §4: a mechanism this server does not offer. */
  readonly AuthMechanism: (name: string) => SmtpReply;
  /** RFC 4954 §4: AUTH after a successful AUTH. */
  readonly AlreadyAuthenticated: SmtpReply;
  /** RFC 4954 §4: AUTH is not allowed while a message is under way. */
  readonly AuthInTransaction: SmtpReply;
  /** RFC 4954 §4: AUTH is offered only on the submission port. */
  readonly AuthNotOffered: SmtpReply;
  /** RFC 4954 §4: the AUTH exchange had bad base64 or fields. */
  readonly AuthSyntax: SmtpReply;
  /** RFC 5321 §3.8 and §4.2.4: the server is closing the connection. */
  readonly TooManyErrors: SmtpReply;
  /** RFC 5321 §3.8 and §4.2.4: the server is closing the connection. */
  readonly IdleTimeout: SmtpReply;
  /** RFC 3463 X.4.2: the session has lasted as long as this server allows one. */
  readonly SessionTooLong: SmtpReply;
  /** RFC 5321 §3.8 and §4.2.4: the server is closing the connection. */
  readonly TooManyConnections: SmtpReply;
  /** RFC 5321 §3.8 and §4.2.4: the server is closing the connection. */
  readonly ShuttingDown: SmtpReply;
  /** RFC 3207 §4: the server will start TLS after this reply. */
  readonly StartTls: SmtpReply;
  /** RFC 3207 §4: this server has no certificate, so STARTTLS is not offered. */
  readonly TlsNotOffered: SmtpReply;
  /** RFC 3207 §4: the connection is TLS already. */
  readonly TlsActive: SmtpReply;
  /** RFC 3207 §4: this server wants TLS before the command (a `requireTls` setting). */
  readonly TlsRequired: SmtpReply;
  /** RFC 5321 §4.2.5 and RFC 3463 X.3.0: the server failed itself; the client should try again later. */
  readonly InternalError: (domain: string) => SmtpReply;
}

/**
 * Every reply of the server. Entries that need a value (a domain, an address) are functions.
 *
 * @example The course's replies
 * ```ts
 * import assert from "node:assert/strict";
 * import { REPLY } from "./replies.ts";
 *
 * assert.deepEqual(REPLY.Greeting("hamburger.edu").lines, ["hamburger.edu"]);
 * assert.equal(REPLY.StartData.code, 354);
 * assert.equal(REPLY.Closing("hamburger.edu").lines[0], "hamburger.edu closing connection");
 * ```
 */
export const REPLY: ReplyCatalogue = {
  // RFC 5321 §4.5.2 and §2.3.8: message text with NUL is refused.
  NulInText: reply(554, "5.6.0", "Message text contains a NUL byte; nothing was kept"),
  // RFC 5321 §2.3.8: a CR or LF that is not part of CRLF (the SMTP smuggling defence).
  BareLineBreak: reply(
    550,
    "5.5.2",
    "Message text has a bare CR or LF; every line must end with CRLF",
  ),
  // RFC 6152 §3 and RFC 3463 X.6.3: 8-bit text needs MAIL FROM:<...> BODY=8BITMIME.
  EightBitNotDeclared: reply(
    554,
    "5.6.3",
    "Message text has 8-bit bytes: encode them (MIME base64 or quoted-printable) or declare BODY=8BITMIME",
  ),
  // RFC 3030 §2: a BDAT chunk was read.
  ChunkOk: (octets: number) => reply(250, "2.0.0", `${octets} octets received`),
  // RFC 3030 §2: BDAT and DATA do not mix in one message.
  NoDataAfterBdat: reply(
    503,
    "5.5.1",
    "Bad sequence of commands: DATA after BDAT (finish with BDAT n LAST)",
  ),
  // RFC 3030 §2: the BDAT size must be a number.
  BadChunkSize: reply(501, "5.5.4", "Syntax: BDAT <octets> [LAST]"),
  // RFC 3030 §2: recipients come before the first BDAT chunk.
  NeedRcptBeforeBdat: reply(503, "5.5.1", "Bad sequence of commands: RCPT after BDAT"),
  // RFC 5321 §4.1.1.8: HELP for one command shows its syntax.
  HelpFor: (syntax: string) => reply(214, "2.0.0", syntax),
  // RFC 4954 §4: too many failed logins on one connection.
  TooManyAuthFailures: reply(421, "4.7.0", "Too many failed logins; closing connection"),
  // RFC 5321 §6.3 and RFC 3463 X.4.6: too many Received fields, probably a mail loop.
  TooManyHops: (hops: number) =>
    reply(554, "5.4.6", `Too many hops (${hops} Received fields): a mail loop?`),
  // RFC 5321 §4.5.3.2: the message text took too long to arrive.
  DataTimeout: reply(421, "4.4.2", "Message text took too long; closing connection"),
  // RFC 5321 §4.2 and §4.3.1: the opening greeting. The course shows exactly "220 hamburger.edu".
  Greeting: (domain: string) => reply(220, undefined, domain),
  // RFC 5321 §4.1.1.1: HELO's reply, in the course's words.
  Hello: (client: string) => reply(250, undefined, `Hello ${client}, pleased to meet you`),
  // RFC 5321 §4.1.1.1: EHLO's reply names the server first, then one extension per line.
  Ehlo: (domain: string, client: string, extensions: string[]) =>
    reply(250, undefined, `${domain} Hello ${client}, pleased to meet you`, ...extensions),
  // RFC 5321 §4.1.1.2 and RFC 3463 X.1.0: the sender is accepted.
  SenderOk: (address: string) => reply(250, "2.1.0", `${address || "<>"} ... Sender ok`),
  // RFC 5321 §4.1.1.3 and RFC 3463 X.1.5: a recipient is accepted.
  RecipientOk: (address: string) => reply(250, "2.1.5", `${address} ... Recipient ok`),
  // RFC 5321 §4.1.1.4: go ahead with the message text. ASCII quotes, as the wire needs.
  StartData: reply(354, undefined, 'Enter mail, end with "." on a line by itself'),
  // RFC 5321 §4.1.1.4: the message is safely stored or queued.
  Accepted: reply(250, "2.0.0", "Message accepted for delivery"),
  // RFC 5321 §4.1.1.10: QUIT's reply.
  Closing: (domain: string) => reply(221, "2.0.0", `${domain} closing connection`),
  // RFC 5321 §4.1.1.5 and §4.1.1.9: RSET and NOOP.
  Ok: reply(250, "2.0.0", "OK"),
  // RFC 5321 §4.1.1.5: RSET.
  Reset: reply(250, "2.0.0", "Reset OK: no sender, no recipients"),
  // RFC 5321 §3.5.3: VRFY that does not tell whether a user exists.
  CannotVerify: reply(
    252,
    "2.5.0",
    "Cannot VRFY user, but will accept message and attempt delivery",
  ),
  // RFC 5321 §4.1.1.8 and RFC 3463 X.5.0: HELP, with the commands this server knows.
  Help: (verbs: string[]) =>
    reply(
      214,
      "2.0.0",
      `Commands: ${verbs.join(" ")}`,
      "Send each command on a line, ending with CRLF",
    ),

  // RFC 5321 §4.2.4: a verb this server does not know.
  Unrecognized: (verb: string) => reply(500, "5.5.2", `Command not recognized: "${verb}"`),
  // RFC 5321 §4.1.1: commands are printable text; a NUL or other control byte is refused.
  BadCharacters: reply(500, "5.5.2", "Command contains a NUL or other control character"),
  // RFC 5321 §4.5.3.1.4: a command line over 512 octets.
  LineTooLong: reply(500, "5.5.2", "Line too long"),
  // RFC 5321 §4.2.4: the arguments do not follow the command's syntax.
  Syntax: (syntax: string) => reply(501, "5.5.4", `Syntax: ${syntax}`),
  // RFC 5321 §4.1.1: a domain or address that does not parse.
  BadAddress: (value: string, why: string) => reply(501, "5.1.3", `Bad address "${value}": ${why}`),
  // RFC 3463 X.1.7: the sender's address does not parse.
  BadSender: (value: string, why: string) =>
    reply(501, "5.1.7", `Bad sender address "${value}": ${why}`),
  // RFC 6531 §3.4: a non-ASCII address needs MAIL FROM:<...> SMTPUTF8.
  NeedSmtputf8: (address: string) =>
    reply(553, "5.6.7", `${address}: non-ASCII address needs the SMTPUTF8 parameter on MAIL FROM`),
  // RFC 5321 §3.5.3: EXPN is not offered (it would tell list members to anyone).
  NotImplemented: (verb: string) => reply(502, "5.5.1", `${verb} not implemented`),
  // RFC 5321 §4.1.4: commands out of order.
  NeedHello: reply(503, "5.5.1", "Bad sequence of commands: send HELO or EHLO first"),
  NeedMail: reply(503, "5.5.1", "Bad sequence of commands: send MAIL FROM first"),
  NeedRcpt: reply(503, "5.5.1", "Bad sequence of commands: send RCPT TO first"),
  NestedMail: reply(503, "5.5.1", "Bad sequence of commands: sender already given (RSET first)"),
  // RFC 1869 §6 and RFC 5321 §4.1.1.11: a MAIL or RCPT parameter that was not offered.
  UnknownParameter: (name: string) =>
    reply(555, "5.5.4", `Parameter "${name}" not recognized or not implemented`),

  // RFC 5321 §4.2.2 and RFC 3463 X.1.1: no such local user.
  NoSuchUser: (address: string) => reply(550, "5.1.1", `${address}: no such user here`),
  // RFC 6409 §6.1 and RFC 3463 X.7.1, as Postfix's reject_sender_login_mismatch answers.
  SenderNotOwned: (address: string, login: string) =>
    reply(553, "5.7.1", `<${address}>: Sender address rejected: not owned by user ${login}`),
  // RFC 6409 §6.1 and RFC 3463 X.7.1; 550 is what RFC 5321 §4.3.2 lets the end of DATA refuse with.
  FromNotOwned: (address: string, login: string) =>
    reply(550, "5.7.1", `From: <${address}> is not an address of user ${login}`),
  // RFC 5321 §3.6.2 and RFC 3463 X.7.1: this server does not relay for strangers.
  RelayDenied: (address: string) =>
    reply(
      554,
      "5.7.1",
      `${address}: relay access denied (log in on the submission port to send to other domains)`,
    ),
  // RFC 5321 §4.5.3.1.8 and RFC 3463 X.5.3: too many recipients in one message.
  TooManyRecipients: (limit: number) =>
    reply(452, "4.5.3", `Too many recipients (at most ${limit} per message)`),
  // RFC 1870 §6 and RFC 3463 X.3.4: the message is over the size limit.
  TooBig: (limit: number) => reply(552, "5.3.4", `Message too big (at most ${limit} bytes)`),
  // RFC 5321 §4.5.3.1.6: a text line over 1000 octets.
  TextLineTooLong: reply(500, "5.5.2", "Line too long in message text (at most 1000 octets)"),
  // RFC 5321 §4.2.5: the server could not keep the message; the sender keeps it and retries.
  LocalError: reply(451, "4.3.0", "Local error in processing; try again later"),
  // RFC 5321 §4.2.3 and RFC 3463 X.3.1 (mail system full): the disk is full; the sender retries.
  InsufficientStorage: reply(452, "4.3.1", "Insufficient system storage; try again later"),

  // RFC 4954 §6: authentication is required on the submission port before MAIL.
  AuthRequired: reply(530, "5.7.0", "Authentication required"),
  // RFC 3463 X.7.0; 421 ends the session (RFC 5321 §3.8), and the text says how long to wait.
  LoginLocked: (seconds: number) =>
    reply(
      421,
      "4.7.0",
      `Too many failed logins from this address or for this account; try again in ${seconds} s`,
    ),
  // RFC 4954 §6: authentication succeeded.
  AuthOk: reply(235, "2.7.0", "Authentication successful"),
  // RFC 4954 §4: a server challenge (base64; empty for PLAIN without an initial response).
  AuthChallenge: (base64: string) => reply(334, undefined, base64),
  // RFC 4954 §6: wrong user name or password.
  AuthFailed: reply(535, "5.7.8", "Authentication credentials invalid"),
  // RFC 4954 §4: the client cancelled with "*".
  AuthCancelled: reply(501, "5.0.0", "Authentication cancelled"),
  // RFC 4954 §4: a mechanism this server does not offer.
  AuthMechanism: (name: string) =>
    reply(504, "5.5.4", `Unrecognized authentication type "${name}" (use PLAIN or LOGIN)`),
  // RFC 4954 §4: AUTH after a successful AUTH.
  AlreadyAuthenticated: reply(503, "5.5.1", "Already authenticated"),
  // RFC 4954 §4: AUTH is not allowed while a message is under way.
  AuthInTransaction: reply(503, "5.5.1", "AUTH not allowed during a mail transaction (RSET first)"),
  // RFC 4954 §4: AUTH is offered only on the submission port.
  AuthNotOffered: reply(502, "5.5.1", "AUTH not available on this port (use the submission port)"),
  // RFC 4954 §4: the AUTH exchange had bad base64 or fields.
  AuthSyntax: reply(501, "5.5.2", "Cannot decode the authentication data"),

  // RFC 5321 §3.8 and §4.2.4: the server is closing the connection.
  TooManyErrors: reply(421, "4.7.0", "Too many errors; closing connection"),
  IdleTimeout: reply(421, "4.4.2", "Idle too long; closing connection"),
  // RFC 3463 X.4.2 (bad connection); the client reconnects for the rest of its mail.
  SessionTooLong: reply(421, "4.4.2", "Session too long; closing connection"),
  TooManyConnections: reply(421, "4.7.0", "Too many connections; try again later"),
  ShuttingDown: reply(421, "4.3.2", "Service shutting down; closing connection"),
  InternalError: (domain: string) =>
    reply(421, "4.3.0", `${domain} Internal server error; closing connection, try again later`),

  // RFC 3207 §4: STARTTLS.
  StartTls: reply(220, "2.0.0", "Ready to start TLS"),
  TlsNotOffered: reply(502, "5.5.1", "STARTTLS not available: this server has no certificate"),
  TlsActive: reply(503, "5.5.1", "TLS is already active"),
  // The text is RFC 3207 §4's own.
  TlsRequired: reply(530, "5.7.0", "Must issue a STARTTLS command first"),
};

// The constant replies are fixed: shared by every session, they may not change, and their wire
// text is made once.
for (const value of Object.values(REPLY)) if (typeof value === "object") fixedReply(value);
