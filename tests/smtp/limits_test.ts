// Every limit of the SMTP server, crossed over a real socket: the client gets an error reply or
// a close, the server stays up, and nothing half-received is kept.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { formatReply } from "../../protocol/smtp/reply.ts";
import { RawSmtp } from "../_raw.ts";
import { testServer } from "./_server.ts";

const wire = (reply: Parameters<typeof formatReply>[0]) =>
  formatReply(reply, true).trimEnd().split("\r\n");

async function greeted(port: number): Promise<RawSmtp> {
  const raw = await RawSmtp.connect(port);
  await raw.reply();
  await raw.write("EHLO crepes.fr\r\n");
  await raw.reply();
  return raw;
}

Deno.test("SmtpServer answers a command line over 512 octets with 500 and carries on", async () => {
  const { server } = testServer();
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.write(`NOOP ${"x".repeat(600)}\r\n`);
  assert.deepEqual(await raw.reply(), wire(REPLY.LineTooLong));
  assert.equal(await raw.command("NOOP"), 250);
  raw.close();
});

Deno.test("SmtpServer answers a command that arrives in pieces once it is whole, and only once", async () => {
  const { server } = testServer();
  await using _ = server;
  const raw = await greeted(server.port);
  // Separate reads on the server: the partial line is kept between them.
  for (const piece of ["MAIL FR", "OM:<alice@", "crepes.fr>\r", "\nNO", "OP\r\n"]) {
    await raw.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(await raw.code(), 250);
  assert.equal(await raw.code(), 250);
  assert.equal(await raw.command("RCPT TO:<bob@hamburger.edu>"), 250, "MAIL was taken");
  raw.close();
});

Deno.test("SmtpServer refuses a message with a text line over 1000 octets and keeps nothing", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  assert.equal(await raw.command("DATA"), 354);
  await raw.write(`short line\r\n${"y".repeat(1200)}\r\nafter\r\n.\r\n`);
  assert.deepEqual(await raw.reply(), wire(REPLY.TextLineTooLong));
  assert.equal(accepted.length, 0);
  assert.equal(await raw.command("NOOP"), 250, "the session goes on");
  raw.close();
});

Deno.test("SmtpServer bounds a 10 MB line without a line end: one error, memory not held", async () => {
  const { server } = testServer();
  await using _ = server;
  const raw = await greeted(server.port);
  const block = new TextEncoder().encode("z".repeat(1024 * 1024));
  for (let i = 0; i < 10; i++) await raw.write(block);
  await raw.write("\r\nNOOP\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.LineTooLong));
  assert.equal(await raw.code(), 250);
  raw.close();
});

Deno.test("SmtpServer refuses a message over the size limit, declared or not", async () => {
  const { server, accepted } = testServer({ maxMessageSize: 1000 });
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.write("MAIL FROM:<alice@crepes.fr> SIZE=5000\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.TooBig(1000)));
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  await raw.command("DATA");
  await raw.write(`${"0123456789".repeat(10)}\r\n`.repeat(20) + ".\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.TooBig(1000)));
  assert.equal(accepted.length, 0);
  raw.close();
});

Deno.test("SmtpServer takes 100 recipients and answers 452 to the 101st", async () => {
  const { server } = testServer({ handler: {} });
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  const lines = Array.from({ length: 101 }, (_, i) => `RCPT TO:<user${i}@example.org>\r\n`).join(
    "",
  );
  await raw.write(lines);
  const codes = [];
  for (let i = 0; i < 101; i++) codes.push(await raw.code());
  assert.deepEqual(codes.slice(0, 100), Array(100).fill(250));
  assert.equal(codes[100], 452);
  raw.close();
});

Deno.test("SmtpServer says 421 and closes after too many errors", async () => {
  const { server } = testServer({ maxErrors: 5 });
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.write("FOO\r\nBAR\r\nBAZ\r\nQUX\r\nQUUX\r\n");
  for (let i = 0; i < 4; i++) assert.equal(await raw.code(), 500);
  assert.deepEqual(await raw.reply(), wire(REPLY.TooManyErrors));
  assert.equal(await raw.closedByPeer(), true);
  raw.close();
});

Deno.test("SmtpServer limits connections overall and per client address with 421", async () => {
  const { server } = testServer({ maxConnections: 2 });
  await using _ = server;
  const a = await RawSmtp.connect(server.port);
  const b = await RawSmtp.connect(server.port);
  assert.equal(await a.code(), 220);
  assert.equal(await b.code(), 220);
  const c = await RawSmtp.connect(server.port);
  assert.deepEqual(await c.reply(), [formatReply(REPLY.TooManyConnections).trimEnd()]);
  assert.equal(await c.closedByPeer(), true);
  for (const raw of [a, b, c]) raw.close();

  const { server: perAddress } = testServer({ maxConnectionsPerAddress: 1 });
  await using __ = perAddress;
  const first = await RawSmtp.connect(perAddress.port);
  assert.equal(await first.code(), 220);
  const second = await RawSmtp.connect(perAddress.port);
  assert.equal(await second.code(), 421);
  first.close();
  second.close();
});

Deno.test("SmtpServer closes an idle connection with 421 4.4.2", async () => {
  const clock = new ManualClock();
  const { server } = testServer({ clock, idleTimeoutMs: 60_000 });
  await using _ = server;
  const raw = await greeted(server.port);
  clock.advance(59_000);
  assert.equal(await raw.command("NOOP"), 250, "activity restarts the idle time");
  clock.advance(60_000);
  assert.deepEqual(await raw.reply(), wire(REPLY.IdleTimeout));
  assert.equal(await raw.closedByPeer(), true);
  raw.close();
});

Deno.test("SmtpServer limits the total time of a message's text against slow senders", async () => {
  const clock = new ManualClock();
  const { server, accepted } = testServer({
    clock,
    idleTimeoutMs: 3_600_000,
    maxDataTimeMs: 120_000,
  });
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  assert.equal(await raw.command("DATA"), 354);
  await raw.write("a line now and then\r\n");
  clock.advance(119_000);
  await raw.write("another line\r\n");
  clock.advance(1_000);
  assert.deepEqual(await raw.reply(), wire(REPLY.DataTimeout));
  assert.equal(await raw.closedByPeer(), true);
  assert.equal(accepted.length, 0);
  raw.close();
});

Deno.test("SmtpServer survives garbage bytes and answers afterwards", async () => {
  const { server } = testServer({ maxErrors: 1000 });
  await using _ = server;
  const raw = await greeted(server.port);
  const garbage = new Uint8Array(64 * 1024);
  let seed = 7;
  for (let i = 0; i < garbage.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    garbage[i] = seed & 0xff;
  }
  await raw.write(garbage);
  await raw.write("\r\nRSET\r\nNOOP\r\n");
  let last = 0;
  for (let i = 0; i < 2000 && last !== 250; i++) last = await raw.code();
  assert.equal(last, 250);
  const probe = await RawSmtp.connect(server.port);
  assert.equal(await probe.code(), 220, "the server still accepts connections");
  probe.close();
  raw.close();
});

Deno.test("SmtpServer refuses NUL bytes in commands and in message text", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.write("NO\0OP\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.BadCharacters));
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  await raw.command("DATA");
  await raw.write("Subject: x\r\n\r\nnul\0here\r\n.\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.NulInText));
  assert.equal(accepted.length, 0);
  raw.close();
});

Deno.test("SmtpServer never ends a message on a bare LF and refuses such text (no SMTP smuggling)", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  await raw.command("DATA");
  await raw.write(
    "Subject: hello\r\n\r\nfirst\n.\nMAIL FROM:<eve@evil.example>\nRCPT TO:<bob@hamburger.edu>\n" +
      "DATA\nsmuggled\n.\n\r\n.\r\n",
  );
  assert.deepEqual(
    await raw.reply(),
    wire(REPLY.BareLineBreak),
    "one reply, for one refused message",
  );
  assert.equal(await raw.command("NOOP"), 250);
  assert.equal(accepted.length, 0);
  raw.close();
});

Deno.test("a CRLF session whose DATA line alone ends in a bare LF gets no typist's leniency (no SMTP smuggling)", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const raw = await greeted(server.port);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  await raw.write("DATA\n");
  assert.match((await raw.reply())[0], /^354 /);
  await raw.write(
    "Subject: hello\r\n\r\nfirst\n.\nMAIL FROM:<eve@evil.example>\nRCPT TO:<bob@hamburger.edu>\n" +
      "DATA\nsmuggled\n.\n\r\n.\r\n",
  );
  assert.deepEqual(
    await raw.reply(),
    wire(REPLY.BareLineBreak),
    "one reply, for one refused message",
  );
  assert.equal(await raw.command("NOOP"), 250);
  assert.equal(accepted.length, 0);
  raw.close();
});

Deno.test("a client that trickles a byte now and then is idle: only whole commands keep a session open", async () => {
  const clock = new ManualClock();
  const { server } = testServer({ clock, idleTimeoutMs: 60_000 });
  await using _ = server;
  const raw = await greeted(server.port);
  // One byte every 3 s of a command that never ends.
  for (let i = 0; i < 19; i++) {
    await raw.write("N");
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(3_000);
  }
  clock.advance(3_000);
  assert.deepEqual(await raw.reply(), wire(REPLY.IdleTimeout));
  assert.equal(await raw.closedByPeer(), true);
  raw.close();
});

Deno.test("SmtpServer ends a session that has lasted maxSessionTimeMs, busy or not", async () => {
  const clock = new ManualClock();
  const { server } = testServer({ clock, idleTimeoutMs: 60_000, maxSessionTimeMs: 300_000 });
  await using _ = server;
  const raw = await greeted(server.port);
  for (let i = 0; i < 5; i++) {
    clock.advance(50_000);
    assert.equal(await raw.command("NOOP"), 250);
  }
  clock.advance(50_000);
  assert.deepEqual(await raw.reply(), wire(REPLY.SessionTooLong));
  assert.equal(await raw.closedByPeer(), true);
  raw.close();
});

Deno.test("the last fifth of the connection slots is kept for addresses that hold fewer than two", async () => {
  const { server } = testServer({ maxConnections: 10, maxConnectionsPerAddress: 10 });
  await using _ = server;
  const held: RawSmtp[] = [];
  try {
    // 127.0.0.1 may take eight of the ten; the last two wait for newcomers.
    for (let i = 0; i < 8; i++) {
      const raw = await RawSmtp.connect(server.port);
      assert.match((await raw.reply())[0], /^220 /);
      held.push(raw);
    }
    const ninth = await RawSmtp.connect(server.port);
    held.push(ninth);
    assert.match((await ninth.reply())[0], /^421 Too many connections/);
  } finally {
    for (const raw of held) raw.close();
  }
});
