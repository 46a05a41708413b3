/**
 * The outbound queue: what a mail server does with a message for another domain. It keeps the
 * message in a durable spool, hands it to the relay, and when the other server cannot be reached,
 * tries again on a schedule (every 30 minutes by default, as the course says) until it gives up.
 *
 * @module
 */
import type { Clock, Timer } from "../../protocol/clock.ts";
import { domainOf } from "../../protocol/smtp/command.ts";
import { systemClock } from "../../client/system_clock.ts";
import type { RecipientOutcome, RelayItem } from "./relay.ts";
import type { QueueEntry, Spool } from "./spool.ts";

/** Something that delivers a group of messages to one domain: the relay, or a stand-in. */
export interface Deliverer {
  /**
   * Delivers messages to one domain.
   *
   * @param domain The destination domain.
   * @param items The messages and their pending recipients there.
   * @returns Per-recipient outcomes by queue identifier.
   */
  deliver(domain: string, items: RelayItem[]): Promise<Map<string, RecipientOutcome[]>>;
}

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
  /** Sends messages to a domain (the relay). */
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
  /** Domains delivered to at the same time. @default 4 */
  maxParallelDomains?: number;
  /** Told of every step. @default nothing */
  onEvent?: (event: QueueEvent) => void;
  /**
   * Called once a message is done and some recipients failed for good, with their last errors:
   * where the server writes the bounce to the sender.
   * @default nothing
   */
  onFailure?: (entry: QueueEntry, message: Uint8Array) => Promise<void>;
}

const MINUTE = 60_000;

/**
 * A durable, retrying outbound queue.
 *
 * @example Hold a message while the other server is down, deliver it 30 minutes later
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { OutboundQueue } from "./queue.ts";
 * import { MemorySpool } from "./spool.ts";
 *
 * const clock = new ManualClock();
 * let up = false;
 * const queue = new OutboundQueue({
 *   spool: new MemorySpool(),
 *   clock,
 *   deliverer: {
 *     deliver: (_domain, items) => Promise.resolve(new Map(items.map((item) => [item.id,
 *       item.to.map((address) => ({ address, status: up ? "delivered" : "deferred", detail: up ? "250 OK" : "Connection refused" } as const)),
 *     ]))),
 *   },
 * });
 * await queue.enqueue({ from: "alice@crepes.fr", to: ["bob@hamburger.edu"] }, new Uint8Array([104, 105]));
 * await queue.idle();
 * assert.equal(queue.list()[0].attempts, 1);
 * up = true;
 * clock.advance(30 * 60_000);
 * await queue.idle();
 * assert.equal(queue.list().length, 0);
 * ```
 */
export class OutboundQueue implements AsyncDisposable {
  #options: OutboundQueueOptions;
  #clock: Clock;
  #entries = new Map<string, QueueEntry>();
  #timer: Timer | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #seq = 0;

  /**
   * Creates a queue; call {@linkcode OutboundQueue.start} to resume a spool after a restart.
   *
   * @param options Spool, deliverer, clock and schedule.
   */
  constructor(options: OutboundQueueOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The retry delays in milliseconds. */
  get retrySchedule(): number[] {
    return [...(this.#options.retrySchedule ?? [30 * MINUTE])];
  }

  /** How long a message may stay queued, in milliseconds. */
  get maxAge(): number {
    return this.#options.maxAge ?? 5 * 24 * 60 * MINUTE;
  }

  /**
   * Loads what the spool holds (after a restart) and schedules it.
   *
   * @returns How many messages were waiting.
   */
  async start(): Promise<number> {
    for (const entry of await this.#options.spool.load()) this.#entries.set(entry.id, entry);
    this.#schedule();
    return this.#entries.size;
  }

  /**
   * Queues a message; it is safe in the spool when this resolves, and its first attempt starts
   * at once.
   *
   * @param envelope Sender and recipients.
   * @param message The message, as it should be sent.
   * @returns The queue identifier.
   */
  async enqueue(envelope: { from: string; to: string[] }, message: Uint8Array): Promise<string> {
    const now = this.#clock.now();
    const id = `${now.toString(36)}${(this.#seq++).toString(36)}${
      crypto.randomUUID().replaceAll("-", "").slice(0, 8)
    }`.toUpperCase();
    const entry: QueueEntry = {
      id,
      from: envelope.from,
      recipients: envelope.to.map((address) => ({ address, status: "pending" })),
      createdAt: now,
      nextAttemptAt: now,
      attempts: 0,
      size: message.length,
      history: [],
    };
    await this.#options.spool.put(entry, message);
    this.#entries.set(id, entry);
    this.#emit({ type: "queued", id, from: entry.from, to: [...envelope.to], at: now });
    this.#kick();
    return id;
  }

  /**
   * A snapshot of every queued message, oldest first.
   *
   * @returns Copies of the entries.
   */
  list(): QueueEntry[] {
    return [...this.#entries.values()].map((e) => structuredClone(e));
  }

  /**
   * One queued message.
   *
   * @param id The queue identifier.
   * @returns A copy of its entry, or `undefined`.
   */
  get(id: string): QueueEntry | undefined {
    const entry = this.#entries.get(id);
    return entry && structuredClone(entry);
  }

  /**
   * Makes every waiting message due now and starts an attempt.
   */
  flush(): void {
    const now = this.#clock.now();
    for (const entry of this.#entries.values()) {
      entry.nextAttemptAt = Math.min(entry.nextAttemptAt, now);
    }
    this.#kick();
  }

  /**
   * Removes a message without delivering it and without a bounce (the operator's delete).
   *
   * @param id The queue identifier.
   * @returns Whether it was there.
   */
  async remove(id: string): Promise<boolean> {
    if (!this.#entries.delete(id)) return false;
    await this.#options.spool.remove(id);
    return true;
  }

  /** Whether an attempt is running now. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Resolves when no attempt is running or requested: what a test or a notebook awaits after
   * sending, or after moving a manual clock.
   */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops scheduling and waits for a running attempt to finish. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    await this.idle();
  }

  /** Same as {@linkcode OutboundQueue.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #emit(event: QueueEvent): void {
    this.#options.onEvent?.(event);
  }

  #kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#runDue().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.#kick();
      } else {
        this.#schedule();
      }
    });
  }

  #schedule(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#closed || this.#entries.size === 0) return;
    const next = Math.min(...[...this.#entries.values()].map((e) => e.nextAttemptAt));
    this.#timer = this.#clock.setTimer(next - this.#clock.now(), () => this.#kick());
  }

  async #runDue(): Promise<void> {
    const now = this.#clock.now();
    const due = [...this.#entries.values()].filter((e) => e.nextAttemptAt <= now);
    if (due.length === 0) return;
    const byDomain = new Map<string, QueueEntry[]>();
    for (const entry of due) {
      for (const r of entry.recipients) {
        if (r.status !== "pending") continue;
        const domain = domainOf(r.address);
        const list = byDomain.get(domain) ?? [];
        if (!list.includes(entry)) list.push(entry);
        byDomain.set(domain, list);
      }
    }
    const domains = [...byDomain.keys()];
    const parallel = Math.max(1, this.#options.maxParallelDomains ?? 4);
    const workers = Array.from({ length: Math.min(parallel, domains.length) }, async () => {
      for (let domain = domains.shift(); domain !== undefined; domain = domains.shift()) {
        await this.#attemptDomain(domain, byDomain.get(domain)!);
      }
    });
    await Promise.all(workers);
    for (const entry of due) await this.#settle(entry);
  }

  async #attemptDomain(domain: string, entries: QueueEntry[]): Promise<void> {
    const items: RelayItem[] = [];
    for (const entry of entries) {
      if (!this.#entries.has(entry.id)) continue;
      items.push({
        id: entry.id,
        from: entry.from,
        to: entry.recipients
          .filter((r) => r.status === "pending" && domainOf(r.address) === domain)
          .map((r) => r.address),
        message: await this.#options.spool.read(entry.id),
      });
    }
    const at = this.#clock.now();
    let outcomes: Map<string, RecipientOutcome[]>;
    try {
      outcomes = await this.#options.deliverer.deliver(domain, items);
    } catch (error) {
      const detail = `Relay error: ${(error as Error).message}`;
      outcomes = new Map(items.map((item) => [
        item.id,
        item.to.map((address) => ({ address, status: "deferred" as const, detail })),
      ]));
    }
    for (const item of items) {
      const entry = this.#entries.get(item.id);
      const list = outcomes.get(item.id) ?? [];
      if (!entry) continue;
      for (const outcome of list) {
        const r = entry.recipients.find((x) => x.address === outcome.address);
        if (!r || r.status !== "pending") continue;
        if (outcome.status === "delivered") {
          r.status = "delivered";
          r.deliveredReply = outcome.detail;
        } else {
          r.lastError = outcome.detail;
          if (outcome.status === "failed") r.status = "failed";
        }
      }
      entry.history.push({
        at,
        destination: domain,
        result: list.map((o) => `${o.address}: ${o.status} (${o.detail})`).join("; "),
      });
      if (entry.history.length > 20) entry.history.shift();
      this.#emit({ type: "attempt", id: item.id, destination: domain, outcomes: list, at });
    }
  }

  async #settle(entry: QueueEntry): Promise<void> {
    if (!this.#entries.has(entry.id)) return;
    const now = this.#clock.now();
    entry.attempts++;
    const pending = entry.recipients.filter((r) => r.status === "pending");
    if (pending.length > 0 && now - entry.createdAt >= this.maxAge) {
      for (const r of pending) {
        r.status = "failed";
        r.lastError = `Gave up after ${entry.attempts} attempts: ${r.lastError ?? "no answer"}`;
      }
      this.#emit({ type: "gave-up", id: entry.id, failed: pending.map((r) => r.address), at: now });
    } else if (pending.length > 0) {
      const schedule = this.retrySchedule;
      const delay = schedule[Math.min(entry.attempts - 1, schedule.length - 1)] ?? 30 * MINUTE;
      entry.nextAttemptAt = Math.min(now + delay, entry.createdAt + this.maxAge);
      await this.#options.spool.update(entry);
      this.#emit({ type: "deferred", id: entry.id, nextAttemptAt: entry.nextAttemptAt, at: now });
      return;
    }
    const failed = entry.recipients.filter((r) => r.status === "failed");
    if (failed.length > 0 && this.#options.onFailure) {
      const message = await this.#options.spool.read(entry.id);
      await this.#options.onFailure(structuredClone(entry), message);
    }
    this.#entries.delete(entry.id);
    await this.#options.spool.remove(entry.id);
    this.#emit({
      type: "done",
      id: entry.id,
      delivered: entry.recipients.filter((r) => r.status === "delivered").map((r) => r.address),
      failed: failed.map((r) => r.address),
      at: now,
    });
  }
}
