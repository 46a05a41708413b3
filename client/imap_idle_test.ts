import assert from "node:assert/strict";
import type { ImapResponse } from "../protocol/imap/response_parser.ts";
import { Transcript } from "../protocol/transcript.ts";
import { scripted, start } from "./_imap_fixture.ts";
import { ImapClient } from "./imap_client.ts";

const encoder = new TextEncoder();
const news = (r: ImapResponse) => r.kind === "data" ? `${r.number ?? ""} ${r.name}`.trim() : r.kind;

async function idleClient(transcript?: Transcript) {
  const { server, store } = await start();
  const client = await ImapClient.connect({ port: server.port, transcript });
  await client.login("bob", "pickles");
  await client.select("INBOX");
  return { server, store, client };
}

Deno.test("ImapClient.idle hears a delivery as EXISTS within the idle, then ends with DONE", async () => {
  const transcript = new Transcript();
  const { server, store, client } = await idleClient(transcript);
  await using _ = server;
  await using __ = client;
  const idle = await client.idle({ timeoutMs: 5000 });
  const started = Date.now();
  await store.deliver("bob", encoder.encode("Subject: two\r\n\r\n"));
  let arrived: ImapResponse | undefined;
  for await (const response of idle) {
    if (response.kind === "data" && response.name === "EXISTS") {
      arrived = response;
      break;
    }
  }
  assert.equal(arrived && news(arrived), "2 EXISTS");
  assert.ok(Date.now() - started < 4000, "EXISTS came before the idle's own timeout");
  assert.equal(idle.running, false);
  assert.deepEqual(transcript.lines("C").slice(-2), ["a3 IDLE", "DONE"]);
  assert.equal(transcript.lines("S").at(-1), "a3 OK IDLE terminated");
  // The dialog is in step again: the message can be fetched.
  assert.equal((await client.fetch("2", "(UID)"))[0].uid, 2);
});

Deno.test("ImapClient.idle reports flag changes and expunges by other clients as they happen", async () => {
  const { server, store, client } = await idleClient();
  await using _ = server;
  await using __ = client;
  await store.deliver("bob", encoder.encode("Subject: two\r\n\r\n"));
  await client.noop();
  const idle = await client.idle({ timeoutMs: 5000 });
  await store.setFlags("bob", "INBOX", 2, ["\\Flagged"]);
  const heard: string[] = [];
  for await (const response of idle) {
    heard.push(news(response));
    if (heard.length === 1) await store.expunge("bob", "INBOX", [1]);
    if (heard.length === 2) break;
  }
  assert.deepEqual(heard, ["2 FETCH", "1 EXPUNGE"]);
  const reply = await idle.done();
  assert.deepEqual(reply.untagged.map(news), heard);
  assert.equal(reply.text, "IDLE terminated");
});

Deno.test("ImapClient.idle ends when its signal aborts, and by itself at its timeout", async () => {
  const { server, client } = await idleClient();
  await using _ = server;
  await using __ = client;
  const controller = new AbortController();
  const idle = await client.idle({ signal: controller.signal, timeoutMs: 5000 });
  controller.abort();
  assert.equal((await idle.done()).text, "IDLE terminated");
  const started = Date.now();
  const short = await client.idle({ timeoutMs: 100 });
  for await (const _ of short) assert.fail("nothing happened in the mailbox");
  assert.equal(short.running, false);
  assert.ok(Date.now() - started < 2000);
  assert.equal((await short.done()).text, "IDLE terminated"); // done() again: the same answer
});

Deno.test("ImapClient refuses other commands while IDLE runs and a timeout that is no duration", async () => {
  const { server, client } = await idleClient();
  await using _ = server;
  await using __ = client;
  await assert.rejects(client.idle({ timeoutMs: Infinity }), RangeError);
  await assert.rejects(client.idle({ timeoutMs: 0 }), RangeError);
  const idle = await client.idle({ timeoutMs: 5000 });
  await assert.rejects(client.noop(), /Cannot send "NOOP" while IDLE runs/);
  await assert.rejects(client.idle(), /Cannot send "IDLE" while IDLE runs/);
  await idle.done();
  assert.deepEqual(await client.noop(), []);
});

Deno.test("ImapClient.idle gives the server the read timeout to answer DONE", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1 IDLE] ready",
    "C: a1 IDLE",
    "S: + idling",
    "S: * 4 EXISTS",
    "C: DONE",
  ]);
  const client = await ImapClient.connect({ port: server.port, timeoutMs: 200 });
  const { promise: heard, resolve } = Promise.withResolvers<ImapResponse>();
  const idle = await client.idle({ timeoutMs: 60_000, onResponse: resolve });
  assert.equal(news(await heard), "4 EXISTS");
  const started = Date.now();
  await assert.rejects(idle.done(), Deno.errors.TimedOut);
  assert.ok(Date.now() - started < 2000);
  assert.equal(idle.running, false);
  client.close();
});

Deno.test("ImapClient.idle throws the server's refusal of IDLE", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1] ready",
    "C: a1 IDLE",
    "S: a1 BAD Unknown command",
  ]);
  await using client = await ImapClient.connect({ port: server.port, timeoutMs: 1000 });
  await assert.rejects(client.idle(), { name: "ImapResponseError", status: "BAD" });
});
