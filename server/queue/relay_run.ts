/**
 * One delivery of the relay to one destination, seen from inside: the line of messages that its
 * connections share (each takes the next when it is free, one at a time, so that nothing is
 * taken twice), and the results they send back, handed to the queue one at a time and in the
 * order they come, each only when the queue has kept the one before.
 *
 * @module
 */
import type { Route } from "./router.ts";
import {
  type DeliveryResult,
  type Destination,
  outcomesFor,
  type RecipientOutcome,
  type RelayItem,
} from "./delivery.ts";

/**
 * An outcome without its address: what every message left waiting is told, such as a route that
 * cannot be found or a connection that broke.
 */
export type CommonOutcome = Omit<RecipientOutcome, "address">;

/**
 * The shared state of one destination's connections.
 *
 * @example Two takers share one line; results go out one at a time
 * ```ts
 * import assert from "node:assert/strict";
 * import { RelayRun } from "./relay_run.ts";
 *
 * const item = (id: string) => ({ id, envelope: { from: "a@b.c", to: ["x@y.z"] }, message: new Uint8Array() });
 * const run = new RelayRun({ domain: "y.z", waiting: 3 }, [item("Q1"), item("Q2"), item("Q3")]);
 * const taken = await Promise.all([run.take(), run.take(), run.take(), run.take()]);
 * assert.deepEqual(taken.map((i) => i?.id), ["Q1", "Q2", "Q3", undefined]);
 * run.work(run.emit({ item: taken[0]!, outcomes: [] }).then(() => undefined));
 * const ids: string[] = [];
 * for await (const result of run.results()) ids.push(result.item.id);
 * assert.deepEqual(ids, ["Q1"]);
 * assert.equal(run.failure, undefined, "the last connection ended well");
 * ```
 */
export class RelayRun {
  /** The destination. */
  readonly destination: Destination;
  /** Where its servers are, in the order to try them. */
  routes: Route[] = [];
  /** The connections' work under way. */
  readonly workers: Set<Promise<void>> = new Set();
  #source: AsyncIterator<RelayItem>;
  #pulling: Promise<unknown> = Promise.resolve();
  #exhausted = false;
  #halted = false;
  #stopped = false;
  #results: { result: DeliveryResult; taken: () => void }[] = [];
  #wake: (() => void) | undefined;
  #error: { error: unknown } | undefined;

  /**
   * Starts a run.
   *
   * @param destination The destination.
   * @param messages Its messages.
   */
  constructor(destination: Destination, messages: AsyncIterable<RelayItem> | Iterable<RelayItem>) {
    this.destination = destination;
    if (Symbol.asyncIterator in messages) this.#source = messages[Symbol.asyncIterator]();
    else {
      const items = messages[Symbol.iterator]();
      this.#source = { next: () => Promise.resolve(items.next()) };
    }
  }

  /**
   * How the connection that ended last ended, when it failed: what the messages still waiting
   * are told. Unset while connections run, and when the last one ended well.
   */
  failure: CommonOutcome | undefined;

  /** Whether the run takes no more messages (the relay is closing, or the consumer left). */
  get halted(): boolean {
    return this.#halted;
  }

  /**
   * Takes the next message. Calls wait for one another, so that each message goes to one
   * connection only, whatever the iterable.
   *
   * @returns The message, or `undefined` once none is left or the run stopped.
   */
  take(): Promise<RelayItem | undefined> {
    const taking = this.#pulling.then(async () => {
      if (this.#exhausted || this.#halted) return undefined;
      try {
        const next = await this.#source.next();
        if (!next.done) return next.value;
      } catch (error) {
        this.#exhausted = true;
        throw error;
      }
      this.#exhausted = true;
      return undefined;
    });
    this.#pulling = taking.catch(() => {});
    return taking;
  }

  /**
   * The line as an iterable for one connection: ending it does not end the line for the others.
   *
   * @param onTake Called after each message taken.
   * @returns The messages.
   */
  messages(onTake: () => void): AsyncIterable<RelayItem> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<RelayItem, undefined>> => {
          const item = await this.take();
          if (!item) return { done: true, value: undefined };
          onTake();
          return { done: false, value: item };
        },
      }),
    };
  }

  /**
   * Hands one result to the queue.
   *
   * @param result The result.
   * @returns A promise that resolves once the queue has kept it (or the run stopped).
   */
  emit(result: DeliveryResult): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#results.push({ result, taken: resolve });
    this.#wake?.();
    return promise;
  }

  /**
   * Counts a connection's work, until it ends; one that throws ends the run with its error.
   *
   * @param worker The work, resolving to how the connection failed, if it did.
   */
  work(worker: Promise<CommonOutcome | undefined>): void {
    const counted: Promise<void> = worker
      .then((failure) => void (this.failure = failure))
      .catch((error) => void (this.#error ??= { error }))
      .finally(() => {
        this.workers.delete(counted);
        this.#wake?.();
      });
    this.workers.add(counted);
  }

  /**
   * The results, in the order they come, until every connection has ended. The next one is
   * given only when the consumer asks for it, that is once it has kept this one.
   *
   * @returns The results.
   * @throws The error of a connection's work that failed.
   */
  async *results(): AsyncGenerator<DeliveryResult> {
    for (;;) {
      const next = this.#results.shift();
      if (next) {
        try {
          yield next.result;
        } finally {
          next.taken();
        }
        continue;
      }
      if (this.workers.size === 0) break;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
    if (this.#error) throw this.#error.error;
  }

  /** Takes no more messages; the connections finish what they hold, and their results flow. */
  halt(): void {
    this.#halted = true;
  }

  /** Stops the run when its consumer has left: nothing more is taken, results are let go. */
  stop(): void {
    this.#halted = this.#stopped = true;
    for (const { taken } of this.#results.splice(0)) taken();
  }
}

/**
 * Answers for the messages that wait now with one outcome; messages that join the line meanwhile
 * wait for a fresh attempt (a new lookup, a new connection).
 *
 * @param run The run.
 * @param outcome What each is told.
 * @returns One result per message taken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { answerWaiting, RelayRun } from "./relay_run.ts";
 *
 * const item = { id: "Q1", envelope: { from: "a@b.c", to: ["x@y.z"] }, message: new Uint8Array() };
 * const run = new RelayRun({ domain: "y.z", waiting: 1 }, [item, { ...item, id: "Q2" }]);
 * const results = await Array.fromAsync(answerWaiting(run, { status: "failed", step: "route", error: "No route to y.z" }));
 * assert.deepEqual(results.map((r) => [r.item.id, r.outcomes[0].error]), [["Q1", "No route to y.z"]]);
 * ```
 */
export async function* answerWaiting(
  run: RelayRun,
  outcome: CommonOutcome,
): AsyncGenerator<DeliveryResult> {
  for (let left = run.destination.waiting; left > 0; left--) {
    const item = await run.take();
    if (!item) return;
    yield { item, outcomes: outcomesFor(item, outcome) };
  }
}
