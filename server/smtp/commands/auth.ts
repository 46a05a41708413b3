/**
 * AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms, offered on the submission
 * port only. Answers travel in base64; a `*` line cancels.
 *
 * @module
 */
import type { Clock } from "../../../protocol/clock.ts";
import { REPLY } from "../../../protocol/smtp/replies.ts";
import type { SmtpReply } from "../../../protocol/smtp/reply.ts";
import type { CommandContext, SmtpCommand } from "../context.ts";

/** The mechanisms offered, in EHLO's `AUTH` line. */
export const AUTH_MECHANISMS = ["PLAIN", "LOGIN"] as const;

function decode(base64: string): string | undefined {
  if (base64 === "=") return "";
  try {
    const binary = atob(base64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function encode(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

async function verify(context: CommandContext, user: string, password: string): Promise<SmtpReply> {
  const authenticate = context.options.handler.authenticate;
  let canonical: string | undefined;
  try {
    canonical = await authenticate?.(user, password, context.client);
  } catch {
    return REPLY.LocalError;
  }
  if (!canonical) return REPLY.AuthFailed;
  context.client.user = canonical;
  return REPLY.AuthOk;
}

/** PLAIN: one base64 answer holding `authzid NUL user NUL password` (RFC 4616 §2). */
function plain(context: CommandContext, answer: string): Promise<SmtpReply> | SmtpReply {
  if (answer === "*") return REPLY.AuthCancelled;
  const decoded = decode(answer);
  const fields = decoded?.split("\0");
  if (!fields || fields.length !== 3 || fields[1] === "") return REPLY.AuthSyntax;
  const [authzid, user, password] = fields;
  if (authzid !== "" && authzid !== user) return REPLY.AuthFailed;
  return verify(context, user, password);
}

function login(context: CommandContext, userAnswer: string): SmtpReply {
  if (userAnswer === "*") return REPLY.AuthCancelled;
  const user = decode(userAnswer);
  if (user === undefined || user === "") return REPLY.AuthSyntax;
  context.continueAuth(async (passwordAnswer) => {
    if (passwordAnswer === "*") return REPLY.AuthCancelled;
    const password = decode(passwordAnswer);
    return password === undefined ? REPLY.AuthSyntax : await verify(context, user, password);
  });
  return REPLY.AuthChallenge(encode("Password:"));
}

/** AUTH: logs the client in, which allows MAIL on the submission port and relaying. */
export const AUTH: SmtpCommand = {
  syntax: "AUTH PLAIN [base64] or AUTH LOGIN [base64]",
  states: ["greeted"],
  outOfOrder: () => REPLY.AuthInTransaction,
  run(context, args) {
    if (!context.options.submission) return REPLY.AuthNotOffered;
    if (context.client.user) return REPLY.AlreadyAuthenticated;
    const [mechanism = "", initial, extra] = args.split(" ");
    if (extra !== undefined || mechanism === "") return REPLY.Syntax(this.syntax);
    switch (mechanism.toUpperCase()) {
      case "PLAIN":
        if (initial !== undefined) return plain(context, initial);
        context.continueAuth((answer) => Promise.resolve(plain(context, answer)));
        return REPLY.AuthChallenge("");
      case "LOGIN":
        if (initial !== undefined) return login(context, initial);
        context.continueAuth((answer) => Promise.resolve(login(context, answer)));
        return REPLY.AuthChallenge(encode("Username:"));
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

/**
 * Slows down password guessing on one connection: from the second failed login on, each answer
 * waits longer (by `authFailureDelayMs` more each time, at most 5 s), and after
 * `maxAuthFailures` the connection ends.
 *
 * @example Three failures allowed, the second one waits
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../../protocol/clock.ts";
 * import { LoginThrottle } from "./auth.ts";
 *
 * const clock = new ManualClock();
 * const logins = new LoginThrottle({ clock, maxAuthFailures: 3, authFailureDelayMs: 1000 });
 * assert.equal(await logins.failed(), true);
 * const second = logins.failed();
 * clock.advance(1000);
 * assert.equal(await second, true);
 * const third = logins.failed();
 * assert.equal(await third, false);
 * ```
 */
export class LoginThrottle {
  #failures = 0;
  #options: { clock: Clock; maxAuthFailures: number; authFailureDelayMs: number };

  /**
   * Starts with no failures.
   *
   * @param options The clock, the limit and the delay step.
   */
  constructor(options: { clock: Clock; maxAuthFailures: number; authFailureDelayMs: number }) {
    this.#options = options;
  }

  /**
   * Counts one failed login and waits as long as this failure deserves.
   *
   * @returns Whether the client may go on; false once the limit is reached (answer 421).
   */
  async failed(): Promise<boolean> {
    this.#failures++;
    if (this.#failures >= this.#options.maxAuthFailures) return false;
    const wait = Math.min(5000, this.#options.authFailureDelayMs * (this.#failures - 1));
    if (wait > 0) await new Promise<void>((resolve) => this.#options.clock.setTimer(wait, resolve));
    return true;
  }
}
