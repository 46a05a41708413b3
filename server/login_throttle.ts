/**
 * The wait that makes guessing passwords slow, shared by the SMTP and IMAP servers.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";

/**
 * Slows down password guessing on one connection, SMTP AUTH or IMAP LOGIN: from the second failed login on, each answer
 * waits longer (by `authFailureDelayMs` more each time, at most 5 s), and after
 * `maxAuthFailures` the connection ends.
 *
 * @example Three failures allowed, the second one waits
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { LoginThrottle } from "./login_throttle.ts";
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
