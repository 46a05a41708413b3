/**
 * `deno task classroom`: a class across machines. `make` turns a roster into one lab
 * configuration per student (or group), each on its own machine, with the accounts' passwords
 * and a shared route table; `directory` shows every domain and whether its server answers.
 *
 * ```
 * deno task classroom make roster.csv [--per group] [--hosts hosts.csv] [--out class]
 * deno task classroom directory [--class class] [--port 8025] [--once]
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseDuration } from "./config.ts";
import {
  checkClass,
  directoryHandler,
  directoryText,
  parseClassFile,
} from "./classroom_directory.ts";
import {
  accountsCsv,
  classFile,
  type ClassPlan,
  domainConfig,
  planClass,
} from "./classroom_plan.ts";
import { makePassword } from "./classroom_names.ts";
import { csvRows, parseHosts, parseRoster, RosterError } from "./classroom_roster.ts";

const HELP = `Usage: deno task classroom make ROSTER.csv [options]
       deno task classroom directory [options]

make: one mail domain per student (or group), each run by its own machine's lab.
  ROSTER.csv          names one a line, or a header "name,group,host" (other columns ignored)
  --per WHAT          student (default) or group: one domain per group of the group column
  --suffix NAME       the domains end in NAME (default: class.test, reserved by RFC 2606)
  --hosts FILE        which machine runs which domain: lines "name,host" (name: a student's or
                      group's name, or its domain); over the roster's host column
  --out DIR           where the files go (default: class)
  --retry LIST        the queue's delays between attempts, such as 30s,1m (default: 1m)
  --give-up TIME      when the queue gives up and bounces (default: 2h)
  --force             replace the class already in DIR (to move a domain to another machine,
                      say); the accounts that stay keep their passwords
  --new-passwords     with --force: new passwords for every account
  It writes DIR/DOMAIN.json (one lab configuration per machine: deno task lab --config FILE),
  DIR/class.json (the shared route table, no passwords) and DIR/accounts.csv (the teacher's
  list of passwords, readable by you only), and prints the passwords once.

directory: every domain of the class, and whether its SMTP server answers (220).
  --class PATH        the class folder or its class.json (default: class)
  --once              print the table and exit (status 1 when a server does not answer)
  --port N            serve the page on port N (default: 8025)
  --hostname H        the page's address (default: 127.0.0.1; 0.0.0.0 shows it to the class)
  --timeout TIME      how long each check may take (default: 2s)

  --help              this text`;

class UsageError extends Error {}

function duration(text: string, option: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`${option}: "${text}" is not a duration such as 30s, 1m or 2h`);
  }
  return ms;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read the ${what} "${path}": ${(error as Error).message}`);
  }
}

async function writePrivate(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text, { mode: 0o600 });
  // The mode applies only when the file is made: a file replaced with --force is set again.
  if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
}

/** The class already in a folder: its class file, and the passwords of its accounts. */
async function classBefore(dir: string) {
  const text = await Deno.readTextFile(join(dir, "class.json")).catch(() => undefined);
  if (text === undefined) return undefined;
  let shared: { domains?: unknown } = {};
  try {
    shared = JSON.parse(text);
  } catch {
    // a damaged class file still holds the folder: only --force replaces it
  }
  const passwords = new Map<string, string>();
  const accounts = await Deno.readTextFile(join(dir, "accounts.csv")).catch(() => "");
  const [header, ...rows] = csvRows(accounts);
  const [address, password] = ["address", "password"].map((c) => header?.fields.indexOf(c) ?? -1);
  for (const { fields } of address < 0 || password < 0 ? [] : rows) {
    if (fields[address] && fields[password]) passwords.set(fields[address], fields[password]);
  }
  const domains: unknown[] = Array.isArray(shared?.domains) ? shared.domains : [];
  const names = domains.map((d) => (d as { name?: unknown })?.name)
    .filter((n): n is string => typeof n === "string" && /^[a-z0-9.-]+$/.test(n));
  return { names, passwords };
}

/** Writes the class's files, after removing the files of the class there before. */
async function writeClass(plan: ClassPlan, dir: string, before: string[]): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  for (const name of before) await Deno.remove(join(dir, `${name}.json`)).catch(() => {});
  const files: string[] = [];
  for (const domain of plan.domains) {
    const path = join(dir, `${domain.name}.json`);
    await writePrivate(path, JSON.stringify(domainConfig(plan, domain.name), null, 2) + "\n");
    files.push(path);
  }
  await writePrivate(join(dir, "accounts.csv"), accountsCsv(plan));
  await Deno.writeTextFile(
    join(dir, "class.json"),
    JSON.stringify(classFile(plan), null, 2) + "\n",
  );
  return files;
}

function accountsTable(plan: ClassPlan): string {
  const rows = [["account", "password", "machine", "config file"]];
  for (const d of plan.domains) {
    for (const a of d.accounts) rows.push([a.address, a.password, d.host, `${d.name}.json`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => "  " + r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd())
    .join("\n");
}

async function make(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      per: { type: "string", default: "student" },
      suffix: { type: "string", default: "class.test" },
      hosts: { type: "string" },
      out: { type: "string", default: "class" },
      retry: { type: "string", default: "1m" },
      "give-up": { type: "string", default: "2h" },
      force: { type: "boolean", default: false },
      "new-passwords": { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError("make needs one ROSTER.csv file");
  if (values.per !== "student" && values.per !== "group") {
    throw new UsageError(`--per: "${values.per}" is neither student nor group`);
  }
  const retrySchedule = values.retry.split(",").map((t) => t.trim());
  retrySchedule.forEach((t) => duration(t, "--retry"));
  duration(values["give-up"], "--give-up");
  const roster = parseRoster(await readText(positionals[0], "roster"));
  const hosts = values.hosts ? parseHosts(await readText(values.hosts, "hosts file")) : undefined;
  const before = await classBefore(values.out);
  if (before && !values.force) {
    throw new UsageError(
      `${values.out} already holds a class (${join(values.out, "class.json")}). Give --force ` +
        "to replace it (keeping the passwords of the accounts that stay), or --out DIR",
    );
  }
  const kept = values["new-passwords"] ? new Map<string, string>() : before?.passwords;
  const plan = planClass(roster, {
    per: values.per,
    suffix: values.suffix,
    hosts,
    retrySchedule,
    giveUpAfter: values["give-up"],
    password: (address) => kept?.get(address) ?? makePassword(),
  });
  for (const warning of plan.warnings) console.error(`Warning: ${warning}`);
  const files = await writeClass(plan, values.out, before?.names ?? []);
  const reused = plan.domains.flatMap((d) => d.accounts)
    .filter((a) => kept?.get(a.address) === a.password).length;
  const accounts = plan.domains.reduce((n, d) => n + d.accounts.length, 0);
  console.log(
    [
      `A class of ${accounts} account(s) in ${plan.domains.length} domain(s), written to ${values.out}/:`,
      "",
      accountsTable(plan),
      "",
      (reused > 0 ? `${reused} password(s) kept from the class that was there. ` : "") +
      "The passwords are shown this once; they are also in " +
      `${join(values.out, "accounts.csv")} (readable by you only).`,
      "",
      "Next:",
      `  1. Give each machine its configuration file (${files.length}, such as ${files[0]}), and ` +
      "its students their passwords.",
      "  2. On each machine: deno task lab --config DOMAIN.json",
      `  3. Here: deno task classroom directory --class ${values.out}`,
      "",
    ].join("\n"),
  );
  return 0;
}

async function directory(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      class: { type: "string", default: "class" },
      once: { type: "boolean", default: false },
      port: { type: "string", default: "8025" },
      hostname: { type: "string", default: "127.0.0.1" },
      timeout: { type: "string", default: "2s" },
    },
  });
  const timeoutMs = duration(values.timeout, "--timeout");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${values.port}" is not a port number`);
  }
  const isDir = await Deno.stat(values.class).then((s) => s.isDirectory, () => false);
  const path = isDir ? join(values.class, "class.json") : values.class;
  let json: unknown;
  try {
    json = JSON.parse(await readText(path, "class file"));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot parse ${path} as JSON: ${(error as Error).message}`);
  }
  const file = parseClassFile(json, path);
  const rows = await checkClass(file, { timeoutMs });
  console.log(directoryText(rows));
  if (values.once) return rows.every((r) => r.check.ok) ? 0 : 1;
  const stop = new AbortController();
  const server = Deno.serve({
    hostname: values.hostname,
    port,
    signal: stop.signal,
    onListen: ({ hostname, port }) =>
      console.log(`\nThe class directory: http://${hostname}:${port}/  (Ctrl-C stops it)`),
  }, directoryHandler(file, { timeoutMs }));
  const quit = () => stop.abort();
  Deno.addSignalListener("SIGINT", quit);
  await server.finished;
  Deno.removeSignalListener("SIGINT", quit);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  if (rest.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  if (command === "make") return await make(rest);
  if (command === "directory") return await directory(rest);
  throw new UsageError(`Unknown command "${command}": use make or directory (see --help)`);
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof RosterError ||
      error instanceof ConfigError ||
      error instanceof TypeError && /parseArgs|option|argument/i.test(error.message);
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(`The directory's port is taken (${error.message}): give another with --port N`);
      Deno.exit(1);
    }
    if (!usage) throw error;
    console.error((error as Error).message);
    Deno.exit(2);
  }
}
