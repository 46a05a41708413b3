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
  setTimer(ms: number, callback: () => void): Timer {
    // setTimeout overflows past 2^31-1 ms (about 24.8 days); chain shorter waits instead.
    const limit = 2 ** 31 - 1;
    let handle: ReturnType<typeof setTimeout>;
    let unref = false;
    const arm = (left: number) => {
      handle = setTimeout(
        () => left > limit ? arm(left - limit) : callback(),
        Math.min(left, limit),
      );
      if (unref) Deno.unrefTimer(handle);
    };
    arm(Math.max(0, ms));
    return {
      cancel: () => clearTimeout(handle),
      unref: () => {
        unref = true;
        Deno.unrefTimer(handle);
      },
    };
  },
};
