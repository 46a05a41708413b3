/**
 * The command table: every verb the server knows, with its syntax and the states that allow it,
 * and the extensions EHLO advertises.
 *
 * @module
 */
import type { ResolvedSessionOptions, SmtpCommand } from "../context.ts";
import { AUTH, AUTH_MECHANISMS } from "./auth.ts";
import { EHLO, HELO } from "./hello.ts";
import { EXPN, HELP, NOOP, QUIT, RSET, VRFY } from "./simple.ts";
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
} satisfies Record<string, SmtpCommand>;

/** A verb in the table. */
export type SmtpVerb = keyof typeof COMMANDS;

/**
 * Whether a verb is in the table.
 *
 * @param verb A verb in upper case.
 * @returns True for known verbs.
 */
export function isVerb(verb: string): verb is SmtpVerb {
  return Object.hasOwn(COMMANDS, verb);
}

/**
 * The extension lines of the EHLO reply (RFC 5321 §4.1.1.1).
 *
 * @param options The session's options.
 * @returns One keyword (with parameters) per line.
 */
export function extensionsFor(options: ResolvedSessionOptions): string[] {
  const lines = [
    "PIPELINING", // RFC 2920
    `SIZE ${options.maxMessageSize}`, // RFC 1870
    ...(options.sevenBitOnly ? [] : ["8BITMIME"]), // RFC 6152
    "ENHANCEDSTATUSCODES", // RFC 2034
    ...(options.sevenBitOnly ? [] : ["SMTPUTF8"]), // RFC 6531
    "CHUNKING", // RFC 3030
  ];
  if (options.submission) lines.push(`AUTH ${AUTH_MECHANISMS.join(" ")}`); // RFC 4954
  lines.push("HELP");
  return lines;
}
