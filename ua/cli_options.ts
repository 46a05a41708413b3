/**
 * The options of `deno task ua`, and reading a command line against them: every option a command
 * takes is checked (an unknown one, one without its value, a switch given a value), and a
 * mistake becomes a {@linkcode UsageError} that says what to type instead, never the parser's
 * own wording.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { UserAgent } from "./agent.ts";

/** One option: its kind, its value's name in the help, and what it does. */
interface OptionSpec {
  /** A `string` takes a value; a `boolean` is a switch. */
  type: "string" | "boolean";
  /** It may be given more than once. */
  multiple?: boolean;
  /** The value's name in the help, such as `ADDRESS`. */
  value?: string;
  /** What it does, for the help. */
  help: string;
}

/** Every option of the CLI; each command says which of them it takes. */
export const OPTIONS = {
  user: { type: "string", value: "ADDRESS", help: "the account, such as bob@hamburger.edu" },
  from: { type: "string", value: "ADDRESS", help: "the account that sends (same as --user)" },
  to: {
    type: "string",
    multiple: true,
    value: "ADDRESS",
    help: "a recipient; repeat it, or separate addresses with commas",
  },
  cc: { type: "string", multiple: true, value: "ADDRESS", help: "a copy, as --to" },
  bcc: { type: "string", multiple: true, value: "ADDRESS", help: "a blind copy, never shown" },
  subject: { type: "string", value: "TEXT", help: "the subject, in any language" },
  text: { type: "string", value: "TEXT", help: 'the text; "\\n" starts a new line' },
  "text-file": { type: "string", value: "FILE", help: "the text, read from a UTF-8 file" },
  html: { type: "string", value: "HTML", help: "an HTML version as well (multipart/alternative)" },
  "html-file": { type: "string", value: "FILE", help: "the HTML version, read from a file" },
  attach: { type: "string", multiple: true, value: "FILE", help: "attach a file; repeat it" },
  "save-sent": { type: "boolean", help: "keep a copy in the Sent mailbox" },
  all: { type: "boolean", help: "answer everyone in To and Cc as well (reply all)" },
  "as-attachment": {
    type: "boolean",
    help: "attach the message whole (message/rfc822) instead of quoting it",
  },
  mailbox: { type: "string", value: "NAME", help: "the mailbox (default: INBOX)" },
  raw: { type: "boolean", help: "print the message's exact bytes instead" },
  out: { type: "string", value: "FILE", help: "write the message's exact bytes to FILE (.eml)" },
  mbox: { type: "string", value: "FILE", help: "append the message to the mbox file FILE" },
  in: {
    type: "string",
    value: "PLACE",
    help: "where to look: text (default: header and body), body, subject, from or to",
  },
  flag: {
    type: "string",
    multiple: true,
    value: "FLAG",
    help: "a flag such as \\Flagged or \\Seen, or a keyword such as $Todo",
  },
  off: { type: "boolean", help: "clear the flags instead of setting them" },
  password: {
    type: "string",
    value: "TEXT",
    help: "the account's password (default: the lab's, from the configuration)",
  },
  config: {
    type: "string",
    value: "FILE",
    help: "a lab configuration (default: the built-in lab)",
  },
  host: { type: "string", value: "HOST", help: "the server's address (default: the lab's)" },
  "submission-port": { type: "string", value: "N", help: "the SMTP submission port" },
  "imap-port": { type: "string", value: "N", help: "the IMAP port" },
  "http-port": {
    type: "string",
    value: "N",
    help: "the HTTP interface's port, for --via http (default: the lab's)",
  },
  via: {
    type: "string",
    value: "WAY",
    help: "smtp or imap (default: SMTP submission to send, IMAP to read), or http: the " +
      "server's HTTP interface for both",
  },
  timeout: {
    type: "string",
    value: "SECONDS",
    help: "how long to wait for a server's answer (default: 30)",
  },
  transcript: { type: "boolean", help: "print the SMTP, IMAP or HTTP dialogs as well" },
  help: { type: "boolean", help: "show the help of the command" },
} as const satisfies Record<string, OptionSpec>;

/** The name of an option, without its dashes. */
export type OptionName = keyof typeof OPTIONS;

/** The options every command takes: where the server is, and how to talk to it. */
export const COMMON_OPTIONS: readonly OptionName[] = [
  "password",
  "config",
  "host",
  "submission-port",
  "imap-port",
  "http-port",
  "timeout",
  "transcript",
  "help",
];

/**
 * The help of `--via` for a command: what `http` changes for it.
 *
 * @param usual The way it takes by default, such as `imap`.
 * @param http What it does over HTTP.
 * @returns The override for the command's `overrides`.
 */
export function viaHelp(usual: string, http: string): [string, string] {
  return ["WAY", `${usual} (default) or http: ${http}`];
}

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {
  /**
   * Creates the error.
   *
   * @param message What to type instead.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The values of a command line's options, by name. */
export type OptionValues = Partial<Record<OptionName, string | boolean | string[]>>;

/** A command line, read. */
export interface CommandLine {
  /** The command, such as `reply`; undefined when none was given. */
  command?: string;
  /** What follows the command, such as a UID. */
  operands: string[];
  /** The options. */
  values: OptionValues;
}

const parseOptions = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, spec]) => [
    name,
    {
      type: spec.type,
      ...("multiple" in spec ? { multiple: true } : {}),
      ...(name === "help" ? { short: "h" } : {}),
    },
  ]),
) as Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

const isOption = (name: string): name is OptionName => Object.hasOwn(OPTIONS, name);

/**
 * Reads a command line: the command, its operands, and its options, each checked against those
 * the command takes.
 *
 * @param args The arguments, as `Deno.args` gives them.
 * @param allowed The options the command takes, once the command is known.
 * @returns The command line.
 * @throws {UsageError} For an option the command does not take, or a value missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCommandLine } from "./cli_options.ts";
 *
 * const line = readCommandLine(["reply", "1", "--user", "bob@hamburger.edu", "--all"], () => ["user", "all"]);
 * assert.deepEqual(line, { command: "reply", operands: ["1"], values: { user: "bob@hamburger.edu", all: true } });
 * assert.throws(() => readCommandLine(["send", "--utf8"], () => ["to"]), /Unknown option "--utf8" for send/);
 * ```
 */
export function readCommandLine(
  args: string[],
  allowed: (command: string) => readonly OptionName[] | undefined,
): CommandLine {
  const { positionals, tokens } = parseArgs({
    args,
    options: parseOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const [command, ...operands] = positionals;
  const names = command === undefined ? COMMON_OPTIONS : allowed(command);
  if (names === undefined) return { command, operands, values: {} };
  const values: OptionValues = {};
  const where = command === undefined ? "" : ` for ${command}`;
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const name = token.name;
    if (!isOption(name) || !names.includes(name)) {
      throw new UsageError(
        `Unknown option "${token.rawName}"${where}; ` +
          `see: deno task ua help${command === undefined ? "" : ` ${command}`}`,
      );
    }
    const spec: OptionSpec = OPTIONS[name];
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      values[name] = true;
      continue;
    }
    const value = token.value;
    const looksLikeOption = value?.startsWith("--") && isOption(value.slice(2).split("=")[0]);
    if (value === undefined || (looksLikeOption && !token.inlineValue)) {
      throw new UsageError(`${token.rawName} needs a value: ${token.rawName} ${spec.value}`);
    }
    if ("multiple" in spec) values[name] = [...(values[name] as string[] ?? []), value];
    else values[name] = value;
  }
  return { command, operands, values };
}

/**
 * The help lines of some options: the option and its value's name, then what it does.
 *
 * @param names The options.
 * @param overrides Help that a command words its own way, such as `--to MAILBOX` for move.
 * @returns The lines, aligned.
 */
export function optionLines(
  names: readonly OptionName[],
  overrides: Partial<Record<OptionName, [string, string]>> = {},
): string[] {
  const rows = names.map((name) => {
    const spec: OptionSpec = OPTIONS[name];
    const [value, help] = overrides[name] ?? [spec.value, spec.help];
    return [`--${name}${value ? ` ${value}` : ""}`, help];
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`);
}

/** Where a command prints. */
export interface CliIo {
  /** Prints text to standard output (a line end is added). */
  out(text: string): void;
  /** Prints text to standard error (a line end is added). */
  err(text: string): void;
  /** Writes bytes to standard output exactly as they are. */
  write(bytes: Uint8Array): Promise<void>;
}

/** What a command runs with. */
export interface CommandContext {
  /** The command's name, as typed. */
  name: string;
  /** What follows the command, such as a UID. */
  operands: string[];
  /** The options. */
  values: OptionValues;
  /** Where to print. */
  io: CliIo;
  /** The user agent of the account that `--user` (or `--from`) names. */
  agent(): Promise<UserAgent>;
}

/** One command: its help, the options it takes, and what it does. */
export interface Command {
  /** What it does, in a few words. */
  summary: string;
  /** How it is typed, after `deno task ua`. */
  usage: string;
  /** The options it takes, besides the common ones. */
  options: readonly OptionName[];
  /** Help for an option that means something else here, such as `--to MAILBOX` for move. */
  overrides?: Partial<Record<OptionName, [string, string]>>;
  /** Examples, after `deno task ua`. */
  examples: readonly string[];
  /** Runs it; returns the exit code. */
  run(context: CommandContext): Promise<number>;
}

/**
 * One string option's value; the last one when it was given more than once.
 *
 * @param values The options.
 * @param name The option.
 * @returns Its value, or undefined when it was not given.
 */
export function stringOf(values: OptionValues, name: OptionName): string | undefined {
  const value = values[name];
  if (Array.isArray(value)) return value.at(-1);
  return typeof value === "string" ? value : undefined;
}

/**
 * Every value of an option that may be repeated.
 *
 * @param values The options.
 * @param name The option.
 * @returns Its values, in the order given.
 */
export function stringsOf(values: OptionValues, name: OptionName): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

/**
 * The message UID a command works on: the operand after the command.
 *
 * @param context The command line.
 * @returns The UID.
 * @throws {UsageError} When it is missing or not a whole number.
 */
export function uidOf(context: CommandContext): number {
  const [text, ...more] = context.operands;
  if (text === undefined) {
    throw new UsageError(
      `${context.name} needs the UID of a message, such as: deno task ua ${context.name} 1 ` +
        `--user bob@hamburger.edu (the UIDs are the first column of: deno task ua inbox)`,
    );
  }
  if (!/^[1-9]\d{0,9}$/.test(text)) {
    throw new UsageError(`"${text}" is not a UID: a UID is a whole number, such as 1`);
  }
  if (more.length > 0) throw new UsageError(`${context.name} takes one UID; remove "${more[0]}"`);
  return Number(text);
}

/** A failure the CLI words itself, such as a file that cannot be read: exit code 1. */
export class CliError extends Error {
  /**
   * Creates the error.
   *
   * @param message The sentence.
   */
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** Why a file operation failed, in a few words, without the runtime's error numbers. */
function fileProblem(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or folder";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a folder";
  if (error instanceof Deno.errors.NotADirectory) return "a part of the path is not a folder";
  return String((error as Error).message ?? error).replace(/ \(os error \d+\).*$/, "");
}

/**
 * Reads a file that an option names.
 *
 * @param option The option, such as `--attach`, for the error.
 * @param path The file.
 * @returns Its bytes.
 * @throws {CliError} Naming the option, the file and why.
 */
export async function readFileFor(option: string, path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new CliError(`${option}: cannot read "${path}" (${fileProblem(error)})`);
  }
}

/**
 * Writes (or appends to) a file that an option names.
 *
 * @param option The option, such as `--out`, for the error.
 * @param path The file.
 * @param bytes What to write.
 * @param options Whether to append.
 * @throws {CliError} Naming the option, the file and why.
 */
export async function writeFileFor(
  option: string,
  path: string,
  bytes: Uint8Array,
  options: { append?: boolean } = {},
): Promise<void> {
  try {
    await Deno.writeFile(path, bytes, { append: options.append ?? false });
  } catch (error) {
    throw new CliError(`${option}: cannot write "${path}" (${fileProblem(error)})`);
  }
}
