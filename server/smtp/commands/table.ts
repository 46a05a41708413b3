/**
 * The command table: every verb the server knows, with its syntax and the states that allow it,
 * and the extensions EHLO advertises.
 *
 * @module
 */
import { REPLY } from "../../../protocol/smtp/replies.ts";
import type { SmtpReply } from "../../../protocol/smtp/reply.ts";
import type { ResolvedSessionOptions, SmtpCommand } from "../context.ts";
import type { SmtpState } from "../types.ts";
import { AUTH, AUTH_MECHANISMS } from "./auth.ts";
import { EHLO, HELO } from "./hello.ts";
import { EXPN, HELP, NOOP, QUIT, RSET, VRFY } from "./simple.ts";
import { STARTTLS } from "./starttls.ts";
import { BDAT, DATA, MAIL, RCPT } from "./transaction.ts";

/** Every command, by verb. */
export const COMMANDS = {
  HELO,
  EHLO,
  MAIL,
  RCPT,
  DATA,
  BDAT,
  RSET,
  NOOP,
  QUIT,
  VRFY,
  EXPN,
  HELP,
  AUTH,
  STARTTLS,
} satisfies Record<string, SmtpCommand>;

// A Map beside the table: a verb read from the wire is a new string each time, and looking a
// property up by it costs more than hashing it.
const BY_VERB: ReadonlyMap<string, SmtpCommand> = new Map(Object.entries(COMMANDS));

/** A verb in the table. */
export type SmtpVerb = keyof typeof COMMANDS;

/**
 * Whether a verb is in the table.
 *
 * @param verb A verb in upper case.
 * @returns True for known verbs.
 */
export function isVerb(verb: string): verb is SmtpVerb {
  return BY_VERB.has(verb);
}

/**
 * The extension lines of the EHLO reply (RFC 5321 §4.1.1.1). STARTTLS is offered until TLS is
 * on (RFC 3207 §4.2); with `requireTls`, AUTH only once it is.
 *
 * @param options The session's options.
 * @param tls Whether the connection is TLS now.
 * @returns One keyword (with parameters) per line.
 */
export function extensionsFor(options: ResolvedSessionOptions, tls: boolean): string[] {
  const lines = [
    "PIPELINING", // RFC 2920
    `SIZE ${options.maxMessageSize}`, // RFC 1870
    ...(options.sevenBitOnly ? [] : ["8BITMIME"]), // RFC 6152
    "ENHANCEDSTATUSCODES", // RFC 2034
    ...(options.sevenBitOnly ? [] : ["SMTPUTF8"]), // RFC 6531
    "CHUNKING", // RFC 3030
  ];
  if (options.starttls && !tls) lines.push("STARTTLS"); // RFC 3207
  if (options.submission && (tls || !options.requireTls)) {
    lines.push(`AUTH ${AUTH_MECHANISMS.join(" ")}`); // RFC 4954
  }
  lines.push("HELP");
  return lines;
}

// deno-lint-ignore no-control-regex -- control characters are what a command may not hold
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Finds the command a line asks for, or the error reply when there is none in order: control
 * characters (500), an unknown verb (500), or a command out of sequence (503).
 *
 * @param line The command line as received.
 * @param where Its verb (upper case) and the session's state.
 * @returns The command to run, or the reply that refuses the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandFor } from "./table.ts";
 *
 * assert.equal("run" in commandFor("NOOP", { verb: "NOOP", state: "fresh" }), true);
 * assert.equal((commandFor("MAIL FROM:<a@b.c>", { verb: "MAIL", state: "fresh" }) as { code: number }).code, 503);
 * assert.equal((commandFor("FROB", { verb: "FROB", state: "greeted" }) as { code: number }).code, 500);
 * ```
 */
export function commandFor(
  line: string,
  where: { verb: string; state: SmtpState },
): SmtpCommand | SmtpReply {
  const { verb, state } = where;
  if (CONTROL.test(line)) return REPLY.BadCharacters;
  const command = BY_VERB.get(verb);
  if (!command) return REPLY.Unrecognized(verb.slice(0, 40));
  if (command.states.includes(state)) return command;
  return state === "fresh" ? REPLY.NeedHello : command.outOfOrder?.(state) ?? REPLY.NeedHello;
}
