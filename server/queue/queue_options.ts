/**
 * The outbound queue's options and the events it reports.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import type { Deliverer, RecipientOutcome } from "./relay.ts";
import type { QueueEntry, Spool } from "./spool.ts";

/** What the queue reports as it works. */
export type QueueEvent =
  | { type: "queued"; id: string; from: string; to: string[]; at: number }
  | { type: "attempt"; id: string; destination: string; outcomes: RecipientOutcome[]; at: number }
  | { type: "deferred"; id: string; nextAttemptAt: number; at: number }
  | { type: "done"; id: string; delivered: string[]; failed: string[]; at: number }
  | { type: "gave-up"; id: string; failed: string[]; at: number };

/** Options of {@linkcode OutboundQueue}. */
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
   * the bounce. Never called for a message with the null sender `<>` (no bounce for a bounce).
   * @default nothing
   */
  onFailure?: (entry: QueueEntry, message: Uint8Array) => Promise<void>;
  /** Called once per message when it is `warnAfter` late (never for `<>`). @default nothing */
  onDelay?: (entry: QueueEntry, message: Uint8Array) => Promise<void>;
}
