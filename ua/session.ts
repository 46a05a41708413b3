/**
 * How the user agent talks to its own servers: one SMTP submission dialog per message (EHLO,
 * AUTH, MAIL, RCPT, DATA, QUIT; RFC 6409), one IMAP session per task (LOGIN, the task, LOGOUT).
 * A server that cannot be reached, or a refused login, becomes an error that names the server's
 * role, address and port.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { ImapResponseError } from "../protocol/imap/error.ts";
import type { SelectedInfo } from "../protocol/imap/response_data.ts";
import { localPartOf } from "../protocol/smtp/command.ts";
import { SmtpReplyError } from "../protocol/smtp/reply.ts";
import type { Transcript } from "../protocol/transcript.ts";
import { ImapClient } from "../client/imap_client.ts";
import { type SendResult, SmtpClient } from "../client/smtp_client.ts";
import type { Composed } from "./compose.ts";
import { type Endpoint, LoginRefusedError, type ServerRole, talkTo } from "./errors.ts";

/** What a session needs: the account, its servers, the clock, the deadline, the recorder. */
export interface SessionOptions {
  /** The user's address. */
  address: string;
  /** The login name. */
  user: string;
  /** The password. */
  password: string;
  /** The submission server. */
  submission: Endpoint;
  /** The IMAP server. */
  imap: Endpoint;
  /** Times the deadlines. */
  clock: Clock;
  /** How long to wait for the greeting and for each answer. */
  timeoutMs: number;
  /** Called for each new connection, to record its dialog. */
  record?: (protocol: "SMTP" | "IMAP") => Transcript | undefined;
}

/** Logs in, turning a refusal of the name or password into a {@linkcode LoginRefusedError}. */
async function login(
  role: ServerRole,
  options: SessionOptions,
  attempt: () => Promise<void>,
): Promise<void> {
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof SmtpReplyError || error instanceof ImapResponseError)) throw error;
    throw new LoginRefusedError(role, role === "IMAP" ? options.imap : options.submission, {
      user: options.user,
      said: error.message,
      cause: error,
    });
  }
}

/**
 * Submits a composed message: SMTP with AUTH on the submission port.
 *
 * @param composed The message and its envelope.
 * @param options The account and its submission server.
 * @returns What the server said of each recipient.
 * @throws {ServerConnectionError} When the server cannot be reached or the connection breaks.
 * @throws {LoginRefusedError} When the server refuses the login.
 */
export async function submitMessage(
  composed: Composed,
  options: SessionOptions,
): Promise<SendResult> {
  const timeout = options.timeoutMs;
  const endpoint = options.submission;
  const open = () =>
    SmtpClient.connect({
      ...endpoint,
      clientName: `${localPartOf(options.address)}-ua`,
      clock: options.clock,
      transcript: options.record?.("SMTP"),
      timeouts: { greeting: timeout, command: timeout, dataStart: timeout, dataBlock: timeout },
    });
  return await talkTo(open, async (client) => {
    try {
      await login(
        "SMTP submission",
        options,
        () => client.authenticate(options.user, options.password),
      );
      const result = await client.send(composed.envelope, composed.bytes);
      await client.quit();
      return result;
    } finally {
      client.close();
    }
  }, { role: "SMTP submission", endpoint, timeoutMs: timeout });
}

/**
 * Runs a task in an IMAP session: connect, LOGIN, the task, LOGOUT.
 *
 * @param options The account and its IMAP server.
 * @param work The task, given the logged-in client.
 * @returns What the task returns.
 * @throws {ServerConnectionError} When the server cannot be reached or the connection breaks.
 * @throws {LoginRefusedError} When the server refuses the login.
 */
export async function withImap<T>(
  options: SessionOptions,
  work: (client: ImapClient) => Promise<T>,
): Promise<T> {
  const endpoint = options.imap;
  const open = () =>
    ImapClient.connect({
      ...endpoint,
      clock: options.clock,
      transcript: options.record?.("IMAP"),
      timeoutMs: options.timeoutMs,
    });
  return await talkTo(open, async (connected) => {
    await using client = connected;
    await login("IMAP", options, () => client.login(options.user, options.password));
    const result = await work(client);
    await client.logout();
    return result;
  }, { role: "IMAP", endpoint, timeoutMs: options.timeoutMs });
}

/**
 * Runs a task on one mailbox in an IMAP session: connect, LOGIN, SELECT, the task, LOGOUT.
 *
 * @param options The account and its IMAP server.
 * @param mailbox The mailbox to select.
 * @param work The task, given the client and what SELECT said.
 * @returns What the task returns.
 */
export async function withMailbox<T>(
  options: SessionOptions,
  mailbox: string,
  work: (client: ImapClient, box: SelectedInfo) => Promise<T>,
): Promise<T> {
  return await withImap(options, async (client) => work(client, await client.select(mailbox)));
}
