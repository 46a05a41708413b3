// 10,000 queued messages to one destination travel over at most the configured number of
// connections, counted on the receiving side.
import assert from "node:assert/strict";
import { SmtpServer } from "../../server/smtp/server.ts";
import { OutboundQueue } from "../../server/queue/queue.ts";
import { Relay } from "../../server/queue/relay.ts";
import { StaticRouter } from "../../server/queue/router.ts";
import { MemorySpool } from "../../server/queue/spool.ts";

const COUNT = 10_000;

Deno.test("OutboundQueue delivers 10,000 messages to one destination over at most 2 connections", async () => {
  let connections = 0;
  const seen = new Set<string>();
  let duplicates = 0;
  await using sink = new SmtpServer({
    domain: "hamburger.edu",
    transcripts: () => {
      connections++;
      return undefined;
    },
    handler: {
      data: (_envelope, message) => {
        const id = /X-Seq: (\d+)/.exec(new TextDecoder().decode(message.subarray(0, 64)))![1];
        if (seen.has(id)) duplicates++;
        seen.add(id);
      },
    },
  });
  const relay = new Relay({
    router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: sink.port } }),
    clientName: "crepes.fr",
    maxConnectionsPerDestination: 2,
  });
  await using queue = new OutboundQueue({ spool: new MemorySpool(), deliverer: relay });
  const body = Array.from({ length: 13 }, () => "x".repeat(76)).join("\r\n");
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    await queue.enqueue(
      { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
      new TextEncoder().encode(`X-Seq: ${i}\r\nSubject: load\r\n\r\n${body}\r\n`),
    );
  }
  await queue.idle();
  const seconds = (performance.now() - started) / 1000;
  assert.equal(seen.size, COUNT, "every message arrived");
  assert.equal(duplicates, 0);
  assert.equal(queue.list().length, 0);
  assert.ok(connections >= 1 && connections <= 2, `${connections} connections`);
  assert.equal(relay.stats.connections, connections);
  console.log(`  ${COUNT} messages, ${connections} connection(s), ${seconds.toFixed(1)} s`);
});
