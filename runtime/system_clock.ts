/**
 * The real clock: wall time and the runtime's timers. Every timer of the clock waits in one queue
 * behind a single runtime timer: a thousand idle connections each hold a small entry instead of a
 * runtime timer apiece.
 *
 * @module
 */
import type { Clock, Timer } from "../protocol/clock.ts";

/**
 * The wall clock, backed by `Date.now()` and the runtime's timers. Timers do not keep a finished
 * program alive longer than they must: cancel them, or close the server that owns them.
 *
 * @example Read the time, wait for a timer
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "./system_clock.ts";
 *
 * const before = Date.now();
 * assert.ok(systemClock.now() >= before);
 * const never = systemClock.setTimer(10_000, () => assert.fail("cancelled"));
 * never.cancel();
 * await new Promise<void>((resolve) => systemClock.setTimer(5, resolve));
 * assert.ok(Date.now() - before >= 5);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms: number, callback: () => void): Timer => queue.add(ms, callback),
};

/** setTimeout overflows past 2^31-1 ms (about 24.8 days): longer waits are chained. */
const LONGEST = 2 ** 31 - 1;

// One waiting callback: where it sits in the queue's heap (-1 once out of it), and when it is due
// on the monotonic clock. A class, so that its methods are shared by every connection's timer.
class SystemTimer implements Timer {
  index = -1;
  ref = true;
  constructor(readonly at: number, readonly order: number, readonly callback: () => void) {}

  cancel(): void {
    queue.remove(this);
  }

  unref(): void {
    queue.unref(this);
  }
}

// A binary min-heap of timers by due time (then by creation, so that equal times fire in order),
// with one runtime timer set for the earliest. It keeps the program alive only while a timer that
// was not unref'd waits.
class TimerQueue {
  #heap: SystemTimer[] = [];
  #handle: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Infinity; // the due time it was set for (a wait past LONGEST fires early)
  #refs = 0; // timers in the heap that keep the program alive
  #created = 0;

  add(ms: number, callback: () => void): SystemTimer {
    const wait = ms > 0 ? ms : 0; // NaN too, as setTimeout takes it
    const timer = new SystemTimer(performance.now() + wait, this.#created++, callback);
    timer.index = this.#heap.length;
    this.#heap.push(timer);
    this.#up(timer.index);
    if (++this.#refs === 1 && this.#handle !== undefined) Deno.refTimer(this.#handle);
    this.#arm();
    return timer;
  }

  remove(timer: SystemTimer): void {
    const i = timer.index;
    if (i < 0) return;
    const last = this.#heap.pop()!;
    if (last !== timer) {
      this.#heap[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
    timer.index = -1;
    if (timer.ref) this.#unrefOne();
    if (this.#heap.length === 0) this.#disarm(); // nothing left: no runtime timer either
  }

  unref(timer: SystemTimer): void {
    if (!timer.ref) return;
    timer.ref = false;
    if (timer.index >= 0) this.#unrefOne();
  }

  #unrefOne(): void {
    if (--this.#refs === 0 && this.#handle !== undefined) Deno.unrefTimer(this.#handle);
  }

  // The runtime timer fires at the earliest due time or before it (after a cancel), never after.
  #arm(): void {
    const first = this.#heap[0];
    if (first === undefined || first.at >= this.#armedFor) return;
    this.#disarm();
    const wait = Math.min(LONGEST, Math.max(0, first.at - performance.now()));
    this.#armedFor = first.at;
    const handle = setTimeout(() => this.#fire(), wait);
    if (this.#refs === 0) Deno.unrefTimer(handle);
    this.#handle = handle;
  }

  #disarm(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#armedFor = Infinity;
  }

  // Takes every due timer out first and sets the runtime timer for the rest, then runs them: a
  // callback that throws is reported as setTimeout's would be, and the others still run.
  #fire(): void {
    this.#handle = undefined;
    this.#armedFor = Infinity;
    const now = performance.now();
    const due: SystemTimer[] = [];
    while (this.#heap.length > 0 && this.#heap[0].at <= now) {
      const timer = this.#heap[0];
      due.push(timer);
      this.remove(timer);
    }
    this.#arm();
    for (const timer of due) {
      try {
        timer.callback();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #before(a: SystemTimer, b: SystemTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    [heap[i], heap[j]] = [heap[j], heap[i]];
    heap[i].index = i;
    heap[j].index = j;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(this.#heap[i], this.#heap[parent])) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && this.#before(heap[left], heap[least])) least = left;
      if (right < heap.length && this.#before(heap[right], heap[least])) least = right;
      if (least === i) return;
      this.#swap(i, least);
      i = least;
    }
  }
}

const queue = new TimerQueue();
