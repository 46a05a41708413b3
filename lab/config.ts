/**
 * The lab's configuration: which domains, ports, users and routes, and how the queue retries.
 * Validated with zod, so a mistake in a teacher's JSON file becomes one readable error that names
 * the field.
 *
 * @module
 */
import { z } from "zod";

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a duration such as `30m`, `2h`, `5d`, `45s` or `500ms`.
 *
 * @param text The duration.
 * @returns Milliseconds, or `undefined` when it does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./config.ts";
 *
 * assert.equal(parseDuration("30m"), 1_800_000);
 * assert.equal(parseDuration("1.5h"), 5_400_000);
 * assert.equal(parseDuration("soon"), undefined);
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]] : undefined;
}

const Duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({
      code: "custom",
      message: `Expected a duration such as "30m", "2h" or "5d", got "${text}"`,
    });
    return z.NEVER;
  }
  return ms;
});

const Port = z.number().int().min(0).max(65535);

const HostPort = z.string().transform((text, ctx) => {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    ctx.addIssue({ code: "custom", message: `Expected "host:port", got "${text}"` });
    return z.NEVER;
  }
  return { host: match[1].replace(/^\[|\]$/g, ""), port };
});

const DomainName = z.string().regex(
  /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/,
  "Expected a domain name in lower case, such as crepes.fr",
);

const UserName = z.string().regex(
  /^[a-z0-9][a-z0-9._+-]{0,63}$/,
  "Expected a user name such as alice",
);

/** One domain's ports; 0 picks a free one. */
export interface DomainPorts {
  /** SMTP from other servers (the course's 25). */
  smtp: number;
  /** Submission with AUTH (587). */
  submission: number;
  /** IMAP (143). */
  imap: number;
  /** Submission over implicit TLS (465). */
  submissions: number;
  /** IMAP over implicit TLS (993). */
  imaps: number;
  /** The HTTP interface: JSON API and webmail (80). */
  http: number;
}

/** One domain of the lab, as validated. */
export interface DomainConfig {
  /** The mail domain, such as `crepes.fr`. */
  name: string;
  /** Its ports; 0 picks a free one. */
  ports: DomainPorts;
  /** Users and their passwords. */
  users: Record<string, string>;
  /** Logins (SMTP AUTH, IMAP LOGIN) only inside TLS. */
  requireTls: boolean;
  /** Which senders a logged-in user may use on submission: `own`, `domain` or `any`. */
  senderPolicy: "own" | "domain" | "any";
}

/** One domain as a JSON file writes it: the implicit-TLS ports and `requireTls` may be left out. */
export interface DomainConfigInput {
  /** The mail domain, such as `crepes.fr`. */
  name: string;
  /** Its ports; 0 picks a free one. `submissions` and `imaps` default to 0. */
  ports: Omit<DomainPorts, "submissions" | "imaps" | "http"> & Partial<DomainPorts>;
  /** Users and their passwords. */
  users: Record<string, string>;
  /** Logins (SMTP AUTH, IMAP LOGIN) only inside TLS. @default false */
  requireTls?: boolean;
  /**
   * Which senders a logged-in user may use on submission, in `MAIL FROM` and `From:`: only their
   * own address, any of the domain's, or anything. @default "own"
   */
  senderPolicy?: "own" | "domain" | "any";
}

/** What every server of the lab allows one client; times in milliseconds. */
export interface ServerLimits {
  /** Connections served at once, per port. */
  connections: number;
  /** Connections served at once from one address, per port. */
  connectionsPerAddress: number;
  /** SMTP: time without a whole command before `421 4.4.2`. */
  smtpIdleTimeout: number;
  /** SMTP: the longest session, however busy. */
  smtpSessionTime: number;
  /** IMAP: time without a whole command before `BYE` (IDLE restarts it). */
  imapIdleTimeout: number;
  /** HTTP: from a request's first byte to the end of its header before `408`. */
  httpHeaderTimeout: number;
  /** Failed logins of one address or account within `loginWindow` before a lock. */
  loginFailures: number;
  /** The window failed logins are counted in, and the lock's length. */
  loginWindow: number;
}

/** How the relay uses STARTTLS towards the next server. */
export type RelayTlsMode = "opportunistic" | "required" | "off";

/** The lab configuration after validation, durations in milliseconds. */
export interface LabConfig {
  /** The address every server listens on. */
  hostname: string;
  /** Where mailboxes and queues are kept on disk. */
  dataDir: string;
  /** `disk` keeps mail across restarts (Maildir); `memory` forgets it. */
  storage: "disk" | "memory";
  /** The domains. */
  domains: DomainConfig[];
  /** Extra routes, domain to host and port. */
  routes: Record<string, { host: string; port: number }>;
  /** Delays between attempts, the give-up and warning times (milliseconds), connections per destination. */
  queue: {
    retrySchedule: number[];
    giveUpAfter: number;
    warnAfter?: number;
    connectionsPerDestination: number;
  };
  /** What every server allows one client (milliseconds for the times). */
  limits: ServerLimits;
  /** Whether the relay may send outside loopback. */
  allowNetwork: boolean;
  /** Route other domains by DNS MX records (a classroom), asking this name server. */
  dns?: { nameServer?: { ipAddr: string; port: number }; port: number };
  /** How the relay uses STARTTLS. */
  relayTls: RelayTlsMode;
}

/**
 * The configuration as a JSON file writes it: everything but `domains` optional, durations as
 * text such as `"30m"`, routes as `"host:port"`.
 */
export interface LabConfigInput {
  /** The address every server listens on. @default "127.0.0.1" */
  hostname?: string;
  /** Where mailboxes and queues are kept on disk. @default "lab-data" */
  dataDir?: string;
  /** `disk` keeps mail across restarts (Maildir); `memory` forgets it. @default "disk" */
  storage?: "disk" | "memory";
  /** The domains, each with its ports and users. */
  domains: DomainConfigInput[];
  /** Extra routes: a domain to `"host:port"`. @default {} */
  routes?: Record<string, string>;
  /**
   * Delays between attempts (the last repeats), when to give up, when to warn the sender (unset:
   * never), and connections open at once to one destination.
   * @default { retrySchedule: ["30m"], giveUpAfter: "1d", connectionsPerDestination: 2 }
   */
  queue?: {
    retrySchedule?: string[];
    giveUpAfter?: string;
    warnAfter?: string;
    connectionsPerDestination?: number;
  };
  /**
   * What every server allows one client, for a classroom network: connections in all and per
   * address, idle and total session times (`"5m"`, `"1h"`), and failed logins per address or
   * account within the login window before a lock. @default the servers' own defaults
   */
  limits?: {
    connections?: number;
    connectionsPerAddress?: number;
    smtpIdleTimeout?: string;
    smtpSessionTime?: string;
    imapIdleTimeout?: string;
    httpHeaderTimeout?: string;
    loginFailures?: number;
    loginWindow?: string;
  };
  /** Allow the relay to send to addresses outside loopback. @default false */
  allowNetwork?: boolean;
  /**
   * Route domains missing from `routes` by DNS MX records: `true` for the system's name server,
   * or `{ "nameServer": "host:port", "port": 25 }`. Useful only with `allowNetwork`.
   * @default no DNS
   */
  dns?: boolean | { nameServer?: string; port?: number };
  /**
   * How the relay uses STARTTLS towards the next server: `opportunistic` when offered (the
   * certificate checked against the lab's CA and the result shown, the mail sent either way),
   * `required` (the certificate must check out, or the mail waits), or `off`.
   * @default "opportunistic"
   */
  relayTls?: RelayTlsMode;
}

const DomainConfigSchema = z.object({
  /** The mail domain. */
  name: DomainName,
  /** Its ports; 0 picks a free one. */
  ports: z.object({
    smtp: Port,
    submission: Port,
    imap: Port,
    submissions: Port.default(0),
    imaps: Port.default(0),
    http: Port.default(0),
  }).strict(),
  /** Users and passwords. */
  users: z.record(UserName, z.string().min(1, "Expected a password")),
  /** Logins only inside TLS. */
  requireTls: z.boolean().default(false),
  /** Which senders a logged-in user may use on submission. */
  senderPolicy: z.enum(["own", "domain", "any"]).default("own"),
}).strict();

/** The whole lab configuration, as the JSON file holds it. */
const LabConfigSchema: z.ZodType<LabConfig, LabConfigInput> = z.object({
  /** The address every server listens on. */
  hostname: z.string().default("127.0.0.1"),
  /** Where mailboxes and queues are kept on disk. */
  dataDir: z.string().default("lab-data"),
  /** `disk` keeps mail across restarts (Maildir); `memory` forgets it. */
  storage: z.enum(["disk", "memory"]).default("disk"),
  /** The domains. */
  domains: z.array(DomainConfigSchema).min(1),
  /** Extra routes: a domain to `host:port`, e.g. one at a closed port, or on another machine. */
  routes: z.record(DomainName, HostPort).default({}),
  /** The queue: delays between attempts (the last repeats) and when to give up. */
  queue: z.object({
    retrySchedule: z.array(Duration).min(1).prefault(["30m"]),
    giveUpAfter: Duration.prefault("1d"),
    warnAfter: Duration.optional(),
    connectionsPerDestination: z.number().int().min(1).max(100).default(2),
  }).strict().prefault({}),
  /** What every server allows one client. */
  limits: z.object({
    connections: z.number().int().min(1).max(100_000).default(1000),
    connectionsPerAddress: z.number().int().min(1).max(100_000).default(100),
    smtpIdleTimeout: Duration.prefault("5m"),
    smtpSessionTime: Duration.prefault("1h"),
    imapIdleTimeout: Duration.prefault("30m"),
    httpHeaderTimeout: Duration.prefault("30s"),
    loginFailures: z.number().int().min(1).max(10_000).default(10),
    loginWindow: Duration.prefault("15m"),
  }).strict().prefault({}),
  /** Allow the relay to send to addresses outside loopback (a classroom network). */
  allowNetwork: z.boolean().default(false),
  /** Route other domains by DNS MX records. */
  dns: z.union([
    z.boolean().transform((on) => on ? { port: 25 } : undefined),
    z.object({ nameServer: HostPort.optional(), port: Port.min(1).default(25) }).strict()
      .transform((d) => ({
        port: d.port,
        ...(d.nameServer
          ? { nameServer: { ipAddr: d.nameServer.host, port: d.nameServer.port } }
          : {}),
      })),
  ]).optional(),
  /** How the relay uses STARTTLS. */
  relayTls: z.enum(["opportunistic", "required", "off"]).default("opportunistic"),
}).strict().superRefine((config, ctx) => {
  const names = new Set<string>();
  const ports = new Map<number, string>();
  config.domains.forEach((domain, i) => {
    if (names.has(domain.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["domains", i, "name"],
        message: `Domain "${domain.name}" appears twice`,
      });
    }
    names.add(domain.name);
    for (const [kind, port] of Object.entries(domain.ports)) {
      if (port === 0) continue;
      const other = ports.get(port);
      if (other) {
        ctx.addIssue({
          code: "custom",
          path: ["domains", i, "ports", kind],
          message: `Port ${port} is used twice (${other})`,
        });
      }
      ports.set(port, `${domain.name} ${kind}`);
    }
  });
  for (const domain of Object.keys(config.routes)) {
    if (names.has(domain)) {
      ctx.addIssue({
        code: "custom",
        path: ["routes", domain],
        message: `"${domain}" is a lab domain; its route is its own SMTP port`,
      });
    }
  }
});

/** The lab's built-in configuration: the course's two domains and users. */
export const DEFAULT_CONFIG: LabConfigInput = {
  domains: [
    {
      name: "crepes.fr",
      ports: {
        smtp: 10025,
        submission: 10587,
        imap: 10143,
        submissions: 10465,
        imaps: 10993,
        http: 10080,
      },
      users: { alice: "ketchup" },
    },
    {
      name: "hamburger.edu",
      ports: {
        smtp: 20025,
        submission: 20587,
        imap: 20143,
        submissions: 20465,
        imaps: 20993,
        http: 20080,
      },
      users: { bob: "pickles" },
    },
  ],
};

/** A configuration that does not validate. The message lists every problem with its field. */
export class ConfigError extends Error {
  /**
   * Creates the error.
   *
   * @param message Every problem, one per line.
   */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Validates a configuration object (a parsed JSON file, or the default).
 *
 * @param input The raw configuration.
 * @param source Where it came from, for the error message.
 * @returns The validated configuration.
 * @throws {ConfigError} Naming each bad field.
 *
 * @example A bad port names its field
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG, parseLabConfig } from "./config.ts";
 *
 * assert.equal(parseLabConfig(DEFAULT_CONFIG).queue.retrySchedule[0], 30 * 60_000);
 * assert.throws(
 *   () => parseLabConfig({ domains: [{ name: "crepes.fr", ports: { smtp: 99999, submission: 0, imap: 0 }, users: {} }] }),
 *   /domains\.0\.ports\.smtp/,
 * );
 * ```
 */
export function parseLabConfig(input: unknown, source = "configuration"): LabConfig {
  const result = LabConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    return `  ${path}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid ${source}:\n${lines.join("\n")}`);
}
