/**
 * The SMTP client's side of the wire: commands out, replies in, each with its deadline
 * (RFC 5321 §4.5.3.2), and both recorded in the transcript. What `SmtpClient` says is decided
 * there; how it travels is decided here.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { ReplyReader, type SmtpReply, SmtpReplyError } from "../protocol/smtp/reply.ts";
import type { Transcript } from "../protocol/transcript.ts";
import { systemClock } from "../runtime/system_clock.ts";
import { describeTls, type TlsInfo } from "../runtime/tls.ts";
import { Deadline } from "./deadline.ts";
import { ConnectionError, LineConnection, TimeoutError } from "./line_connection.ts";
import {
  type ClientTlsPolicy,
  DEFAULT_TIMEOUTS,
  type SmtpClientOptions,
  type SmtpTimeouts,
} from "./smtp_transaction.ts";

/**
 * The TCP connection to the server could not be opened (refused, unreachable, no route): no
 * byte of SMTP was exchanged. A `ConnectionError`, so that a relay can tell it from a server
 * that answered and then failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConnectionError } from "./line_connection.ts";
 * import { SmtpClient } from "./smtp_client.ts";
 * import { CannotConnectError } from "./smtp_wire.ts";
 *
 * const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const port = probe.addr.port;
 * probe.close(); // nothing listens there any more
 * await assert.rejects(
 *   SmtpClient.connect({ hostname: "127.0.0.1", port }),
 *   (e: unknown) => e instanceof CannotConnectError && e instanceof ConnectionError,
 * );
 * ```
 */
export class CannotConnectError extends ConnectionError {
  /**
   * Creates the error.
   *
   * @param message What failed, naming the address.
   * @param options The runtime's error as the cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CannotConnectError";
  }
}

/**
 * TLS could not be had as the client's policy asks: the server offers no STARTTLS although TLS
 * is required, refused it, or the handshake failed (a certificate that does not verify, when
 * that is required). A relay reports it at the step `tls`.
 */
export class StartTlsError extends ConnectionError {
  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param options The cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StartTlsError";
  }
}

/**
 * One SMTP client connection's lines: it writes commands and reads replies with deadlines, and
 * records both. A 421 read in a reply closes the connection (RFC 5321 §3.8).
 *
 * @example Read the greeting and say QUIT
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpWire } from "./smtp_wire.ts";
 * import { SmtpServer } from "../server/smtp/server.ts";
 *
 * await using server = new SmtpServer({ domain: "hamburger.edu" });
 * const wire = await SmtpWire.open({ hostname: "127.0.0.1", port: server.port });
 * assert.equal((await wire.readReply(1000, "the greeting")).code, 220);
 * assert.equal((await wire.command("QUIT", 1000)).code, 221);
 * wire.close();
 * ```
 */
export class SmtpWire {
  /** The deadlines, RFC 5321's where the options set none. */
  readonly timeouts: SmtpTimeouts;
  /** Where the dialog is recorded, if anywhere. */
  readonly transcript?: Transcript;
  #line: LineConnection;
  #clock: Clock;
  #deadline: Deadline;
  #expire: () => void;
  #servername: string;

  private constructor(line: LineConnection, options: SmtpClientOptions) {
    this.#line = line;
    this.#servername = options.tls?.servername ?? options.hostname;
    this.#clock = options.clock ?? systemClock;
    // Reads and writes here follow one another, so one deadline serves them all.
    this.#deadline = new Deadline(this.#clock);
    this.#expire = () => this.#line.close();
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.transcript = options.transcript;
  }

  /**
   * Opens the TCP connection (the greeting is not read yet).
   *
   * @param options Where to connect, the clock, deadlines and transcript.
   * @returns The connection.
   * @throws {CannotConnectError} When the connection cannot be opened.
   */
  static async open(options: SmtpClientOptions): Promise<SmtpWire> {
    const clock = options.clock ?? systemClock;
    const where = `${options.hostname}:${options.port}`;
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: options.hostname, port: options.port });
    } catch (error) {
      // "Connection refused (os error 111)": the system's number means nothing to a reader.
      const reason = (error as Error).message.replace(/\s*\(os error \d+\)$/, "");
      const message = `Cannot connect to ${where}: ${reason}`;
      options.transcript?.note(message, clock.now());
      throw new CannotConnectError(message, { cause: error });
    }
    options.transcript?.note(`TCP connection to ${where}`, clock.now());
    const wire = new SmtpWire(new LineConnection(conn, { clock }), options);
    if (options.tls?.implicit) await wire.startTls({ ...options.tls, required: true });
    return wire;
  }

  /** The TLS protecting the connection, once started. */
  get tls(): TlsInfo | undefined {
    return this.#line.tls;
  }

  /**
   * Runs the TLS handshake as the client: after the server's 220 to STARTTLS, or at once on an
   * implicit-TLS port. The transcript notes what it chose and whether the certificate verified.
   *
   * @param policy What to trust, and whether the certificate must verify.
   * @returns What the handshake chose.
   * @throws {StartTlsError} When the handshake fails (the connection is then closed).
   */
  async startTls(policy: ClientTlsPolicy): Promise<TlsInfo> {
    let info: TlsInfo;
    try {
      info = await this.#line.startTls(
        { ca: policy.ca, verify: policy.required ?? false, servername: this.#servername },
        this.timeouts.command,
      );
    } catch (error) {
      this.transcript?.note((error as Error).message, this.#clock.now());
      this.close();
      throw new StartTlsError((error as Error).message, { cause: error });
    }
    this.transcript?.note(describeTls(info), this.#clock.now());
    return info;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#line.closed;
  }

  /**
   * The time by the connection's clock, for transcript entries.
   *
   * @returns Milliseconds since the epoch.
   */
  now(): number {
    return this.#clock.now();
  }

  /**
   * Reads one whole reply, however many lines it has.
   *
   * @param timeout How long to wait for each line.
   * @param what What is awaited, for error messages.
   * @returns The reply.
   * @throws {ConnectionError} When the connection fails or the reply cannot be read.
   * @throws {TimeoutError} When it does not come in time.
   */
  async readReply(timeout: number, what: string): Promise<SmtpReply> {
    const reader = new ReplyReader();
    for (;;) {
      const text = await this.#readLine(timeout, what);
      this.transcript?.server(text, this.#clock.now());
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

  // One line within the deadline, which closes the connection when it passes.
  async #readLine(timeout: number, what: string): Promise<string> {
    this.#deadline.start(timeout, this.#expire);
    let text: string | undefined;
    let failure: unknown;
    try {
      text = await this.#line.readLine(Infinity, what);
    } catch (error) {
      failure = error;
    } finally {
      this.#deadline.stop();
    }
    if (this.#deadline.expired) {
      throw new TimeoutError(`No answer within ${timeout} ms waiting for ${what}`);
    }
    if (text === undefined) throw failure;
    return text;
  }

  /**
   * Reads a reply to a command, where 421 means that the server is closing the channel.
   *
   * @param timeout How long to wait.
   * @param what What is awaited, for error messages.
   * @returns The reply, never a 421.
   * @throws {SmtpReplyError} For a 421, after closing the connection.
   */
  async reply(timeout: number, what: string): Promise<SmtpReply> {
    const reply = await this.readReply(timeout, what);
    if (reply.code === 421) {
      this.close();
      throw new SmtpReplyError(reply);
    }
    return reply;
  }

  /**
   * Writes bytes, with a deadline for the write to complete.
   *
   * @param data Text or bytes.
   * @param timeout How long the write may take.
   * @param what What is sent, for error messages.
   * @throws {TimeoutError} When the write does not complete in time.
   */
  async write(data: string | Uint8Array, timeout: number, what: string): Promise<void> {
    this.#deadline.start(timeout, this.#expire);
    try {
      await this.#line.write(data);
    } catch (error) {
      if (this.#deadline.expired) {
        throw new TimeoutError(`Could not send ${what} within ${timeout} ms`);
      }
      throw error;
    } finally {
      this.#deadline.stop();
    }
  }

  /**
   * Records command lines and writes them in one go (a PIPELINING batch, or one command).
   *
   * @param lines The lines without CRLF.
   * @param timeout How long the write may take.
   * @param what What is sent, for error messages.
   */
  async send(lines: string[], timeout: number, what: string): Promise<void> {
    const at = this.#clock.now();
    for (const line of lines) this.transcript?.client(line, at);
    await this.write(lines.join("\r\n") + "\r\n", timeout, what);
  }

  /**
   * Sends one command and reads its reply.
   *
   * @param line The command without CRLF.
   * @param timeout How long to wait for the reply.
   * @param shown What the transcript shows instead (`AUTH PLAIN ****`). @default the line
   * @returns The reply, never a 421.
   */
  async command(line: string, timeout: number, shown: string = line): Promise<SmtpReply> {
    const verb = shown.split(" ")[0];
    this.transcript?.client(shown, this.#clock.now());
    await this.write(line + "\r\n", this.timeouts.command, verb);
    return await this.reply(timeout, verb);
  }

  /** Closes the connection, noting it in the transcript; safe to call twice. */
  close(): void {
    if (!this.#line.closed) this.transcript?.note("TCP connection closed", this.#clock.now());
    this.#deadline.cancel();
    this.#line.close();
  }
}
