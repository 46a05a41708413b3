/**
 * The outbound queue's options, the defaults that fill them in (in one place), and the events
 * the queue reports as it works.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import type { Deliverer, RecipientOutcome } from "./delivery.ts";
import type { QueueEntry, Spool } from "./spool.ts";

const MINUTE = 60_000;

/** What the queue reports as it works. */
export type QueueEvent =
  | { type: "queued"; id: string; from: string; to: string[]; at: number }
  | {
    type: "attempt";
    id: string;
    destination: string;
    /** Which attempt this is for the message, the first being 1. */
    attempt: number;
    outcomes: RecipientOutcome[];
    at: number;
  }
  | { type: "deferred"; id: string; nextAttemptAt: number; at: number }
  | { type: "done"; id: string; delivered: string[]; failed: string[]; at: number }
  | {
    type: "gave-up";
    id: string;
    failed: string[];
    /** The attempts made. */
    attempts: number;
    /** How long the message waited, in milliseconds. */
    waited: number;
    at: number;
  };

/** Options of `OutboundQueue`. */
export interface OutboundQueueOptions {
  /** Where messages are kept until done. */
  spool: Spool;
  /** Sends messages to a destination (the relay). */
  deliverer: Deliverer;
  /** Times the schedule. @default the system clock */
  clock?: Clock;
  /**
   * Delays between attempts in milliseconds; the last one repeats. RFC 5321 §4.5.4.1 asks for at
   * least 30 minutes, as the course says.
   * @default [1800000]
   */
  retrySchedule?: number[];
  /** How long a message may stay queued before the server gives up (RFC 5321: 4-5 days). @default 432000000 */
  maxAge?: number;
  /** When to warn the sender that a message is late; unset for never. @default undefined */
  warnAfter?: number;
  /** Destination domains delivered to at the same time. @default 4 */
  maxParallelDomains?: number;
  /** Told of every step. @default nothing */
  onEvent?: (event: QueueEvent) => void;
  /**
   * Called once a message is done and some recipients failed for good: where the server writes
   * the bounce. Each failed recipient carries its last outcome (`last`), and `gaveUp` when the
   * message expired. Never called for a message with the null sender `<>` (no bounce for a
   * bounce).
   * @default nothing
   */
  onFailure?: (entry: QueueEntry, message: Uint8Array) => Promise<void>;
  /** Called once per message when it is `warnAfter` late (never for `<>`). @default nothing */
  onDelay?: (entry: QueueEntry, message: Uint8Array) => Promise<void>;
}

/** The schedule of a queue, every default filled in. */
export interface QueueSchedule {
  /** Times the schedule. */
  clock: Clock;
  /** Delays between attempts, never empty; the last repeats. */
  retrySchedule: number[];
  /** How long a message may stay queued. */
  maxAge: number;
  /** When to warn the sender, if ever. */
  warnAfter?: number;
  /** Destination domains delivered to at the same time, at least 1. */
  maxParallelDomains: number;
}

/**
 * Fills in the defaults of a queue's schedule.
 *
 * @param options The queue's options.
 * @returns The schedule it runs on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { queueSchedule } from "./queue_options.ts";
 *
 * const schedule = queueSchedule({ retrySchedule: [] });
 * assert.deepEqual(schedule.retrySchedule, [1_800_000]);
 * assert.equal(schedule.maxAge, 5 * 86_400_000);
 * assert.equal(schedule.maxParallelDomains, 4);
 * ```
 */
export function queueSchedule(
  options: Pick<
    OutboundQueueOptions,
    "clock" | "retrySchedule" | "maxAge" | "warnAfter" | "maxParallelDomains"
  >,
): QueueSchedule {
  const retrySchedule = options.retrySchedule?.length ? [...options.retrySchedule] : [30 * MINUTE];
  return {
    clock: options.clock ?? systemClock,
    retrySchedule,
    maxAge: options.maxAge ?? 5 * 24 * 60 * MINUTE,
    warnAfter: options.warnAfter,
    maxParallelDomains: Math.max(1, options.maxParallelDomains ?? 4),
  };
}
