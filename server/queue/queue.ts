/**
 * The outbound queue, the course's message queue (메시지 큐): what a mail server does with a
 * message for another domain. It keeps the message in a durable spool, hands it to the relay,
 * and when the other server cannot be reached tries again (재시도) on a schedule (every 30
 * minutes by default, as the course says) until it gives up, removes the message and notifies
 * the sender (발신자에게 알림) with a bounce.
 *
 * Messages for one destination domain wait in one line that the relay's connections share, so a
 * message queued while a connection is open travels over it.
 *
 * @module
 */
import type { Clock, Timer } from "../../protocol/clock.ts";
import { domainOf } from "../../protocol/smtp/command.ts";
import { handOver, outcomesFor, type RecipientOutcome, type RelayItem } from "./delivery.ts";
import { DestinationLine } from "./destination_line.ts";
import { applyOutcomes, pendingDomains, settleEntry } from "./entry_state.ts";
import { QueueView } from "./queue_view.ts";
import { WriteBehind } from "./write_behind.ts";
import {
  type OutboundQueueOptions,
  type QueueEvent,
  type QueueSchedule,
  queueSchedule,
} from "./queue_options.ts";
import type { QueueEntry } from "./spool.ts";

export type { OutboundQueueOptions, QueueEvent };

/**
 * A durable, retrying outbound queue.
 *
 * @example Hold a message while the other server is down, deliver it 30 minutes later
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import type { Deliverer } from "./delivery.ts";
 * import { OutboundQueue } from "./queue.ts";
 * import { MemorySpool } from "./spool.ts";
 *
 * const clock = new ManualClock();
 * let up = false;
 * const deliverer: Deliverer = {
 *   async *deliver(_destination, messages) {
 *     for await (const item of messages) {
 *       yield {
 *         item,
 *         outcomes: item.envelope.to.map((address) => up
 *           ? { address, status: "delivered", step: "end of data", reply: { code: 250, lines: ["OK"] } }
 *           : { address, status: "deferred", step: "connect", error: "Connection refused" }),
 *       };
 *     }
 *   },
 * };
 * const queue = new OutboundQueue({ spool: new MemorySpool(), clock, deliverer });
 * await queue.enqueue({ from: "alice@crepes.fr", to: ["bob@hamburger.edu"] }, new Uint8Array([104, 105]));
 * await queue.idle();
 * assert.equal(queue.list()[0].attempts, 1);
 * assert.equal(queue.list()[0].recipients[0].last?.error, "Connection refused");
 * up = true;
 * clock.advance(30 * 60_000);
 * await queue.idle();
 * assert.equal(queue.list().length, 0);
 * ```
 */
export class OutboundQueue implements AsyncDisposable {
  #options: OutboundQueueOptions;
  #schedule: QueueSchedule;
  #clock: Clock;
  #entries = new Map<string, QueueEntry>();
  #inFlight = new Map<string, Set<string>>();
  #lines = new Map<string, DestinationLine>();
  #runs = new Set<Promise<void>>();
  #writes = new WriteBehind();
  #timer: Timer | undefined;
  #timerDue = Infinity;
  #closed = false;
  #seq = 0;

  /**
   * Creates a queue; call {@linkcode OutboundQueue.start} to resume a spool after a restart.
   *
   * @param options Spool, deliverer, clock and schedule.
   */
  constructor(options: OutboundQueueOptions) {
    this.#options = options;
    this.#schedule = queueSchedule(options);
    this.#clock = this.#schedule.clock;
  }

  /** The retry delays in milliseconds. */
  get retrySchedule(): number[] {
    return [...this.#schedule.retrySchedule];
  }

  /** How long a message may stay queued, in milliseconds. */
  get maxAge(): number {
    return this.#schedule.maxAge;
  }

  /**
   * Loads what the spool holds (after a restart) and starts what is due.
   *
   * @returns How many messages were waiting.
   */
  async start(): Promise<number> {
    for (const entry of await this.#options.spool.load()) this.#entries.set(entry.id, entry);
    this.#wake();
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
      recipients: [...new Set(envelope.to)].map((address) => ({ address, status: "pending" })),
      createdAt: now,
      nextAttemptAt: now,
      attempts: 0,
      size: message.length,
      history: [],
    };
    await this.#options.spool.put(entry, message);
    this.#entries.set(id, entry);
    this.#emit({ type: "queued", id, from: entry.from, to: [...envelope.to], at: now });
    this.#makeDue(entry);
    this.#startRuns();
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
   * The queue as a table (`mailq`), which a notebook shows.
   *
   * @returns A view of every entry now.
   */
  view(): QueueView {
    return new QueueView(this.list(), { now: this.#clock.now() });
  }

  /**
   * Makes waiting messages due now and starts their attempts (the operator's flush).
   *
   * @param domain Only messages with recipients at this destination. @default every message
   * @returns How many messages were made due.
   */
  flush(domain?: string): number {
    let count = 0;
    for (const entry of this.#entries.values()) {
      if (this.#inFlight.has(entry.id)) continue;
      if (domain && !pendingDomains(entry).includes(domain.toLowerCase())) continue;
      entry.nextAttemptAt = Math.min(entry.nextAttemptAt, this.#clock.now());
      if (this.#makeDue(entry)) count++;
    }
    this.#startRuns();
    return count;
  }

  /**
   * Removes a message without delivering it and without a bounce (the operator's delete). A
   * delivery under way finishes, but nothing more is sent or recorded for it.
   *
   * @param id The queue identifier.
   * @returns Whether it was there.
   */
  async remove(id: string): Promise<boolean> {
    if (!this.#entries.delete(id)) return false;
    this.#inFlight.delete(id);
    await this.#writes.flush(id);
    await this.#options.spool.remove(id);
    return true;
  }

  /** Whether a delivery is running now. */
  get busy(): boolean {
    return this.#runs.size > 0;
  }

  /**
   * Resolves when no delivery is running and the spool has every state change and removal:
   * what a test or a notebook awaits after sending, or after moving a manual clock.
   *
   * @throws The error of a spool write that failed since the last call (the spool keeps the
   * message's earlier state: a restart tries it again, or sends a delivered one a second time).
   */
  async idle(): Promise<void> {
    while (this.#runs.size > 0 || this.#writes.size > 0) {
      await Promise.all([...this.#runs, this.#writes.settle()]);
    }
    await this.#writes.settle();
  }

  /** Stops scheduling, breaks off deliveries under way, and waits for them to end. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer?.cancel();
    this.#options.deliverer.close?.();
    try {
      await this.idle();
    } finally {
      await Promise.all([...this.#lines.values()].map((line) => line.clear()));
    }
  }

  /** Same as {@linkcode OutboundQueue.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #emit(event: QueueEvent): void {
    this.#options.onEvent?.(event);
  }

  #makeDue(entry: QueueEntry): boolean {
    if (this.#inFlight.has(entry.id)) return false;
    const domains = pendingDomains(entry);
    if (domains.length === 0) return false;
    this.#inFlight.set(entry.id, new Set(domains));
    for (const domain of domains) {
      let line = this.#lines.get(domain);
      if (!line) {
        line = new DestinationLine(domain, {
          read: (id) => this.#options.spool.read(id),
          size: (id) => this.#entries.get(id)?.size,
        });
        this.#lines.set(domain, line);
      }
      line.push(entry.id);
    }
    return true;
  }

  // The timer's work: everything now due joins its line, and the timer is set for the next.
  #wake(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#closed) return;
    const now = this.#clock.now();
    let next = Infinity;
    for (const entry of this.#entries.values()) {
      if (this.#inFlight.has(entry.id)) continue;
      if (entry.nextAttemptAt <= now) this.#makeDue(entry);
      else next = Math.min(next, entry.nextAttemptAt);
    }
    this.#arm(next);
    this.#startRuns();
  }

  #arm(due: number): void {
    if (this.#closed || due === Infinity || due >= this.#timerDue) return;
    this.#timer?.cancel();
    this.#timerDue = due;
    this.#timer = this.#clock.setTimer(due - this.#clock.now(), () => this.#wake());
  }

  #startRuns(): void {
    const parallel = this.#schedule.maxParallelDomains;
    for (const line of this.#lines.values()) {
      if (this.#closed || this.#runs.size >= parallel) return;
      if (!line.run && line.waiting > 0) this.#startRun(line);
    }
  }

  // One delivery to a destination: the deliverer pulls the line's messages and answers for each.
  #startRun(line: DestinationLine): void {
    const domain = line.domain;
    const next = () => this.#next(line);
    async function* messages(): AsyncGenerator<RelayItem> {
      for (let item = await next(); item; item = await next()) yield item;
    }
    const run: Promise<void> = handOver(this.#options.deliverer, messages(), {
      destination: line, // its domain, and how many wait
      record: (item, outcomes) => this.#report(domain, item, outcomes),
    }).finally(() => {
      line.run = undefined;
      this.#runs.delete(run);
      line.settle();
      if (line.empty) this.#lines.delete(domain);
      this.#startRuns();
    });
    line.run = run;
    this.#runs.add(run);
  }

  async #next(line: DestinationLine): Promise<RelayItem | undefined> {
    const domain = line.domain;
    for (;;) {
      const taken = this.#closed ? undefined : line.take();
      if (!taken) return undefined;
      const { id } = taken;
      const entry = this.#entries.get(id)!;
      const to = entry.recipients
        .filter((r) => r.status === "pending" && domainOf(r.address) === domain)
        .map((r) => r.address);
      const envelope = { from: entry.from, to };
      try {
        return { id, envelope, message: await taken.message };
      } catch (error) {
        const item = { id, envelope, message: new Uint8Array() };
        const text = `Cannot read the queued message: ${(error as Error).message}`;
        const outcome = { status: "deferred" as const, step: "queue" as const, error: text };
        await this.#report(domain, item, outcomesFor(item, outcome));
      }
    }
  }

  async #report(domain: string, item: RelayItem, outcomes: RecipientOutcome[]): Promise<void> {
    const entry = this.#entries.get(item.id);
    const left = this.#inFlight.get(item.id);
    if (!entry || !left?.has(domain)) return;
    const at = this.#clock.now();
    const delivered = applyOutcomes(entry, { domain, outcomes, at });
    const attempt = entry.attempts + 1;
    this.#emit({ type: "attempt", id: item.id, destination: domain, attempt, outcomes, at });
    left.delete(domain);
    if (left.size > 0) {
      // Other destinations are still out: keep what was delivered, so a restart does not repeat it.
      if (delivered) await this.#persist(entry);
      return;
    }
    this.#inFlight.delete(item.id);
    await this.#settle(entry);
  }

  async #settle(entry: QueueEntry): Promise<void> {
    const now = this.#clock.now();
    const { retrySchedule, maxAge, warnAfter } = this.#schedule;
    const step = settleEntry(entry, { now, retrySchedule, maxAge, warnAfter });
    const spool = this.#options.spool;
    if (step.gaveUp.length > 0) {
      const { attempts, createdAt } = entry;
      const waited = now - createdAt;
      this.#emit({ type: "gave-up", id: entry.id, failed: step.gaveUp, attempts, waited, at: now });
    }
    if (step.kind === "retry") {
      if (step.warn && entry.from !== "" && this.#options.onDelay) {
        await this.#options.onDelay(structuredClone(entry), await spool.read(entry.id));
      }
      await this.#persist(entry);
      this.#emit({ type: "deferred", id: entry.id, nextAttemptAt: entry.nextAttemptAt, at: now });
      this.#arm(entry.nextAttemptAt);
      return;
    }
    const failed = entry.recipients.filter((r) => r.status === "failed").map((r) => r.address);
    if (failed.length > 0 && entry.from !== "" && this.#options.onFailure) {
      await this.#options.onFailure(structuredClone(entry), await spool.read(entry.id));
    }
    this.#entries.delete(entry.id);
    const done = entry.recipients.filter((r) => r.status === "delivered").map((r) => r.address);
    this.#emit({ type: "done", id: entry.id, delivered: done, failed, at: now });
    await this.#writes.add(entry.id, () => spool.remove(entry.id), { ordered: false });
  }

  // A message's new state and its removal reach the spool without holding its connection back
  // (see WriteBehind): the spool keeps what was acknowledged from the start, and a write that a
  // crash loses leaves a message that the next start tries again, or, done, sends a second
  // time: a duplicate, the trade SMTP makes anyway (at least once, RFC 1047), never a loss.
  #persist(entry: QueueEntry): Promise<void> {
    return this.#writes.add(entry.id, () => this.#options.spool.update(entry), { latest: true });
  }
}
