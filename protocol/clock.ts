/**
 * Time as the toolkit sees it. Everything that waits (the queue's retry schedule, session idle
 * timeouts, the Date header of a new message) reads a {@linkcode Clock} passed in, so a test or a
 * notebook can swap the real clock for a {@linkcode ManualClock} and move time by hand.
 *
 * @module
 */

/** A scheduled callback that can be cancelled. */
export interface Timer {
  /** Cancels the callback; calling it after the callback ran does nothing. */
  cancel(): void;
  /**
   * Lets the program end while the timer waits (for a deadline that only matters while
   * something else keeps the program running, such as a read). @default absent: keeps it alive
   */
  unref?(): void;
}

/**
 * A source of time and of timers.
 *
 * @example Read the time and schedule a callback on a manual clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Clock, ManualClock } from "./clock.ts";
 *
 * const clock: Clock = new ManualClock(Date.UTC(2026, 0, 1));
 * let fired = false;
 * clock.setTimer(1000, () => fired = true);
 * assert.equal(new Date(clock.now()).toISOString(), "2026-01-01T00:00:00.000Z");
 * (clock as ManualClock).advance(1000);
 * assert.equal(fired, true);
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `callback` once, `ms` milliseconds from now.
   *
   * @param ms The delay in milliseconds (negative counts as zero).
   * @param callback What to call.
   * @returns A handle that cancels the callback.
   */
  setTimer(ms: number, callback: () => void): Timer;
}

interface PendingTimer {
  due: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` runs every timer that falls due, in order
 * of due time, each with `now()` set to its due time. Nothing runs by itself, so a notebook can
 * jump thirty minutes ahead and watch the queue retry in no real time at all.
 *
 * @example Jump thirty minutes ahead
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "./clock.ts";
 *
 * const clock = new ManualClock(0);
 * const seen: number[] = [];
 * clock.setTimer(30 * 60_000, () => seen.push(clock.now()));
 * clock.setTimer(60 * 60_000, () => seen.push(clock.now()));
 * assert.equal(clock.advance(45 * 60_000), 1);
 * assert.deepEqual(seen, [30 * 60_000]);
 * assert.equal(clock.now(), 45 * 60_000);
 * assert.equal(clock.pending, 1);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  /**
   * Creates a manual clock.
   *
   * @param start The starting time in milliseconds since the epoch.
   * @default {start} 2026-09-01T09:00:00Z
   */
  constructor(start: number = Date.UTC(2026, 8, 1, 9, 0, 0)) {
    this.#now = start;
  }

  /** The clock's current time in milliseconds since the epoch. */
  now(): number {
    return this.#now;
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** The due time of the next timer, or `undefined` when none waits. */
  get nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /**
   * Schedules `callback` at `now() + ms`.
   *
   * @param ms The delay in milliseconds.
   * @param callback What to call.
   * @returns A handle that cancels the callback.
   */
  setTimer(ms: number, callback: () => void): Timer {
    const timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#timers.push(timer);
    this.#timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    return {
      cancel: () => {
        const i = this.#timers.indexOf(timer);
        if (i >= 0) this.#timers.splice(i, 1);
      },
    };
  }

  /**
   * Moves the clock forward, running each timer that falls due in the window in order.
   * Timers that a callback schedules inside the window run too.
   *
   * @param ms How far to move, in milliseconds.
   * @returns How many timers ran.
   */
  advance(ms: number): number {
    const end = this.#now + Math.max(0, ms);
    let ran = 0;
    while (this.#timers.length > 0 && this.#timers[0].due <= end) {
      const timer = this.#timers.shift()!;
      this.#now = Math.max(this.#now, timer.due);
      ran++;
      timer.callback();
    }
    this.#now = end;
    return ran;
  }

  /**
   * Sets the clock to an absolute time (never backwards), running due timers as `advance` does.
   *
   * @param time The new time in milliseconds since the epoch.
   * @returns How many timers ran.
   */
  set(time: number): number {
    return this.advance(time - this.#now);
  }
}
