/**
 * The IMAP server: one {@linkcode ImapSession} per connection, served by the connection engine
 * (plain, STARTTLS, or implicit TLS as on port 993).
 *
 * @module
 */
import type { LoginGuard } from "../login_guard.ts";
import type { Clock } from "../../protocol/clock.ts";
import { formatStatus } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import type { TranscriptFactory } from "../../protocol/transcript.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import type { ServerTls } from "../../runtime/tls.ts";
import type { Accounts } from "../accounts.ts";
import { LineServer, type ServedConnection } from "../engine/line_server.ts";
import type { MailboxStore } from "../store/store.ts";
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
  /** The server's certificate: STARTTLS is offered (RFC 3501 §6.2.1). @default none (no TLS) */
  tls?: ServerTls;
  /** TLS from the first byte (RFC 8314, port 993). Needs `tls`. @default false */
  implicitTls?: boolean;
  /** LOGIN and AUTHENTICATE only inside TLS (LOGINDISABLED until then). @default false */
  requireTls?: boolean;
  /** The server's guard against password guessing, shared with SMTP and HTTP. @default none */
  logins?: LoginGuard;
  /** Told when a session fails (a bug), with its connection. @default printed to standard error */
  onError?: (error: unknown, connection: ServedConnection) => void;
}

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
  #server: LineServer;

  /**
   * Starts listening at once.
   *
   * @param options Address, domain, store, accounts, clock, transcripts, limits and TLS.
   */
  constructor(options: ImapServerOptions) {
    const clock = options.clock ?? systemClock;
    this.#server = new LineServer({
      protocol: "IMAP",
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      clock,
      tls: options.tls,
      implicitTls: options.implicitTls,
      maxConnections: options.limits?.maxConnections,
      maxConnectionsPerAddress: options.limits?.maxConnectionsPerAddress,
      refusal: new TextEncoder().encode(`${formatStatus("*", RESPONSE.TooManyConnections)}\r\n`),
      onError: options.onError,
      session: ({ remote, local }) => {
        const transcript = options.transcripts?.({ protocol: "IMAP", remote, local });
        const session = new ImapSession({
          store: options.store,
          accounts: options.accounts,
          authenticate: options.authenticate,
          domain: options.domain,
          clock,
          transcript,
          limits: options.limits,
          starttls: options.tls !== undefined && !options.implicitTls,
          requireTls: options.requireTls,
          logins: options.logins,
          remote,
        });
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

  /** Stops listening, says BYE to every session and waits until all are closed. */
  close(): Promise<void> {
    return this.#server.close();
  }

  /** Same as {@linkcode ImapServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
