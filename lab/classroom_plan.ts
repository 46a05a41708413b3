/**
 * A classroom's plan: from a roster, one domain per student (or per group) under a reserved
 * suffix such as `class.test` (RFC 2606), the machine that runs it, its ports, its accounts with
 * their passwords; and from the plan, each machine's lab configuration (the `--config` JSON of
 * `deno task lab`) and the class file every machine shares (the route table, no passwords).
 *
 * @module
 */
import { DEFAULT_CONFIG, type DomainPorts, type LabConfigInput } from "./config.ts";
import { makePassword, Slugs } from "./classroom_names.ts";
import { type RosterEntry, RosterError } from "./classroom_roster.ts";

/** One account of the class. */
export interface ClassAccount {
  /** The student's name as the roster writes it. */
  name: string;
  /** The student's group, when the roster has one. */
  group?: string;
  /** The user name, such as `kim-minji`. */
  user: string;
  /** The address, such as `kim-minji@kim-minji.class.test`. */
  address: string;
  /** The password, generated. */
  password: string;
}

/** One domain of the class: one machine's lab. */
export interface ClassDomain {
  /** The domain, such as `kim-minji.class.test`. */
  name: string;
  /** The machine's address; `127.0.0.1` when the roster gave none. */
  host: string;
  /** Its ports (the lab's usual ones, moved up by 100 for each other domain on that machine). */
  ports: DomainPorts;
  /** Where its mail is kept, when another domain shares the machine. @default "lab-data" */
  dataDir?: string;
  /** Its accounts: one student, or a group's members. */
  accounts: ClassAccount[];
}

/** A whole class. */
export interface ClassPlan {
  /** The suffix of every domain, such as `class.test`. */
  suffix: string;
  /** One domain per student or per group. */
  per: "student" | "group";
  /** The domains, in the roster's order. */
  domains: ClassDomain[];
  /** The queue's retries, as the lab's configuration writes them. */
  queue: { retrySchedule: string[]; giveUpAfter: string };
  /** What the teacher should know (no host given, a suffix that is not reserved). */
  warnings: string[];
}

/** Options of {@linkcode planClass}. */
export interface ClassOptions {
  /** One domain per student, or per group (the roster's `group` column). @default "student" */
  per?: "student" | "group";
  /** The suffix of every domain. @default "class.test" */
  suffix?: string;
  /** Machines by a student's or group's name, label or domain (lower case), over the roster's `host` column. @default none */
  hosts?: Map<string, string>;
  /** Delays between the queue's attempts (the last repeats). @default ["1m"] */
  retrySchedule?: string[];
  /** When the queue gives up and bounces. @default "2h" */
  giveUpAfter?: string;
  /** Makes each account's password, given its address (one kept from before, or a new one). @default makePassword */
  password?: (address: string) => string;
}

/** The lab's usual ports (crepes.fr's): each is unique modulo 100, so steps of 100 never meet. */
export const CLASS_PORTS: DomainPorts = DEFAULT_CONFIG.domains[0].ports as DomainPorts;

const RESERVED_TLDS = ["test", "example", "invalid", "localhost"];
const RESERVED_USERS = ["postmaster", "mailer-daemon", "abuse", "root"];
const SUFFIX = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * Makes a class from its roster: domains, machines, ports and accounts.
 *
 * @param entries The roster's students.
 * @param options One domain per student or group, the suffix, the machines, the queue.
 * @returns The plan.
 * @throws {RosterError} For a student without a group (`per: "group"`), a group whose members
 *   name different machines, a bad suffix, or too many domains on one machine.
 *
 * @example Two students, two machines
 * ```ts
 * import assert from "node:assert/strict";
 * import { planClass } from "./classroom_plan.ts";
 *
 * const plan = planClass(
 *   [{ name: "Kim Minji", host: "10.0.0.11", line: 1 }, { name: "김민지", line: 2 }],
 *   { hosts: new Map([["kim-minji-2", "10.0.0.12"]]), password: () => "pw" },
 * );
 * assert.deepEqual(plan.domains.map((d) => [d.name, d.host]), [
 *   ["kim-minji.class.test", "10.0.0.11"],
 *   ["kim-minji-2.class.test", "10.0.0.12"],
 * ]);
 * assert.equal(plan.domains[1].accounts[0].address, "kim-minji-2@kim-minji-2.class.test");
 * assert.deepEqual(plan.warnings, []);
 * ```
 */
export function planClass(entries: readonly RosterEntry[], options: ClassOptions = {}): ClassPlan {
  const per = options.per ?? "student";
  const suffix = (options.suffix ?? "class.test").toLowerCase().replace(/^\.+|\.+$/g, "");
  const hosts = options.hosts ?? new Map<string, string>();
  const password = options.password ?? (() => makePassword());
  const warnings: string[] = [];
  if (!SUFFIX.test(suffix) || suffix.length > 200) {
    throw new RosterError(`The suffix "${suffix}" is not a domain name such as class.test`);
  }
  if (!RESERVED_TLDS.includes(suffix.split(".").at(-1)!)) {
    warnings.push(
      `The suffix "${suffix}" does not end in a reserved name (.test, .example, .invalid): ` +
        "it may be a real domain on the Internet",
    );
  }
  const units = per === "group" ? groupsOf(entries) : entries.map((e) => ({
    name: e.name,
    host: e.host,
    members: [e],
  }));
  const labels = new Slugs({ fallback: per === "group" ? "group" : "student" });
  const perHost = new Map<string, number>();
  const unplaced: string[] = [];
  const domains = units.map((unit): ClassDomain => {
    const label = labels.take(unit.name);
    const name = `${label}.${suffix}`;
    const host = unit.host ?? hosts.get(unit.name.toLowerCase()) ?? hosts.get(label) ??
      hosts.get(name);
    if (host === undefined) unplaced.push(name);
    const machine = host ?? "127.0.0.1";
    const k = perHost.get(machine) ?? 0;
    perHost.set(machine, k + 1);
    if (CLASS_PORTS.imaps + 100 * k > 65535) {
      throw new RosterError(`Too many domains on ${machine}: the ports run out after ${k}`);
    }
    const ports = Object.fromEntries(
      Object.entries(CLASS_PORTS).map(([kind, port]) => [kind, port + 100 * k]),
    ) as unknown as DomainPorts;
    const users = new Slugs({ reserved: RESERVED_USERS });
    const accounts = unit.members.map((member): ClassAccount => {
      const user = per === "student" ? label : users.take(member.name);
      const address = `${user}@${name}`;
      return {
        name: member.name,
        ...(member.group ? { group: member.group } : {}),
        user,
        address,
        password: password(address),
      };
    });
    return {
      name,
      host: machine,
      ports,
      ...(k > 0 ? { dataDir: `lab-data-${label}` } : {}),
      accounts,
    };
  });
  if (unplaced.length > 0) {
    const some = unplaced.slice(0, 3).join(", ") + (unplaced.length > 3 ? ", ..." : "");
    warnings.push(
      `No machine given for ${unplaced.length} domain(s) (${some}): they listen on 127.0.0.1, ` +
        "a rehearsal on one machine. Give a host column or --hosts FILE for a class.",
    );
  }
  return {
    suffix,
    per,
    domains,
    queue: {
      retrySchedule: options.retrySchedule ?? ["1m"],
      giveUpAfter: options.giveUpAfter ?? "2h",
    },
    warnings,
  };
}

function groupsOf(entries: readonly RosterEntry[]) {
  const groups = new Map<string, { name: string; host?: string; members: RosterEntry[] }>();
  for (const entry of entries) {
    if (!entry.group) {
      throw new RosterError(
        `Line ${entry.line}: "${entry.name}" has no group (one domain per group needs a group column)`,
      );
    }
    const key = entry.group.toLowerCase();
    const group = groups.get(key) ?? { name: entry.group, members: [] };
    if (entry.host && group.host && entry.host !== group.host) {
      throw new RosterError(
        `Line ${entry.line}: group "${entry.group}" is on ${group.host}, not ${entry.host}: ` +
          "a group runs one domain on one machine",
      );
    }
    group.host ??= entry.host;
    group.members.push(entry);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const hostPort = (host: string, port: number) =>
  `${host.includes(":") ? `[${host}]` : host}:${port}`;

/**
 * The route table every machine shares: each domain to its machine's SMTP port.
 *
 * @param plan The class.
 * @returns Domain to `"host:port"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classRoutes, planClass } from "./classroom_plan.ts";
 *
 * const plan = planClass([{ name: "Minji", host: "fd00::11", line: 1 }]);
 * assert.deepEqual(classRoutes(plan), { "minji.class.test": "[fd00::11]:10025" });
 * ```
 */
export function classRoutes(plan: ClassPlan): Record<string, string> {
  return Object.fromEntries(plan.domains.map((d) => [d.name, hostPort(d.host, d.ports.smtp)]));
}

/**
 * One machine's lab configuration, for `deno task lab --config FILE`: its domain with its
 * accounts, listening on its machine's address, routes to every other domain, the network
 * allowed (the relay refuses any address outside loopback otherwise).
 *
 * @param plan The class.
 * @param domain The domain's name.
 * @returns The configuration, as the JSON file holds it.
 * @throws {RangeError} When the class has no such domain.
 *
 * @example It validates as a lab configuration
 * ```ts
 * import assert from "node:assert/strict";
 * import { domainConfig, planClass } from "./classroom_plan.ts";
 * import { parseLabConfig } from "./config.ts";
 *
 * const plan = planClass([
 *   { name: "Minji", host: "10.0.0.11", line: 1 },
 *   { name: "Jisoo", host: "10.0.0.12", line: 2 },
 * ], { password: () => "pw" });
 * const config = parseLabConfig(domainConfig(plan, "minji.class.test"));
 * assert.equal(config.hostname, "10.0.0.11");
 * assert.deepEqual(config.domains[0].users, { minji: "pw" });
 * assert.deepEqual(config.routes, { "jisoo.class.test": { host: "10.0.0.12", port: 10025 } });
 * assert.equal(config.allowNetwork, true);
 * ```
 */
export function domainConfig(plan: ClassPlan, domain: string): LabConfigInput {
  const own = plan.domains.find((d) => d.name === domain);
  if (!own) throw new RangeError(`The class has no domain "${domain}"`);
  const routes = classRoutes(plan);
  delete routes[own.name];
  return {
    hostname: own.host,
    ...(own.dataDir ? { dataDir: own.dataDir } : {}),
    domains: [{
      name: own.name,
      ports: { ...own.ports },
      users: Object.fromEntries(own.accounts.map((a) => [a.user, a.password])),
    }],
    routes,
    queue: { retrySchedule: [...plan.queue.retrySchedule], giveUpAfter: plan.queue.giveUpAfter },
    allowNetwork: true,
  };
}

/** One domain as the class file lists it. */
export interface ClassFileDomain {
  /** The domain. */
  name: string;
  /** Its machine. */
  host: string;
  /** Its ports. */
  ports: DomainPorts;
  /** Who runs it (names as in the roster). */
  members: string[];
}

/** The class file (`class.json`): what every machine may know, without a password. */
export interface ClassFile {
  /** The suffix of every domain. */
  suffix: string;
  /** The domains. */
  domains: ClassFileDomain[];
  /** The shared route table: domain to `"host:port"`. */
  routes: Record<string, string>;
}

/**
 * The class file: the domains, their machines and ports, and the shared route table. It holds no
 * password, so it can go to every machine; the directory page reads it.
 *
 * @param plan The class.
 * @returns The file's content.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classFile, planClass } from "./classroom_plan.ts";
 *
 * const file = classFile(planClass([{ name: "Minji", group: "A", line: 1 }], { per: "group" }));
 * assert.deepEqual(file.domains.map((d) => [d.name, d.members]), [["a.class.test", ["Minji"]]]);
 * assert.doesNotMatch(JSON.stringify(file), /password/);
 * ```
 */
export function classFile(plan: ClassPlan): ClassFile {
  return {
    suffix: plan.suffix,
    domains: plan.domains.map((d) => ({
      name: d.name,
      host: d.host,
      ports: { ...d.ports },
      members: d.accounts.map((a) => a.name),
    })),
    routes: classRoutes(plan),
  };
}

const csvField = (text: string) => /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

/**
 * The teacher's list of accounts, as CSV: who, which address, which password, which machine.
 *
 * @param plan The class.
 * @returns The CSV text, with a header line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accountsCsv, planClass } from "./classroom_plan.ts";
 *
 * const plan = planClass([{ name: "Lee, Jisoo", host: "10.0.0.12", line: 1 }], { password: () => "pw" });
 * assert.equal(
 *   accountsCsv(plan),
 *   'name,group,address,password,domain,host,submission,imap,http\n' +
 *     '"Lee, Jisoo",,lee-jisoo@lee-jisoo.class.test,pw,lee-jisoo.class.test,10.0.0.12,10587,10143,10080\n',
 * );
 * ```
 */
export function accountsCsv(plan: ClassPlan): string {
  const rows = [[
    "name",
    "group",
    "address",
    "password",
    "domain",
    "host",
    "submission",
    "imap",
    "http",
  ]];
  for (const d of plan.domains) {
    for (const a of d.accounts) {
      rows.push([
        a.name,
        a.group ?? "",
        a.address,
        a.password,
        d.name,
        d.host,
        String(d.ports.submission),
        String(d.ports.imap),
        String(d.ports.http),
      ]);
    }
  }
  return rows.map((row) => row.map(csvField).join(",")).join("\n") + "\n";
}
