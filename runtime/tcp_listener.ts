/**
 * A TCP listener that tracks its connections, so that closing it closes them all, and that
 * enforces connection limits overall and per client address. The SMTP and IMAP servers each
 * hand it a function that serves one connection.
 *
 * @module
 */

/** Why a connection was refused before it was served. */
export type RefusalReason = "total" | "address";

/** Options of {@linkcode TcpListener}. */
export interface TcpListenerOptions {
  /** What listens, for the error when the port is taken (`SMTP`, `IMAP`). @default "TCP" */
  service?: string;
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** Connections served at once; more are refused. @default 1000 */
  maxConnections?: number;
  /** Connections served at once from one client address. @default 100 */
  maxConnectionsPerAddress?: number;
  /**
   * Of `maxConnections`, how many are kept for addresses that hold fewer than two: once the rest
   * are taken, a busy address is refused while a newcomer still gets in, so a few addresses
   * cannot fill the server. @default a fifth of maxConnections
   */
  reservedForNewAddresses?: number;
  /**
   * Called with a connection refused for a limit, to write a short goodbye (such as SMTP's 421)
   * before it is closed.
   * @default closes without a word
   */
  onRefused?: (conn: Deno.TcpConn, reason: RefusalReason) => Promise<void>;
  /**
   * Told when `serve` rejects; a server's own engine reports its sessions' failures itself.
   * @default prints the error to standard error
   */
  onError?: (error: unknown) => void;
}

/**
 * Accepts TCP connections and serves each with `serve`, until closed.
 *
 * @example Serve one greeting
 * ```ts
 * import assert from "node:assert/strict";
 * import { TcpListener } from "./tcp_listener.ts";
 *
 * await using listener = new TcpListener(async (conn) => {
 *   await conn.write(new TextEncoder().encode("220 hello\r\n"));
 * });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
 * const buf = new Uint8Array(64);
 * const n = await conn.read(buf);
 * assert.equal(new TextDecoder().decode(buf.subarray(0, n ?? 0)), "220 hello\r\n");
 * conn.close();
 * ```
 */
export class TcpListener implements AsyncDisposable {
  #listener: Deno.TcpListener;
  #serve: (conn: Deno.TcpConn) => Promise<void>;
  #options: Required<Omit<TcpListenerOptions, "onRefused">> & Pick<TcpListenerOptions, "onRefused">;
  #live = new Map<Deno.TcpConn, Promise<void>>();
  #perAddress = new Map<string, number>();
  #refusing = new Map<Deno.TcpConn, Promise<void>>();
  #accepting: Promise<void>;
  #closed = false;

  /**
   * Starts listening at once.
   *
   * @param serve Serves one connection; the listener closes the connection when it returns.
   * @param options Address, port and limits.
   */
  constructor(serve: (conn: Deno.TcpConn) => Promise<void>, options: TcpListenerOptions = {}) {
    this.#options = {
      service: options.service ?? "TCP",
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 1000,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 100,
      reservedForNewAddresses: options.reservedForNewAddresses ??
        Math.floor((options.maxConnections ?? 1000) / 5),
      onRefused: options.onRefused,
      onError: options.onError ?? ((error) => console.error("A connection failed:", error)),
    };
    this.#serve = serve;
    this.#listener = listenNamed(this.#options.hostname, this.#options.port, this.#options.service);
    this.#accepting = this.#acceptLoop();
  }

  /** The port it listens on (the real one when 0 was asked). */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** The address it listens on. */
  get hostname(): string {
    return this.#listener.addr.hostname;
  }

  /** How many connections are being served. */
  get connections(): number {
    return this.#live.size;
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // the listener was closed
      }
      if (this.#closed) {
        closeQuietly(conn);
        continue;
      }
      // Each answer goes out in one write: Nagle's wait for the previous segment's ACK would
      // only hold back a small push such as IDLE's "* 4 EXISTS" (by 20 to 40 ms on loopback).
      conn.setNoDelay(true);
      const address = conn.remoteAddr.hostname;
      const fromAddress = this.#perAddress.get(address) ?? 0;
      const reason = admission(this.#live.size, fromAddress, this.#options);
      if (reason) {
        this.#refuse(conn, reason);
        continue;
      }
      this.#perAddress.set(address, fromAddress + 1);
      // One promise and two small closures per connection, held for as long as it is open.
      const done = this.#serve(conn).then(() => this.#ended(conn, address), (error) => {
        this.#options.onError(error);
        this.#ended(conn, address);
      });
      this.#live.set(conn, done);
    }
  }

  #ended(conn: Deno.TcpConn, address: string): void {
    closeQuietly(conn);
    this.#live.delete(conn);
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(address, left);
    else this.#perAddress.delete(address);
  }

  #refuse(conn: Deno.TcpConn, reason: RefusalReason): void {
    const goodbye = this.#options.onRefused?.(conn, reason) ?? Promise.resolve();
    const done = goodbye.catch(() => {}).finally(() => {
      closeQuietly(conn);
      this.#refusing.delete(conn);
    });
    // Tracked so that close() waits for it, apart from the served ones that the limits count.
    this.#refusing.set(conn, done);
  }

  /** Stops accepting new connections; those being served go on. */
  async stop(): Promise<void> {
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    await this.#accepting;
  }

  /**
   * Stops accepting, closes every live connection and waits until each is finished.
   */
  async close(): Promise<void> {
    await this.stop();
    for (const conn of [...this.#live.keys(), ...this.#refusing.keys()]) closeQuietly(conn);
    await Promise.all([...this.#live.values(), ...this.#refusing.values()]);
  }

  /** Same as {@linkcode TcpListener.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Whether one more connection is served: refused past the total, past the per-address limit,
 * and, in the share kept for newcomers, when its address already holds two or more.
 *
 * @param live Connections served now.
 * @param fromAddress Of them, from the new connection's address.
 * @param limits The listener's limits.
 * @returns Why it is refused, or `undefined` to serve it.
 *
 * @example Ten addresses fill 800 of 1,000; a newcomer still gets in, a busy one does not
 * ```ts
 * import assert from "node:assert/strict";
 * import { admission } from "./tcp_listener.ts";
 *
 * const limits = { maxConnections: 1000, maxConnectionsPerAddress: 100, reservedForNewAddresses: 200 };
 * assert.equal(admission(799, 79, limits), undefined);
 * assert.equal(admission(800, 80, limits), "address");
 * assert.equal(admission(800, 0, limits), undefined);
 * assert.equal(admission(1000, 0, limits), "total");
 * ```
 */
export function admission(
  live: number,
  fromAddress: number,
  limits: Pick<
    Required<TcpListenerOptions>,
    "maxConnections" | "maxConnectionsPerAddress" | "reservedForNewAddresses"
  >,
): RefusalReason | undefined {
  if (live >= limits.maxConnections) return "total";
  if (fromAddress >= limits.maxConnectionsPerAddress) return "address";
  const inReserve = live >= limits.maxConnections - limits.reservedForNewAddresses;
  if (inReserve && fromAddress >= 2) return "address";
  return undefined;
}

/**
 * Closes a connection, ignoring the error when it is closed already.
 *
 * @param conn Any Deno connection.
 */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/**
 * Listens, or says which address, port and service could not: Deno's own error names neither.
 *
 * @param hostname The address.
 * @param port The port.
 * @param service What listens.
 * @returns The listener.
 * @throws {Deno.errors.AddrInUse} When the port is taken, naming it.
 * @throws {Deno.errors.AddrNotAvailable} When the machine has no such address.
 */
function listenNamed(hostname: string, port: number, service = "TCP"): Deno.TcpListener {
  try {
    return Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    const where = `${service} on ${hostname}:${port}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(`Cannot listen for ${where}: the port is taken`);
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new Deno.errors.AddrNotAvailable(
        `Cannot listen for ${where}: this machine has no address ${hostname}`,
      );
    }
    throw error;
  }
}
