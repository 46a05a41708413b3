/**
 * How one queued message's state moves: the outcomes of an attempt change its recipients, and at
 * the end of each round the message is done, waits for its next attempt, or is given up. Pure
 * functions of the entry and the time, so the schedule can be read and tested without a queue.
 *
 * @module
 */
import { domainOf } from "../../protocol/smtp/command.ts";
import { describeOutcome, type RecipientOutcome } from "./delivery.ts";
import type { QueueEntry, RecordedOutcome } from "./spool.ts";

/**
 * The destination domains a message still has pending recipients at.
 *
 * @param entry The queued message.
 * @returns The domains in lower case, each once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pendingDomains } from "./entry_state.ts";
 *
 * assert.deepEqual(pendingDomains({
 *   id: "q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 0, attempts: 0, size: 1, history: [],
 *   recipients: [
 *     { address: "bob@Hamburger.edu", status: "pending" },
 *     { address: "carol@example.org", status: "delivered" },
 *   ],
 * }), ["hamburger.edu"]);
 * ```
 */
export function pendingDomains(entry: QueueEntry): string[] {
  const domains = new Set<string>();
  for (const r of entry.recipients) if (r.status === "pending") domains.add(domainOf(r.address));
  return [...domains];
}

/** One attempt's results at one destination, for {@linkcode applyOutcomes}. */
export interface AttemptResults {
  /** The destination domain. */
  domain: string;
  /** One outcome per recipient tried. */
  outcomes: RecipientOutcome[];
  /** When the attempt ended. */
  at: number;
}

/**
 * Records an attempt's outcomes in the entry: each recipient's status and last outcome (the
 * reply as the server gave it, with its step), and one line of history (the last 20 are kept).
 *
 * @param entry The queued message, changed in place.
 * @param results The attempt.
 * @returns Whether some recipient was delivered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyOutcomes } from "./entry_state.ts";
 * import type { QueueEntry } from "./spool.ts";
 *
 * const entry: QueueEntry = {
 *   id: "q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 0, attempts: 0, size: 1, history: [],
 *   recipients: [{ address: "bob@hamburger.edu", status: "pending" }],
 * };
 * const reply = { code: 451, enhanced: "4.3.0", lines: ["Try later"] };
 * applyOutcomes(entry, { domain: "hamburger.edu", at: 5, outcomes: [
 *   { address: "bob@hamburger.edu", status: "deferred", step: "rcpt", reply, remote: "127.0.0.1:25" },
 * ] });
 * assert.deepEqual(entry.recipients[0].last, { status: "deferred", step: "rcpt", reply, remote: "127.0.0.1:25", at: 5 });
 * assert.equal(entry.history[0].destination, "hamburger.edu via 127.0.0.1:25");
 * assert.equal(entry.history[0].result, "bob@hamburger.edu: deferred (at RCPT TO: 451 4.3.0 Try later)");
 * ```
 */
export function applyOutcomes(entry: QueueEntry, results: AttemptResults): boolean {
  let delivered = false;
  for (const outcome of results.outcomes) {
    const r = entry.recipients.find((x) => x.address === outcome.address);
    if (!r || r.status !== "pending") continue;
    r.last = recorded(outcome, results.at);
    if (outcome.status === "delivered") {
      r.status = "delivered";
      delivered = true;
    } else if (outcome.status === "failed") r.status = "failed";
  }
  const remote = results.outcomes.find((o) => o.remote)?.remote;
  entry.history.push({
    at: results.at,
    destination: remote ? `${results.domain} via ${remote}` : results.domain,
    result: results.outcomes.map((o) => `${o.address}: ${o.status} (${describeOutcome(o)})`)
      .join("; "),
  });
  if (entry.history.length > 20) entry.history.splice(0, entry.history.length - 20);
  return delivered;
}

// The outcome as the spool keeps it: only the fields that say something.
function recorded(outcome: RecipientOutcome, at: number): RecordedOutcome {
  const { status, step, reply, error, local, remote } = outcome;
  return {
    status,
    step,
    ...(reply ? { reply } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(local ? { local } : {}),
    ...(remote ? { remote } : {}),
    at,
  };
}

/** The queue's policy, for {@linkcode settleEntry}. */
export interface SettlePolicy {
  /** The time now. */
  now: number;
  /** Delays between attempts; the last repeats. */
  retrySchedule: number[];
  /** How long a message may wait before the server gives up. */
  maxAge: number;
  /** When the sender is warned of a delay; unset for never. @default undefined */
  warnAfter?: number;
}

/** What {@linkcode settleEntry} decided. */
export interface SettleStep {
  /** `retry`: some recipients wait for `nextAttemptAt`; `done`: nothing is left pending. */
  kind: "retry" | "done";
  /** Recipients given up on in this step (the message waited `maxAge`); each has `gaveUp` set. */
  gaveUp: string[];
  /** Whether the sender should now get a delay warning. */
  warn: boolean;
}

/**
 * Ends one round of attempts: counts it, and either schedules the next attempt, or gives up on
 * the recipients still pending once the message has waited `maxAge` (recording how many
 * attempts in how long, beside their last outcome). The next attempt is never later than the
 * give-up time, so the last try comes right at it.
 *
 * @param entry The queued message, changed in place.
 * @param policy The time and the schedule.
 * @returns What to do next.
 *
 * @example Retry every 30 minutes, give up after a day
 * ```ts
 * import assert from "node:assert/strict";
 * import { settleEntry } from "./entry_state.ts";
 * import type { QueueEntry } from "./spool.ts";
 *
 * const HOUR = 3_600_000;
 * const entry: QueueEntry = {
 *   id: "q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 0, attempts: 0, size: 1, history: [],
 *   recipients: [{ address: "bob@hamburger.edu", status: "pending" }],
 * };
 * const policy = { retrySchedule: [HOUR / 2], maxAge: 24 * HOUR };
 * assert.equal(settleEntry(entry, { ...policy, now: 0 }).kind, "retry");
 * assert.equal(entry.nextAttemptAt, HOUR / 2);
 * const last = settleEntry(entry, { ...policy, now: 24 * HOUR });
 * assert.deepEqual(last, { kind: "done", gaveUp: ["bob@hamburger.edu"], warn: false });
 * assert.equal(entry.recipients[0].status, "failed");
 * assert.deepEqual(entry.recipients[0].gaveUp, { attempts: 2, waited: 24 * HOUR });
 * ```
 */
export function settleEntry(entry: QueueEntry, policy: SettlePolicy): SettleStep {
  const { now } = policy;
  entry.attempts++;
  entry.lastAttemptAt = now;
  const pending = entry.recipients.filter((r) => r.status === "pending");
  const deadline = entry.createdAt + policy.maxAge;
  if (pending.length > 0 && now >= deadline) {
    for (const r of pending) {
      r.status = "failed";
      r.gaveUp = { attempts: entry.attempts, waited: now - entry.createdAt };
    }
    return { kind: "done", gaveUp: pending.map((r) => r.address), warn: false };
  }
  if (pending.length === 0) return { kind: "done", gaveUp: [], warn: false };
  const schedule = policy.retrySchedule.length > 0 ? policy.retrySchedule : [30 * 60_000];
  const delay = schedule[Math.min(entry.attempts - 1, schedule.length - 1)];
  entry.nextAttemptAt = Math.min(now + delay, deadline);
  const warn = policy.warnAfter !== undefined && !entry.warned &&
    now - entry.createdAt >= policy.warnAfter;
  if (warn) entry.warned = true;
  return { kind: "retry", gaveUp: [], warn };
}

/**
 * Formats a span of time the way the queue's messages say it: `45s`, `30m`, `2h30m`, `5d`.
 *
 * @param ms The span in milliseconds.
 * @returns The text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSpan } from "./entry_state.ts";
 *
 * assert.equal(formatSpan(90 * 60_000), "1h30m");
 * assert.equal(formatSpan(5 * 86_400_000), "5d");
 * assert.equal(formatSpan(1500), "1.5s");
 * ```
 */
export function formatSpan(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const units: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]];
  let left = Math.round(ms / 60_000) * 60_000;
  let out = "";
  for (const [unit, size] of units) {
    const n = Math.floor(left / size);
    if (n > 0) out += `${n}${unit}`;
    left -= n * size;
  }
  return out;
}
