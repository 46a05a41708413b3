/**
 * HELO and EHLO (RFC 5321 §4.1.1.1): the client names itself; EHLO also asks which extensions
 * the server offers. Either one resets a message under way.
 *
 * @module
 */
import { REPLY } from "../../../protocol/smtp/replies.ts";
import type { SmtpCommand } from "../context.ts";

const ANY_STATE = ["fresh", "greeted", "mail", "rcpt"] as const;

/** A domain or address literal: one word (the session refuses control characters earlier). */
const CLIENT_NAME = /^\S+$/;

/** HELO: the course's handshake. The reply is exactly the course's. */
export const HELO: SmtpCommand = {
  syntax: "HELO <domain>",
  states: ANY_STATE,
  run(_context, args) {
    if (!CLIENT_NAME.test(args)) return REPLY.Syntax(this.syntax);
    return {
      reply: REPLY.Hello(args),
      state: "greeted",
      envelope: null,
      client: { helo: args, esmtp: false },
    };
  },
};

/** EHLO: the extended handshake, listing the extensions one per line. */
export const EHLO: SmtpCommand = {
  syntax: "EHLO <domain>",
  states: ANY_STATE,
  run(context, args) {
    if (!CLIENT_NAME.test(args)) return REPLY.Syntax(this.syntax);
    return {
      reply: REPLY.Ehlo(context.options.domain, args, context.extensions()),
      state: "greeted",
      envelope: null,
      client: { helo: args, esmtp: true },
    };
  },
};
