// The queue behind the delivery seam: a scripted deliverer stands in for the relay, and a manual
// clock moves the schedule, so that retries, giving up, warnings and the seam's guarantees can
// be watched without a socket.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import { buildBounce } from "./bounce.ts";
import type { Deliverer, Destination, RecipientOutcome, RelayItem } from "./delivery.ts";
import { OutboundQueue, type OutboundQueueOptions, type QueueEvent } from "./queue.ts";
import { MemorySpool, type QueueEntry } from "./spool.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MESSAGE = new TextEncoder().encode("Subject: Hi\r\n\r\nDo you like ketchup?\r\n");
const OK: SmtpReply = { code: 250, enhanced: "2.0.0", lines: ["Accepted"] };
const REFUSED = "Cannot connect to 127.0.0.1:20025: Connection refused";

type Answer = (item: RelayItem, address: string) => Omit<RecipientOutcome, "address">;

const delivered: Answer = () => ({ status: "delivered", step: "end of data", reply: OK });
const refused: Answer = () => ({ status: "deferred", step: "connect", error: REFUSED });

/** A deliverer that answers every message it takes with `answer`, and counts its calls. */
class ScriptedDeliverer implements Deliverer {
  answer: Answer;
  calls: { destination: string; ids: string[] }[] = [];
  constructor(answer: Answer) {
    this.answer = answer;
  }
  async *deliver(destination: Destination, messages: AsyncIterable<RelayItem>) {
    const call = { destination: destination.domain, ids: [] as string[] };
    this.calls.push(call);
    for await (const item of messages) {
      call.ids.push(item.id);
      const outcomes = item.envelope.to.map((address) => ({
        address,
        ...this.answer(item, address),
      }));
      yield { item, outcomes };
    }
  }
}

function setup(deliverer: Deliverer, options: Partial<OutboundQueueOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 8, 1, 9, 0));
  const events: QueueEvent[] = [];
  const failures: QueueEntry[] = [];
  const queue = new OutboundQueue({
    spool: new MemorySpool(),
    deliverer,
    clock,
    onEvent: (event) => void events.push(event),
    onFailure: (entry) => Promise.resolve(void failures.push(entry)),
    ...options,
  });
  return { queue, clock, events, failures };
}

const send = (queue: OutboundQueue, to = ["bob@hamburger.edu"]) =>
  queue.enqueue({ from: "alice@crepes.fr", to }, MESSAGE);

Deno.test("OutboundQueue retries every 30 minutes and keeps the last outcome as data", async () => {
  const deliverer = new ScriptedDeliverer(refused);
  const { queue, clock, events } = setup(deliverer);
  await using _ = queue;
  const start = clock.now();
  await send(queue);
  await queue.idle();
  for (let i = 0; i < 2; i++) {
    clock.advance(29 * MINUTE);
    await queue.idle();
    assert.equal(deliverer.calls.length, i + 1, "not a minute early");
    clock.advance(MINUTE);
    await queue.idle();
  }
  const [entry] = queue.list();
  assert.equal(entry.attempts, 3);
  assert.equal(entry.nextAttemptAt, start + 90 * MINUTE);
  assert.deepEqual(entry.recipients[0].last, {
    status: "deferred",
    step: "connect",
    error: REFUSED,
    at: start + 60 * MINUTE,
  });
  const attempts = events.filter((e) => e.type === "attempt");
  assert.deepEqual(attempts.map((e) => e.type === "attempt" && e.attempt), [1, 2, 3]);
  deliverer.answer = delivered;
  clock.advance(30 * MINUTE);
  await queue.idle();
  assert.equal(queue.list().length, 0);
  assert.ok(events.some((e) => e.type === "done" && e.delivered.length === 1));
});

Deno.test("OutboundQueue gives up at maxAge and hands the bounce the structured outcome", async () => {
  const { queue, clock, events, failures } = setup(new ScriptedDeliverer(refused), {
    maxAge: 2 * HOUR,
  });
  await using _ = queue;
  await send(queue);
  await queue.idle();
  for (let i = 0; i < 4; i++) {
    clock.advance(30 * MINUTE);
    await queue.idle();
  }
  assert.equal(queue.list().length, 0);
  const [entry] = failures;
  const [bob] = entry.recipients;
  assert.equal(bob.status, "failed");
  assert.deepEqual(bob.gaveUp, { attempts: 5, waited: 2 * HOUR });
  assert.equal(bob.last?.step, "connect");
  assert.ok(events.some((e) => e.type === "gave-up" && e.attempts === 5 && e.waited === 2 * HOUR));
  const bounce = buildBounce(entry, MESSAGE, { reportingMta: "crepes.fr", at: clock.now() })!;
  const text = new TextDecoder().decode(bounce.message);
  assert.match(text, /Status: 4\.4\.7\r\n/);
  assert.match(text, /Gave up after 5 attempts in 2h; the last one: at connect: Cannot connect/);
});

Deno.test("OutboundQueue fails a refused recipient at once and keeps retrying the other", async () => {
  const unknown: SmtpReply = { code: 550, enhanced: "5.1.1", lines: ["No such user"] };
  const deliverer = new ScriptedDeliverer((_item, address) =>
    address.startsWith("carol")
      ? { status: "failed", step: "rcpt", reply: unknown, remote: "127.0.0.1:25" }
      : { status: "deferred", step: "rcpt", reply: { code: 451, lines: ["Later"] } }
  );
  const { queue, clock, failures } = setup(deliverer);
  await using _ = queue;
  await send(queue, ["carol@hamburger.edu", "bob@hamburger.edu"]);
  await queue.idle();
  const [entry] = queue.list();
  assert.deepEqual(entry.recipients.map((r) => r.status), ["failed", "pending"]);
  assert.deepEqual(entry.recipients[0].last?.reply, unknown);
  assert.equal(failures.length, 0, "the bounce waits until the message is done");
  deliverer.answer = delivered;
  clock.advance(30 * MINUTE);
  await queue.idle();
  assert.equal(failures.length, 1);
  assert.deepEqual(failures[0].recipients.map((r) => r.status), ["failed", "delivered"]);
  assert.deepEqual(deliverer.calls.at(-1)?.ids, [entry.id], "only bob was tried again");
});

Deno.test("OutboundQueue warns the sender once when a message is late", async () => {
  const warnings: QueueEntry[] = [];
  const { queue, clock } = setup(new ScriptedDeliverer(refused), {
    warnAfter: HOUR,
    onDelay: (entry) => Promise.resolve(void warnings.push(entry)),
  });
  await using _ = queue;
  await send(queue);
  await queue.idle();
  for (let i = 0; i < 5; i++) {
    clock.advance(30 * MINUTE);
    await queue.idle();
  }
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].attempts, 3, "at the attempt one hour after queueing");
  assert.equal(warnings[0].recipients[0].last?.step, "connect");
});

Deno.test("OutboundQueue keeps the messages of a deliverer that throws", async () => {
  let taken = 0;
  const deliverer: Deliverer = {
    async *deliver(_destination, messages) {
      for await (const item of messages) {
        if (++taken === 1) throw new Error("boom");
        yield { item, outcomes: [] };
      }
    },
  };
  const { queue } = setup(deliverer);
  await using _ = queue;
  await send(queue);
  await queue.idle();
  const [entry] = queue.list();
  assert.equal(entry.attempts, 1);
  assert.deepEqual(entry.recipients[0].last, {
    status: "deferred",
    step: "queue",
    error: "The delivery broke off: boom",
    at: entry.lastAttemptAt,
  });
});

Deno.test("OutboundQueue keeps a message that the deliverer took and never answered for", async () => {
  const deliverer: Deliverer = {
    async *deliver(_destination, messages) {
      const iterator = messages[Symbol.asyncIterator]();
      const item: RelayItem = (await iterator.next()).value;
      await iterator.next(); // taken, and then the connection is gone
      const outcomes = item.envelope.to.map((address) => ({
        address,
        ...delivered(item, address),
      }));
      yield { item, outcomes };
    },
  };
  const { queue } = setup(deliverer);
  await using _ = queue;
  const one = await send(queue);
  const two = await send(queue);
  const three = await send(queue);
  await queue.idle();
  assert.equal(queue.get(one), undefined, "delivered and removed");
  assert.equal(queue.get(two)?.recipients[0].last?.step, "queue");
  assert.equal(queue.get(two)?.attempts, 1);
  assert.equal(queue.get(three), undefined, "taken first by the next delivery, and delivered");
});

Deno.test("OutboundQueue hands a message queued during a delivery to that delivery", async () => {
  const first = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  const deliverer = new ScriptedDeliverer(delivered);
  const slow: Deliverer = {
    async *deliver(destination, messages) {
      for await (const result of deliverer.deliver(destination, messages)) {
        first.resolve();
        await gate.promise;
        yield result;
      }
    },
  };
  const { queue } = setup(slow);
  await using _ = queue;
  await send(queue);
  await first.promise;
  await send(queue, ["carol@hamburger.edu"]);
  gate.resolve();
  await queue.idle();
  assert.equal(queue.list().length, 0);
  assert.equal(deliverer.calls.length, 1, "one delivery carried both");
  assert.equal(deliverer.calls[0].ids.length, 2);
});

Deno.test("OutboundQueue.flush makes waiting messages due now; remove drops one without a bounce", async () => {
  const deliverer = new ScriptedDeliverer(refused);
  const { queue, failures } = setup(deliverer);
  await using _ = queue;
  const one = await send(queue);
  await send(queue, ["someone@example.org"]);
  await queue.idle();
  assert.equal(queue.flush("hamburger.edu"), 1);
  await queue.idle();
  assert.equal(queue.get(one)?.attempts, 2);
  assert.equal(await queue.remove(one), true);
  assert.equal(await queue.remove(one), false);
  assert.equal(queue.flush(), 1);
  await queue.idle();
  assert.deepEqual(queue.list().map((e) => e.recipients[0].address), ["someone@example.org"]);
  assert.equal(failures.length, 0);
});

/** A memory spool whose removals wait until released (a slow disk), or fail. */
class SlowRemovals extends MemorySpool {
  release = Promise.withResolvers<void>();
  removed: string[] = [];
  failWith: Error | undefined;
  override async remove(id: string): Promise<void> {
    await this.release.promise;
    if (this.failWith) throw this.failWith;
    await super.remove(id);
    this.removed.push(id);
  }
}

Deno.test("OutboundQueue sends the next message without waiting for the removal of the last one; idle waits for it", async () => {
  const deliverer = new ScriptedDeliverer(delivered);
  const spool = new SlowRemovals();
  const { queue, events } = setup(deliverer, { spool });
  await using _ = queue;
  const ids = [await send(queue), await send(queue), await send(queue)];
  let idle = false;
  const idling = queue.idle().then(() => void (idle = true));
  while (events.filter((e) => e.type === "done").length < 3) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.deepEqual(deliverer.calls.flatMap((c) => c.ids), ids, "all three went out");
  assert.equal(queue.list().length, 0, "none is queued any more");
  assert.deepEqual(spool.removed, [], "while no removal had reached the spool");
  assert.equal(idle, false, "idle waits for the spool");
  spool.release.resolve();
  await idling;
  assert.deepEqual(spool.removed.sort(), [...ids].sort());
  assert.equal((await spool.load()).length, 0);
});

Deno.test("OutboundQueue.idle reports a removal that failed, once; the message is not queued again", async () => {
  const spool = new SlowRemovals();
  spool.failWith = new Error("Read-only file system");
  spool.release.resolve();
  const { queue } = setup(new ScriptedDeliverer(delivered), { spool });
  await using _ = queue;
  await send(queue);
  await assert.rejects(queue.idle(), /Read-only file system/);
  await queue.idle();
  assert.equal(queue.list().length, 0);
  assert.equal(
    (await spool.load()).length,
    1,
    "the spool still holds it: a restart sends it again",
  );
});
