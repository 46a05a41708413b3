/**
 * The two-domain lab: a mail server for each domain of the configuration (crepes.fr and
 * hamburger.edu by default), routed to one another over loopback, with the course's users.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { escapeHtml, type Transcript } from "../protocol/transcript.ts";
import type { MailEvent } from "../server/events.ts";
import type { MailServer } from "../server/mail_server.ts";
import type { StaticRouter } from "../server/queue/router.ts";
import type { QueueEntry } from "../server/queue/spool.ts";
import { EntryView, QueueView } from "../server/queue/queue_view.ts";
import type { Claim } from "./data_lock.ts";
import { assembleLab, type LabOptions, type LabParts } from "./assemble.ts";
import type { EventLog } from "./event_log.ts";
import type { SmtpFaults } from "./faults.ts";
import type { LabConfig } from "./config.ts";

export type { LabOptions } from "./assemble.ts";
import {
  applyFault,
  deleteQueued,
  type FaultAction,
  findQueued,
  flushQueues,
  type LabFaultOptions,
  queuedEntries,
  type QueueFilter,
} from "./operator.ts";

/** One row of the lab's endpoint table. */
export interface Endpoint {
  /** The domain. */
  domain: string;
  /** The service: SMTP from servers, submission from user agents, IMAP (those two also over implicit TLS), and HTTP. */
  service: "SMTP" | "submission" | "submissions" | "IMAP" | "IMAPS" | "HTTP";
  /** The port the Internet uses for it (25, 587, 465, 143, 993). */
  coursePort: number;
  /** Where it listens here. */
  host: string;
  /** The real port. */
  port: number;
}

/** One account of the lab, with its password. */
export interface LabAccount {
  /** The address, `alice@crepes.fr`. */
  address: string;
  /** The user name to log in with. */
  user: string;
  /** The password in clear (the lab's, printed for students). */
  password: string;
  /** The domain. */
  domain: string;
}

const REGISTRY = Symbol.for("mail-toolkit.labs");
type Registry = Set<Lab>;

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry>;
  return holder[REGISTRY] ??= new Set();
}

/** One server as the lab's page shows it. */
export interface LabServerState {
  /** The domain. */
  domain: string;
  /** Its services and ports. */
  endpoints: Endpoint[];
  /** Whether its SMTP (MX) port is open. */
  smtpRunning: boolean;
  /** Its faults, in one line. */
  faults: string;
  /** What waits in its queue. */
  queue: (QueueEntry & { server: string })[];
}

/**
 * A running lab.
 *
 * @example Start the course's lab in memory on free ports
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lab } from "./lab.ts";
 *
 * await using lab = await Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000 });
 * assert.deepEqual(lab.servers.map((s) => s.domain), ["crepes.fr", "hamburger.edu"]);
 * assert.deepEqual(lab.accounts.map((a) => a.address), ["alice@crepes.fr", "bob@hamburger.edu"]);
 * assert.equal(lab.endpoints.length, 12); // SMTP, submission, submissions, IMAP, IMAPS, HTTP per domain
 * ```
 */
export class Lab implements AsyncDisposable {
  /** The validated configuration. */
  readonly config: LabConfig;
  /** The route table every server shares. */
  readonly router: StaticRouter;
  /** Where mail is kept: `disk` (Maildir and spool under `config.dataDir`) or `memory`. */
  readonly storage: "disk" | "memory";
  /** The latest events of every server. */
  readonly log: EventLog;
  /** The clock every server reads. */
  readonly clock: Clock;
  /** The lab's certificate authority (PEM): what a client must trust for TLS. */
  readonly ca: string;
  /** Where `ca` is on disk, when the lab keeps its data on disk. */
  readonly caPath: string | undefined;
  #servers: MailServer[];
  #faults: Map<string, SmtpFaults>;
  #closed = false;
  #onEvent?: (event: MailEvent) => void;
  #lock?: Claim;

  private constructor(parts: LabParts) {
    this.config = parts.config;
    this.clock = parts.clock;
    this.storage = parts.storage;
    this.log = parts.log;
    this.router = parts.router;
    this.#servers = parts.servers.map((s) => s.server);
    this.#faults = new Map(parts.servers.map((s) => [s.server.domain, s.faults]));
    this.ca = parts.certificates.ca;
    this.caPath = parts.certificates.caPath;
    this.#onEvent = parts.onEvent;
    this.#lock = parts.lock;
  }

  /**
   * Starts a server for every domain and routes them to one another.
   *
   * @param options Configuration and overrides.
   * @returns The running lab.
   * @throws {ConfigError} When the configuration does not validate.
   */
  static async start(options: LabOptions = {}): Promise<Lab> {
    const lab = new Lab(await assembleLab(options));
    registry().add(lab);
    return lab;
  }

  /**
   * Closes every lab this process started: what a notebook's first cell calls, so that running
   * it again never finds a port still taken.
   *
   * @returns How many labs were closed.
   */
  static async closeAll(): Promise<number> {
    const labs = [...registry()];
    await Promise.all(labs.map((lab) => lab.close()));
    return labs.length;
  }

  /** The servers, in the configuration's order. */
  get servers(): readonly MailServer[] {
    return this.#servers;
  }

  /**
   * One domain's server.
   *
   * @param domain The domain.
   * @returns Its server.
   * @throws {Error} When the lab has no such domain.
   */
  server(domain: string): MailServer {
    const server = this.#servers.find((s) => s.domain === domain.toLowerCase());
    if (!server) throw new Error(`The lab has no domain "${domain}"`);
    return server;
  }

  /** Every service of every domain, with its real port. */
  get endpoints(): Endpoint[] {
    return this.#servers.flatMap((s) => {
      const { smtp, submission, submissions, imap, imaps, http } = s.ports;
      const rows: [Endpoint["service"], number, number][] = [
        ["SMTP", 25, smtp],
        ["submission", 587, submission],
        ["submissions", 465, submissions],
        ["IMAP", 143, imap],
        ["IMAPS", 993, imaps],
        ["HTTP", 80, http],
      ];
      return rows.map(([service, coursePort, port]) => ({
        domain: s.domain,
        service,
        coursePort,
        host: s.hostname,
        port,
      }));
    });
  }

  /** Every user of every domain, with the password from the configuration. */
  get accounts(): LabAccount[] {
    return this.config.domains.flatMap((d) =>
      Object.entries(d.users).map(([user, password]) => ({
        address: `${user}@${d.name}`,
        user,
        password,
        domain: d.name,
      }))
    );
  }

  /**
   * What a user agent needs to reach an account's server: the address, the password, the
   * submission, IMAP and HTTP endpoints, and the lab's clock. Pass it to `new UserAgent(...)`
   * (with `via` to send or read over HTTP).
   *
   * @param address An account of the lab, such as `alice@crepes.fr`.
   * @returns The account's settings.
   * @throws {Error} When the lab has no such account.
   */
  agentOptions(address: string): {
    address: string;
    password: string;
    submission: { hostname: string; port: number };
    imap: { hostname: string; port: number };
    http: { hostname: string; port: number };
    clock: Clock;
  } {
    const account = this.accounts.find((a) => a.address === address.toLowerCase());
    if (!account) throw new Error(`The lab has no account "${address}"`);
    const server = this.server(account.domain);
    return {
      address: account.address,
      password: account.password,
      submission: { hostname: server.hostname, port: server.ports.submission },
      imap: { hostname: server.hostname, port: server.ports.imap },
      http: { hostname: server.hostname, port: server.ports.http },
      clock: this.clock,
    };
  }

  /**
   * The recorded dialogs of one hop kind, oldest first.
   *
   * @param role `"submission"`, `"relay"`, `"mx"` or `"imap"`.
   * @param domain Only this server's. @default every server's
   * @returns The transcripts.
   */
  transcriptsOf(role: string, domain?: string): Transcript[] {
    const servers = domain ? [this.server(domain)] : this.#servers;
    return servers.flatMap((s) => s.transcripts.filter((t) => t.role === role));
  }

  /**
   * What the lab's page shows of each server: its ports, whether its SMTP port is open, its
   * faults and its queue.
   *
   * @returns One entry per domain.
   */
  state(): LabServerState[] {
    return this.#servers.map((server) => ({
      domain: server.domain,
      endpoints: this.endpoints.filter((e) => e.domain === server.domain),
      smtpRunning: server.smtpRunning,
      faults: this.#faults.get(server.domain)!.toString(),
      queue: queuedEntries(this.#servers, { server: server.domain }),
    }));
  }

  /** Every recorded dialog of every server, in the order they began. */
  get transcripts(): Transcript[] {
    return this.#servers.flatMap((s) => [...s.transcripts])
      .sort((a, b) => (a.entries[0]?.at ?? 0) - (b.entries[0]?.at ?? 0));
  }

  /**
   * Makes a domain's SMTP server misbehave: `stop`, `start`, a code (421 refuses connections;
   * 451, 550 answer at RCPT), `slow`, or `clear`. The event log records it.
   *
   * @param domain The lab domain.
   * @param action The fault.
   * @param options How long it lasts, the delay of `slow`, the command of a reply.
   * @returns What the server's faults are now, in one line.
   * @throws {Error} When the lab has no such domain.
   */
  async fault(domain: string, action: FaultAction, options: LabFaultOptions = {}): Promise<string> {
    const server = this.server(domain);
    const text = await applyFault(
      { server, faults: this.#faults.get(server.domain)! },
      action,
      options,
    );
    this.#onEvent?.({ type: "fault", text, domain: domain.toLowerCase(), at: this.clock.now() });
    return text;
  }

  /**
   * Every server's queue as one table (`mailq`), which a notebook shows.
   *
   * @param filter Only messages to a destination, or in one server's queue.
   * @returns The view.
   */
  queueView(filter: QueueFilter = {}): QueueView {
    return new QueueView(queuedEntries(this.#servers, filter), { now: this.clock.now() });
  }

  /**
   * One queued message in detail, with its attempts and last errors.
   *
   * @param id The queue identifier.
   * @returns Its view, or `undefined` when no queue holds it.
   */
  queued(id: string): EntryView | undefined {
    const found = findQueued(this.#servers, id);
    return found && new EntryView(found.entry, { now: this.clock.now() });
  }

  /**
   * Makes queued messages due now (`postqueue -f`).
   *
   * @param filter Only messages to a destination, or in one server's queue.
   * @returns How many messages were made due.
   */
  flush(filter: QueueFilter = {}): number {
    return flushQueues(this.#servers, filter);
  }

  /**
   * Deletes a queued message without a bounce (`postsuper -d`).
   *
   * @param id The queue identifier.
   * @returns Whether a queue held it.
   */
  deleteQueued(id: string): Promise<boolean> {
    return deleteQueued(this.#servers, id);
  }

  /**
   * Waits until no server's queue has an attempt running, including attempts that one queue's
   * delivery starts in another (a bounce travelling back).
   */
  async idle(): Promise<void> {
    await Promise.all([...this.#faults.values()].map((f) => f.settled()));
    do {
      await Promise.all(this.#servers.map((s) => s.queue.idle()));
    } while (this.#servers.some((s) => s.queue.busy));
  }

  /** Closes every server. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    registry().delete(this);
    // Answers a slow fault holds back would hold the servers open.
    for (const faults of this.#faults.values()) faults.release();
    await Promise.all(this.#servers.map((s) => s.close()));
    await this.#lock?.release();
  }

  /** Same as {@linkcode Lab.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A notebook shows the lab as its endpoint and account tables. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const rows = this.endpoints.map((
      e,
    ) => [e.domain, `${e.service} (course port ${e.coursePort})`, `${e.host}:${e.port}`]);
    const users = this.accounts.map((a) => [a.address, a.password]);
    const table = (head: string[], body: string[][]) =>
      `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>` +
      body.map((r) =>
        `<tr>${
          r.map((c) => `<td style="font-family:monospace">${escapeHtml(c)}</td>`).join("")
        }</tr>`
      ).join("") +
      "</table>";
    return {
      "text/html": table(["domain", "service", "address"], rows) +
        table(["account", "password"], users),
      "text/plain": [...rows, ...users].map((r) => r.join("  ")).join("\n"),
    };
  }
}
