/**
 * A connection's byte stream behind one small interface, plain TCP or TLS: what the server's
 * connection engine and the clients' {@linkcode LineConnection} read and write. A plain transport
 * can be upgraded to TLS in the middle of a dialog (STARTTLS, RFC 3207 and RFC 3501 §6.2.1), on
 * either side, with {@linkcode TcpTransport.startTls}.
 *
 * @module
 */
import {
  type ClientTls,
  type ServerTls,
  startTls,
  type TlsInfo,
  type TlsSocketLike,
} from "./tls.ts";

export type { TlsInfo };

/** A byte stream to the peer. */
export interface Transport {
  /** The peer's address as `host:port`. */
  readonly remote: string;
  /** This side's address as `host:port`. */
  readonly local: string;
  /** What TLS protects the stream, once a handshake finished; `undefined` for plain TCP. */
  readonly tls: TlsInfo | undefined;
  /** Whether `close()` was called or the stream ended. */
  readonly closed: boolean;
  /**
   * Reads what the peer sent next.
   *
   * @returns The bytes, a view valid until the next read; `null` at the end of the stream.
   */
  read(): Promise<Uint8Array | null>;
  /**
   * Writes all of `bytes`.
   *
   * @param bytes What to send.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the stream; safe to call twice. */
  close(): void;
}

/** Options of {@linkcode TcpTransport}. */
export interface TcpTransportOptions {
  /**
   * The first read buffer's size; it grows while reads fill it, and comes back to this size
   * when the peer goes quiet (a read that fills less than a sixty-fourth of it), so that an idle
   * connection holds little. @default 512
   */
  initialReadSize?: number;
  /** The largest read buffer. @default 131072 */
  maxReadSize?: number;
}

/** How a handshake was asked for, for {@linkcode TcpTransport.startTls}. */
export type StartTlsOptions =
  | { server: ServerTls; timeoutMs?: number }
  | { client: ClientTls; timeoutMs?: number };

/**
 * Writes all of `bytes` to a Deno connection, however many writes it takes.
 *
 * @param conn The connection.
 * @param bytes What to write.
 *
 * @example
 * ```ts
 * import { writeAll } from "./transport.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const peer = await listener.accept();
 * await writeAll(conn, new TextEncoder().encode("NOOP\r\n"));
 * conn.close();
 * peer.close();
 * ```
 */
export function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  // Most writes take everything at once: no async function and no view for them.
  return conn.write(bytes).then((n) => n < bytes.length ? writeRest(conn, bytes, n) : undefined);
}

async function writeRest(conn: Deno.Conn, bytes: Uint8Array, written: number): Promise<void> {
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/** Quiet reads a grown read buffer is kept across (lock-step MAIL, RCPT, DATA, and one more). */
const QUIET_READS = 4;

// Joined, not concatenated: a template literal would make a rope of three strings, which every
// idle connection would hold twice (its remote and local addresses).
function address(addr: Deno.Addr): string {
  return "hostname" in addr ? [addr.hostname, addr.port].join(":") : "";
}

/**
 * Plain TCP over a Deno connection. The read buffer starts small, so a thousand idle clients hold
 * little, and grows while a client sends a lot.
 *
 * @example Read what a peer wrote
 * ```ts
 * import assert from "node:assert/strict";
 * import { TcpTransport } from "./transport.ts";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = new TcpTransport(await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }));
 * const server = new TcpTransport(await listener.accept());
 * await client.write(new TextEncoder().encode("HELO crepes.fr\r\n"));
 * assert.equal(new TextDecoder().decode((await server.read())!), "HELO crepes.fr\r\n");
 * client.close();
 * assert.equal(await server.read(), null);
 * server.close();
 * ```
 */
export class TcpTransport implements Transport {
  /** The Deno connection underneath. */
  readonly conn: Deno.Conn;
  readonly remote: string;
  readonly local: string;
  #buffer: Uint8Array;
  #small: Uint8Array; // the first buffer, read into while the peer sends little
  #spare: Uint8Array | undefined; // a grown buffer, kept across a few quiet reads
  #quiet = 0; // quiet reads since the spare was put aside
  #max: number;
  #closed = false;
  #upgraded = false;

  /**
   * Wraps an open connection.
   *
   * @param conn The connection (accepted, or made with `Deno.connect`).
   * @param options Read buffer sizes.
   */
  constructor(conn: Deno.Conn, options: TcpTransportOptions = {}) {
    this.conn = conn;
    this.remote = address(conn.remoteAddr);
    this.local = address(conn.localAddr);
    this.#buffer = this.#small = new Uint8Array(options.initialReadSize ?? 512);
    this.#max = options.maxReadSize ?? 128 * 1024;
  }

  get tls(): undefined {
    return undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  // Not an async function: an idle connection waits here, and a plain promise chain holds less
  // than a suspended async function would.
  read(): Promise<Uint8Array | null> {
    if (this.#closed || this.#upgraded) return Promise.resolve(null);
    return this.conn.read(this.#buffer).then(this.#received, this.#failed);
  }

  #received = (n: number | null): Uint8Array | null => {
    if (n === null) {
      this.#closed = true;
      return null;
    }
    const buffer = this.#buffer;
    const view = buffer.subarray(0, n);
    // The next read gets a larger buffer, or the small one again. A grown buffer is kept across
    // a few quiet reads: the commands between two large messages (one read when pipelined, one
    // each for MAIL, RCPT and DATA in lock-step), so that the next message reads into it again
    // instead of growing a fresh one. More quiet reads let it go: a connection that has gone
    // quiet holds only the small buffer.
    if (n === buffer.length && n < this.#max) {
      const size = Math.min(this.#max, n * 4);
      const spare = this.#spare;
      this.#spare = undefined;
      this.#buffer = spare && spare.length >= size ? spare : new Uint8Array(size);
    } else if (buffer !== this.#small && n < buffer.length / 64) {
      this.#spare = buffer;
      this.#quiet = 0;
      this.#buffer = this.#small;
    } else if (buffer === this.#small && this.#spare && ++this.#quiet > QUIET_READS) {
      this.#spare = undefined;
    }
    return view;
  };

  #failed = (error: unknown): null => {
    if (this.#closed) return null; // closed under the read, by us
    throw error;
  };

  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.conn, bytes);
  }

  close(): void {
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  /**
   * Starts TLS on this connection (STARTTLS), as the server or as the client. From then on this
   * transport reads nothing: use the one returned. Bytes this side had read but not used before
   * the handshake are the caller's to discard (RFC 3207 §4.2: commands sent before the handshake
   * must not be executed after it).
   *
   * @param options The server's certificate, or what the client trusts; and the handshake's deadline.
   * @returns The TLS transport.
   * @throws {Error} When the handshake fails or does not finish in time (the connection is then closed).
   */
  async startTls(options: StartTlsOptions): Promise<Transport> {
    if (this.#upgraded) throw new Error("TLS was started on this connection already");
    this.#upgraded = true;
    const socket = await startTls(this.conn, options).catch((error) => {
      this.close();
      throw error;
    });
    return new TlsTransport(socket, this);
  }
}

const HIGH_WATER = 256 * 1024;

/** TLS over a plain transport's connection, read through the `node:tls` socket's events. */
class TlsTransport implements Transport {
  readonly remote: string;
  readonly local: string;
  readonly tls: TlsInfo;
  #socket: TlsSocketLike;
  #under: TcpTransport;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: TlsSocketLike, under: TcpTransport) {
    this.#socket = socket;
    this.#under = under;
    this.remote = under.remote;
    this.local = under.local;
    this.tls = socket.info;
    socket.onData((chunk) => {
      this.#queue.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued > HIGH_WATER && !this.#paused) {
        this.#paused = true;
        socket.pause();
      }
      this.#notify();
    });
    socket.onEnd((error) => {
      this.#ended = true;
      this.#error ??= error;
      this.#notify();
    });
  }

  get closed(): boolean {
    return this.#ended || this.#under.closed;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async read(): Promise<Uint8Array | null> {
    while (this.#queue.length === 0) {
      if (this.#ended || this.#under.closed) {
        if (this.#error && !this.#under.closed) throw this.#error;
        return null;
      }
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunk = this.#queue.shift()!;
    this.#queued -= chunk.length;
    if (this.#paused && this.#queued < HIGH_WATER / 2) {
      this.#paused = false;
      this.#socket.resume();
    }
    return chunk;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Deno.errors.BrokenPipe("The connection is closed"));
    return this.#socket.write(bytes);
  }

  close(): void {
    this.#ended = true;
    this.#socket.destroy();
    this.#under.close();
    this.#notify();
  }
}
