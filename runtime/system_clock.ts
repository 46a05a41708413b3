/**
 * The real clock: wall time and the runtime's timers.
 *
 * @module
 */
import type { Clock, Timer } from "../protocol/clock.ts";

/**
 * The wall clock, backed by `Date.now()` and `setTimeout`. Timers do not keep a finished
 * program alive longer than they must: cancel them, or close the server that owns them.
 *
 * @example Read the time
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "./system_clock.ts";
 *
 * const before = Date.now();
 * assert.ok(systemClock.now() >= before);
 * const timer = systemClock.setTimer(10_000, () => {});
 * timer.cancel();
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms: number, callback: () => void): Timer => new SystemTimer(Math.max(0, ms), callback),
};

/** setTimeout overflows past 2^31-1 ms (about 24.8 days): longer waits are chained. */
const LONGEST = 2 ** 31 - 1;

// A class rather than closures: every idle connection holds one, so its methods are shared.
class SystemTimer implements Timer {
  #handle: ReturnType<typeof setTimeout>;
  #unref = false;
  #left: number;
  #callback: () => void;

  constructor(ms: number, callback: () => void) {
    this.#callback = callback;
    this.#left = ms;
    this.#handle = this.#arm();
  }

  #arm(): ReturnType<typeof setTimeout> {
    const wait = Math.min(this.#left, LONGEST);
    this.#left -= wait;
    const handle = setTimeout(
      () => this.#left > 0 ? this.#handle = this.#arm() : this.#callback(),
      wait,
    );
    if (this.#unref) Deno.unrefTimer(handle);
    return handle;
  }

  cancel(): void {
    clearTimeout(this.#handle);
  }

  unref(): void {
    this.#unref = true;
    Deno.unrefTimer(this.#handle);
  }
}
