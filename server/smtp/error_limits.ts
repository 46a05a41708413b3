/**
 * How many mistakes one SMTP client may make: error replies count up to `maxErrors`, failed
 * logins are slowed and end the session at `maxAuthFailures`. Past a limit the answer is a 421,
 * which ends the session (RFC 5321 §4.2.5 allows a server to give up on a misbehaving client).
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import { LoginThrottle } from "../login_throttle.ts";

/** Options of {@linkcode ErrorLimits}. */
export interface ErrorLimitsOptions {
  /** Error replies before the 421. */
  maxErrors: number;
  /** Failed logins before the 421. */
  maxAuthFailures: number;
  /** The wait added to each failed login from the second on. */
  authFailureDelayMs: number;
  /** Times the waits. */
  clock: Clock;
}

/**
 * One connection's count of errors and failed logins.
 *
 * @example The third error ends the session
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { REPLY } from "../../protocol/smtp/replies.ts";
 * import { ErrorLimits } from "./error_limits.ts";
 *
 * const limits = new ErrorLimits({ maxErrors: 3, maxAuthFailures: 5, authFailureDelayMs: 0, clock: new ManualClock() });
 * assert.equal(limits.error(REPLY.NeedHello), REPLY.NeedHello);
 * assert.equal((await limits.account(REPLY.NoSuchUser("eve@hamburger.edu"))).code, 550); // not an error
 * assert.equal((await limits.account(REPLY.Syntax("NOOP"))).code, 501);
 * assert.equal(limits.error(REPLY.NeedHello), REPLY.TooManyErrors);
 * ```
 */
export class ErrorLimits {
  #options: ErrorLimitsOptions;
  #errors = 0;
  #logins: LoginThrottle;

  /**
   * Starts with no errors.
   *
   * @param options The limits and the clock.
   */
  constructor(options: ErrorLimitsOptions) {
    this.#options = options;
    this.#logins = new LoginThrottle(options);
  }

  /**
   * Counts an error reply.
   *
   * @param reply The reply the command deserves.
   * @returns That reply, or the 421 once the client made too many errors.
   */
  error(reply: SmtpReply): SmtpReply {
    return ++this.#errors >= this.#options.maxErrors ? REPLY.TooManyErrors : reply;
  }

  /**
   * Counts a command's reply: most 5xx are errors (not the refusal of a user or a relay, 550 and
   * 554), and a failed login (535) also waits as the login throttle says.
   *
   * @param reply The command's reply.
   * @returns The reply to send.
   */
  account(reply: SmtpReply): SmtpReply | Promise<SmtpReply> {
    if (reply.code === 535) return this.#loginFailed(reply);
    const counts = reply.code >= 500 && reply.code !== 550 && reply.code !== 554;
    return counts ? this.error(reply) : reply;
  }

  async #loginFailed(reply: SmtpReply): Promise<SmtpReply> {
    return await this.#logins.failed() ? this.error(reply) : REPLY.TooManyAuthFailures;
  }
}
