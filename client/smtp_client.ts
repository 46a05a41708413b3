/**
 * The client side of SMTP (RFC 5321): what a mail server runs to relay a message to the next
 * server, and what a user agent runs to submit one. Several messages may go over one connection,
 * the course's persistent connection. The client uses the extensions the server offers
 * (PIPELINING, SIZE, 8BITMIME, SMTPUTF8), and converts 8-bit bodies to 7 bits for a server
 * without 8BITMIME, as RFC 6152 §3 requires.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { dotStuff } from "../protocol/smtp/dot.ts";
import { ReplyReader, type SmtpReply, SmtpReplyError } from "../protocol/smtp/reply.ts";
import type { Transcript } from "../protocol/transcript.ts";
import {
  DEFAULT_TIMEOUTS,
  localRefusal,
  prepare,
  recordText,
  type SendEnvelope,
  type SendOptions,
  type SendResult,
  type SmtpClientOptions,
  type SmtpTimeouts,
  transactionLines,
} from "./smtp_transaction.ts";

export type { SendEnvelope, SendOptions, SendResult, SmtpClientOptions, SmtpTimeouts };
import { ConnectionError, LineConnection, TimeoutError } from "./line_connection.ts";
import { systemClock } from "../runtime/system_clock.ts";

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
  /** The extensions the server offered in EHLO, keyword (upper case) to parameters. */
  readonly extensions: Map<string, string> = new Map();
  #line: LineConnection;
  #greeting: SmtpReply = { code: 0, lines: [] };
  #options: SmtpClientOptions;
  #timeouts: SmtpTimeouts;
  #clock: Clock;
  #transcript?: Transcript;
  #greeted = false;
  #dirty = false;
  #messages = 0;
  #ahead?: { source: Uint8Array; bytes: Uint8Array; downgraded: boolean };

  private constructor(line: LineConnection, options: SmtpClientOptions) {
    this.#line = line;
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
   * @throws {SmtpReplyError} When the greeting is not 220 (such as `421` from a busy server).
   * @throws {ConnectionError} When the connection fails.
   * @throws {TimeoutError} When no greeting comes in time.
   */
  static async connect(options: SmtpClientOptions): Promise<SmtpClient> {
    const clock = options.clock ?? systemClock;
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: options.hostname, port: options.port });
    } catch (error) {
      const message = `Cannot connect to ${options.hostname}:${options.port}: ${
        (error as Error).message
      }`;
      options.transcript?.note(message, clock.now());
      throw new ConnectionError(message, { cause: error });
    }
    options.transcript?.note(`TCP connection to ${options.hostname}:${options.port}`, clock.now());
    const line = new LineConnection(conn, { clock });
    const client = new SmtpClient(line, options);
    let greeting: SmtpReply;
    try {
      greeting = client.#greeting = await client.#readReply(timeouts.greeting, "the greeting");
    } catch (error) {
      client.close();
      throw error;
    }
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
    return this.#messages;
  }

  /** Whether the connection is closed (after QUIT, a 421, a timeout or a broken connection). */
  get closed(): boolean {
    return this.#line.closed;
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
        this.close();
        throw new ConnectionError(`Unreadable reply to ${what}: "${text.slice(0, 80)}"`, {
          cause: error,
        });
      }
    }
  }

  // RFC 5321 §3.8: 421 means the server is closing the channel; nothing more can be said.
  #closing(reply: SmtpReply): SmtpReply {
    if (reply.code === 421) {
      this.close();
      throw new SmtpReplyError(reply);
    }
    return reply;
  }

  async #write(data: string | Uint8Array, timeout: number, what: string): Promise<void> {
    let timedOut = false;
    const timer = this.#clock.setTimer(timeout, () => {
      timedOut = true;
      this.#line.close();
    });
    try {
      await this.#line.write(data);
    } catch (error) {
      if (timedOut) throw new TimeoutError(`Could not send ${what} within ${timeout} ms`);
      throw error;
    } finally {
      timer.cancel();
    }
  }

  async #command(line: string, timeout: number, shown = line): Promise<SmtpReply> {
    this.#transcript?.client(shown, this.#clock.now());
    await this.#write(line + "\r\n", this.#timeouts.command, shown.split(" ")[0]);
    return this.#closing(await this.#readReply(timeout, shown.split(" ")[0]));
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
      // RFC 5321 §4.1.4 and §3.2: an old server answers EHLO with 500, 502 or 504; try HELO.
      if (![500, 502, 504, 550].includes(reply.code)) throw new SmtpReplyError(reply);
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
   * @throws {ConnectionError} When the connection fails.
   * @throws {TimeoutError} When the server does not answer in time.
   * @throws {SmtpReplyError} When the server says 421 (it is closing the connection).
   */
  async send(
    envelope: SendEnvelope,
    message: Uint8Array,
    options: SendOptions = {},
  ): Promise<SendResult> {
    if (!this.#greeted) await this.hello();
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead && ahead.source !== message) {
      this.close(); // the server waits for the announced message's text: nothing else can follow
      throw new ConnectionError("The message announced with `next` was not the one sent");
    }
    const { bytes, downgraded } = ahead ?? prepare(message, { extensions: this.extensions });
    if (!ahead) {
      const refusal = localRefusal(envelope, bytes, { extensions: this.extensions });
      if (refusal) {
        const rejected = envelope.to.map((address) => ({ address, reply: refusal }));
        return { accepted: [], rejected, reply: refusal, downgraded };
      }
      if (this.#dirty) {
        const reset = await this.#command("RSET", this.#timeouts.command);
        if (reset.code !== 250) throw new SmtpReplyError(reset);
      }
    }
    this.#dirty = true;
    const batch = transactionLines(envelope, bytes, { extensions: this.extensions });
    const rejected: SendResult["rejected"] = [];
    const accepted: string[] = [];
    const take = (to: string, reply: SmtpReply) => {
      if (reply.code === 250 || reply.code === 251) accepted.push(to);
      else rejected.push({ address: to, reply });
    };
    let mailReply: SmtpReply;
    let dataReply: SmtpReply;
    if (this.extensions.has("PIPELINING")) {
      if (!ahead) {
        const at = this.#clock.now();
        for (const line of batch) this.#transcript?.client(line, at);
        await this.#write(batch.join("\r\n") + "\r\n", this.#timeouts.command, "MAIL");
      }
      mailReply = this.#closing(await this.#readReply(this.#timeouts.command, "MAIL"));
      for (const to of envelope.to) {
        take(to, this.#closing(await this.#readReply(this.#timeouts.command, "RCPT")));
      }
      dataReply = this.#closing(await this.#readReply(this.#timeouts.dataStart, "DATA"));
      if (dataReply.code === 354 && (mailReply.code !== 250 || accepted.length === 0)) {
        // RFC 2920 §3.1: DATA went through although nobody can receive it; end it empty.
        this.#transcript?.client(".", this.#clock.now());
        await this.#write(".\r\n", this.#timeouts.dataBlock, "the end of data");
        await this.#readReply(this.#timeouts.dataEnd, "the end of DATA");
        dataReply = { code: 554, enhanced: "5.5.0", lines: ["No valid recipients (local)"] };
      }
    } else {
      mailReply = await this.#command(batch[0], this.#timeouts.command);
      if (mailReply.code !== 250) {
        return this.#failed(envelope, { rejected: [], reply: mailReply, downgraded });
      }
      for (const to of envelope.to) {
        take(to, await this.#command(`RCPT TO:<${to}>`, this.#timeouts.command));
      }
      if (accepted.length === 0) {
        return { accepted, rejected, reply: rejected[0].reply, downgraded };
      }
      dataReply = await this.#command("DATA", this.#timeouts.dataStart);
    }
    if (mailReply.code !== 250) {
      return this.#failed(envelope, { rejected: [], reply: mailReply, downgraded });
    }
    if (dataReply.code !== 354) {
      const reply = accepted.length ? dataReply : rejected[0].reply;
      return this.#failed(envelope, { rejected, reply, downgraded });
    }
    const at = this.#clock.now();
    if (this.#transcript) {
      recordText(this.#transcript, bytes, { at, limit: this.#options.maxDataLinesRecorded });
    }
    let wire = dotStuff(bytes);
    const next = options.next && this.extensions.has("PIPELINING") &&
      this.#announce(options.next);
    if (next) {
      for (const line of next) this.#transcript?.client(line, at);
      wire = concat(wire, new TextEncoder().encode(next.join("\r\n") + "\r\n"));
    }
    await this.#write(wire, this.#timeouts.dataBlock, "the message text");
    const reply = this.#closing(await this.#readReply(this.#timeouts.dataEnd, "the end of DATA"));
    this.#dirty = false; // the end of DATA ends the transaction, whatever the reply
    if (reply.code === 250) {
      this.#messages++;
      return { accepted, rejected, reply, downgraded };
    }
    return this.#failed(envelope, { rejected, reply, downgraded });
  }

  // RFC 2920 §3.1: the next message's MAIL, RCPT and DATA may follow this one's text at once,
  // saving a round trip per message. Not when the next one would be refused before sending.
  #announce(next: { envelope: SendEnvelope; message: Uint8Array }): string[] | undefined {
    const prepared = prepare(next.message, { extensions: this.extensions });
    if (localRefusal(next.envelope, prepared.bytes, { extensions: this.extensions })) return;
    this.#ahead = { source: next.message, ...prepared };
    return transactionLines(next.envelope, prepared.bytes, { extensions: this.extensions });
  }

  // Every recipient gets a reply: its own RCPT refusal, or the one that ended the transaction.
  #failed(envelope: SendEnvelope, outcome: Omit<SendResult, "accepted">): SendResult {
    const rejected = envelope.to.map((address) =>
      outcome.rejected.find((r) => r.address === address) ?? { address, reply: outcome.reply }
    );
    return { ...outcome, accepted: [], rejected };
  }

  /**
   * Says QUIT, reads the 221, and closes the connection.
   */
  async quit(): Promise<void> {
    try {
      // After an announced message, the server waits for its text: QUIT would be read as text.
      if (!this.#line.closed && !this.#ahead) await this.#command("QUIT", this.#timeouts.command);
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function b64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}
