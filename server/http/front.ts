/**
 * The HTTP interface's front door: `Deno.serve` has no connection limits and no deadline for a
 * request's header (denoland/deno#3515), so one client sending a header a byte at a time could
 * hold a connection for ever, and a few addresses could take them all. The front is the same
 * listener the SMTP and IMAP ports use (connections in all and per address, a share kept for
 * newcomers); it passes each connection's bytes to `Deno.serve` on a private loopback port, ends
 * a request whose header does not arrive in time with `408`, and a connection silent both ways
 * for the idle time. The server behind it learns each client's real address from the front
 * connection's port.
 *
 * @module
 */
import type { Clock, Timer } from "../../protocol/clock.ts";
import { closeQuietly, TcpListener } from "../../runtime/tcp_listener.ts";
import { writeAll } from "../../runtime/transport.ts";

/** Options of {@linkcode HttpFront}. */
export interface HttpFrontOptions {
  /** The public address. @default "127.0.0.1" */
  hostname?: string;
  /** The public port; 0 picks a free one. @default 0 */
  port?: number;
  /** Where `Deno.serve` listens, on loopback. */
  upstreamPort: number;
  /** Times the deadlines. */
  clock: Clock;
  /** From a request's first byte to the end of its header. @default 30000 */
  headerTimeoutMs?: number;
  /** Silence both ways before a connection is closed. @default 1800000 (30 minutes) */
  idleTimeoutMs?: number;
  /** Connections at once. @default 1000 */
  maxConnections?: number;
  /** Connections at once from one address. @default 100 */
  maxConnectionsPerAddress?: number;
}

const encoder = new TextEncoder();
const TIMEOUT = encoder.encode(
  "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n" +
    "Content-Length: 36\r\n\r\nThe request's header took too long.\n",
);
const BUSY = encoder.encode(
  "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n" +
    "Retry-After: 10\r\nContent-Length: 38\r\n\r\nToo many connections; try again later\n",
);

/**
 * The front door of one HTTP interface.
 *
 * @example A request through the front reaches the server with the client's address
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "../../runtime/system_clock.ts";
 * import { HttpFront } from "./front.ts";
 *
 * let front: HttpFront | undefined;
 * await using inner = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (_request, info) =>
 *   new Response(front!.clientOf(info.remoteAddr.port) ?? "unknown"));
 * front = new HttpFront({ upstreamPort: inner.addr.port, clock: systemClock });
 * const answer = await fetch(`http://127.0.0.1:${front.port}/`);
 * assert.equal(await answer.text(), "127.0.0.1");
 * await front.close();
 * ```
 */
export class HttpFront {
  #listener: TcpListener;
  #options: Required<Omit<HttpFrontOptions, "hostname" | "port">>;
  #clients = new Map<number, string>();
  #upstreams = new Set<Deno.TcpConn>();

  /**
   * Starts listening on the public port.
   *
   * @param options The ports, the clock and the limits.
   */
  constructor(options: HttpFrontOptions) {
    this.#options = {
      upstreamPort: options.upstreamPort,
      clock: options.clock,
      headerTimeoutMs: options.headerTimeoutMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 1_800_000,
      maxConnections: options.maxConnections ?? 1000,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 100,
    };
    this.#listener = new TcpListener((conn) => this.#serve(conn), {
      service: "HTTP",
      hostname: options.hostname,
      port: options.port,
      maxConnections: this.#options.maxConnections,
      maxConnectionsPerAddress: this.#options.maxConnectionsPerAddress,
      onRefused: (conn) => writeAll(conn, BUSY),
    });
  }

  /** The public port. */
  get port(): number {
    return this.#listener.port;
  }

  /** The public address. */
  get hostname(): string {
    return this.#listener.hostname;
  }

  /**
   * The client behind a connection `Deno.serve` got from the front.
   *
   * @param port The port the connection came from, as `Deno.serve` saw it.
   * @returns The client's address, or `undefined` for a connection that did not come through the
   *   front (someone who found the private port).
   */
  clientOf(port: number): string | undefined {
    return this.#clients.get(port);
  }

  /** Stops listening and closes every connection, both sides. */
  async close(): Promise<void> {
    for (const upstream of this.#upstreams) closeQuietly(upstream);
    await this.#listener.close();
  }

  async #serve(client: Deno.TcpConn): Promise<void> {
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.#options.upstreamPort });
    } catch {
      return;
    }
    // Each write goes at once, as on the public side: Nagle's wait would hold back the small
    // writes of a request or an answer by a delayed ACK (tens of milliseconds on loopback).
    upstream.setNoDelay(true);
    const port = upstream.localAddr.port;
    this.#clients.set(port, client.remoteAddr.hostname);
    this.#upstreams.add(upstream);
    const watch = new RequestWatch(this.#options, () => {
      closeQuietly(client);
      closeQuietly(upstream);
    }, client);
    try {
      await Promise.all([
        pipe(client, upstream, (bytes) => watch.fromClient(bytes)),
        pipe(upstream, client, () => watch.fromServer()),
      ]);
    } finally {
      watch.stop();
      closeQuietly(client);
      closeQuietly(upstream);
      this.#clients.delete(port);
      this.#upstreams.delete(upstream);
    }
  }
}

/** The deadlines of one connection: a request's header, and silence both ways. */
class RequestWatch {
  #options: Required<Omit<HttpFrontOptions, "hostname" | "port">>;
  #end: () => void;
  #client: Deno.TcpConn;
  #header?: Timer;
  #idle?: Timer;
  #inHeader = false;
  #tail = ""; // the last bytes of a header that has not ended yet
  #answered = true; // no request under way: a 408 may be said

  constructor(
    options: Required<Omit<HttpFrontOptions, "hostname" | "port">>,
    end: () => void,
    client: Deno.TcpConn,
  ) {
    this.#options = options;
    this.#end = end;
    this.#client = client;
    this.#touch();
  }

  fromClient(bytes: Uint8Array): void {
    this.#touch();
    if (!this.#inHeader && this.#answered) {
      this.#inHeader = true;
      this.#answered = false;
      this.#tail = "";
      this.#header = this.#options.clock.setTimer(this.#options.headerTimeoutMs, () => {
        writeAll(this.#client, TIMEOUT).catch(() => {}).finally(() => this.#end());
      });
    }
    if (!this.#inHeader) return;
    const text = this.#tail + new TextDecoder("latin1").decode(bytes);
    if (text.includes("\r\n\r\n") || text.includes("\n\n")) {
      this.#inHeader = false;
      this.#header?.cancel();
      this.#header = undefined;
    } else {
      this.#tail = text.slice(-3);
    }
  }

  fromServer(): void {
    this.#touch();
    // An answer has begun: the next byte from the client starts the next request.
    if (!this.#inHeader) this.#answered = true;
  }

  stop(): void {
    this.#header?.cancel();
    this.#idle?.cancel();
  }

  #touch(): void {
    this.#idle?.cancel();
    this.#idle = this.#options.clock.setTimer(this.#options.idleTimeoutMs, () => this.#end());
  }
}

async function pipe(
  from: Deno.TcpConn,
  to: Deno.TcpConn,
  seen: (bytes: Uint8Array) => void,
): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      const bytes = buffer.subarray(0, n);
      seen(bytes);
      await writeAll(to, bytes);
    }
  } catch {
    // either side went away
  }
  try {
    await to.closeWrite();
  } catch {
    // closed already
  }
}
