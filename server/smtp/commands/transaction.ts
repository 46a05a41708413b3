/**
 * The mail transaction (RFC 5321 §3.3): MAIL FROM names the sender, each RCPT TO a recipient,
 * DATA starts the message text.
 *
 * @module
 */
import { addressProblem, parsePath, PathSyntaxError } from "../../../protocol/smtp/command.ts";
import { REPLY } from "../../../protocol/smtp/replies.ts";
import type { SmtpReply } from "../../../protocol/smtp/reply.ts";
import type { CommandContext, CommandResult, SmtpCommand } from "../context.ts";
import type { MailParameters } from "../types.ts";
import { refusalOf } from "./hook.ts";

// deno-lint-ignore no-control-regex -- the test is for bytes beyond ASCII
const NON_ASCII = /[^\x00-\x7f]/;
/** RFC 3461 §4: printable ASCII but "+" and "=", or "+" and two upper-case hex digits. */
const XTEXT = /^(?:[!-*,-<>-~]|\+[0-9A-F]{2})+$/;

function mailParameters(
  context: CommandContext,
  raw: Record<string, string | true>,
): MailParameters | SmtpReply {
  const params: MailParameters = { body: "7BIT", smtputf8: false };
  for (const [key, value] of Object.entries(raw)) {
    if (!context.client.esmtp) return REPLY.UnknownParameter(key);
    if (key === "SIZE" && typeof value === "string" && /^\d{1,15}$/.test(value)) {
      params.size = Number(value);
      if (params.size > context.options.maxMessageSize) {
        return REPLY.TooBig(context.options.maxMessageSize);
      }
    } else if (key === "BODY" && typeof value === "string" && /^7BIT$/i.test(value)) {
      params.body = "7BIT";
    } else if (
      key === "BODY" && typeof value === "string" && /^8BITMIME$/i.test(value) &&
      !context.options.sevenBitOnly
    ) {
      params.body = "8BITMIME";
    } else if (key === "SMTPUTF8" && value === true && !context.options.sevenBitOnly) {
      params.smtputf8 = true;
    } else if (key === "AUTH" && typeof value === "string") {
      // RFC 4954 §5: the original submitter, as xtext (RFC 3461 §4) or <>. This server trusts no
      // client's claim, so it behaves as if AUTH=<> was given, as §5 says it then MUST; it only
      // checks the syntax.
      if (!XTEXT.test(value)) return REPLY.Syntax("MAIL FROM:<address> AUTH=<mailbox as xtext>");
    } else {
      return REPLY.UnknownParameter(key);
    }
  }
  return params;
}

// The hook's refusal, or what accepting gives: at once when the hook answered at once.
function unlessRefused(
  refusal: SmtpReply | undefined | Promise<SmtpReply | undefined>,
  accept: () => CommandResult,
): CommandResult | Promise<CommandResult> {
  if (refusal instanceof Promise) return refusal.then((r) => r ?? accept());
  return refusal ?? accept();
}

/** MAIL FROM: starts a message and names its sender (the reverse-path, for bounces). */
export const MAIL: SmtpCommand = {
  syntax: "MAIL FROM:<address>",
  states: ["greeted"],
  outOfOrder: () => REPLY.NestedMail,
  run(context, args) {
    if (context.options.submission && !context.client.user) {
      return context.options.requireTls && !context.client.tls
        ? REPLY.TlsRequired
        : REPLY.AuthRequired;
    }
    let path;
    try {
      path = parsePath(args, "FROM");
    } catch (error) {
      if (error instanceof PathSyntaxError) return REPLY.Syntax(this.syntax);
      throw error;
    }
    const problem = path.address === "" ? undefined : addressProblem(path.address);
    if (problem) return REPLY.BadSender(path.address, problem);
    const params = mailParameters(context, path.params);
    if ("code" in params) return params;
    if (!params.smtputf8 && NON_ASCII.test(path.address)) return REPLY.NeedSmtputf8(path.address);
    const refusal = refusalOf(() =>
      context.options.handler.mail?.(path.address, params, context.client)
    );
    return unlessRefused(refusal, () => ({
      reply: REPLY.SenderOk(path.address),
      state: "mail",
      envelope: { from: path.address, to: [], params },
    }));
  },
};

/** RCPT TO: names one recipient; repeat it for each. */
export const RCPT: SmtpCommand = {
  syntax: "RCPT TO:<address>",
  states: ["mail", "rcpt"],
  outOfOrder: () => REPLY.NeedMail,
  run(context, args) {
    const envelope = context.envelope!;
    let path;
    try {
      path = parsePath(args, "TO");
    } catch (error) {
      if (error instanceof PathSyntaxError) return REPLY.Syntax(this.syntax);
      throw error;
    }
    if (context.chunking) return REPLY.NeedRcptBeforeBdat;
    const key = Object.keys(path.params)[0];
    if (key !== undefined) return REPLY.UnknownParameter(key);
    const problem = addressProblem(path.address);
    if (problem) return REPLY.BadAddress(path.address, problem);
    if (!envelope.params.smtputf8 && NON_ASCII.test(path.address)) {
      return REPLY.NeedSmtputf8(path.address);
    }
    if (envelope.to.length >= context.options.maxRecipients) {
      return REPLY.TooManyRecipients(context.options.maxRecipients);
    }
    const refusal = refusalOf(() =>
      context.options.handler.rcpt?.(path.address, envelope, context.client)
    );
    return unlessRefused(refusal, () => ({
      reply: REPLY.RecipientOk(path.address),
      state: "rcpt",
      envelope: { ...envelope, to: [...envelope.to, path.address] },
    }));
  },
};

/** DATA: the server answers 354 and reads message text up to a line holding only ".". */
export const DATA: SmtpCommand = {
  syntax: "DATA",
  states: ["rcpt"],
  outOfOrder: (state) => state === "mail" ? REPLY.NeedRcpt : REPLY.NeedMail,
  run(context, args) {
    if (args !== "") return REPLY.Syntax(this.syntax);
    if (context.chunking) return REPLY.NoDataAfterBdat;
    return { reply: REPLY.StartData, state: "data", next: { input: "data" } };
  },
};

const BDAT_ARGS = /^(\d{1,10})(?: +(LAST))?$/i;

/**
 * BDAT (RFC 3030, CHUNKING): message text in counted chunks, no dot-stuffing; the last chunk says
 * LAST. The chunk's bytes always follow the command, so even a refused BDAT reads them first.
 */
export const BDAT: SmtpCommand = {
  syntax: "BDAT <octets> [LAST]",
  states: ["fresh", "greeted", "mail", "rcpt"],
  run(context, args) {
    const match = BDAT_ARGS.exec(args);
    if (!match) return REPLY.BadChunkSize;
    const refusal = context.state === "fresh"
      ? REPLY.NeedHello
      : context.state === "greeted"
      ? REPLY.NeedMail
      : context.state === "mail"
      ? REPLY.NeedRcpt
      : undefined;
    return {
      next: { input: "chunk", size: Number(match[1]), last: match[2] !== undefined, refusal },
    };
  },
};
