// The HTTP interface holds connections to the same rules as SMTP and IMAP: a request header sent
// a byte at a time gets 408 at the header deadline, a connection silent both ways is closed at the
// idle time, and one address cannot take more than its share of the connections.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { Accounts } from "../../server/accounts.ts";
import { mailHandler } from "../../server/mail_handler.ts";
import { OutboundQueue } from "../../server/queue/queue.ts";
import { MemorySpool } from "../../server/queue/spool.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import { HttpServer, type HttpServerOptions } from "../../server/http/server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

function server(clock: ManualClock, options: Partial<HttpServerOptions> = {}): HttpServer {
  const accounts = new Accounts({ iterations: 1000 });
  const store = new MemoryStore({ clock });
  const queue = new OutboundQueue({
    spool: new MemorySpool(),
    deliverer: { async *deliver() {} },
    clock,
  });
  const handler = mailHandler({ domain: "hamburger.edu", accounts, store, queue, clock });
  return new HttpServer({
    domain: "hamburger.edu",
    accounts,
    store,
    queue,
    handler,
    clock,
    ...options,
  });
}

// What the server sends until it closes the connection, and whether it did within 5 s of real
// time (a server that never closes must fail the test, not hang it).
async function readAll(conn: Deno.Conn): Promise<{ text: string; closed: boolean }> {
  const buffer = new Uint8Array(4096);
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), 5000));
  try {
    for (;;) {
      const n = await Promise.race([conn.read(buffer).catch(() => null), late]);
      if (n === "late") return { text, closed: false };
      if (n === null) return { text, closed: true };
      text += decoder.decode(buffer.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a request header trickled a byte every 3 s gets 408 at 30 s, and the connection closes", async () => {
  const clock = new ManualClock();
  await using http = server(clock);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: http.port });
  const answer = readAll(conn);
  await conn.write(encoder.encode("GET /api/me HTTP/1.1\r\nHost: hamburger.edu\r\n"));
  for (let i = 0; i < 9; i++) {
    await tick();
    clock.advance(3000);
    await conn.write(encoder.encode("X"));
  }
  await tick();
  clock.advance(3000);
  const timedOut = await answer;
  assert.match(timedOut.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.ok(timedOut.closed);
  conn.close();
});

Deno.test("a whole request is answered however slowly the connection idles before it, up to the idle time", async () => {
  const clock = new ManualClock();
  await using http = server(clock, { idleTimeoutMs: 600_000 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: http.port });
  const ask = async () => {
    await conn.write(encoder.encode("GET /api/me HTTP/1.1\r\nHost: hamburger.edu\r\n\r\n"));
    const buffer = new Uint8Array(4096);
    return decoder.decode(buffer.subarray(0, (await conn.read(buffer)) ?? 0));
  };
  assert.match(await ask(), /^HTTP\/1\.1 401 /);
  clock.advance(500_000); // keep-alive, silent, within the idle time
  assert.match(await ask(), /^HTTP\/1\.1 401 /);
  const end = readAll(conn);
  await tick();
  clock.advance(600_000);
  assert.deepEqual(await end, { text: "", closed: true }, "closed at the idle time without a word");
  conn.close();
});

Deno.test("one address gets no more HTTP connections than its share: the next one is told 503", async () => {
  const clock = new ManualClock();
  await using http = server(clock, { maxConnectionsPerAddress: 2 });
  const held = [
    await Deno.connect({ hostname: "127.0.0.1", port: http.port }),
    await Deno.connect({ hostname: "127.0.0.1", port: http.port }),
  ];
  await tick();
  const third = await Deno.connect({ hostname: "127.0.0.1", port: http.port });
  assert.match((await readAll(third)).text, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  third.close();
  for (const conn of held) conn.close();
  // Once they are gone, the address is served again.
  await tick();
  const answer = await fetch(`http://127.0.0.1:${http.port}/api/me`);
  assert.equal(answer.status, 401);
  await answer.body?.cancel();
});
