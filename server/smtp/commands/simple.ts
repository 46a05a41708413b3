/**
 * The commands that change nothing of a message: NOOP, RSET, QUIT, HELP, VRFY and EXPN
 * (RFC 5321 §4.1.1.5 to §4.1.1.10).
 *
 * @module
 */
import { REPLY } from "../../../protocol/smtp/replies.ts";
import type { SmtpCommand } from "../context.ts";

const ANY_STATE = ["fresh", "greeted", "mail", "rcpt"] as const;

/** NOOP: does nothing, answers 250. */
export const NOOP: SmtpCommand = {
  syntax: "NOOP",
  states: ANY_STATE,
  run: () => REPLY.Ok,
};

/** RSET: forgets the message under way, keeps the greeting. */
export const RSET: SmtpCommand = {
  syntax: "RSET",
  states: ANY_STATE,
  run(context, args) {
    if (args !== "") return REPLY.Syntax(this.syntax);
    const state = context.state === "fresh" ? "fresh" : "greeted";
    return { reply: REPLY.Reset, state, envelope: null };
  },
};

/** QUIT: the closure phase; the server answers 221 and closes. */
export const QUIT: SmtpCommand = {
  syntax: "QUIT",
  states: ANY_STATE,
  run(context) {
    return { reply: REPLY.Closing(context.options.domain), state: "closed", envelope: null };
  },
};

/** HELP: lists the commands, or shows one command's syntax. */
export const HELP: SmtpCommand = {
  syntax: "HELP [command]",
  states: ANY_STATE,
  run(context, args) {
    if (args === "") return REPLY.Help(context.verbs());
    const syntax = context.syntaxOf(args.toUpperCase());
    return syntax ? REPLY.HelpFor(syntax) : REPLY.Unrecognized(args.slice(0, 40));
  },
};

/** VRFY: answers 252 without telling whether the user exists (RFC 5321 §3.5.3). */
export const VRFY: SmtpCommand = {
  syntax: "VRFY <user>",
  states: ANY_STATE,
  run(_context, args) {
    return args === "" ? REPLY.Syntax(this.syntax) : REPLY.CannotVerify;
  },
};

/** EXPN: not offered, since it would list a mailing list's members to anyone. */
export const EXPN: SmtpCommand = {
  syntax: "EXPN <list>",
  states: ANY_STATE,
  run: () => REPLY.NotImplemented("EXPN"),
};
