/**
 * The client side of SMTP (RFC 5321): what a mail server runs to relay a message to the next
 * server, and what a user agent runs to submit one. Several messages may go over one connection,
 * the course's persistent connection. The client uses the extensions the server offers
 * (PIPELINING, SIZE, 8BITMIME, SMTPUTF8), and converts 8-bit bodies to 7 bits for a server
 * without 8BITMIME, as RFC 6152 §3 requires.
 *
 * @module
 */
import { encodePlain, toBase64Utf8 } from "../protocol/sasl.ts";
import { type SmtpReply, SmtpReplyError } from "../protocol/smtp/reply.ts";
import {
  type PendingMessage,
  pendingMessage,
  runTransaction,
  type TransactionState,
} from "./mail_transaction.ts";
import type {
  ClientTlsPolicy,
  OutgoingMessage,
  RecipientRefusal,
  SendEnvelope,
  SendFailure,
  SendManyResult,
  SendResult,
  SmtpClientOptions,
  SmtpTimeouts,
  TransactionStep,
} from "./smtp_transaction.ts";
import type { TlsInfo } from "../runtime/tls.ts";
import { SmtpWire, StartTlsError } from "./smtp_wire.ts";

export type {
  ClientTlsPolicy,
  OutgoingMessage,
  RecipientRefusal,
  SendEnvelope,
  SendFailure,
  SendManyResult,
  SendResult,
  SmtpClientOptions,
  SmtpTimeouts,
  TransactionStep,
};
export { CannotConnectError, StartTlsError } from "./smtp_wire.ts";

/**
 * An SMTP client connection.
 *
 * @example Send one message to a local server
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpClient } from "./smtp_client.ts";
 * import { SmtpServer } from "../server/smtp/server.ts";
 *
 * const received: Uint8Array[] = [];
 * await using server = new SmtpServer({
 *   domain: "hamburger.edu",
 *   handler: { data: (_envelope, message) => void received.push(message) },
 * });
 * const client = await SmtpClient.connect({
 *   hostname: "127.0.0.1",
 *   port: server.port,
 *   clientName: "crepes.fr",
 * });
 * const result = await client.send(
 *   { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
 *   new TextEncoder().encode("Subject: Hi\r\n\r\nDo you like ketchup?\r\n"),
 * );
 * await client.quit();
 * assert.equal(result.reply.code, 250);
 * assert.equal(result.step, "end of data");
 * assert.deepEqual(result.accepted, ["bob@hamburger.edu"]);
 * assert.equal(received.length, 1);
 * ```
 */
export class SmtpClient {
  /** The extensions the server offered in EHLO, keyword (upper case) to parameters. */
  readonly extensions: Map<string, string> = new Map();
  #wire: SmtpWire;
  #greeting: SmtpReply = { code: 0, lines: [] };
  #options: SmtpClientOptions;
  #greeted = false;
  #state: TransactionState = { dirty: false, announced: false, step: "mail", messages: 0 };

  private constructor(wire: SmtpWire, options: SmtpClientOptions) {
    this.#wire = wire;
    this.#options = options;
  }

  /**
   * Opens a connection and reads the greeting.
   *
   * @param options Where to connect and how to behave.
   * @returns A connected client.
   * @throws {CannotConnectError} When the TCP connection cannot be opened.
   * @throws {SmtpReplyError} When the greeting is not 220 (such as `421` from a busy server).
   * @throws {ConnectionError} When the connection fails before the greeting.
   * @throws {TimeoutError} When no greeting comes in time.
   */
  static async connect(options: SmtpClientOptions): Promise<SmtpClient> {
    const wire = await SmtpWire.open(options);
    let greeting: SmtpReply;
    try {
      greeting = await wire.readReply(wire.timeouts.greeting, "the greeting");
    } catch (error) {
      wire.close();
      throw error;
    }
    const client = new SmtpClient(wire, options);
    client.#greeting = greeting;
    if (greeting.code !== 220) {
      // RFC 5321 §3.1: a server that will not serve says 554 (or 421) and waits for QUIT.
      if (greeting.code === 421) client.close();
      else await client.quit().catch(() => {});
      throw new SmtpReplyError(greeting);
    }
    return client;
  }

  /** The server's greeting. */
  get greeting(): SmtpReply {
    return this.#greeting;
  }

  /** How many messages this connection has carried. */
  get messagesSent(): number {
    return this.#state.messages;
  }

  /** Whether the connection is closed (after QUIT, a 421, a timeout or a broken connection). */
  get closed(): boolean {
    return this.#wire.closed;
  }

  /** The TLS protecting the connection, once started (STARTTLS or implicit TLS). */
  get tls(): TlsInfo | undefined {
    return this.#wire.tls;
  }

  /**
   * Greets the server: EHLO, and HELO if the server does not know EHLO (or if `helo` is set).
   * With a `tls` policy, STARTTLS follows when the server offers it (RFC 3207), and then EHLO
   * again: the server forgot the first one, and offers its extensions anew inside TLS.
   *
   * @returns The server's reply (inside TLS, when it started).
   * @throws {SmtpReplyError} When the server refuses both.
   * @throws {StartTlsError} When TLS is required and cannot be had.
   */
  async hello(): Promise<SmtpReply> {
    const name = this.#options.clientName ?? "localhost";
    const command = this.#wire.timeouts.command;
    if (!this.#options.helo) {
      const reply = await this.#wire.command(`EHLO ${name}`, command);
      if (reply.code === 250) {
        this.extensions.clear();
        for (const line of reply.lines.slice(1)) {
          const [keyword, ...params] = line.split(" ");
          this.extensions.set(keyword.toUpperCase(), params.join(" "));
        }
        this.#greeted = true;
        return await this.#startTls() ? await this.hello() : reply;
      }
      // RFC 5321 §4.1.4 and §3.2: an old server answers EHLO with 500, 502 or 504; try HELO.
      if (![500, 502, 504, 550].includes(reply.code)) throw new SmtpReplyError(reply);
    }
    const reply = await this.#wire.command(`HELO ${name}`, command);
    if (reply.code !== 250) throw new SmtpReplyError(reply);
    this.extensions.clear();
    this.#greeted = true;
    if (this.#options.tls?.required && !this.#wire.tls) {
      throw new StartTlsError(`TLS is required, but ${this.#where} speaks only HELO`);
    }
    return reply;
  }

  get #where(): string {
    return `${this.#options.hostname}:${this.#options.port}`;
  }

  // STARTTLS when the policy and the server allow it; true once TLS is on.
  async #startTls(): Promise<boolean> {
    const policy = this.#options.tls;
    if (!policy || this.#wire.tls) return false;
    if (!this.extensions.has("STARTTLS")) {
      if (!policy.required) return false;
      throw new StartTlsError(`TLS is required, but ${this.#where} does not offer STARTTLS`);
    }
    const reply = await this.#wire.command("STARTTLS", this.#wire.timeouts.command);
    if (reply.code !== 220) {
      if (!policy.required) return false;
      throw new StartTlsError(`TLS is required, but ${this.#where} refused STARTTLS`, {
        cause: new SmtpReplyError(reply),
      });
    }
    await this.#wire.startTls(policy);
    this.#greeted = false;
    return true;
  }

  /**
   * Logs in with AUTH PLAIN, or LOGIN when the server offers only that (RFC 4954).
   *
   * @param user The user name.
   * @param password The password.
   * @throws {SmtpReplyError} When the server refuses.
   */
  async authenticate(user: string, password: string): Promise<void> {
    if (!this.#greeted) await this.hello();
    const offered = (this.extensions.get("AUTH") ?? "").toUpperCase().split(" ");
    const timeout = this.#wire.timeouts.command;
    let reply: SmtpReply;
    if (!offered.includes("PLAIN") && offered.includes("LOGIN")) {
      reply = await this.#wire.command("AUTH LOGIN", timeout);
      if (reply.code === 334) reply = await this.#wire.command(toBase64Utf8(user), timeout, "****");
      if (reply.code === 334) {
        reply = await this.#wire.command(toBase64Utf8(password), timeout, "****");
      }
    } else {
      const token = encodePlain(user, password);
      reply = await this.#wire.command(`AUTH PLAIN ${token}`, timeout, "AUTH PLAIN ****");
    }
    if (reply.code !== 235) throw new SmtpReplyError(reply);
  }

  /**
   * Sends one message: MAIL, one RCPT per recipient, DATA, the text. With PIPELINING the
   * commands go out in one write (RFC 2920). After a failed transaction the next `send` begins
   * with RSET.
   *
   * @param envelope Sender and recipients.
   * @param message The message, CRLF line endings; it is dot-stuffed here.
   * @returns What became of each recipient, with the step of each reply.
   * @throws {ConnectionError} When the connection fails.
   * @throws {TimeoutError} When the server does not answer in time.
   * @throws {SmtpReplyError} When the server says 421 (it is closing the connection).
   */
  async send(envelope: SendEnvelope, message: Uint8Array): Promise<SendResult> {
    if (!this.#greeted) await this.hello();
    return await this.#transaction(pendingMessage({ envelope, message }, this.extensions));
  }

  /**
   * Sends messages one after another over this connection, and yields one result per message,
   * in order. With PIPELINING, the next message's MAIL, RCPT and DATA go out right after this
   * message's text (RFC 2920 §3.1), saving a round trip per message; never a message that this
   * client would refuse itself (over SIZE, or needing SMTPUTF8). When the connection breaks,
   * every message taken from `messages` still gets a result (a failure with its step), and the
   * iteration ends; the messages not yet taken stay in `messages`.
   *
   * @param messages The messages; each is taken only when its turn is near.
   * @returns One result per message taken, in order.
   * @throws {SmtpReplyError} When the server refuses EHLO and HELO (before any message is taken).
   * @throws The error of `messages` itself, once the message under way has its result.
   *
   * @example Three messages over one connection
   * ```ts
   * import assert from "node:assert/strict";
   * import { SmtpClient } from "./smtp_client.ts";
   * import { SmtpServer } from "../server/smtp/server.ts";
   *
   * await using server = new SmtpServer({ domain: "hamburger.edu" });
   * const client = await SmtpClient.connect({ hostname: "127.0.0.1", port: server.port });
   * const envelope = { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] };
   * const messages = [1, 2, 3].map((n) => ({
   *   envelope,
   *   message: new TextEncoder().encode(`Subject: ${n}\r\n\r\nRecipe ${n}\r\n`),
   * }));
   * const codes: number[] = [];
   * for await (const sent of client.sendMany(messages)) codes.push(sent.result?.reply.code ?? 0);
   * await client.quit();
   * assert.deepEqual(codes, [250, 250, 250]);
   * assert.equal(client.messagesSent, 3);
   * ```
   */
  async *sendMany<T extends OutgoingMessage>(
    messages: AsyncIterable<T> | Iterable<T>,
  ): AsyncGenerator<SendManyResult<T>, void, undefined> {
    if (!this.#greeted) await this.hello();
    const source = iterate(messages);
    let ended = false;
    let sourceError: { error: unknown } | undefined;
    const take = async (): Promise<PendingMessage<T> | undefined> => {
      if (ended) return undefined;
      try {
        const next = await source.next();
        if (!next.done) return pendingMessage(next.value, this.extensions);
      } catch (error) {
        sourceError = { error };
      }
      ended = true;
      return undefined;
    };
    try {
      let current = await take();
      while (current) {
        let ahead: Promise<PendingMessage<T> | undefined> | undefined;
        // Taken while this message's commands travel, so that its own can follow this text.
        if (this.extensions.has("PIPELINING") && !current.refusal) ahead = take();
        let sent: SendManyResult<T>;
        try {
          sent = { item: current.item, result: await this.#transaction(current, ahead) };
        } catch (error) {
          sent = { item: current.item, failure: this.#failure(error) };
        }
        yield sent;
        if (sent.failure) {
          const next = await ahead;
          if (next) yield { item: next.item, failure: notSent(sent.failure) };
          return;
        }
        current = ahead ? await ahead : await take();
      }
    } finally {
      // Ended early with a message announced: the server waits for its text, nothing else fits.
      if (this.#state.announced) this.close();
      if (!ended) await source.return?.();
    }
    if (sourceError) throw sourceError.error;
  }

  #transaction(
    current: PendingMessage,
    ahead?: Promise<PendingMessage | undefined>,
  ): Promise<SendResult> {
    return runTransaction(this.#wire, current, {
      state: this.#state,
      extensions: this.extensions,
      ahead,
      maxDataLinesRecorded: this.#options.maxDataLinesRecorded,
    });
  }

  #failure(error: unknown): SendFailure {
    this.close();
    const reply = error instanceof SmtpReplyError ? error.reply : undefined;
    return { step: this.#state.step, error: error as Error, ...(reply ? { reply } : {}) };
  }

  /**
   * Says QUIT, reads the 221, and closes the connection.
   */
  async quit(): Promise<void> {
    try {
      // After an announced message, the server waits for its text: QUIT would be read as text.
      if (!this.#wire.closed && !this.#state.announced) {
        await this.#wire.command("QUIT", this.#wire.timeouts.command);
      }
    } finally {
      this.close();
    }
  }

  /** Closes the connection without QUIT. */
  close(): void {
    this.#wire.close();
  }
}

// A message taken ahead whose turn never came: it was not sent, or its commands got no answer.
function notSent(failure: SendFailure): SendFailure {
  const error = new Error(`Not sent, the connection ended: ${failure.error.message}`, {
    cause: failure.error,
  });
  return { step: "mail", error };
}

function iterate<T>(messages: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in messages) return messages[Symbol.asyncIterator]();
  const items = messages[Symbol.iterator]();
  return {
    next: () => Promise.resolve(items.next()),
    return: () => Promise.resolve(items.return?.() ?? { done: true, value: undefined }),
  };
}
