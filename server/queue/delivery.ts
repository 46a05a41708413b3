/**
 * The seam between the outbound queue and what delivers its messages (the relay, or a stand-in
 * in tests): the queue hands over one destination's messages as an async iterable, and gets
 * back, for each message, what became of each recipient. An outcome keeps the server's reply as
 * a structured value, with the step it answered, all the way to the spool and the bounce.
 *
 * @module
 */
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import type { OutgoingMessage, TransactionStep } from "../../client/smtp_client.ts";

/**
 * Where in a delivery an outcome was decided: `queue` (this server's own queue: the message
 * could not be read, or the delivery broke off), `route` (finding the destination's servers),
 * `connect` (the TCP connection), `greeting` (the 220), `hello` (EHLO or HELO), `tls`
 * (STARTTLS), then the steps of the mail transaction.
 */
export type DeliveryStep =
  | "queue"
  | "route"
  | "connect"
  | "greeting"
  | "hello"
  | "tls"
  | TransactionStep;

/** Delivered; deferred (try again later: 4xx, no connection); or failed for good (5xx). */
export type OutcomeStatus = "delivered" | "deferred" | "failed";

/**
 * What an attempt learned of a recipient: the reply as the server gave it, or the error when no
 * reply came, and the step either belongs to.
 */
export interface OutcomeFacts {
  /** What it means for the recipient. */
  status: OutcomeStatus;
  /** The step the reply answered, or where the delivery failed; unset in what an older version kept. */
  step?: DeliveryStep;
  /** The reply that decided it, when one came. */
  reply?: SmtpReply;
  /** What went wrong when no reply says it, such as `Connection refused` or a timeout. */
  error?: string;
  /** True when this server decided `reply` itself (over SIZE, no SMTPUTF8, a policy). */
  local?: boolean;
}

/** What became of one recipient in one attempt, as the relay saw it. */
export interface RecipientOutcome extends OutcomeFacts {
  /** The recipient. */
  address: string;
  /** The step the reply answered, or where the delivery failed. */
  step: DeliveryStep;
  /** The server that answered, as `host:port`, when one did. */
  remote?: string;
}

/** One queued message handed to a deliverer, with the recipients to try at this destination. */
export interface RelayItem extends OutgoingMessage {
  /** The queue identifier. */
  id: string;
}

/** The destination a deliverer works for. */
export interface Destination {
  /** The destination domain, in lower case. */
  readonly domain: string;
  /** How many messages wait to be taken now (a relay opens more connections for many). */
  readonly waiting: number;
}

/** What became of one message: one outcome per recipient it was handed with. */
export interface DeliveryResult {
  /** The message, as it was taken. */
  item: RelayItem;
  /** One per recipient. */
  outcomes: RecipientOutcome[];
}

/** Something that delivers a destination's messages: the relay, or a stand-in in tests. */
export interface Deliverer {
  /**
   * Delivers messages to one destination. It may pull from `messages` over several connections
   * at once; it should yield a result for every message it took. One it took and never answered
   * for stays queued for the next attempt.
   *
   * @param destination The domain, and how many messages wait.
   * @param messages The messages, taken one at a time.
   * @returns One result per message taken, as each is known.
   */
  deliver(
    destination: Destination,
    messages: AsyncIterable<RelayItem>,
  ): AsyncIterable<DeliveryResult>;
  /** Breaks off every delivery under way (the server is closing). */
  close?(): void;
}

const AT: Record<DeliveryStep, string> = {
  queue: "in the queue",
  route: "while routing",
  connect: "at connect",
  greeting: "at the greeting",
  hello: "at EHLO",
  tls: "at STARTTLS",
  reset: "at RSET",
  mail: "at MAIL FROM",
  rcpt: "at RCPT TO",
  data: "at DATA",
  "end of data": "at the end of data",
};

/**
 * A reply as one line of text: code, enhanced code, and its lines joined.
 *
 * @param reply The reply.
 * @returns Such as `550 5.1.1 No such user`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replyText } from "./delivery.ts";
 *
 * assert.equal(replyText({ code: 550, enhanced: "5.1.1", lines: ["No such", "user"] }), "550 5.1.1 No such user");
 * assert.equal(replyText({ code: 250, lines: ["OK"] }), "250 OK");
 * ```
 */
export function replyText(reply: SmtpReply): string {
  return `${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ""} ${reply.lines.join(" ")}`;
}

/**
 * What an outcome says, for people: the step and the reply or error. A delivered recipient's
 * outcome is just the reply that took it.
 *
 * @param outcome The outcome.
 * @returns Such as `at RCPT TO: 550 5.1.1 No such user`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeOutcome } from "./delivery.ts";
 *
 * assert.equal(
 *   describeOutcome({ status: "failed", step: "rcpt", reply: { code: 550, enhanced: "5.1.1", lines: ["No such user"] } }),
 *   "at RCPT TO: 550 5.1.1 No such user",
 * );
 * assert.equal(describeOutcome({ status: "deferred", step: "connect", error: "Connection refused" }), "at connect: Connection refused");
 * assert.equal(describeOutcome({ status: "delivered", step: "end of data", reply: { code: 250, lines: ["OK"] } }), "250 OK");
 * ```
 */
export function describeOutcome(outcome: OutcomeFacts): string {
  const text = outcome.reply ? replyText(outcome.reply) : outcome.error ?? "no answer";
  if (outcome.status === "delivered" || !outcome.step) return text;
  if (outcome.local) return `refused here, not sent: ${text}`;
  return `${AT[outcome.step]}: ${text}`;
}

/**
 * What a reply means for the recipients it answers: 2xx delivered, 4xx deferred, 5xx failed.
 *
 * @param reply The reply.
 * @returns The status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusOfReply } from "./delivery.ts";
 *
 * assert.equal(statusOfReply({ code: 451, lines: [] }), "deferred");
 * assert.equal(statusOfReply({ code: 550, lines: [] }), "failed");
 * ```
 */
export function statusOfReply(reply: SmtpReply): OutcomeStatus {
  return reply.code < 400 ? "delivered" : reply.code < 500 ? "deferred" : "failed";
}

/**
 * The same outcome for every recipient of a message, as when the connection failed before any
 * recipient was answered.
 *
 * @param item The message.
 * @param outcome What happened, without the address.
 * @returns One outcome per recipient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outcomesFor } from "./delivery.ts";
 *
 * const item = { id: "Q1", envelope: { from: "a@b.c", to: ["x@y.z", "w@y.z"] }, message: new Uint8Array() };
 * const outcomes = outcomesFor(item, { status: "deferred", step: "connect", error: "Connection refused" });
 * assert.deepEqual(outcomes.map((o) => o.address), ["x@y.z", "w@y.z"]);
 * ```
 */
export function outcomesFor(
  item: RelayItem,
  outcome: Omit<RecipientOutcome, "address">,
): RecipientOutcome[] {
  return item.envelope.to.map((address) => ({ address, ...outcome }));
}

/** Options of {@linkcode handOver}. */
export interface HandOverOptions {
  /** The destination. */
  destination: Destination;
  /**
   * Records what became of one message; resolves once that is safely kept.
   *
   * @param item The message.
   * @param outcomes One per recipient.
   */
  record(item: RelayItem, outcomes: RecipientOutcome[]): Promise<void>;
}

/**
 * The queue's side of the seam: hands one destination's messages to a deliverer, and records
 * each result as it comes, before the deliverer is asked for the next. A message the deliverer
 * took and never answered for (it threw, or stopped early) is recorded as deferred at the
 * `queue` step, so that it stays queued: nothing handed over is lost. A result for a message
 * that was not handed over, or a second one, is ignored.
 *
 * @param deliverer Who delivers.
 * @param messages The destination's messages, taken one at a time (by several connections at
 * once, perhaps: an async generator serves them one after the other).
 * @param options The destination, and where results are recorded.
 *
 * @example A deliverer that takes two messages and answers for one
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Deliverer, handOver, type RecipientOutcome } from "./delivery.ts";
 *
 * const item = (id: string) => ({ id, envelope: { from: "a@b.c", to: ["x@y.z"] }, message: new Uint8Array() });
 * const deliverer: Deliverer = {
 *   async *deliver(_destination, messages) {
 *     const iterator = messages[Symbol.asyncIterator]();
 *     const first = (await iterator.next()).value;
 *     await iterator.next(); // taken, then the connection dies
 *     yield { item: first, outcomes: [{ address: "x@y.z", status: "delivered", step: "end of data" }] };
 *   },
 * };
 * const recorded: [string, RecipientOutcome[]][] = [];
 * async function* line() { yield item("Q1"); yield item("Q2"); yield item("Q3"); }
 * await handOver(deliverer, line(), {
 *   destination: { domain: "y.z", waiting: 3 },
 *   record: (item, outcomes) => Promise.resolve(void recorded.push([item.id, outcomes])),
 * });
 * assert.deepEqual(recorded.map(([id, [o]]) => [id, o.status, o.step]), [
 *   ["Q1", "delivered", "end of data"],
 *   ["Q2", "deferred", "queue"],
 * ]);
 * ```
 */
export async function handOver(
  deliverer: Deliverer,
  messages: AsyncIterable<RelayItem>,
  options: HandOverOptions,
): Promise<void> {
  const taken = new Map<string, RelayItem>();
  async function* tracked(): AsyncGenerator<RelayItem> {
    for await (const item of messages) {
      taken.set(item.id, item);
      yield item;
    }
  }
  let error = "The delivery ended without an outcome";
  try {
    for await (const { item, outcomes } of deliverer.deliver(options.destination, tracked())) {
      if (!taken.delete(item.id)) continue;
      await options.record(item, outcomes);
    }
  } catch (thrown) {
    error = `The delivery broke off: ${(thrown as Error).message}`;
  }
  for (const item of taken.values()) {
    await options.record(item, outcomesFor(item, { status: "deferred", step: "queue", error }));
  }
}
