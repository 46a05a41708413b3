/**
 * The IMAP-lite server: a TCP listener whose connections each run an {@linkcode ImapSession}.
 *
 * @module
 */
import type { Clock, Timer } from "../../protocol/clock.ts";
import { LineBuffer } from "../../protocol/line_buffer.ts";
import type { TranscriptFactory } from "../../protocol/transcript.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import type { Accounts } from "../accounts.ts";
import type { MailboxStore } from "../store/store.ts";
import { closeQuietly, TcpListener } from "../../runtime/tcp_listener.ts";
import type { ImapLimits } from "./options.ts";
import { ImapSession } from "./session.ts";

/** The limits of a server: a session's limits and the listener's connection counts. */
export interface ImapServerLimits extends ImapLimits {
  /** Connections served at once. @default 1000 */
  maxConnections?: number;
  /** Connections served at once from one client address. @default 100 */
  maxConnectionsPerAddress?: number;
}

/** Options of {@linkcode ImapServer}. */
export interface ImapServerOptions {
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** The mail domain (greeting, and the `user@domain` login rule). @default "localhost" */
  domain?: string;
  /** Where the mailboxes are. */
  store: MailboxStore;
  /** The domain's accounts. @default undefined (then give `authenticate`) */
  accounts?: Accounts;
  /**
   * Checks a local part and password instead of `accounts`.
   * @default accounts.verify
   */
  authenticate?: (user: string, password: string) => Promise<string | undefined>;
  /** Measures idle time. @default systemClock */
  clock?: Clock;
  /** Decides per connection whether to record a transcript. @default undefined (none) */
  transcripts?: TranscriptFactory;
  /** Line, literal, login, idle and connection limits. @default {} (each limit's default) */
  limits?: ImapServerLimits;
}

const READ_SIZE = 64 * 1024;

/**
 * Serves IMAP on a TCP port until closed.
 *
 * @example Greet a client on a free port
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { ImapServer } from "./server.ts";
 *
 * await using server = new ImapServer({ store: new MemoryStore(), domain: "hamburger.edu" });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
 * const buf = new Uint8Array(512);
 * const n = await conn.read(buf);
 * assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^\* OK \[CAPABILITY IMAP4rev1/);
 * conn.close();
 * ```
 */
export class ImapServer implements AsyncDisposable {
  #listener: TcpListener;
  #options: ImapServerOptions;
  #clock: Clock;

  /**
   * Starts listening at once.
   *
   * @param options Address, domain, store, accounts, clock, transcripts and limits.
   */
  constructor(options: ImapServerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#listener = new TcpListener((conn) => this.#serve(conn), {
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      maxConnections: options.limits?.maxConnections,
      maxConnectionsPerAddress: options.limits?.maxConnectionsPerAddress,
      onRefused: (conn) =>
        writeAll(conn, new TextEncoder().encode("* BYE Too many connections\r\n")),
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

  /** Stops listening, ends every connection and waits for them. */
  close(): Promise<void> {
    return this.#listener.close();
  }

  /** Same as {@linkcode ImapServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #serve(conn: Deno.TcpConn): Promise<void> {
    const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    const local = `${conn.localAddr.hostname}:${conn.localAddr.port}`;
    const transcript = this.#options.transcripts?.({ protocol: "IMAP", remote, local });
    transcript?.note(`connection from ${remote}`, this.#clock.now());
    const session = new ImapSession({
      store: this.#options.store,
      accounts: this.#options.accounts,
      authenticate: this.#options.authenticate,
      domain: this.#options.domain,
      clock: this.#clock,
      transcript,
      limits: this.#options.limits,
    });
    const buffer = new LineBuffer();
    const chunk = new Uint8Array(READ_SIZE);
    let batch: Uint8Array[] = [];
    let writing = Promise.resolve();
    const send = (bytes: Uint8Array[]) => {
      const data = concat(bytes);
      writing = writing.then(() => data.length > 0 ? writeAll(conn, data) : undefined);
      return writing;
    };
    const flush = () => {
      const out = batch;
      batch = [];
      return send(out);
    };
    let timer: Timer | undefined;
    const arm = () => {
      timer?.cancel();
      timer = this.#clock.setTimer(session.idleDeadline - this.#clock.now(), () => {
        const bye = session.checkIdle();
        if (!bye) return arm();
        send([bye.bytes]).catch(() => {}).finally(() => closeQuietly(conn));
      });
    };
    // Reads more bytes; false at end of stream or when the connection was closed under us.
    const fill = async () => {
      await flush();
      const n = await conn.read(chunk).catch(() => null);
      if (n === null) return false;
      buffer.push(chunk.subarray(0, n));
      return true;
    };
    try {
      batch.push(session.greeting().bytes);
      arm();
      for (;;) {
        const expecting = session.expecting;
        if (expecting.kind === "closed") break;
        let output;
        if (expecting.kind === "literal") {
          const parts: Uint8Array[] = [];
          let need = expecting.size;
          while (need > 0) {
            const got = buffer.read(need);
            if (got.length > 0) {
              parts.push(got.slice());
              need -= got.length;
            } else if (!await fill()) {
              return;
            }
          }
          output = await session.receiveLiteral(concat(parts));
        } else {
          const line = buffer.readLine({ maxLength: session.limits.maxLineLength, bareLf: true });
          if (line === undefined) {
            if (!await fill()) return;
            continue;
          }
          output = await session.receiveLine(line);
        }
        batch.push(output.bytes);
        if (output.close) break;
        arm();
      }
      await flush();
    } catch {
      // A failed write means the client went away; nothing to tell anyone.
    } finally {
      timer?.cancel();
      await writing.catch(() => {});
      transcript?.note("connection closed", this.#clock.now());
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}
