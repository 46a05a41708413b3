/**
 * `deno task ua`: the user agent on the command line, pointed at the lab by default. Each
 * command has its help (`deno task ua help reply`, or `deno task ua reply --help`); every
 * mistake and every failure is one sentence that names the option, the file or the server
 * (host and port) concerned. Exit codes: 0 done, 1 failed, 2 mistyped.
 *
 * ```
 * deno task ua send --from alice@crepes.fr --to bob@hamburger.edu --subject Hi --text "Do you like ketchup?"
 * deno task ua inbox --user bob@hamburger.edu
 * deno task ua read 1 --user bob@hamburger.edu
 * deno task ua reply 1 --user bob@hamburger.edu --text "Yes, with pickles"
 * deno task ua save 1 --user bob@hamburger.edu --mbox saved.mbox
 * deno task ua inbox --user bob@hamburger.edu --via http     # the server's HTTP interface
 * ```
 *
 * @module
 */
import { ImapResponseError } from "../protocol/imap/error.ts";
import { domainOf } from "../protocol/smtp/command.ts";
import { SmtpReplyError } from "../protocol/smtp/reply.ts";
import { Transcript } from "../protocol/transcript.ts";
import { ConfigError, DEFAULT_CONFIG, type LabConfig, parseLabConfig } from "../lab/config.ts";
import { UserAgent } from "./agent.ts";
import { ALIASES, COMMANDS } from "./cli_commands.ts";
import {
  CliError,
  type CliIo,
  type Command,
  COMMON_OPTIONS,
  optionLines,
  type OptionName,
  type OptionValues,
  readCommandLine,
  readFileFor,
  stringOf,
  UsageError,
} from "./cli_options.ts";
import { isEmailAddress } from "./compose.ts";
import {
  AddressError,
  type Endpoint,
  formatEndpoint,
  HttpResponseError,
  LoginRefusedError,
  NoReplyAddressError,
  NoSuchMailboxError,
  NoSuchMessageError,
  ServerConnectionError,
} from "./errors.ts";

export type { CliIo } from "./cli_options.ts";

const commandOf = (name: string): Command | undefined =>
  Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : COMMANDS[ALIASES[name]];

function commandList(): string[] {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${"help".padEnd(width)}  show the help of a command, such as: deno task ua help reply`,
  ];
}

const OVERVIEW = () =>
  [
    "Usage: deno task ua COMMAND [options]",
    "",
    "The lab's user agent: it sends through your own server (SMTP submission, with AUTH) and",
    "reads your mailboxes there (IMAP), or does both over the server's HTTP interface with",
    "--via http. It uses the lab's accounts and ports unless told otherwise.",
    "",
    "Commands:",
    ...commandList(),
    "",
    "Options of every command:",
    ...optionLines(COMMON_OPTIONS),
    "",
    "Examples:",
    '  deno task ua send --from alice@crepes.fr --to bob@hamburger.edu --subject Hi --text "Hello"',
    "  deno task ua inbox --user bob@hamburger.edu",
    "  deno task ua read 1 --user bob@hamburger.edu",
    "  deno task ua inbox --user bob@hamburger.edu --via http",
  ].join("\n");

function commandHelp(command: Command): string {
  const summary = command.summary[0].toUpperCase() + command.summary.slice(1);
  // --user and --from name the account alike; the help shows the one the command lists first.
  const account = command.options.find((o) => o === "user" || o === "from");
  const shown = command.options.filter((o) => o === account || (o !== "user" && o !== "from"));
  return [
    `Usage: deno task ua ${command.usage}`,
    "",
    `${summary}.`,
    "",
    "Options:",
    ...optionLines(shown, command.overrides),
    "",
    `Options of every command: ${COMMON_OPTIONS.map((o) => `--${o}`).join(", ")}`,
    "(see: deno task ua help)",
    "",
    "Examples:",
    ...command.examples.map((example) => `  deno task ua ${example}`),
  ].join("\n");
}

/** What a run has learnt, for its errors and its transcripts. */
interface RunState {
  /** The servers of the agent, once made. */
  servers?: { submission: Endpoint; imap: Endpoint; http?: Endpoint; account: string };
  /** The dialogs, with `--transcript`. */
  transcripts: [string, Transcript][];
}

async function labConfig(values: OptionValues): Promise<LabConfig> {
  const path = stringOf(values, "config");
  if (path === undefined) return parseLabConfig(DEFAULT_CONFIG);
  const text = new TextDecoder().decode(await readFileFor("--config", path));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--config: "${path}" is not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseLabConfig(json, `configuration "${path}"`);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`--config: ${error.message}`);
    throw error;
  }
}

function numberOf(values: OptionValues, name: OptionName, range: [number, number]) {
  const text = stringOf(values, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < range[0] || n > range[1]) {
    const what = name === "timeout" ? "a number of seconds" : "a port number";
    throw new UsageError(`--${name}: "${text}" is not ${what} (${range[0]} to ${range[1]})`);
  }
  return n;
}

/** The user agent of the account a command line names, with the lab's password and ports. */
async function agentFor(name: string, values: OptionValues, state: RunState): Promise<UserAgent> {
  const option = values.from !== undefined ? "--from" : "--user";
  const given = stringOf(values, "from") ?? stringOf(values, "user");
  if (given === undefined) {
    throw new UsageError(
      name === "send"
        ? "send needs --from ADDRESS: the account that sends, such as alice@crepes.fr"
        : `${name} needs --user ADDRESS: the account, such as bob@hamburger.edu`,
    );
  }
  const config = await labConfig(values);
  // "--user bob" is enough when the lab has one bob.
  const owners = config.domains.filter((d) => Object.hasOwn(d.users, given));
  const address = !given.includes("@") && owners.length === 1
    ? `${given}@${owners[0].name}`
    : given;
  if (!isEmailAddress(address)) {
    throw new UsageError(
      `${option}: "${given}" is not an email address (such as bob@hamburger.edu)`,
    );
  }
  const user = address.slice(0, address.lastIndexOf("@"));
  const domain = config.domains.find((d) => d.name === domainOf(address).toLowerCase());
  const password = stringOf(values, "password") ?? domain?.users[user];
  if (password === undefined) {
    throw new UsageError(`No password for "${address}": it is not a lab account; give --password`);
  }
  const hostname = stringOf(values, "host") ?? config.hostname;
  const via = stringOf(values, "via") ?? "smtp";
  if (!["smtp", "imap", "http"].includes(via)) {
    throw new UsageError(
      `--via: "${via}" is not a way to the server; use smtp or imap (the default) or http`,
    );
  }
  const overHttp = via === "http";
  const submission = numberOf(values, "submission-port", [1, 65535]) ?? domain?.ports.submission;
  const imap = numberOf(values, "imap-port", [1, 65535]) ?? domain?.ports.imap;
  const http = numberOf(values, "http-port", [1, 65535]) ?? domain?.ports.http;
  if (overHttp ? !http : !submission || !imap) {
    throw new UsageError(
      `${domainOf(address)} is not a lab domain: give ` +
        (overHttp ? "--http-port N" : "--submission-port N and --imap-port N"),
    );
  }
  const timeout = numberOf(values, "timeout", [0.001, 3600]);
  state.servers = {
    // Over HTTP, SMTP and IMAP are not used: a domain outside the lab may leave them out.
    submission: { hostname, port: submission ?? 0 },
    imap: { hostname, port: imap ?? 0 },
    ...(http ? { http: { hostname, port: http } } : {}),
    account: address,
  };
  const record = values.transcript
    ? (protocol: "SMTP" | "IMAP" | "HTTP") => {
      const transcript = new Transcript({ client: user, server: domainOf(address) });
      state.transcripts.push([protocol, transcript]);
      return transcript;
    }
    : undefined;
  return new UserAgent({
    address,
    password,
    submission: state.servers.submission,
    imap: state.servers.imap,
    ...(state.servers.http ? { http: state.servers.http } : {}),
    ...(overHttp ? { via: { send: "http", read: "http" } as const } : {}),
    record,
    saveSent: values["save-sent"] === true,
    ...(timeout === undefined ? {} : { timeoutMs: Math.round(timeout * 1000) }),
  });
}

/** The sentence for an error, and the exit code. */
function explain(
  error: unknown,
  line: { name?: string; values: OptionValues },
  state: RunState,
): [string, number] {
  const { values } = line;
  if (error instanceof UsageError) return [error.message, 2];
  if (error instanceof AddressError) {
    const option = error.field === "from"
      ? (values.from ? "--from" : "--user")
      : `--${error.field}`;
    return [`${option}: "${error.address}" is not an email address (such as bob@hamburger.edu)`, 2];
  }
  if (error instanceof ServerConnectionError) {
    const hint = error.connected ? "" : ". Is the lab running? Start it with: deno task lab";
    return [error.message + hint, 1];
  }
  if (error instanceof LoginRefusedError) {
    return [`${error.message}. Check the address and the password (--password)`, 1];
  }
  const user = state.servers?.account ?? stringOf(values, "user") ?? "ADDRESS";
  if (error instanceof NoSuchMessageError) {
    const mailbox = error.mailbox === "INBOX" ? "" : ` --mailbox ${error.mailbox}`;
    return [
      `${error.message}; the UIDs are the first column of: deno task ua inbox --user ${user}${mailbox}`,
      1,
    ];
  }
  const noMailbox = (name: string | undefined) =>
    `There is no mailbox "${name}"; the mailboxes are listed by: deno task ua folders --user ${user}`;
  if (error instanceof NoSuchMailboxError) return [noMailbox(error.mailbox), 1];
  if (error instanceof HttpResponseError) return [error.message, 1];
  if (error instanceof ImapResponseError) {
    if (error.code === "TRYCREATE" || error.code === "NONEXISTENT") {
      const name = error.code === "TRYCREATE" && line.name === "move"
        ? stringOf(values, "to")
        : stringOf(values, "mailbox") ?? "INBOX";
      return [noMailbox(name), 1];
    }
    const where = state.servers ? ` at ${formatEndpoint(state.servers.imap)}` : "";
    return [`The IMAP server${where} said: ${error.message}`, 1];
  }
  if (error instanceof SmtpReplyError) {
    const where = state.servers ? ` at ${formatEndpoint(state.servers.submission)}` : "";
    return [`The SMTP submission server${where} said: ${error.message}`, 1];
  }
  if (error instanceof CliError || error instanceof NoReplyAddressError) return [error.message, 1];
  const message = error instanceof Error ? error.message : String(error);
  return [`Something went wrong: ${message.replace(/ \(os error \d+\)/g, "")}`, 1];
}

/** Standard output and error of the terminal. */
const TERMINAL: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  write: async (bytes) => {
    let written = 0;
    while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
  },
};

/**
 * Runs one command line of `deno task ua`.
 *
 * @param args The arguments, such as `["inbox", "--user", "bob@hamburger.edu"]`.
 * @param io Where to print. @default the terminal
 * @returns The exit code: 0 done, 1 failed, 2 mistyped.
 *
 * @example A mistyped command is named, and the commands are listed
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 *
 * const printed: string[] = [];
 * const io = { out: (t: string) => printed.push(t), err: (t: string) => printed.push(t), write: async () => {} };
 * assert.equal(await main(["frobnicate"], io), 2);
 * assert.match(printed.join("\n"), /^Unknown command "frobnicate"\. The commands are:\n  send /);
 * ```
 */
export async function main(args: string[], io: CliIo = TERMINAL): Promise<number> {
  const state: RunState = { transcripts: [] };
  let line: { name?: string; values: OptionValues } = { values: {} };
  try {
    const read = readCommandLine(args, (name) => {
      if (name === "help") return ["help"];
      const command = commandOf(name);
      return command && [...command.options, ...COMMON_OPTIONS];
    });
    line = { name: read.command, values: read.values };
    const { command: name, operands, values } = read;
    if (name === undefined) {
      io.out(OVERVIEW());
      return values.help ? 0 : 2;
    }
    if (name === "help") {
      const [topic] = operands;
      if (topic === undefined) io.out(OVERVIEW());
      else if (commandOf(topic)) io.out(commandHelp(commandOf(topic)!));
      else {throw new UsageError(
          `Unknown command "${topic}". The commands are:\n${commandList().join("\n")}`,
        );}
      return 0;
    }
    const command = commandOf(name);
    if (!command) {
      throw new UsageError(
        `Unknown command "${name}". The commands are:\n${commandList().join("\n")}`,
      );
    }
    if (values.help) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run({
      name,
      operands,
      values,
      io,
      agent: () => agentFor(name, values, state),
    });
  } catch (error) {
    const [message, code] = explain(error, line, state);
    io.err(message);
    return code;
  } finally {
    for (const [protocol, transcript] of state.transcripts) {
      io.err(`\n-- ${protocol}\n${transcript}`);
    }
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
