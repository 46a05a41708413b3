/**
 * One deadline at a time for a connection whose waits follow one another (the SMTP client's: a
 * write, a reply, a write), kept without a timer per wait. A timer set and cancelled for every
 * read and write costs a relay more than the rest of a message's bookkeeping; here a new wait
 * only moves a number, and the one timer behind it is set again only when it fires before the
 * wait's end or a wait ends sooner than the timer would fire.
 *
 * @module
 */
import type { Clock, Timer } from "../protocol/clock.ts";

/**
 * Deadlines for waits that never overlap, behind one lazily moved timer.
 *
 * @example A wait that ends in time, then one that does not
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { Deadline } from "./deadline.ts";
 *
 * const clock = new ManualClock(0);
 * const deadline = new Deadline(clock);
 * let expired = 0;
 * deadline.start(1000, () => expired++);
 * clock.advance(500);
 * deadline.stop(); // the answer came
 * deadline.start(1000, () => expired++);
 * clock.advance(999);
 * assert.equal(expired, 0, "the first timer fired at 1000 and was moved to 1500");
 * clock.advance(501);
 * assert.equal(expired, 1);
 * assert.equal(deadline.expired, true);
 * deadline.cancel();
 * assert.equal(clock.pending, 0);
 * ```
 */
export class Deadline {
  #clock: Clock;
  #due = Infinity;
  #onExpire: (() => void) | undefined;
  #timer: Timer | undefined;
  #timerDue = Infinity;
  #expired = false;

  /**
   * Makes a deadline with no wait under way.
   *
   * @param clock Times the waits.
   */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether the last wait ran out of time. */
  get expired(): boolean {
    return this.#expired;
  }

  /**
   * Starts a wait.
   *
   * @param ms How long it may take.
   * @param onExpire Called once if it is still under way when the time is up.
   */
  start(ms: number, onExpire: () => void): void {
    this.#expired = false;
    this.#onExpire = onExpire;
    this.#due = this.#clock.now() + Math.max(0, ms);
    if (this.#due < this.#timerDue) this.#arm();
  }

  /** Ends the wait in time. The timer stays, for the next wait; it lapses if none comes. */
  stop(): void {
    this.#due = Infinity;
    this.#onExpire = undefined;
  }

  /** Ends the wait and the timer (the connection is closed). */
  cancel(): void {
    this.stop();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerDue = Infinity;
  }

  #arm(): void {
    this.#timer?.cancel();
    this.#timerDue = this.#due;
    this.#timer = this.#clock.setTimer(this.#due - this.#clock.now(), () => this.#fire());
    // The timer outlives the waits it serves (see stop); it must not keep a program alive that
    // forgot to close its client: the read or write it watches keeps the program running.
    this.#timer.unref?.();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#due === Infinity) return;
    if (this.#clock.now() < this.#due) return this.#arm();
    const onExpire = this.#onExpire;
    this.stop();
    this.#expired = true;
    onExpire?.();
  }
}
