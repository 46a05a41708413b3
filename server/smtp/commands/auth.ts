/**
 * AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms, offered on the submission
 * port only. Answers travel in base64; a `*` line cancels.
 *
 * @module
 */
import { REPLY } from "../../../protocol/smtp/replies.ts";
import { SmtpReplyError } from "../../../protocol/smtp/reply.ts";
import { decodePlain, fromBase64Utf8, toBase64Utf8 } from "../../../protocol/sasl.ts";
import type { CommandContext, CommandResult, SmtpCommand } from "../context.ts";

/** The mechanisms offered, in EHLO's `AUTH` line. */
export const AUTH_MECHANISMS = ["PLAIN", "LOGIN"] as const;

async function verify(
  context: CommandContext,
  user: string,
  password: string,
): Promise<CommandResult> {
  const authenticate = context.options.handler.authenticate;
  let canonical: string | undefined;
  try {
    canonical = await authenticate?.(user, password, context.client);
  } catch (error) {
    // A refusal the hook decided (a login locked after too many failures) is sent as it is.
    return error instanceof SmtpReplyError ? error.reply : REPLY.LocalError;
  }
  if (!canonical) return REPLY.AuthFailed;
  return { reply: REPLY.AuthOk, client: { user: canonical } };
}

/** PLAIN: one base64 answer holding `authzid NUL user NUL password` (RFC 4616 §2). */
function plain(context: CommandContext, answer: string): CommandResult | Promise<CommandResult> {
  if (answer === "*") return REPLY.AuthCancelled;
  const credentials = decodePlain(answer);
  if (!credentials) return REPLY.AuthSyntax;
  const { authzid, user, password } = credentials;
  if (authzid !== "" && authzid !== user) return REPLY.AuthFailed;
  return verify(context, user, password);
}

function login(context: CommandContext, userAnswer: string): CommandResult {
  if (userAnswer === "*") return REPLY.AuthCancelled;
  const user = fromBase64Utf8(userAnswer);
  if (user === undefined || user === "") return REPLY.AuthSyntax;
  const step = (passwordAnswer: string) => {
    if (passwordAnswer === "*") return REPLY.AuthCancelled;
    const password = fromBase64Utf8(passwordAnswer);
    return password === undefined ? REPLY.AuthSyntax : verify(context, user, password);
  };
  return { reply: REPLY.AuthChallenge(toBase64Utf8("Password:")), next: { input: "auth", step } };
}

/** AUTH: logs the client in, which allows MAIL on the submission port and relaying. */
export const AUTH: SmtpCommand = {
  syntax: "AUTH PLAIN [base64] or AUTH LOGIN [base64]",
  states: ["greeted"],
  outOfOrder: () => REPLY.AuthInTransaction,
  run(context, args) {
    if (!context.options.submission) return REPLY.AuthNotOffered;
    if (context.client.user) return REPLY.AlreadyAuthenticated;
    if (context.options.requireTls && !context.client.tls) return REPLY.TlsRequired;
    const [mechanism = "", initial, extra] = args.split(" ");
    if (extra !== undefined || mechanism === "") return REPLY.Syntax(this.syntax);
    switch (mechanism.toUpperCase()) {
      case "PLAIN":
        if (initial !== undefined) return plain(context, initial);
        return {
          reply: REPLY.AuthChallenge(""),
          next: { input: "auth", step: (answer) => plain(context, answer) },
        };
      case "LOGIN":
        if (initial !== undefined) return login(context, initial);
        return {
          reply: REPLY.AuthChallenge(toBase64Utf8("Username:")),
          next: { input: "auth", step: (answer) => login(context, answer) },
        };
      default:
        return REPLY.AuthMechanism(mechanism);
    }
  },
};

/**
 * Hides the credentials of an AUTH command line for a transcript.
 *
 * @param line The command line.
 * @returns `AUTH PLAIN ****` for `AUTH PLAIN <base64>`; other lines unchanged.
 */
export function maskAuth(line: string): string {
  const words = line.split(" ");
  return words.length > 2 ? `${words[0]} ${words[1]} ****` : line;
}
