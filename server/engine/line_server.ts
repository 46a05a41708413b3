/**
 * A listening port of a line protocol: accepts TCP connections (with the listener's connection
 * limits), makes one session for each, and serves it with a {@linkcode Connection}: the same engine
 * for SMTP and IMAP, plain, STARTTLS or implicit TLS. Closing it says goodbye to every session.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { TcpListener } from "../../runtime/tcp_listener.ts";
import type { ServerTls } from "../../runtime/tls.ts";
import { TcpTransport, writeAll } from "../../runtime/transport.ts";
import { Connection, type ConnectionOptions } from "./connection.ts";
import type { ServedSession } from "./protocol_session.ts";

export type { ServedSession };

/** What is known of a connection when its session is made. */
export interface ServedConnection {
  /** A number unique within this server, for logs. */
  id: number;
  /** `SMTP` or `IMAP`. */
  protocol: string;
  /** The client's address as `host:port`. */
  remote: string;
  /** This server's address as `host:port`. */
  local: string;
  /** Whether the connection is TLS from its first byte (RFC 8314). */
  implicitTls: boolean;
}

/** Options of {@linkcode LineServer}. */
export interface LineServerOptions {
  /** `SMTP` or `IMAP`, for logs and transcripts. */
  protocol: string;
  /** Makes the session of a new connection. */
  session: (info: ServedConnection) => ServedSession;
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** Runs the sessions' timers. */
  clock: Clock;
  /** The server's certificate, for STARTTLS (and for implicit TLS). @default none */
  tls?: ServerTls;
  /** TLS from the first byte, as on ports 465 and 993 (RFC 8314). Needs `tls`. @default false */
  implicitTls?: boolean;
  /** Connections served at once. @default 1000 */
  maxConnections?: number;
  /** Connections served at once from one client address. @default 100 */
  maxConnectionsPerAddress?: number;
  /** How long `close()` waits for sessions to end after saying goodbye. @default 5000 */
  closeTimeoutMs?: number;
  /** What a connection refused for a limit is told before it is closed (SMTP's 421). @default nothing */
  refusal?: Uint8Array;
  /**
   * Told when a session fails (a bug in a command), with the connection it happened on.
   * @default prints the error and the connection to standard error
   */
  onError?: (error: unknown, connection: ServedConnection) => void;
}

function reportToConsole(error: unknown, connection: ServedConnection): void {
  console.error(
    `${connection.protocol} connection #${connection.id} from ${connection.remote} failed:`,
    error,
  );
}

/**
 * Serves a line protocol on one port until closed.
 *
 * @example Greet every connection, say goodbye at close
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "../../runtime/system_clock.ts";
 * import { LineServer } from "./line_server.ts";
 *
 * const server = new LineServer({
 *   protocol: "DEMO",
 *   clock: systemClock,
 *   session: () => ({
 *     session: {
 *       closed: false,
 *       deadline: Infinity,
 *       start: () => ({ data: "hello\r\n" }),
 *       receive: () => ({}),
 *       tick: () => undefined,
 *       secured() {},
 *       shutdown: () => ({ data: "goodbye\r\n" }),
 *       fail: () => ({}),
 *     },
 *   }),
 * });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
 * const buffer = new Uint8Array(64);
 * const read = async () => new TextDecoder().decode(buffer.subarray(0, (await client.read(buffer)) ?? 0));
 * assert.equal(await read(), "hello\r\n");
 * await server.close();
 * assert.equal(await read(), "goodbye\r\n");
 * client.close();
 * ```
 */
export class LineServer implements AsyncDisposable {
  #options: LineServerOptions;
  #engine: ConnectionOptions<ServedConnection>; // one for every connection
  #listener: TcpListener;
  #live = new Set<Connection<ServedConnection>>();
  #next = 1;

  /**
   * Starts listening at once.
   *
   * @param options The protocol's sessions, the address, TLS and limits.
   * @throws {Error} When `implicitTls` is asked without `tls`.
   */
  constructor(options: LineServerOptions) {
    if (options.implicitTls && !options.tls) {
      throw new Error(`Implicit TLS on the ${options.protocol} port needs a certificate`);
    }
    this.#options = options;
    this.#engine = {
      clock: options.clock,
      tls: options.tls,
      implicitTls: options.implicitTls ?? false,
      onError: options.onError ?? reportToConsole,
      onClosed: (connection) => this.#live.delete(connection),
    };
    const refusal = options.refusal;
    this.#listener = new TcpListener((conn) => this.#serve(conn), {
      service: options.implicitTls ? `${options.protocol} over TLS` : options.protocol,
      hostname: options.hostname,
      port: options.port,
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      onRefused: refusal ? (conn) => writeAll(conn, refusal) : undefined,
    });
  }

  /** The port it listens on (the real one when 0 was asked). */
  get port(): number {
    return this.#listener.port;
  }

  /** The address it listens on. */
  get hostname(): string {
    return this.#listener.hostname;
  }

  /** How many connections are being served. */
  get connections(): number {
    return this.#listener.connections;
  }

  /** Whether connections start with a TLS handshake. */
  get implicitTls(): boolean {
    return this.#options.implicitTls ?? false;
  }

  // Not an async function: an idle connection waits in Connection.run, and a suspended function
  // here as well would hold more memory for each.
  #serve(conn: Deno.TcpConn): Promise<void> {
    let transport: TcpTransport;
    try {
      transport = new TcpTransport(conn); // reads the addresses, which a reset connection lacks
    } catch (error) {
      return Promise.reject(error);
    }
    const info: ServedConnection = {
      id: this.#next++,
      protocol: this.#options.protocol,
      remote: transport.remote,
      local: transport.local,
      implicitTls: this.implicitTls,
    };
    let served: ServedSession;
    try {
      served = this.#options.session(info);
    } catch (error) {
      this.#engine.onError(error, info);
      return Promise.resolve();
    }
    const connection = new Connection(transport, served, this.#engine, info);
    this.#live.add(connection);
    return connection.run();
  }

  /**
   * Stops listening, says goodbye to every session (421, BYE) and waits until all are closed,
   * for at most `closeTimeoutMs`: a session stuck in a hook that never answers is left behind,
   * its connection closed.
   */
  async close(): Promise<void> {
    await this.#listener.stop();
    await Promise.all([...this.#live].map((connection) => connection.shutdown()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.closeTimeoutMs ?? 5000);
    });
    await Promise.race([this.#listener.close(), late]);
    clearTimeout(timer);
  }

  /** Same as {@linkcode LineServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
