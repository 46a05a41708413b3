/**
 * The SMTP listener: accepts TCP connections and runs one {@linkcode SmtpSession} on each,
 * feeding it CRLF-framed lines and writing back its replies, batched as PIPELINING allows.
 *
 * @module
 */
import type { Clock, Timer } from "../../protocol/clock.ts";
import { LINE_TOO_LONG, LineBuffer } from "../../protocol/line_buffer.ts";
import { formatReply, type SmtpReply } from "../../protocol/smtp/reply.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import type { TranscriptFactory } from "../../protocol/transcript.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import { writeAll } from "../../client/line_connection.ts";
import { closeQuietly, TcpListener } from "../../runtime/tcp_listener.ts";
import { SmtpSession, type SmtpSessionOptions } from "./session.ts";

/** Options of {@linkcode SmtpServer}. */
export interface SmtpServerOptions extends Omit<SmtpSessionOptions, "transcript" | "remote"> {
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** Decides per connection whether to record a transcript. @default record nothing */
  transcripts?: TranscriptFactory;
  /** Connections served at once. @default 1000 */
  maxConnections?: number;
  /** Connections served at once from one client address. @default 100 */
  maxConnectionsPerAddress?: number;
  /** Longest command line in octets, CRLF included (RFC 5321 §4.5.3.1.4). @default 512 */
  maxCommandLine?: number;
  /** Idle time before the server says 421 and closes (RFC 5321 §4.5.3.2 suggests 5 minutes). @default 300000 */
  idleTimeoutMs?: number;
  /** The longest time one message's text may take to arrive, against slow senders. @default 600000 */
  maxDataTimeMs?: number;
}

const encoder = new TextEncoder();
const AUTH_LINE_LIMIT = 12288; // RFC 4954 §4
const MAX_READ = 128 * 1024;

/**
 * An SMTP server on one port: the MX side (port 25 in the course) or, with `submission: true`,
 * the submission side (port 587) that requires AUTH.
 *
 * @example Hold the course's dialog over TCP
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpServer } from "./server.ts";
 *
 * await using server = new SmtpServer({ domain: "hamburger.edu" });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
 * const buf = new Uint8Array(512);
 * const n = await conn.read(buf);
 * assert.equal(new TextDecoder().decode(buf.subarray(0, n!)), "220 hamburger.edu\r\n");
 * await conn.write(new TextEncoder().encode("QUIT\r\n"));
 * const m = await conn.read(buf);
 * assert.equal(new TextDecoder().decode(buf.subarray(0, m!)), "221 hamburger.edu closing connection\r\n");
 * conn.close();
 * ```
 */
export class SmtpServer implements AsyncDisposable {
  #listener: TcpListener;
  #options: SmtpServerOptions;
  #clock: Clock;
  #sessions = new Set<{ session: SmtpSession; conn: Deno.TcpConn }>();

  /**
   * Starts listening at once.
   *
   * @param options The domain, hooks, port and limits.
   */
  constructor(options: SmtpServerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#listener = new TcpListener((conn) => this.#serve(conn), {
      hostname: options.hostname,
      port: options.port,
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      onRefused: (conn) => writeAll(conn, encoder.encode(formatReply(REPLY.TooManyConnections))),
    });
  }

  /** The port it listens on. */
  get port(): number {
    return this.#listener.port;
  }

  /** The address it listens on. */
  get hostname(): string {
    return this.#listener.hostname;
  }

  /** How many connections are open. */
  get connections(): number {
    return this.#listener.connections;
  }

  async #serve(conn: Deno.TcpConn): Promise<void> {
    const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    const local = `${conn.localAddr.hostname}:${conn.localAddr.port}`;
    const transcript = this.#options.transcripts?.({ protocol: "SMTP", remote, local });
    transcript?.note(`TCP connection from ${remote} to ${local}`, this.#clock.now());
    const session = new SmtpSession({ ...this.#options, transcript, remote });
    const entry = { session, conn };
    this.#sessions.add(entry);
    try {
      await this.#converse(conn, session);
    } finally {
      this.#sessions.delete(entry);
      transcript?.note("TCP connection closed", this.#clock.now());
    }
  }

  async #converse(conn: Deno.TcpConn, session: SmtpSession): Promise<void> {
    const maxCommand = this.#options.maxCommandLine ?? 512;
    const lines = new LineBuffer(1024);
    // Small while idle (a thousand idle clients hold little), larger once a client sends a lot.
    let chunk = new Uint8Array(2048);
    const goodbye = () => {
      const reply = session.timeout();
      writeAll(conn, encoder.encode(session.wire(reply))).catch(() => {}).finally(() =>
        closeQuietly(conn)
      );
    };
    // One idle timer per connection, not one per read: a read only notes the time, and the
    // timer, when it fires early, waits again for what is left.
    const idleMs = this.#options.idleTimeoutMs ?? 300_000;
    let lastActivity = this.#clock.now();
    let idle: Timer | undefined;
    const armIdle = (ms: number) => {
      idle = this.#clock.setTimer(ms, () => {
        const quiet = this.#clock.now() - lastActivity;
        if (quiet >= idleMs) goodbye();
        else armIdle(idleMs - quiet);
      });
    };
    let dataTimer: Timer | undefined;
    try {
      await writeAll(conn, encoder.encode(session.wire(session.greeting())));
      armIdle(idleMs);
      while (!session.closed) {
        let out = "";
        for (;;) {
          const input = session.input;
          let reply: SmtpReply | undefined | Promise<SmtpReply | undefined>;
          if (input === "chunk") {
            if (lines.buffered === 0) break;
            reply = session.receiveChunk(lines.read(session.chunkRemaining));
          } else if (input === "data") {
            if (lines.buffered === 0) break;
            const text = session.receiveText(lines.peek());
            lines.skip(text.consumed);
            if (!text.reply && text.consumed === 0) break;
            reply = text.reply;
          } else {
            const line = lines.readLine({
              maxLength: input === "auth" ? AUTH_LINE_LIMIT : maxCommand,
              bareLf: true,
            });
            if (line === undefined) break;
            reply = line === LINE_TOO_LONG
              ? session.lineTooLong()
              : session.receiveLine(line, lines.lastLineBareLf);
          }
          if (reply instanceof Promise) reply = await reply;
          if (reply) out += session.wire(reply);
          if (session.closed) break;
        }
        // A message's text has a deadline of its own, so a slow sender cannot hold it open.
        const inText = session.input === "data" || session.input === "chunk";
        if (inText && !dataTimer) {
          dataTimer = this.#clock.setTimer(this.#options.maxDataTimeMs ?? 600_000, goodbye);
        } else if (!inText && dataTimer) {
          dataTimer.cancel();
          dataTimer = undefined;
        }
        if (out) await writeAll(conn, encoder.encode(out));
        if (session.closed) break;
        const n = await conn.read(chunk);
        if (n === null) break;
        lastActivity = this.#clock.now();
        lines.push(chunk.subarray(0, n));
        if (n === chunk.length && chunk.length < MAX_READ) chunk = new Uint8Array(chunk.length * 4);
      }
    } catch {
      // The peer reset the connection, or a timer closed it: nothing left to say.
    } finally {
      idle?.cancel();
      dataTimer?.cancel();
    }
  }

  /**
   * Stops listening, says 421 to every open session and closes it.
   */
  async close(): Promise<void> {
    for (const { session, conn } of this.#sessions) {
      if (!session.closed) {
        const goodbye = session.shutdown();
        await writeAll(conn, encoder.encode(session.wire(goodbye))).catch(() => {});
      }
    }
    await this.#listener.close();
  }

  /** Same as {@linkcode SmtpServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
