/**
 * The user agent's errors, each a sentence a person can act on: a server that cannot be reached
 * or was lost (named by its role, address and port), a login the server refused, an address that
 * is not one (named by its field), and a message that has no one to answer.
 *
 * @module
 */
import { ConnectionError, TimeoutError } from "../client/line_connection.ts";

/**
 * Which of the user's servers: where mail is submitted, where the mailboxes are, or the server's
 * HTTP interface (which does both).
 */
export type ServerRole = "SMTP submission" | "IMAP" | "HTTP";

/** Where a server listens. */
export interface Endpoint {
  /** Host name or address. */
  hostname: string;
  /** Port. */
  port: number;
}

/**
 * A server could not be reached, or the connection to it failed half way: `connected` tells
 * which. The message names the server's role, address and port, and why.
 *
 * @example What a stopped lab looks like
 * ```ts
 * import assert from "node:assert/strict";
 * import { ServerConnectionError } from "./errors.ts";
 *
 * const error = new ServerConnectionError(
 *   "SMTP submission",
 *   { hostname: "127.0.0.1", port: 10587 },
 *   { reason: "connection refused", connected: false },
 * );
 * assert.equal(
 *   error.message,
 *   "Could not connect to the SMTP submission server at 127.0.0.1:10587 (connection refused)",
 * );
 * ```
 */
export class ServerConnectionError extends Error {
  /** Which server. */
  readonly role: ServerRole;
  /** Its address and port. */
  readonly endpoint: Endpoint;
  /** Why, in a few words, such as `connection refused`. */
  readonly reason: string;
  /** False when no dialog began (refused, timed out, no greeting); true when it broke later. */
  readonly connected: boolean;

  /**
   * Creates the error.
   *
   * @param role Which server.
   * @param endpoint Its address and port.
   * @param facts Why, whether the dialog had begun, and the runtime's error as the cause.
   */
  constructor(
    role: ServerRole,
    endpoint: Endpoint,
    facts: { reason: string; connected: boolean; cause?: unknown },
  ) {
    const where = `the ${serverName(role)} at ${formatEndpoint(endpoint)}`;
    super(
      facts.connected
        ? `Lost the connection to ${where} (${facts.reason})`
        : `Could not connect to ${where} (${facts.reason})`,
      { cause: facts.cause },
    );
    this.name = "ServerConnectionError";
    this.role = role;
    this.endpoint = endpoint;
    this.reason = facts.reason;
    this.connected = facts.connected;
  }
}

/**
 * The server refused the user's name or password (SMTP 535, RFC 4954 §6; IMAP
 * `NO [AUTHENTICATIONFAILED]`, RFC 5530).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoginRefusedError } from "./errors.ts";
 *
 * const error = new LoginRefusedError("IMAP", { hostname: "127.0.0.1", port: 20143 }, {
 *   user: "bob",
 *   said: "NO [AUTHENTICATIONFAILED] Invalid credentials",
 * });
 * assert.match(error.message, /^The IMAP server at 127\.0\.0\.1:20143 refused the login of "bob"/);
 * ```
 */
export class LoginRefusedError extends Error {
  /** Which server. */
  readonly role: ServerRole;
  /** The login name. */
  readonly user: string;

  /**
   * Creates the error.
   *
   * @param role Which server.
   * @param endpoint Its address and port.
   * @param facts The login name, what the server said, and its error as the cause.
   */
  constructor(
    role: ServerRole,
    endpoint: Endpoint,
    facts: { user: string; said: string; cause?: unknown },
  ) {
    super(
      `The ${serverName(role)} at ${formatEndpoint(endpoint)} refused the login of ` +
        `"${facts.user}" ` +
        `(it said: ${facts.said})`,
      { cause: facts.cause },
    );
    this.name = "LoginRefusedError";
    this.role = role;
    this.user = facts.user;
  }
}

/** Which address field of a draft. */
export type AddressField = "from" | "to" | "cc" | "bcc";

/**
 * An address field of a draft holds something that is not an email address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AddressError } from "./errors.ts";
 *
 * const error = new AddressError("to", "bob@");
 * assert.equal(error.message, 'to: "bob@" is not an email address');
 * assert.equal(error.field, "to");
 * ```
 */
export class AddressError extends Error {
  /** The field. */
  readonly field: AddressField;
  /** What it held. */
  readonly address: string;

  /**
   * Creates the error.
   *
   * @param field The field.
   * @param address What it held.
   */
  constructor(field: AddressField, address: string) {
    super(`${field}: "${address}" is not an email address`);
    this.name = "AddressError";
    this.field = field;
    this.address = address;
  }
}

/**
 * A message cannot be answered: it names no one in Reply-To, From or Return-Path (a bounce has
 * the null Return-Path `<>`, so that no one answers it automatically, RFC 5321 §4.5.5).
 */
export class NoReplyAddressError extends Error {
  /**
   * Creates the error.
   *
   * @param message The sentence.
   */
  constructor(message: string) {
    super(message);
    this.name = "NoReplyAddressError";
  }
}

/** A mailbox holds no message of the UID asked for (it never did, or it was moved or deleted). */
export class NoSuchMessageError extends Error {
  /** The UID asked for. */
  readonly uid: number;
  /** The mailbox. */
  readonly mailbox: string;

  /**
   * Creates the error.
   *
   * @param uid The UID asked for.
   * @param mailbox The mailbox.
   */
  constructor(uid: number, mailbox: string) {
    super(`No message with UID ${uid} in "${mailbox}"`);
    this.name = "NoSuchMessageError";
    this.uid = uid;
    this.mailbox = mailbox;
  }
}

/**
 * A mailbox does not exist (the HTTP interface says so with 404; IMAP, with `NO [TRYCREATE]` or
 * `[NONEXISTENT]`, which the user agent passes on as an `ImapResponseError`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoSuchMailboxError } from "./errors.ts";
 *
 * assert.equal(new NoSuchMailboxError("Archive").message, 'There is no mailbox "Archive"');
 * ```
 */
export class NoSuchMailboxError extends Error {
  /** The mailbox asked for. */
  readonly mailbox: string;

  /**
   * Creates the error.
   *
   * @param mailbox The mailbox asked for.
   */
  constructor(mailbox: string) {
    super(`There is no mailbox "${mailbox}"`);
    this.name = "NoSuchMailboxError";
    this.mailbox = mailbox;
  }
}

/**
 * The HTTP interface refused a request, with its status and its JSON `{error, field?}`: the
 * HTTP counterpart of `SmtpReplyError` and `ImapResponseError`, for what the user agent has no
 * error of its own for (a refused recipient, a message too large, a bad flag name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpResponseError } from "./errors.ts";
 *
 * const error = new HttpResponseError({ hostname: "127.0.0.1", port: 20080 }, {
 *   status: 413,
 *   said: "The message is 11000000 bytes; the limit is 10485760",
 * });
 * assert.equal(
 *   error.message,
 *   "The HTTP interface at 127.0.0.1:20080 said: 413 The message is 11000000 bytes; the limit is 10485760",
 * );
 * assert.equal(error.temporary, false);
 * ```
 */
export class HttpResponseError extends Error {
  /** The HTTP status, such as 400. */
  readonly status: number;
  /** The request field the refusal is about, such as `to`, when the server names one. */
  readonly field?: string;
  /** What the server said (its `error`). */
  readonly said: string;
  /** Whether trying again later may work: 429 (too many requests) and 5xx. */
  readonly temporary: boolean;

  /**
   * Creates the error.
   *
   * @param endpoint The HTTP interface's address and port.
   * @param facts The status, what the server said, and the field it names.
   */
  constructor(endpoint: Endpoint, facts: { status: number; said: string; field?: string }) {
    super(`The HTTP interface at ${formatEndpoint(endpoint)} said: ${facts.status} ${facts.said}`);
    this.name = "HttpResponseError";
    this.status = facts.status;
    if (facts.field !== undefined) this.field = facts.field;
    this.said = facts.said;
    this.temporary = facts.status === 429 || facts.status >= 500;
  }
}

/** How a sentence names a server: "the IMAP server", but "the HTTP interface". */
function serverName(role: ServerRole): string {
  return role === "HTTP" ? "HTTP interface" : `${role} server`;
}

/**
 * An endpoint as `host:port`, with brackets around an IPv6 address.
 *
 * @param endpoint The endpoint.
 * @returns Such as `127.0.0.1:10587`.
 */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.hostname.includes(":") ? `[${endpoint.hostname}]` : endpoint.hostname;
  return `${host}:${endpoint.port}`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Why a connection failed, in a few words, from the runtime's or the client's error. */
function reasonOf(error: unknown, timeoutMs: number): string {
  const cause = error instanceof ConnectionError && error.cause ? error.cause : error;
  if (cause instanceof Deno.errors.ConnectionRefused) return "connection refused";
  if (cause instanceof Deno.errors.ConnectionReset) return "connection reset";
  // The SMTP client's deadlines throw TimeoutError; the IMAP client's, and the system's, TimedOut.
  if (cause instanceof TimeoutError || cause instanceof Deno.errors.TimedOut) {
    return `no answer within ${seconds(timeoutMs)}`;
  }
  if (cause instanceof Deno.errors.AddrNotAvailable) return "address not available";
  if (cause instanceof Deno.errors.NotConnected) return "not connected";
  // A host name that does not resolve: the runtime gives no class of its own for it.
  if (cause instanceof Error && /lookup|resolve|dns/i.test(cause.message)) return "unknown host";
  if (cause instanceof ConnectionError) return "the server closed the connection";
  return (cause as Error).message?.replace(/ \(os error \d+\)/, "") ?? String(cause);
}

/** Whether an error is a broken or silent connection, rather than an answer of the server. */
function isConnectionFailure(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof TimeoutError ||
    error instanceof Deno.errors.ConnectionRefused ||
    error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.TimedOut ||
    error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.AddrNotAvailable ||
    (error instanceof Error && error.name === "NetworkUnreachable");
}

/** Options of {@linkcode talkTo}. */
export interface TalkOptions {
  /** Which server. */
  role: ServerRole;
  /** Its address and port. */
  endpoint: Endpoint;
  /** The deadline the client was given, to say how long it waited. */
  timeoutMs: number;
}

/**
 * Opens a connection and holds a dialog with it, turning a connection that fails (refused, timed
 * out, broken) into a {@linkcode ServerConnectionError} that names the server. What the server
 * answers (a refusal, a NO) passes through untouched.
 *
 * @param open Opens the connection (reads the greeting).
 * @param work The dialog.
 * @param options The server's role, address and port, and the deadline.
 * @returns What the dialog returns.
 */
export async function talkTo<C, T>(
  open: () => Promise<C>,
  work: (connection: C) => Promise<T>,
  options: TalkOptions,
): Promise<T> {
  const fail = (error: unknown, connected: boolean) =>
    isConnectionFailure(error)
      ? new ServerConnectionError(options.role, options.endpoint, {
        reason: reasonOf(error, options.timeoutMs),
        connected,
        cause: error,
      })
      : error;
  let connection: C;
  try {
    connection = await open();
  } catch (error) {
    throw fail(error, false);
  }
  try {
    return await work(connection);
  } catch (error) {
    throw fail(error, true);
  }
}
