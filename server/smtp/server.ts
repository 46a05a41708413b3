/**
 * The SMTP listener: one {@linkcode SmtpSession} per connection, served by the connection engine
 * (plain, STARTTLS, or implicit TLS as on port 465).
 *
 * @module
 */
import { formatReply } from "../../protocol/smtp/reply.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import type { TranscriptFactory } from "../../protocol/transcript.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import type { ServerTls } from "../../runtime/tls.ts";
import { LineServer, type ServedConnection } from "../engine/line_server.ts";
import { SmtpSession, type SmtpSessionOptions } from "./session.ts";
import { connectionOptions, resolveSessionOptions } from "./options.ts";

/** Options of {@linkcode SmtpServer}. */
export interface SmtpServerOptions
  extends Omit<SmtpSessionOptions, "transcript" | "remote" | "starttls"> {
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
  /** The server's certificate: STARTTLS is offered (RFC 3207). @default none (no TLS) */
  tls?: ServerTls;
  /** TLS from the first byte (RFC 8314, the submissions port 465). Needs `tls`. @default false */
  implicitTls?: boolean;
  /** Told when a session fails (a bug), with its connection. @default printed to standard error */
  onError?: (error: unknown, connection: ServedConnection) => void;
}

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
  #server: LineServer;

  /**
   * Starts listening at once.
   *
   * @param options The domain, hooks, port, limits and TLS.
   */
  constructor(options: SmtpServerOptions) {
    const clock = options.clock ?? systemClock;
    const starttls = options.tls !== undefined && !options.implicitTls;
    const shared = resolveSessionOptions({ ...options, clock, starttls });
    this.#server = new LineServer({
      protocol: "SMTP",
      hostname: options.hostname,
      port: options.port,
      clock,
      tls: options.tls,
      implicitTls: options.implicitTls,
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      refusal: new TextEncoder().encode(formatReply(REPLY.TooManyConnections)),
      onError: options.onError,
      session: ({ remote, local }) => {
        const transcript = options.transcripts?.({ protocol: "SMTP", remote, local });
        const session = new SmtpSession(connectionOptions(shared, { transcript, remote }));
        return { session, transcript };
      },
    });
  }

  /** The port it listens on. */
  get port(): number {
    return this.#server.port;
  }

  /** The address it listens on. */
  get hostname(): string {
    return this.#server.hostname;
  }

  /** How many connections are open. */
  get connections(): number {
    return this.#server.connections;
  }

  /** Stops listening, says 421 to every open session and closes it. */
  close(): Promise<void> {
    return this.#server.close();
  }

  /** Same as {@linkcode SmtpServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
