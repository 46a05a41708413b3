/**
 * A TCP or TLS connection read as CRLF lines, with a deadline on every read: what the SMTP client
 * and the IMAP reader sit on. It can start TLS in the middle of a dialog (STARTTLS).
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { LINE_TOO_LONG, LineBuffer } from "../protocol/line_buffer.ts";
import { systemClock } from "../runtime/system_clock.ts";
import type { ClientTls, TlsInfo } from "../runtime/tls.ts";
import { TcpTransport, type Transport } from "../runtime/transport.ts";

/** The peer did not answer in time; the connection has been closed. */
export class TimeoutError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was awaited.
   */
  constructor(message: string) {
    super(message);
    this.name = "TimeoutError";
  }
}

/** The peer closed the connection, or sent what cannot be read. */
export class ConnectionError extends Error {
  /**
   * Creates the error.
   *
   * @param message What happened.
   * @param options The cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConnectionError";
  }
}

/** Options of {@linkcode LineConnection}. */
export interface LineConnectionOptions {
  /** Times the deadlines. @default the system clock */
  clock?: Clock;
  /** The longest line accepted from the peer, CRLF included. @default 65536 */
  maxLineLength?: number;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Reads lines and counted bytes from a connection, each read with a deadline.
 *
 * @example Read a greeting
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineConnection } from "./line_connection.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const accepting = listener.accept().then(async (c) => {
 *   await c.write(new TextEncoder().encode("220 hamburger.edu\r\n"));
 *   c.close();
 * });
 * const conn = new LineConnection(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }));
 * assert.equal(await conn.readLine(1000), "220 hamburger.edu");
 * await accepting;
 * conn.close();
 * ```
 */
export class LineConnection {
  #transport: Transport;
  #plain: TcpTransport | undefined;
  #lines = new LineBuffer();
  #clock: Clock;
  #maxLine: number;
  #closed = false;

  /**
   * Wraps a connection.
   *
   * @param conn An open connection, or a transport made from one.
   * @param options The clock and the line limit.
   */
  constructor(conn: Deno.Conn | Transport, options: LineConnectionOptions = {}) {
    const transport = "remoteAddr" in conn
      ? new TcpTransport(conn, { initialReadSize: 64 * 1024, maxReadSize: 64 * 1024 })
      : conn;
    this.#transport = transport;
    if (transport instanceof TcpTransport) this.#plain = transport;
    this.#clock = options.clock ?? systemClock;
    this.#maxLine = options.maxLineLength ?? 65536;
  }

  /** Whether `close()` was called or the peer went away. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The TLS protecting the connection, once {@linkcode LineConnection.startTls} finished. */
  get tls(): TlsInfo | undefined {
    return this.#transport.tls;
  }

  /** The peer's address as `host:port`. */
  get remote(): string {
    return this.#transport.remote;
  }

  /**
   * Starts TLS as the client (after the server agreed to STARTTLS). Whatever the server sent
   * before the handshake and this side has not read is dropped, as RFC 3207 §4.2 asks.
   *
   * @param tls What to trust, the name to check, and whether to insist.
   * @param timeoutMs How long the handshake may take.
   * @returns What the handshake chose, and whether the certificate verified.
   * @throws {ConnectionError} When the handshake fails (the connection is then closed).
   */
  async startTls(tls: ClientTls, timeoutMs: number): Promise<TlsInfo> {
    if (!this.#plain || this.#transport.tls) throw new ConnectionError("TLS is on already");
    this.#lines = new LineBuffer();
    try {
      this.#transport = await this.#plain.startTls({ client: tls, timeoutMs });
    } catch (error) {
      this.#closed = true;
      throw new ConnectionError((error as Error).message, { cause: error });
    }
    return this.#transport.tls!;
  }

  async #fill(timeoutMs: number, what: string): Promise<void> {
    let timedOut = false;
    const timer = timeoutMs === Infinity ? undefined : this.#clock.setTimer(timeoutMs, () => {
      timedOut = true;
      this.close();
    });
    let bytes: Uint8Array | null;
    try {
      bytes = await this.#transport.read();
    } catch (error) {
      if (timedOut) throw new TimeoutError(`No answer within ${timeoutMs} ms waiting for ${what}`);
      this.#closed = true;
      throw new ConnectionError(`Connection failed while waiting for ${what}`, { cause: error });
    } finally {
      timer?.cancel();
    }
    if (timedOut) throw new TimeoutError(`No answer within ${timeoutMs} ms waiting for ${what}`);
    if (bytes === null) {
      this.#closed = true;
      throw new ConnectionError(`Connection closed by the peer while waiting for ${what}`);
    }
    this.#lines.push(bytes);
  }

  /**
   * Reads one line; a bare LF ends it too.
   *
   * @param timeoutMs How long to wait; `Infinity` for as long as it takes (the caller keeps
   * the deadline, and closes the connection when it passes).
   * @param what What is awaited, for error messages.
   * @returns The line without its line ending.
   * @throws {TimeoutError} When nothing comes in time.
   * @throws {ConnectionError} When the peer closes or sends an over-long line.
   */
  async readLine(timeoutMs: number, what = "a reply"): Promise<string> {
    for (;;) {
      const line = this.#lines.readLine({ maxLength: this.#maxLine, bareLf: true });
      if (line === LINE_TOO_LONG) {
        this.close();
        throw new ConnectionError(`The peer sent a line over ${this.#maxLine} octets`);
      }
      if (line !== undefined) return decoder.decode(line);
      await this.#fill(timeoutMs, what);
    }
  }

  /**
   * Reads exactly `n` bytes (an IMAP literal).
   *
   * @param n How many bytes.
   * @param timeoutMs How long to wait for each chunk.
   * @returns A fresh copy of the bytes.
   */
  async readBytes(n: number, timeoutMs: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const part = this.#lines.read(n - got);
      out.set(part, got);
      got += part.length;
      if (got < n) await this.#fill(timeoutMs, `${n - got} more bytes`);
    }
    return out;
  }

  /**
   * Writes all of `data`.
   *
   * @param data Text (sent as UTF-8) or bytes.
   */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    try {
      await this.#transport.write(bytes);
    } catch (error) {
      this.#closed = true;
      throw new ConnectionError("Connection failed while sending", { cause: error });
    }
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    this.#closed = true;
    this.#transport.close();
  }
}
