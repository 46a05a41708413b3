// A receiving server that drops the connection mid-DATA, answers garbage or never answers: the
// message stays queued and is retried, and the queue goes on working.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import type { DeliveryStep } from "../../server/queue/delivery.ts";
import { OutboundQueue } from "../../server/queue/queue.ts";
import { Relay } from "../../server/queue/relay.ts";
import { StaticRouter } from "../../server/queue/router.ts";
import { MemorySpool } from "../../server/queue/spool.ts";
import { type PeerConn, ScriptedPeer } from "../_peer.ts";

const MINUTE = 60_000;
const MESSAGE = new TextEncoder().encode("Subject: Hi\r\n\r\nDo you like ketchup?\r\n");

async function withQueue(
  misbehave: (c: PeerConn) => Promise<void>,
  check: (t: { queue: OutboundQueue; clock: ManualClock; received: string[] }) => Promise<void>,
): Promise<void> {
  const clock = new ManualClock();
  const received: string[] = [];
  await using peer = new ScriptedPeer((c, index) =>
    index === 0 ? misbehave(c) : c.serve({ onMessage: (text) => received.push(text) })
  );
  const relay = new Relay({
    router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: peer.port } }),
    clientName: "crepes.fr",
    clock,
    timeouts: { command: 5 * MINUTE, dataEnd: 10 * MINUTE },
  });
  await using queue = new OutboundQueue({ spool: new MemorySpool(), deliverer: relay, clock });
  await check({ queue, clock, received });
}

async function retriedThenDelivered(
  t: { queue: OutboundQueue; clock: ManualClock; received: string[] },
  expected: { step: DeliveryStep; error: RegExp },
): Promise<void> {
  const [entry] = t.queue.list();
  assert.equal(entry.attempts, 1);
  assert.equal(entry.recipients[0].status, "pending");
  const last = entry.recipients[0].last!;
  assert.deepEqual([last.status, last.step, last.reply], ["deferred", expected.step, undefined]);
  assert.match(last.error ?? "", expected.error);
  assert.match(last.remote ?? "", /^127\.0\.0\.1:\d+$/);
  // The queue is alive: a new message goes out at once over a fresh connection.
  await t.queue.enqueue({ from: "alice@crepes.fr", to: ["carol@hamburger.edu"] }, MESSAGE);
  await t.queue.idle();
  assert.equal(t.received.length, 1);
  t.clock.advance(30 * MINUTE);
  await t.queue.idle();
  assert.equal(t.received.length, 2, "the first message was retried and delivered");
  assert.equal(t.queue.list().length, 0);
}

Deno.test("OutboundQueue retries a message whose server dropped the connection mid-DATA", async () => {
  await withQueue(async (c) => {
    await c.write("220 peer.test\r\n");
    await c.readLine();
    await c.write("250-peer.test\r\n250 PIPELINING\r\n");
    for (let i = 0; i < 3; i++) await c.readLine();
    await c.write("250 ok\r\n250 ok\r\n354 go\r\n");
    await c.readLine(); // the first line of text, then the server is gone
  }, async (t) => {
    await t.queue.enqueue({ from: "alice@crepes.fr", to: ["bob@hamburger.edu"] }, MESSAGE);
    await t.queue.idle();
    await retriedThenDelivered(t, { step: "end of data", error: /closed|reset|failed/i });
  });
});

Deno.test("OutboundQueue retries a message whose server answered garbage", async () => {
  await withQueue(async (c) => {
    await c.write("220 peer.test\r\n");
    await c.readLine();
    await c.write("250 peer.test\r\n");
    await c.readLine();
    await c.write("HTTP/1.1 400 Bad Request\r\n\r\n");
  }, async (t) => {
    await t.queue.enqueue({ from: "alice@crepes.fr", to: ["bob@hamburger.edu"] }, MESSAGE);
    await t.queue.idle();
    await retriedThenDelivered(t, {
      step: "mail",
      error: /Unreadable reply to MAIL: "HTTP\/1\.1 400/,
    });
  });
});

Deno.test("OutboundQueue retries a message whose server never answered, after the client's timeout", async () => {
  const silent = Promise.withResolvers<void>();
  const asked = Promise.withResolvers<void>();
  await withQueue(async (c) => {
    await c.write("220 peer.test\r\n");
    await c.readLine();
    asked.resolve(); // the client sent EHLO: from now on it waits for the reply, not the greeting
    await silent.promise;
  }, async (t) => {
    await t.queue.enqueue({ from: "alice@crepes.fr", to: ["bob@hamburger.edu"] }, MESSAGE);
    await asked.promise; // a mere tick raced the greeting on a loaded machine (step "greeting")
    assert.equal(t.queue.busy, true, "waiting for the EHLO reply");
    t.clock.advance(5 * MINUTE); // RFC 5321 §4.5.3.2.2: five minutes for a command's reply
    await t.queue.idle();
    silent.resolve();
    await retriedThenDelivered(t, { step: "hello", error: /No answer within 300000 ms/ });
  });
});
