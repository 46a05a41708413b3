import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import { SmtpReplyError } from "../protocol/smtp/reply.ts";
import { Transcript } from "../protocol/transcript.ts";
import { parseMessage } from "../message/mod.ts";
import { ScriptedPeer } from "../tests/_peer.ts";
import { CannotConnectError, type SendResult, SmtpClient } from "./smtp_client.ts";
import { ConnectionError, TimeoutError } from "./line_connection.ts";

const encoder = new TextEncoder();
const ENVELOPE = { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] };
const MESSAGE = encoder.encode("Subject: Hi\r\n\r\nDo you like ketchup?\r\n");

function connect(port: number, extra: { clock?: ManualClock; transcript?: Transcript } = {}) {
  return SmtpClient.connect({ hostname: "127.0.0.1", port, clientName: "crepes.fr", ...extra });
}

Deno.test("SmtpClient falls back to HELO when the server does not know EHLO", async () => {
  await using peer = new ScriptedPeer((c) =>
    c.serve({ replies: { EHLO: "500 5.5.2 Command not recognized\r\n" } })
  );
  const client = await connect(peer.port);
  const reply = await client.hello();
  assert.equal(reply.code, 250);
  assert.equal(client.extensions.size, 0);
  const result = await client.send(ENVELOPE, MESSAGE);
  await client.quit();
  assert.equal(result.reply.code, 250);
});

Deno.test("SmtpClient pipelines MAIL, RCPT and DATA and gives SIZE, BODY and SMTPUTF8 as offered", async () => {
  let lines: string[] = [];
  await using peer = new ScriptedPeer(async (c) => {
    await c.serve();
    lines = c.received;
  });
  const client = await connect(peer.port);
  const result = await client.send(
    { from: "alice@crepes.fr", to: ["밥@hamburger.edu"] },
    encoder.encode("Subject: 안녕\r\n\r\n안녕하세요\r\n"),
  );
  await client.quit();
  assert.equal(result.reply.code, 250);
  assert.equal(result.downgraded, false);
  assert.match(lines[1], /^MAIL FROM:<alice@crepes\.fr> SIZE=\d+ BODY=8BITMIME SMTPUTF8$/);
  assert.equal(lines[2], "RCPT TO:<밥@hamburger.edu>");
  assert.equal(lines[3], "DATA");
});

Deno.test("SmtpClient converts an 8-bit body to 7 bits for a server without 8BITMIME (RFC 6152)", async () => {
  const texts: string[] = [];
  await using peer = new ScriptedPeer((c) =>
    c.serve({ ehlo: ["PIPELINING"], onMessage: (t) => texts.push(t) })
  );
  const client = await connect(peer.port);
  const message = encoder.encode(
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n안녕하세요, Bob!\r\n",
  );
  const result = await client.send(ENVELOPE, message);
  await client.quit();
  assert.equal(result.downgraded, true);
  assert.ok([...texts[0]].every((c) => c.charCodeAt(0) < 128), "7-bit only");
  assert.equal(parseMessage(encoder.encode(texts[0])).text, "안녕하세요, Bob!\r\n");
});

Deno.test("SmtpClient refuses locally what the server's SIZE or missing SMTPUTF8 forbid", async () => {
  let lines: string[] = [];
  await using peer = new ScriptedPeer(async (c) => {
    await c.serve({ ehlo: ["SIZE 10"] });
    lines = c.received;
  });
  const client = await connect(peer.port);
  const big = await client.send(ENVELOPE, MESSAGE);
  const utf8 = await client.send(
    { from: "alice@crepes.fr", to: ["밥@hamburger.edu"] },
    encoder.encode("x"),
  );
  await client.quit();
  assert.equal(big.reply.code, 552);
  assert.equal(big.local, true);
  assert.match(big.reply.lines[0], /\(local\)$/);
  assert.equal(utf8.reply.code, 553);
  assert.deepEqual(utf8.rejected.map((r) => r.address), ["밥@hamburger.edu"]);
  assert.deepEqual(lines.map((l) => l.split(" ")[0]), ["EHLO", "QUIT"], "nothing was sent");
});

Deno.test("SmtpClient reports each recipient: one refused at RCPT, one delivered", async () => {
  await using peer = new ScriptedPeer(async (c) => {
    await c.write("220 peer.test\r\n");
    await c.readLine(); // EHLO
    await c.write("250-peer.test\r\n250 PIPELINING\r\n");
    for (let i = 0; i < 4; i++) await c.readLine(); // MAIL, RCPT, RCPT, DATA in one batch
    await c.write(
      "250 ok\r\n550 5.1.1 carol@hamburger.edu: no such user here\r\n250 ok\r\n354 go\r\n",
    );
    await c.readData();
    await c.write("250 2.0.0 accepted\r\n");
    await c.readLine();
    await c.write("221 bye\r\n");
  });
  const client = await connect(peer.port);
  const result = await client.send(
    { from: "alice@crepes.fr", to: ["carol@hamburger.edu", "bob@hamburger.edu"] },
    MESSAGE,
  );
  await client.quit();
  assert.equal(result.reply.code, 250);
  assert.deepEqual(result.accepted, ["bob@hamburger.edu"]);
  assert.equal(result.rejected[0].address, "carol@hamburger.edu");
  assert.equal(result.rejected[0].reply.enhanced, "5.1.1");
  assert.equal(result.rejected[0].step, "rcpt");
  assert.equal(result.step, "end of data");
});

Deno.test("SmtpClient sends three messages over one connection, with RSET after a refused one", async () => {
  let mails = 0;
  const verbs: string[] = [];
  await using peer = new ScriptedPeer(async (c) => {
    await c.write("220 peer.test\r\n");
    for (;;) {
      const line = await c.readLine();
      verbs.push(line.split(" ")[0]);
      if (line.startsWith("EHLO")) await c.write("250 peer.test\r\n");
      else if (line.startsWith("MAIL") && ++mails === 2) await c.write("451 4.3.0 try later\r\n");
      else if (line === "DATA") {
        await c.write("354 go\r\n");
        await c.readData();
        await c.write("250 accepted\r\n");
      } else if (line === "QUIT") return void await c.write("221 bye\r\n");
      else await c.write("250 ok\r\n");
    }
  });
  const client = await connect(peer.port);
  const codes: SendResult[] = [];
  for (let i = 0; i < 3; i++) codes.push(await client.send(ENVELOPE, MESSAGE));
  await client.quit();
  assert.deepEqual(codes.map((r) => r.reply.code), [250, 451, 250]);
  assert.deepEqual(codes.map((r) => r.step), ["end of data", "mail", "end of data"]);
  assert.equal(client.messagesSent, 2);
  assert.equal(peer.connections, 1);
  assert.deepEqual(verbs, [
    "EHLO",
    "MAIL",
    "RCPT",
    "DATA",
    "MAIL",
    "RSET",
    "MAIL",
    "RCPT",
    "DATA",
    "QUIT",
  ]);
});

Deno.test("SmtpClient treats 421 as the end of the connection", async () => {
  await using peer = new ScriptedPeer((c) =>
    c.serve({ replies: { MAIL: "421 4.3.2 peer.test shutting down\r\n" }, ehlo: [] })
  );
  const client = await connect(peer.port);
  await assert.rejects(
    client.send(ENVELOPE, MESSAGE),
    (error: unknown) => error instanceof SmtpReplyError && error.code === 421,
  );
  assert.equal(client.closed, true);
});

Deno.test("SmtpClient rejects a greeting of 421 or garbage", async () => {
  await using busy = new ScriptedPeer((c) => c.write("421 4.7.0 too busy\r\n"));
  await assert.rejects(
    connect(busy.port),
    (e: unknown) => e instanceof SmtpReplyError && e.code === 421,
  );
  await using garbage = new ScriptedPeer((c) => c.write("HTTP/1.1 400 Bad Request\r\n"));
  await assert.rejects(
    connect(garbage.port),
    (e: unknown) => e instanceof ConnectionError && !(e instanceof CannotConnectError),
  );
});

Deno.test("SmtpClient times out on a silent server by the clock it was given (RFC 5321 §4.5.3.2)", async () => {
  const clock = new ManualClock();
  const hold = Promise.withResolvers<void>();
  await using peer = new ScriptedPeer(async (c) => {
    await c.write("220 peer.test\r\n");
    await c.readLine();
    await hold.promise; // never answers EHLO
  });
  const client = await SmtpClient.connect({
    hostname: "127.0.0.1",
    port: peer.port,
    clock,
    timeouts: { command: 60_000 },
  });
  const hello = client.hello();
  await new Promise((r) => setTimeout(r, 20));
  clock.advance(59_999);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(client.closed, false);
  clock.advance(1);
  await assert.rejects(hello, TimeoutError);
  hold.resolve();
});

Deno.test("SmtpClient records the dialog, with the message text cut to the limit", async () => {
  await using peer = new ScriptedPeer((c) => c.serve());
  const transcript = new Transcript();
  const client = await SmtpClient.connect({
    hostname: "127.0.0.1",
    port: peer.port,
    transcript,
    maxDataLinesRecorded: 1,
  });
  await client.send(ENVELOPE, MESSAGE);
  await client.quit();
  const text = transcript.toString();
  assert.match(text, /C: MAIL FROM:<alice@crepes\.fr>/);
  assert.match(text, /C: Subject: Hi\n\* {2}\(2 more lines of message text\)\nC: \./);
  assert.match(text, /S: 221 bye/);
});

Deno.test("SmtpClient.sendMany sends the next message's commands right after this one's text (RFC 2920 §3.1)", async () => {
  const texts: string[] = [];
  const chunks: string[] = [];
  await using peer = new ScriptedPeer(async (c) => {
    await c.write("220 peer.test\r\n");
    await c.readLine();
    await c.write("250-peer.test\r\n250 PIPELINING\r\n");
    for (let i = 0; i < 3; i++) await c.readLine(); // MAIL RCPT DATA
    await c.write("250 ok\r\n250 ok\r\n354 go\r\n");
    texts.push(await c.readData());
    // The second message's commands are here already, before any reply to the first.
    for (let i = 0; i < 3; i++) chunks.push(await c.readLine(1000));
    await c.write("250 first accepted\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    texts.push(await c.readData());
    await c.write("250 second accepted\r\n");
    await c.readLine();
    await c.write("221 bye\r\n");
  });
  const client = await connect(peer.port);
  const second = encoder.encode("Subject: two\r\n\r\n2\r\n");
  const sent = [];
  const messages = [{ envelope: ENVELOPE, message: MESSAGE }, {
    envelope: ENVELOPE,
    message: second,
  }];
  for await (const result of client.sendMany(messages)) sent.push(result);
  await client.quit();
  assert.deepEqual(sent.map((s) => s.item), messages, "one result per message, in order");
  assert.equal(sent[0].result?.reply.lines[0], "first accepted");
  assert.equal(sent[1].result?.reply.lines[0], "second accepted");
  assert.deepEqual(chunks, ["MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>", "DATA"]);
  assert.equal(texts[1], "Subject: two\r\n\r\n2\r\n");
});

Deno.test("SmtpClient.sendMany never announces a message it refuses itself, and refuses it without a word", async () => {
  await using peer = new ScriptedPeer((c) => c.serve({ ehlo: ["PIPELINING", "SIZE 100"] }));
  const transcript = new Transcript();
  const client = await connect(peer.port, { transcript });
  const messages = [MESSAGE, new Uint8Array(200), MESSAGE].map((message) => ({
    envelope: ENVELOPE,
    message,
  }));
  const results = [];
  for await (const sent of client.sendMany(messages)) results.push(sent.result!);
  await client.quit();
  assert.deepEqual(results.map((r) => [r.reply.code, r.step, r.local ?? false]), [
    [250, "end of data", false],
    [552, "mail", true],
    [250, "end of data", false],
  ]);
  const lines = transcript.entries.filter((e) => e.side !== "*").map((e) => `${e.side}: ${e.text}`);
  const dot = lines.indexOf("C: .");
  assert.match(lines[dot + 1], /^S: 250 /, "nothing follows the first text before its reply");
  assert.equal(lines.filter((l) => l.startsWith("C: MAIL")).length, 2);
});

Deno.test("SmtpClient.sendMany gives every message it took a result when the connection breaks, then ends", async () => {
  await using peer = new ScriptedPeer(async (c) => {
    await c.write("220 peer.test\r\n");
    await c.readLine();
    await c.write("250-peer.test\r\n250 PIPELINING\r\n");
    for (let i = 0; i < 3; i++) await c.readLine();
    await c.write("250 ok\r\n250 ok\r\n354 go\r\n");
    await c.readData();
    for (let i = 0; i < 3; i++) await c.readLine(1000); // the second message's commands
    c.close(); // gone before any reply to the first message's text
  });
  const client = await connect(peer.port);
  let taken = 0;
  async function* messages() {
    for (let i = 0; i < 5; i++) {
      taken++;
      yield { envelope: ENVELOPE, message: MESSAGE, n: i };
    }
  }
  const sent = [];
  for await (const result of client.sendMany(messages())) sent.push(result);
  assert.equal(taken, 2, "the third was never taken");
  assert.deepEqual(sent.map((s) => [s.item.n, s.failure?.step]), [[0, "end of data"], [1, "mail"]]);
  assert.ok(sent[0].failure?.error instanceof ConnectionError);
  assert.match(sent[1].failure?.error.message ?? "", /^Not sent/);
  assert.equal(client.closed, true);
});

Deno.test("SmtpClient.sendMany reports a 421 as the failure of the step it answered", async () => {
  await using peer = new ScriptedPeer((c) =>
    c.serve({ replies: { RCPT: "421 4.3.2 peer.test shutting down\r\n" } })
  );
  const client = await connect(peer.port);
  const sent = [];
  for await (const result of client.sendMany([{ envelope: ENVELOPE, message: MESSAGE }])) {
    sent.push(result);
  }
  assert.equal(sent.length, 1);
  assert.equal(sent[0].failure?.step, "rcpt");
  assert.deepEqual(sent[0].failure?.reply, {
    code: 421,
    enhanced: "4.3.2",
    lines: ["peer.test shutting down"],
  });
  assert.equal(client.closed, true);
});
