/**
 * How a lab is put together from its configuration: the certificate authority and each domain's
 * certificate, one mail server per domain (its mailboxes and queue on disk or in memory, its
 * faults in front of its MX port), and the route table that lets them reach one another.
 *
 * @module
 */
import { type Claim, claimDataFolder } from "./data_lock.ts";
import { join } from "node:path";
import type { Clock } from "../protocol/clock.ts";
import { systemClock } from "../runtime/system_clock.ts";
import type { MailEvent } from "../server/events.ts";
import { DiskSpool } from "../server/queue/disk_spool.ts";
import { denoResolver, DnsRouter } from "../server/queue/dns_router.ts";
import { StaticRouter } from "../server/queue/router.ts";
import { MaildirStore } from "../server/store/maildir_store.ts";
import { webmailPages } from "../ua/webmail.ts";
import { type LabCertificates, labCertificates } from "./certificates.ts";
import { DEFAULT_CONFIG, type LabConfig, type LabConfigInput, parseLabConfig } from "./config.ts";
import { EventLog } from "./event_log.ts";
import { type FaultyServer, startWithFaults } from "./faults.ts";

/** Options of {@linkcode Lab.start}. */
export interface LabOptions {
  /** The configuration (as a JSON file holds it). @default the course's two domains */
  config?: LabConfigInput;
  /** Ignore the configured ports and pick free ones (notebooks, tests). @default false */
  freePorts?: boolean;
  /** Override the configured storage. @default the configuration's */
  storage?: "disk" | "memory";
  /** The clock of every server (a ManualClock in notebooks). @default the system clock */
  clock?: Clock;
  /** Called with every event of every server. @default nothing */
  onEvent?: (event: MailEvent) => void;
  /** PBKDF2 iterations for the users' password hashes. @default 100000 */
  passwordIterations?: number;
}

/** What a running lab is made of. */
export interface LabParts {
  /** The validated configuration. */
  config: LabConfig;
  /** The route table every server shares. */
  router: StaticRouter;
  /** Each domain's server and its faults, in the configuration's order. */
  servers: FaultyServer[];
  /** Where mail is kept. */
  storage: "disk" | "memory";
  /** The latest events of every server. */
  log: EventLog;
  /** The clock every server reads. */
  clock: Clock;
  /** The CA and each domain's certificate. */
  certificates: LabCertificates;
  /** Told of every event (the log first). */
  onEvent: (event: MailEvent) => void;
  /** The data folder's lock, held while the lab keeps its mail on disk. */
  lock?: Claim;
}

/**
 * Starts every domain's server of a configuration and routes them to one another.
 *
 * @param options The configuration and overrides.
 * @returns The parts of the running lab.
 * @throws {ConfigError} When the configuration does not validate.
 *
 * @example Two domains in memory, each with a certificate from the lab's CA
 * ```ts
 * import assert from "node:assert/strict";
 * import { assembleLab } from "./assemble.ts";
 *
 * const parts = await assembleLab({ freePorts: true, storage: "memory", passwordIterations: 1000 });
 * assert.deepEqual([...parts.certificates.identities.keys()], ["crepes.fr", "hamburger.edu"]);
 * assert.deepEqual((await parts.router.routes("hamburger.edu"))[0].port, parts.servers[1].server.ports.smtp);
 * await Promise.all(parts.servers.map((s) => s.server.close()));
 * ```
 */
export async function assembleLab(options: LabOptions = {}): Promise<LabParts> {
  const config = parseLabConfig(options.config ?? DEFAULT_CONFIG);
  const storage = options.storage ?? config.storage;
  const dns = config.dns;
  const resolver = dns && denoResolver({ nameServer: dns.nameServer });
  const fallback = dns && new DnsRouter({ resolver, port: dns.port });
  const router = new StaticRouter(config.routes, { fallback });
  const servers: FaultyServer[] = [];
  const log = new EventLog();
  const onEvent = (event: MailEvent) => {
    log.add(event);
    options.onEvent?.(event);
  };
  // One lab per data folder: two would share the Maildirs' indexes and the queue's files.
  const lock = storage === "disk" ? await claimDataFolder(config.dataDir) : undefined;
  const certificates = await labCertificates({
    dir: storage === "disk" ? join(config.dataDir, "tls") : undefined,
    domains: config.domains.map((d) => d.name),
    clock: options.clock,
  }).catch(async (error) => {
    await lock?.release();
    throw error;
  });
  const relayTls = config.relayTls === "off"
    ? undefined
    : { ca: [certificates.ca], required: config.relayTls === "required" };
  try {
    for (const domain of config.domains) {
      const ports = options.freePorts
        ? { smtp: 0, submission: 0, imap: 0, submissions: 0, imaps: 0, http: 0 }
        : domain.ports;
      const dir = join(config.dataDir, domain.name);
      const started = await startWithFaults({
        domain: domain.name,
        hostname: config.hostname,
        ports,
        users: domain.users,
        passwordIterations: options.passwordIterations,
        store: storage === "disk"
          ? new MaildirStore({ root: join(dir, "mail"), clock: options.clock })
          : undefined,
        spool: storage === "disk" ? await DiskSpool.open(join(dir, "queue")) : undefined,
        router,
        clock: options.clock,
        retrySchedule: config.queue.retrySchedule,
        maxAge: config.queue.giveUpAfter,
        warnAfter: config.queue.warnAfter,
        maxConnectionsPerDestination: config.queue.connectionsPerDestination,
        allowNetwork: config.allowNetwork,
        onEvent,
        // Each command and reply line makes an event only for someone who follows them live: the
        // lab page's live view, or the printed dialogs (without --quiet).
        followingDialogs: () => options.onEvent !== undefined || log.followed,
        tls: certificates.identities.get(domain.name),
        requireTls: domain.requireTls,
        senderPolicy: domain.senderPolicy,
        limits: {
          maxConnections: config.limits.connections,
          maxConnectionsPerAddress: config.limits.connectionsPerAddress,
          smtpIdleTimeoutMs: config.limits.smtpIdleTimeout,
          smtpSessionTimeMs: config.limits.smtpSessionTime,
          imapIdleTimeoutMs: config.limits.imapIdleTimeout,
          httpHeaderTimeoutMs: config.limits.httpHeaderTimeout,
          loginFailures: config.limits.loginFailures,
          loginWindowMs: config.limits.loginWindow,
        },
        relayTls,
        httpPages: webmailPages(),
        travelSources: () => servers.flatMap((s) => s.server.transcripts),
      });
      servers.push(started);
      router.set(domain.name, { host: config.hostname, port: started.server.ports.smtp });
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.server.close()));
    await lock?.release();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  return { config, router, servers, storage, log, clock, certificates, onEvent, lock };
}
