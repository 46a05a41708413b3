/**
 * One domain's mail server, composed of the parts the course names: mailboxes, the SMTP server
 * side (MX and submission), the outbound queue with its SMTP client side (the relay), and the
 * IMAP access server.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import type { Transcript, TranscriptFactory } from "../protocol/transcript.ts";
import { TranscriptLog } from "./transcript_log.ts";
import { systemClock } from "../runtime/system_clock.ts";
import type { ClientTlsPolicy, SmtpTimeouts } from "../client/smtp_client.ts";
import { Accounts } from "./accounts.ts";
import type { MailEvent, ServerEvent } from "./events.ts";
import { ImapServer } from "./imap/server.ts";
import { deliverBounce, type DeliverBounceOptions } from "./queue/bounce.ts";
import { OutboundQueue } from "./queue/queue.ts";
import { Relay } from "./queue/relay.ts";
import { type Router, StaticRouter } from "./queue/router.ts";
import { MemorySpool, type QueueEntry, type Spool } from "./queue/spool.ts";
import { MxPort } from "./smtp/mx_port.ts";
import type { SmtpReply } from "../protocol/smtp/reply.ts";
import type { TlsIdentity } from "../runtime/certificates.ts";
import { ServerTls } from "../runtime/tls.ts";
import type { ServedConnection } from "./engine/line_server.ts";
import { SmtpServer } from "./smtp/server.ts";
import { HttpServer } from "./http/server.ts";
import type { SmtpHandler } from "./smtp/types.ts";
import { mailHandler, type SenderPolicy } from "./mail_handler.ts";
import { LoginGuard } from "./login_guard.ts";
import { StorageFullError } from "./store/store.ts";
import { MemoryStore } from "./store/memory_store.ts";
import type { MailboxStore } from "./store/store.ts";

/** What every port of a mail server allows one client; times in milliseconds. */
export interface MailServerLimits {
  /** Connections served at once, per port. @default 1000 */
  maxConnections?: number;
  /** Connections served at once from one address, per port. @default 100 */
  maxConnectionsPerAddress?: number;
  /** SMTP: time without a whole command before `421 4.4.2`. @default 300000 */
  smtpIdleTimeoutMs?: number;
  /** SMTP: the longest session, however busy. @default 3600000 */
  smtpSessionTimeMs?: number;
  /** IMAP: time without a whole command before `BYE`. @default 1800000 */
  imapIdleTimeoutMs?: number;
  /** HTTP: from a request's first byte to the end of its header before `408`. @default 30000 */
  httpHeaderTimeoutMs?: number;
  /** Failed logins of one address or account within the window before a lock. @default 10 */
  loginFailures?: number;
  /** The window failed logins are counted in. @default 900000 */
  loginWindowMs?: number;
}

/** The ports of one server; 0 picks a free one. */
export interface MailServerPorts {
  /** SMTP from other servers (the course's port 25). @default 0 */
  smtp?: number;
  /** SMTP submission from user agents, with AUTH (port 587). @default 0 */
  submission?: number;
  /** IMAP for reading mailboxes (port 143). @default 0 */
  imap?: number;
  /** Submission over implicit TLS (RFC 8314, port 465); opened only with `tls`. @default 0 */
  submissions?: number;
  /** IMAP over implicit TLS (RFC 8314, port 993); opened only with `tls`. @default 0 */
  imaps?: number;
  /** The HTTP interface: the JSON API and the webmail (the course's port 80). @default 0 */
  http?: number;
}

/** Options of {@linkcode MailServer.start}. */
export interface MailServerOptions {
  /** The mail domain, such as `hamburger.edu`. */
  domain: string;
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The ports. @default all 0 */
  ports?: MailServerPorts;
  /** Users and their passwords in clear; only hashes are kept. @default {} */
  users?: Record<string, string>;
  /**
   * The user who reads `postmaster`'s mail (RFC 5321 §4.5.1).
   * @default a user named postmaster, else the first user by name
   */
  postmaster?: string;
  /**
   * Which senders a logged-in user may use on submission (see {@linkcode SenderPolicy}).
   * @default "own"
   */
  senderPolicy?: SenderPolicy;
  /**
   * The wait added to each failed login after the first, by the guard every port shares (at
   * most 5 s). @default 1000
   */
  loginFailureDelayMs?: number;
  /** What every port allows one client. @default each server's own limits */
  limits?: MailServerLimits;
  /** Accounts to use instead of `users`. @default built from `users` */
  accounts?: Accounts;
  /** PBKDF2 iterations when building accounts from `users`. @default 100000 */
  passwordIterations?: number;
  /** The mailboxes. @default a MemoryStore */
  store?: MailboxStore;
  /** The outbound queue's storage. @default a MemorySpool */
  spool?: Spool;
  /** Where other domains' mail goes. @default an empty StaticRouter */
  router?: Router;
  /** The clock of the queue, timeouts and dates. @default the system clock */
  clock?: Clock;
  /** The queue's retry delays in milliseconds. @default [1800000] */
  retrySchedule?: number[];
  /** How long a message may wait in the queue. @default 432000000 (5 days) */
  maxAge?: number;
  /** Let the relay send to addresses outside loopback. @default false */
  allowNetwork?: boolean;
  /** SMTP client deadlines of the relay. @default RFC 5321 §4.5.3.2 */
  relayTimeouts?: Partial<SmtpTimeouts>;
  /** Connections the relay opens at once to one destination domain. @default 2 */
  maxConnectionsPerDestination?: number;
  /** When to warn a sender that a message is late (RFC 3464 `delayed`); unset for never. @default undefined */
  warnAfter?: number;
  /** Record a transcript of every connection, both sides. @default true */
  record?: boolean;
  /** Transcripts kept, newest last. @default 100 */
  maxTranscripts?: number;
  /** Called with every event. @default nothing */
  onEvent?: (event: MailEvent) => void;
  /**
   * Whether `onEvent` wants the dialogs line by line (`command` and `reply` events), asked at
   * each line; the transcripts record every line either way. @default always
   */
  followingDialogs?: () => boolean;
  /** The largest message accepted, in bytes. @default 10485760 */
  maxMessageSize?: number;
  /**
   * The server's certificate and key: STARTTLS is offered on every port, and the implicit-TLS
   * ports (`submissions`, `imaps`) open.
   * @default none (no TLS)
   */
  tls?: TlsIdentity;
  /**
   * Logins (SMTP AUTH, IMAP LOGIN) only inside TLS: `530 5.7.0 Must issue a STARTTLS command
   * first`, and IMAP's LOGINDISABLED. Mail from other servers still arrives in the clear.
   * @default false
   */
  requireTls?: boolean;
  /**
   * STARTTLS when the relay sends to other servers: opportunistic (encrypted when offered, the
   * certificate checked and the result shown), or `required`, trusting `ca`.
   * @default no TLS on the relay
   */
  relayTls?: ClientTlsPolicy;
  /**
   * Puts something in front of the MX port's hooks, such as the lab's fault injection.
   * @default the hooks as they are
   */
  wrapHandler?: (handler: SmtpHandler) => SmtpHandler;
  /** Answers the HTTP port's requests outside `/api/` (the webmail's pages). @default 404 */
  httpPages?: (request: Request) => Response | Promise<Response>;
  /**
   * Where the HTTP interface's travel panel looks for a message's hops: in the lab, every
   * server's transcripts, so a reader sees the relay at the sender's server too.
   * @default this server's transcripts
   */
  travelSources?: () => readonly Transcript[];
}

/**
 * A mail server for one domain.
 *
 * @example Two domains: alice@crepes.fr writes to bob@hamburger.edu
 * ```ts
 * import assert from "node:assert/strict";
 * import { MailServer } from "./mail_server.ts";
 * import { StaticRouter } from "./queue/router.ts";
 * import { SmtpClient } from "../client/smtp_client.ts";
 *
 * const router = new StaticRouter();
 * await using hamburger = await MailServer.start({ domain: "hamburger.edu", users: { bob: "pickles" }, router, passwordIterations: 1000 });
 * await using crepes = await MailServer.start({ domain: "crepes.fr", users: { alice: "ketchup" }, router, passwordIterations: 1000 });
 * router.set("hamburger.edu", { host: "127.0.0.1", port: hamburger.ports.smtp });
 *
 * const ua = await SmtpClient.connect({ hostname: "127.0.0.1", port: crepes.ports.submission, clientName: "alice-laptop" });
 * await ua.authenticate("alice", "ketchup");
 * await ua.send({ from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
 *   new TextEncoder().encode("From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Hi\r\n\r\nDo you like ketchup?\r\n"));
 * await ua.quit();
 * await crepes.queue.idle();
 * assert.equal((await hamburger.store.list("bob", "INBOX")).length, 1);
 * ```
 */
export class MailServer implements AsyncDisposable {
  /** The mail domain. */
  readonly domain: string;
  /** The mailboxes. */
  readonly store: MailboxStore;
  /** The users. */
  readonly accounts: Accounts;
  /** The outbound queue. */
  readonly queue: OutboundQueue;
  /** Where other domains' mail goes. */
  readonly router: Router;
  /** The SMTP client side that delivers the queue, with its connection counts. */
  readonly relay: Relay;
  /** The clock. */
  readonly clock: Clock;
  #options: MailServerOptions;
  #mx: MxPort;
  #submission: SmtpServer;
  #submissions?: SmtpServer;
  #imaps?: ImapServer;
  #imap: ImapServer;
  #http: HttpServer;
  #log: TranscriptLog;
  #handler: SmtpHandler;

  private constructor(options: MailServerOptions, accounts: Accounts) {
    this.#options = options;
    this.domain = options.domain.toLowerCase();
    this.accounts = accounts;
    this.clock = options.clock ?? systemClock;
    this.#log = new TranscriptLog({
      domain: this.domain,
      clock: this.clock,
      max: options.maxTranscripts,
      emit: options.onEvent && ((event) => this.#emit(event)),
      following: options.followingDialogs,
    });
    this.store = options.store ?? new MemoryStore({ clock: this.clock });
    this.router = options.router ?? new StaticRouter();
    this.relay = new Relay({
      router: this.router,
      clientName: this.domain,
      clock: this.clock,
      allowNetwork: options.allowNetwork,
      timeouts: options.relayTimeouts,
      maxConnectionsPerDestination: options.maxConnectionsPerDestination,
      tls: options.relayTls,
      transcripts: this.#transcriptFactory("relay"),
    });
    this.queue = new OutboundQueue({
      spool: options.spool ?? new MemorySpool(),
      deliverer: this.relay,
      clock: this.clock,
      retrySchedule: options.retrySchedule,
      maxAge: options.maxAge,
      warnAfter: options.warnAfter,
      onEvent: (event) => this.#emit(event),
      onFailure: (entry, message) => this.#bounce(entry, { message, action: "failed" }),
      onDelay: (entry, message) => this.#bounce(entry, { message, action: "delayed" }),
    });
    // One guard against password guessing for every port: SMTP AUTH, IMAP and HTTP.
    const limits = options.limits ?? {};
    const logins = new LoginGuard({
      clock: this.clock,
      failureDelayMs: options.loginFailureDelayMs,
      maxFailures: limits.loginFailures,
      windowMs: limits.loginWindowMs,
      onFailure: (f) => this.#emit({ type: "login-failed", ...f }),
    });
    this.#handler = mailHandler({
      domain: this.domain,
      accounts,
      store: this.store,
      queue: this.queue,
      clock: this.clock,
      emit: (event) => this.#emit(event),
      postmaster: options.postmaster,
      senderPolicy: options.senderPolicy,
      logins,
    });
    const tls = options.tls && new ServerTls(options.tls);
    const handler = options.wrapHandler?.(this.#handler) ?? this.#handler;
    const mx = { handler, transcripts: this.#transcriptFactory("MX"), tls };
    this.#mx = new MxPort((port) => new SmtpServer({ ...this.#smtpOptions(), ...mx, port }), {
      port: options.ports?.smtp ?? 0,
      hostname: options.hostname,
    });
    const submission = {
      ...this.#smtpOptions(),
      submission: true,
      requireTls: options.requireTls,
      tls,
      transcripts: this.#transcriptFactory("submission"),
    };
    this.#submission = new SmtpServer({ ...submission, port: options.ports?.submission ?? 0 });
    const imap = {
      hostname: options.hostname ?? "127.0.0.1",
      domain: this.domain,
      store: this.store,
      accounts: this.accounts,
      clock: this.clock,
      tls,
      requireTls: options.requireTls,
      transcripts: this.#transcriptFactory("IMAP"),
      onError: this.#onError,
      logins,
      limits: {
        maxConnections: limits.maxConnections,
        maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
        idleTimeoutMs: limits.imapIdleTimeoutMs,
      },
    };
    this.#imap = new ImapServer({ ...imap, port: options.ports?.imap ?? 0 });
    this.#http = new HttpServer({
      domain: this.domain,
      hostname: options.hostname,
      port: options.ports?.http ?? 0,
      accounts,
      store: this.store,
      queue: this.queue,
      handler: this.#handler,
      clock: this.clock,
      maxMessageSize: options.maxMessageSize,
      pages: options.httpPages,
      transcripts: this.#transcriptFactory("HTTP submission"),
      logins,
      maxConnections: limits.maxConnections,
      maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
      headerTimeoutMs: limits.httpHeaderTimeoutMs,
      travelSources: options.travelSources ?? (() => this.transcripts),
    });
    if (tls) {
      const implicit = { implicitTls: true };
      this.#submissions = new SmtpServer({
        ...submission,
        ...implicit,
        port: options.ports?.submissions ?? 0,
      });
      this.#imaps = new ImapServer({ ...imap, ...implicit, port: options.ports?.imaps ?? 0 });
    }
  }

  // A session's own failure (a bug): printed, and told to whoever follows the events.
  #onError = (error: unknown, connection: ServedConnection): void => {
    const text = error instanceof Error ? error.stack ?? error.message : String(error);
    console.error(
      `${this.domain}: ${connection.protocol} connection #${connection.id} from ${connection.remote} failed: ${text}`,
    );
  };

  /**
   * Creates the accounts, opens every port and resumes the queue.
   *
   * @param options Domain, users, ports and collaborators.
   * @returns The running server.
   */
  static async start(options: MailServerOptions): Promise<MailServer> {
    const accounts = options.accounts ??
      new Accounts({ iterations: options.passwordIterations });
    for (const [user, password] of Object.entries(options.users ?? {})) {
      await accounts.add(user, password);
    }
    let server: MailServer;
    try {
      server = new MailServer(options, accounts);
    } catch (error) {
      // Which domain's port: the lab runs several servers, each with several ports.
      for (const Kind of [Deno.errors.AddrInUse, Deno.errors.AddrNotAvailable]) {
        if (error instanceof Kind) throw new Kind(`${options.domain}: ${error.message}`);
      }
      throw error;
    }
    for (const user of accounts.users) {
      try {
        await server.store.ensureUser(user);
      } catch (error) {
        // A full disk must not keep the server down: users log in to delete mail, and a user
        // whose mailbox could not be made yet gets it at the first login with room.
        if (!(error instanceof StorageFullError)) throw error;
        console.error(`${server.domain}: cannot make ${user}'s mailbox yet: ${error.message}`);
      }
    }
    await server.queue.start();
    return server;
  }

  /** The ports in use (the real ones when 0 was asked); `smtp` is 0 while SMTP is stopped. */
  get ports(): Required<MailServerPorts> {
    return {
      smtp: this.#mx.running ? this.#mx.port : 0,
      submission: this.#submission.port,
      imap: this.#imap.port,
      submissions: this.#submissions?.port ?? 0,
      imaps: this.#imaps?.port ?? 0,
      http: this.#http.port,
    };
  }

  /** The address it listens on. */
  get hostname(): string {
    return this.#submission.hostname;
  }

  /** The recorded dialogs, oldest first. */
  get transcripts(): readonly Transcript[] {
    return this.#log.transcripts;
  }

  /** Forgets the recorded dialogs. */
  clearTranscripts(): void {
    this.#log.clear();
  }

  /** Whether the SMTP (MX) port is open (serving, or refusing with an injected 421). */
  get smtpRunning(): boolean {
    return this.#mx.running;
  }

  /**
   * Closes the SMTP (MX) port, as if the server were down: other servers cannot reach it, and
   * their queues keep the mail.
   */
  async stopSmtp(): Promise<void> {
    await this.#mx.stop();
  }

  /**
   * Opens the SMTP (MX) port again, on the port it had before, so routes to it stay right.
   *
   * @param port The port. @default the port it had
   */
  startSmtp(port: number = this.#mx.port): void {
    this.#mx.start(port);
  }

  /**
   * Makes the SMTP (MX) port greet every connection with `reply` and close it, as an overloaded
   * server does with 421 (RFC 5321 §3.1); sessions under way get the 421 of a shutdown.
   * `undefined` serves again.
   *
   * @param reply The refusal; `undefined` to serve again.
   * @returns Once the port answers so.
   */
  refuseSmtp(reply: SmtpReply | undefined): Promise<void> {
    return this.#mx.refuse(reply);
  }

  #smtpOptions() {
    const limits = this.#options.limits ?? {};
    return {
      domain: this.domain,
      hostname: this.#options.hostname ?? "127.0.0.1",
      clock: this.clock,
      handler: this.#handler,
      maxMessageSize: this.#options.maxMessageSize,
      onError: this.#onError,
      maxConnections: limits.maxConnections,
      maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
      idleTimeoutMs: limits.smtpIdleTimeoutMs,
      maxSessionTimeMs: limits.smtpSessionTimeMs,
    };
  }

  #emit(event: ServerEvent): void {
    this.#options.onEvent?.({ ...event, domain: this.domain });
  }

  #transcriptFactory(role: string): TranscriptFactory | undefined {
    return this.#options.record === false ? undefined : this.#log.factory(role);
  }

  async #bounce(entry: QueueEntry, options: DeliverBounceOptions): Promise<void> {
    const sent = await deliverBounce(this, entry, options);
    if (!sent) return;
    const { to, at, user, uid } = sent;
    if (user && uid) this.#emit({ type: "stored", user, mailbox: "INBOX", uid, from: "", at });
    this.#emit({ type: "bounced", id: entry.id, to, at });
  }

  /** Closes every port and stops the queue. */
  async close(): Promise<void> {
    await Promise.all([
      this.#mx.close(),
      this.#submission.close(),
      this.#imap.close(),
      this.#submissions?.close(),
      this.#imaps?.close(),
      this.#http.close(),
    ]);
    await this.queue.close();
  }

  /** Same as {@linkcode MailServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
