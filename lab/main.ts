/**
 * `deno task lab`: starts the two-domain mail lab, prints where everything listens and what to
 * try, then shows every dialog live until Ctrl-C.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { describeEvent, type MailEvent } from "../server/events.ts";
import { ConfigError, DEFAULT_CONFIG, type LabConfigInput } from "./config.ts";
import { ControlServer } from "./control.ts";
import { DataFolderInUseError } from "./data_lock.ts";
import { Lab } from "./lab.ts";

const HELP = `Usage: deno task lab [--config FILE] [--memory] [--data DIR] [--quiet]

Starts crepes.fr and hamburger.edu (or the domains of FILE) on 127.0.0.1.

  --config FILE  a JSON configuration (see README: ports, domains, users, routes, queue)
  --memory       keep mail in memory only (forgotten at exit)
  --data DIR     where mailboxes and queues are kept (default: lab-data)
  --quiet        do not print the dialogs live
  --help         this text`;

/**
 * Formats the text the lab prints at start: the endpoint table, the accounts and three things
 * to try.
 *
 * @param lab A running lab.
 * @returns The text.
 */
export function banner(lab: Lab): string {
  const pad = (cells: string[], widths: number[]) =>
    cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const widthsOf = (rows: string[][]) =>
    rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const where = lab.storage === "disk"
    ? `data in ${lab.config.dataDir}/`
    : "mail kept in memory only";
  const endpointRows = [[
    "domain",
    "SMTP (course: 25)",
    "submission (587)",
    "IMAP (143)",
    "TLS: submissions (465)",
    "IMAPS (993)",
    "HTTP (80)",
  ]];
  for (const server of lab.servers) {
    const at = (port: number) => `${server.hostname}:${port}`;
    endpointRows.push([
      server.domain,
      at(server.ports.smtp),
      at(server.ports.submission),
      at(server.ports.imap),
      at(server.ports.submissions),
      at(server.ports.imaps),
      at(server.ports.http),
    ]);
  }
  const accountRows = [["account", "password", "sends through", "reads at"]];
  for (const account of lab.accounts) {
    const server = lab.server(account.domain);
    accountRows.push([
      account.address,
      account.password,
      `${server.hostname}:${server.ports.submission}`,
      `${server.hostname}:${server.ports.imap}`,
    ]);
  }
  const ew = widthsOf(endpointRows);
  const aw = widthsOf(accountRows);
  const [sender, receiver] = [lab.accounts[0], lab.accounts[lab.accounts.length - 1]];
  const from = lab.server(sender.domain);
  const to = lab.server(receiver.domain);
  const message =
    `From: ${sender.address}\\r\\nTo: ${receiver.address}\\r\\nSubject: Hello\\r\\n\\r\\nDo you like ketchup?\\r\\n`;
  const tlsNote = lab.caPath
    ? `STARTTLS is offered on every SMTP and IMAP port. Trust the lab's CA: ${lab.caPath}`
    : "STARTTLS is offered on every SMTP and IMAP port; the CA lives in memory (--memory).";
  return [
    `The mail lab is running (${where}). Ctrl-C stops it.`,
    "",
    ...endpointRows.map((r) => "  " + pad(r, ew)),
    "",
    ...accountRows.map((r) => "  " + pad(r, aw)),
    "",
    tlsNote,
    "",
    "Webmail (the user agent in a browser, over each server's HTTP interface):",
    ...lab.accounts.map((account) => {
      const server = lab.server(account.domain);
      return `  ${account.address.padEnd(aw[0])}  http://${server.hostname}:${server.ports.http}/`;
    }),
    "",
    "Try:",
    `  1. The course's dialog by hand (type HELO ${from.domain}, MAIL FROM: <${sender.address}>, ...):`,
    `       telnet ${to.hostname} ${to.ports.smtp}        (or: nc ${to.hostname} ${to.ports.smtp})`,
    `  2. Send as ${sender.user} through ${from.domain}, which relays to ${to.domain}:`,
    `       printf '${message}' | curl -sS smtp://${from.hostname}:${from.ports.submission} --user ${sender.user}:${sender.password} --mail-from ${sender.address} --mail-rcpt ${receiver.address} -T -`,
    `  3. Read ${receiver.user}'s first message over IMAP:`,
    `       curl -sS 'imap://${to.hostname}:${to.ports.imap}/INBOX;UID=1' --user ${receiver.user}:${receiver.password}`,
    ...(lab.caPath
      ? [
        "  4. The same inside TLS (STARTTLS), checked against the lab's CA:",
        `       curl -sS --ssl-reqd --cacert ${lab.caPath} 'imap://${to.hostname}:${to.ports.imap}/INBOX;UID=1' --user ${receiver.user}:${receiver.password}`,
      ]
      : []),
    "",
  ].join("\n");
}

/**
 * How this user runs a task: `deno task` when a `deno` is on the PATH, else the way they started
 * the lab without one (`npx -y deno@VERSION task`).
 */
function taskCommand(): string {
  const separator = Deno.build.os === "windows" ? ";" : ":";
  const names = Deno.build.os === "windows" ? ["deno.exe", "deno.cmd"] : ["deno"];
  for (const dir of (Deno.env.get("PATH") ?? "").split(separator)) {
    for (const name of names) {
      try {
        if (dir && Deno.statSync(`${dir}/${name}`).isFile) return "deno task";
      } catch {
        // not in this folder
      }
    }
  }
  return `npx -y deno@${Deno.version.deno} task`;
}

/** A path as one shell word. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

async function readConfig(path: string): Promise<LabConfigInput> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Cannot parse ${path} as JSON: ${(error as Error).message}`);
  }
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      memory: { type: "boolean", default: false },
      data: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const config: LabConfigInput = values.config
    ? await readConfig(values.config)
    : { ...DEFAULT_CONFIG };
  if (values.data) config.dataDir = values.data;
  const print = values.quiet ? undefined : (event: MailEvent) => console.log(describeEvent(event));
  const lab = await Lab.start({
    config,
    storage: values.memory ? "memory" : undefined,
    onEvent: print,
  });
  // The operator's CLIs (deno task queue, deno task fault) reach the lab through this endpoint.
  const control = await ControlServer.start(lab).catch(async (error) => {
    await lab.close();
    throw error;
  });
  console.log(banner(lab));
  console.log(
    `Lab page (servers, queues, faults, every dialog live): ${control.info.url}/?token=${control.info.token}\n`,
  );
  const task = taskCommand();
  const data = lab.config.dataDir === "lab-data" ? "" : ` --data ${shellWord(lab.config.dataDir)}`;
  console.log(
    `Operator: ${task} queue${data} list | show ID | flush | delete ID;  ` +
      `${task} fault${data} ${
        lab.servers.at(-1)?.domain
      } stop | start | 421 | 451 | 550 [--for 10m] | slow 5s | clear\n`,
  );
  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await stopped.promise;
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  console.log("\nStopping the lab...");
  await control.close();
  await lab.close();
  console.log("Stopped.");
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof TypeError && /parseArgs|option/i.test(error.message)
    ) {
      console.error(error.message);
      Deno.exit(2);
    }
    if (error instanceof DataFolderInUseError) {
      console.error(error.message);
      Deno.exit(1);
    }
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(
        `${error.message}. Is another lab running? Set other ports with --config.`,
      );
      Deno.exit(1);
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      console.error(
        `${error.message}. Give the hostname of one of this machine's addresses in --config.`,
      );
      Deno.exit(1);
    }
    throw error;
  }
}
