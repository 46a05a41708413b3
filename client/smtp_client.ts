/**
 * The client side of SMTP (RFC 5321): what a mail server runs to relay a message to the next
 * server, and what a user agent runs to submit one. Several messages may go over one connection,
 * the course's persistent connection.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { dotStuff } from "../protocol/smtp/dot.ts";
import { ReplyReader, type SmtpReply, SmtpReplyError } from "../protocol/smtp/reply.ts";
import type { Transcript } from "../protocol/transcript.ts";
import { ConnectionError, LineConnection } from "./line_connection.ts";
import { systemClock } from "./system_clock.ts";

/** Deadlines of RFC 5321 §4.5.3.2, in milliseconds. */
export interface SmtpTimeouts {
  /** For the 220 greeting. @default 300000 */
  greeting: number;
  /** For the reply to EHLO, MAIL, RCPT, RSET, AUTH, QUIT. @default 300000 */
  command: number;
  /** For the 354 reply to DATA. @default 120000 */
  dataStart: number;
  /** For the reply after the end-of-data line. @default 600000 */
  dataEnd: number;
}

/** Options of {@linkcode SmtpClient.connect}. */
export interface SmtpClientOptions {
  /** The server's address. */
  hostname: string;
  /** The server's port. */
  port: number;
  /** The name this client gives in EHLO/HELO. @default "localhost" */
  clientName?: string;
  /** Deadlines; unset ones keep RFC 5321's values. @default RFC 5321 §4.5.3.2 */
  timeouts?: Partial<SmtpTimeouts>;
  /** Where to record the dialog. @default no recording */
  transcript?: Transcript;
  /** Times the deadlines and the transcript. @default the system clock */
  clock?: Clock;
  /** Say HELO instead of EHLO, as the course's dialog does. @default false */
  helo?: boolean;
  /** Message text lines per message that the transcript keeps. @default 20 */
  maxDataLinesRecorded?: number;
}

/** A message's envelope, as the client gives it with MAIL and RCPT. */
export interface SendEnvelope {
  /** The reverse-path; `""` for the null sender of a bounce. */
  from: string;
  /** The recipients. */
  to: string[];
}

/** What became of each recipient of one message. */
export interface SendResult {
  /** Recipients the server accepted; the message reached them if `reply` is 2xx. */
  accepted: string[];
  /** Recipients refused at RCPT, with the server's reply. */
  rejected: { address: string; reply: SmtpReply }[];
  /** The reply that ended the transaction: to DATA's end, or the refusal that stopped it. */
  reply: SmtpReply;
}

const DEFAULT_TIMEOUTS: SmtpTimeouts = {
  greeting: 300_000,
  command: 300_000,
  dataStart: 120_000,
  dataEnd: 600_000,
};

const ASCII_ONLY = /^[\x20-\x7e]*$/;

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
 * assert.deepEqual(result.accepted, ["bob@hamburger.edu"]);
 * assert.equal(received.length, 1);
 * ```
 */
export class SmtpClient {
  /** The server's greeting. */
  readonly greeting: SmtpReply;
  /** The extensions the server offered in EHLO, keyword (upper case) to parameters. */
  readonly extensions: Map<string, string> = new Map();
  #line: LineConnection;
  #options: SmtpClientOptions;
  #timeouts: SmtpTimeouts;
  #clock: Clock;
  #transcript?: Transcript;
  #greeted = false;
  #dirty = false;
  #messages = 0;

  private constructor(line: LineConnection, greeting: SmtpReply, options: SmtpClientOptions) {
    this.#line = line;
    this.greeting = greeting;
    this.#options = options;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#clock = options.clock ?? systemClock;
    this.#transcript = options.transcript;
  }

  /**
   * Opens a connection and reads the greeting.
   *
   * @param options Where to connect and how to behave.
   * @returns A connected client.
   * @throws {SmtpReplyError} When the greeting is not 220.
   * @throws {ConnectionError} When the connection fails.
   */
  static async connect(options: SmtpClientOptions): Promise<SmtpClient> {
    const clock = options.clock ?? systemClock;
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: options.hostname, port: options.port });
    } catch (error) {
      throw new ConnectionError(
        `Cannot connect to ${options.hostname}:${options.port}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    options.transcript?.note(
      `TCP connection to ${options.hostname}:${options.port}`,
      clock.now(),
    );
    const line = new LineConnection(conn, { clock });
    const reader = new ReplyReader();
    let greeting: SmtpReply | undefined;
    try {
      while (!greeting) {
        const text = await line.readLine(timeouts.greeting, "the greeting");
        options.transcript?.server(text, clock.now());
        greeting = reader.push(text);
      }
    } catch (error) {
      line.close();
      throw error instanceof ConnectionError ? error : new ConnectionError(
        `Bad greeting from ${options.hostname}:${options.port}`,
        { cause: error },
      );
    }
    const client = new SmtpClient(line, greeting, options);
    if (greeting.code !== 220) {
      await client.quit().catch(() => {});
      throw new SmtpReplyError(greeting);
    }
    return client;
  }

  /** How many messages this connection has carried. */
  get messagesSent(): number {
    return this.#messages;
  }

  async #readReply(timeout: number, what: string): Promise<SmtpReply> {
    const reader = new ReplyReader();
    for (;;) {
      const text = await this.#line.readLine(timeout, what);
      this.#transcript?.server(text, this.#clock.now());
      try {
        const reply = reader.push(text);
        if (reply) return reply;
      } catch (error) {
        this.#line.close();
        throw new ConnectionError(`Unreadable reply to ${what}`, { cause: error });
      }
    }
  }

  async #command(line: string, timeout: number, shown = line): Promise<SmtpReply> {
    this.#transcript?.client(shown, this.#clock.now());
    await this.#line.write(line + "\r\n");
    return await this.#readReply(timeout, shown.split(" ")[0]);
  }

  /**
   * Greets the server: EHLO, and HELO if the server does not know EHLO (or if `helo` is set).
   *
   * @returns The server's reply.
   * @throws {SmtpReplyError} When the server refuses both.
   */
  async hello(): Promise<SmtpReply> {
    const name = this.#options.clientName ?? "localhost";
    if (!this.#options.helo) {
      const reply = await this.#command(`EHLO ${name}`, this.#timeouts.command);
      if (reply.code === 250) {
        this.extensions.clear();
        for (const line of reply.lines.slice(1)) {
          const [keyword, ...params] = line.split(" ");
          this.extensions.set(keyword.toUpperCase(), params.join(" "));
        }
        this.#greeted = true;
        return reply;
      }
      if (reply.code !== 500 && reply.code !== 502 && reply.code !== 504) {
        throw new SmtpReplyError(reply);
      }
    }
    const reply = await this.#command(`HELO ${name}`, this.#timeouts.command);
    if (reply.code !== 250) throw new SmtpReplyError(reply);
    this.extensions.clear();
    this.#greeted = true;
    return reply;
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
    let reply: SmtpReply;
    if (!offered.includes("PLAIN") && offered.includes("LOGIN")) {
      reply = await this.#command("AUTH LOGIN", this.#timeouts.command);
      if (reply.code === 334) {
        reply = await this.#command(b64(user), this.#timeouts.command, "****");
      }
      if (reply.code === 334) {
        reply = await this.#command(b64(password), this.#timeouts.command, "****");
      }
    } else {
      const token = b64(`\0${user}\0${password}`);
      reply = await this.#command(`AUTH PLAIN ${token}`, this.#timeouts.command, "AUTH PLAIN ****");
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
   * @returns What became of each recipient.
   * @throws {ConnectionError} When the connection fails or times out.
   */
  async send(envelope: SendEnvelope, message: Uint8Array): Promise<SendResult> {
    if (!this.#greeted) await this.hello();
    if (this.#dirty) {
      const reset = await this.#command("RSET", this.#timeouts.command);
      if (reset.code !== 250) throw new SmtpReplyError(reset);
    }
    this.#dirty = true;
    const mail = `MAIL FROM:<${envelope.from}>${this.#mailParameters(envelope, message)}`;
    const rcpts = envelope.to.map((to) => `RCPT TO:<${to}>`);
    const rejected: SendResult["rejected"] = [];
    const accepted: string[] = [];
    let mailReply: SmtpReply;
    let dataReply: SmtpReply;
    if (this.extensions.has("PIPELINING")) {
      const batch = [mail, ...rcpts, "DATA"];
      const at = this.#clock.now();
      for (const line of batch) this.#transcript?.client(line, at);
      await this.#line.write(batch.join("\r\n") + "\r\n");
      mailReply = await this.#readReply(this.#timeouts.command, "MAIL");
      for (const to of envelope.to) {
        const reply = await this.#readReply(this.#timeouts.command, "RCPT");
        if (reply.code === 250 || reply.code === 251) accepted.push(to);
        else rejected.push({ address: to, reply });
      }
      dataReply = await this.#readReply(this.#timeouts.dataStart, "DATA");
    } else {
      mailReply = await this.#command(mail, this.#timeouts.command);
      if (mailReply.code !== 250) return { accepted, rejected, reply: mailReply };
      for (const to of envelope.to) {
        const reply = await this.#command(`RCPT TO:<${to}>`, this.#timeouts.command);
        if (reply.code === 250 || reply.code === 251) accepted.push(to);
        else rejected.push({ address: to, reply });
      }
      if (accepted.length === 0) return { accepted, rejected, reply: rejected[0].reply };
      dataReply = await this.#command("DATA", this.#timeouts.dataStart);
    }
    if (mailReply.code !== 250) return { accepted: [], rejected, reply: mailReply };
    if (dataReply.code !== 354) {
      return { accepted, rejected, reply: accepted.length ? dataReply : rejected[0].reply };
    }
    this.#recordText(message);
    await this.#line.write(dotStuff(message));
    const reply = await this.#readReply(this.#timeouts.dataEnd, "the end of DATA");
    if (reply.code === 250) {
      this.#dirty = false;
      this.#messages++;
    }
    return { accepted: reply.code === 250 ? accepted : [], rejected, reply };
  }

  #mailParameters(envelope: SendEnvelope, message: Uint8Array): string {
    let params = "";
    if (this.extensions.has("SIZE")) params += ` SIZE=${message.length}`;
    if (this.extensions.has("8BITMIME") && message.some((b) => b > 127)) params += " BODY=8BITMIME";
    const addresses = [envelope.from, ...envelope.to];
    if (this.extensions.has("SMTPUTF8") && addresses.some((a) => !ASCII_ONLY.test(a))) {
      params += " SMTPUTF8";
    }
    return params;
  }

  #recordText(message: Uint8Array): void {
    const transcript = this.#transcript;
    if (!transcript) return;
    const at = this.#clock.now();
    const text = new TextDecoder().decode(message).replace(/\r\n$/, "");
    const lines = text.split("\r\n");
    const limit = this.#options.maxDataLinesRecorded ?? 20;
    for (const line of lines.slice(0, limit)) transcript.client(line, at);
    if (lines.length > limit) {
      transcript.note(`(${lines.length - limit} more lines of message text)`, at);
    }
    transcript.client(".", at);
  }

  /**
   * Says QUIT, reads the 221, and closes the connection.
   */
  async quit(): Promise<void> {
    try {
      if (!this.#line.closed) await this.#command("QUIT", this.#timeouts.command);
    } finally {
      this.close();
    }
  }

  /** Closes the connection without QUIT. */
  close(): void {
    if (!this.#line.closed) {
      this.#transcript?.note("TCP connection closed", this.#clock.now());
    }
    this.#line.close();
  }
}

function b64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}
