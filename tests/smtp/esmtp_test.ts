// The ESMTP extensions and the submission rules, over real sockets.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { formatReply } from "../../protocol/smtp/reply.ts";
import { MailServer } from "../../server/mail_server.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import type { DeliverOptions } from "../../server/store/store.ts";
import { RawSmtp } from "../_raw.ts";
import { testServer } from "./_server.ts";

const wire = (reply: Parameters<typeof formatReply>[0]) =>
  formatReply(reply, true).trimEnd().split("\r\n");

async function ehlo(port: number): Promise<{ raw: RawSmtp; extensions: string[] }> {
  const raw = await RawSmtp.connect(port);
  await raw.reply();
  await raw.write("EHLO crepes.fr\r\n");
  const extensions = (await raw.reply()).slice(1).map((l) => l.slice(4));
  return { raw, extensions };
}

Deno.test("SmtpServer advertises its extensions in EHLO, and AUTH only on submission", async () => {
  const { server } = testServer();
  await using _ = server;
  const { raw, extensions } = await ehlo(server.port);
  assert.deepEqual(extensions, [
    "PIPELINING",
    "SIZE 10485760",
    "8BITMIME",
    "ENHANCEDSTATUSCODES",
    "SMTPUTF8",
    "CHUNKING",
    "HELP",
  ]);
  raw.close();
  const { server: submission } = testServer({ submission: true });
  await using __ = submission;
  const sub = await ehlo(submission.port);
  assert.ok(sub.extensions.includes("AUTH PLAIN LOGIN"));
  sub.raw.close();
});

Deno.test("SmtpServer answers a pipelined transaction in order, in one go", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const { raw } = await ehlo(server.port);
  await raw.write(
    "MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\nRCPT TO:<carol@hamburger.edu>\r\nDATA\r\n",
  );
  assert.deepEqual([await raw.code(), await raw.code(), await raw.code(), await raw.code()], [
    250,
    250,
    550,
    354,
  ]);
  await raw.write("Subject: piped\r\n\r\nHello\r\n.\r\nQUIT\r\n");
  assert.equal(await raw.code(), 250);
  assert.equal(await raw.code(), 221);
  assert.deepEqual(accepted[0].envelope.to, ["bob@hamburger.edu"]);
  raw.close();
});

Deno.test("SmtpServer takes a message in BDAT chunks without dot-stuffing (CHUNKING)", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const { raw } = await ehlo(server.port);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  const first = "Subject: chunks\r\n\r\n.a line with a leading dot\r\n";
  const second = "last part\r\n";
  await raw.write(`BDAT ${first.length}\r\n${first}`);
  assert.deepEqual(await raw.reply(), wire(REPLY.ChunkOk(first.length)));
  await raw.write(`BDAT ${second.length} LAST\r\n${second}`);
  assert.deepEqual(await raw.reply(), wire(REPLY.Accepted));
  assert.equal(accepted[0].text, first + second);
  raw.close();
});

Deno.test("SmtpServer reads and drops a refused BDAT chunk, and refuses DATA after BDAT", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const { raw } = await ehlo(server.port);
  await raw.write("BDAT 9 LAST\r\nNOOP\r\nXYZ");
  assert.deepEqual(
    await raw.reply(),
    wire(REPLY.NeedMail),
    "the chunk's bytes are not read as commands",
  );
  assert.equal(await raw.command("NOOP"), 250);
  raw.close();
  const again = await ehlo(server.port);
  await again.raw.command("MAIL FROM:<alice@crepes.fr>");
  await again.raw.command("RCPT TO:<bob@hamburger.edu>");
  await again.raw.write("BDAT 4\r\nab\r\nDATA\r\n");
  assert.equal(await again.raw.code(), 250);
  assert.deepEqual(await again.raw.reply(), wire(REPLY.NoDataAfterBdat));
  await again.raw.write("BDAT 0 LAST\r\n");
  assert.equal(await again.raw.code(), 250);
  assert.equal(accepted.at(-1)?.text, "ab\r\n");
  again.raw.close();
});

Deno.test("SmtpServer HELP lists commands and shows one command's syntax; VRFY 252, EXPN 502", async () => {
  const { server } = testServer();
  await using _ = server;
  const { raw } = await ehlo(server.port);
  assert.equal(await raw.command("HELP"), 214);
  await raw.write("HELP mail\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.HelpFor("MAIL FROM:<address>")));
  await raw.write("VRFY bob\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.CannotVerify));
  await raw.write("EXPN staff\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.NotImplemented("EXPN")));
  raw.close();
});

Deno.test("SmtpServer in seven-bit mode refuses 8-bit text and offers no 8BITMIME", async () => {
  const { server, accepted } = testServer({ sevenBitOnly: true });
  await using _ = server;
  const { raw, extensions } = await ehlo(server.port);
  assert.ok(!extensions.includes("8BITMIME"));
  assert.equal(await raw.command("MAIL FROM:<alice@crepes.fr> BODY=8BITMIME"), 555);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  await raw.command("DATA");
  await raw.write("Subject: hi\r\n\r\n안녕하세요, Bob!\r\n.\r\n");
  assert.deepEqual(await raw.reply(), wire(REPLY.EightBitNotDeclared));
  assert.equal(accepted.length, 0);
  raw.close();
});

Deno.test("SmtpServer keeps 8-bit text and UTF-8 addresses byte for byte", async () => {
  const { server, accepted } = testServer();
  await using _ = server;
  const { raw } = await ehlo(server.port);
  await raw.command("MAIL FROM:<앨리스@crepes.fr> SMTPUTF8 BODY=8BITMIME");
  await raw.command("RCPT TO:<밥@example.kr>");
  await raw.command("DATA");
  const text = "Subject: =?UTF-8?B?7JWI64WV?=\r\n\r\n안녕하세요, Bob! Ça va?\r\n";
  await raw.write(text + ".\r\n");
  assert.equal(await raw.code(), 250);
  assert.equal(accepted[0].text, text);
  assert.deepEqual(accepted[0].envelope, {
    from: "앨리스@crepes.fr",
    to: ["밥@example.kr"],
    params: { body: "8BITMIME", smtputf8: true },
  });
  raw.close();
});

Deno.test("SmtpServer slows down repeated failed logins and closes after the fifth", async () => {
  const clock = new ManualClock();
  const { server } = testServer({ submission: true, clock, idleTimeoutMs: 1e9 });
  await using _ = server;
  const { raw } = await ehlo(server.port);
  const bad = `AUTH PLAIN ${btoa("\0alice\0wrong")}\r\n`;
  await raw.write(bad);
  assert.equal(await raw.code(), 535, "the first failure is answered at once");
  await raw.write(bad);
  const second = raw.code();
  let answered = false;
  second.then(() => answered = true);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(answered, false, "the second failure waits for the clock");
  clock.advance(1000);
  assert.equal(await second, 535);
  for (const wait of [2000, 3000]) {
    await raw.write(bad);
    const reply = raw.code();
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(wait);
    assert.equal(await reply, 535);
  }
  await raw.write(bad);
  assert.deepEqual(await raw.reply(), wire(REPLY.TooManyAuthFailures));
  assert.equal(await raw.closedByPeer(), true);
  raw.close();
});

Deno.test("MailServer stores a message for several local users all or nothing", async () => {
  class FlakyStore extends MemoryStore {
    failFor = "";
    override deliver(user: string, bytes: Uint8Array, options?: DeliverOptions): Promise<number> {
      return user === this.failFor
        ? Promise.reject(new Error("disk full"))
        : super.deliver(user, bytes, options);
    }
  }
  const store = new FlakyStore();
  await using server = await MailServer.start({
    domain: "hamburger.edu",
    users: { bob: "pickles", carol: "mustard" },
    passwordIterations: 1000,
    store,
  });
  store.failFor = "carol";
  const { raw } = await ehlo(server.ports.smtp);
  const send = async () => {
    await raw.command("MAIL FROM:<alice@crepes.fr>");
    await raw.command("RCPT TO:<bob@hamburger.edu>");
    await raw.command("RCPT TO:<carol@hamburger.edu>");
    await raw.command("RCPT TO:<Bob@hamburger.edu>");
    await raw.command("DATA");
    await raw.write("Subject: team\r\n\r\nlunch\r\n.\r\n");
    return await raw.reply();
  };
  assert.deepEqual(await send(), wire(REPLY.LocalError));
  assert.equal((await store.list("bob", "INBOX")).length, 0, "bob's copy was taken back");
  store.failFor = "";
  assert.equal((await send())[0].slice(0, 3), "250");
  assert.equal((await store.list("bob", "INBOX")).length, 1, "one copy per mailbox");
  assert.equal((await store.list("carol", "INBOX")).length, 1);
  raw.close();
});

Deno.test("MailServer adds Received and Return-Path, and refuses a message that went round too often", async () => {
  await using server = await MailServer.start({
    domain: "hamburger.edu",
    users: { bob: "pickles" },
    passwordIterations: 1000,
  });
  const { raw } = await ehlo(server.ports.smtp);
  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  await raw.command("DATA");
  await raw.write("Subject: trace\r\n\r\nhi\r\n.\r\n");
  assert.equal(await raw.code(), 250);
  const [info] = await server.store.list("bob", "INBOX");
  const stored = new TextDecoder().decode(await server.store.read("bob", "INBOX", info.uid));
  assert.match(
    stored,
    /^Return-Path: <alice@crepes\.fr>\r\nReceived: from crepes\.fr \(\[127\.0\.0\.1\]\)\r\n\tby hamburger\.edu with ESMTP id /,
  );

  await raw.command("MAIL FROM:<alice@crepes.fr>");
  await raw.command("RCPT TO:<bob@hamburger.edu>");
  await raw.command("DATA");
  await raw.write(
    "Received: from a by b; Tue, 1 Sep 2026 09:00:00 +0000\r\n".repeat(30) +
      "Subject: loop\r\n\r\nx\r\n.\r\n",
  );
  assert.deepEqual(await raw.reply(), wire(REPLY.TooManyHops(30)));
  raw.close();
});

Deno.test("MailServer refuses AUTH on the MX port and hides credentials in its transcripts", async () => {
  await using server = await MailServer.start({
    domain: "hamburger.edu",
    users: { bob: "pickles" },
    passwordIterations: 1000,
  });
  const { raw, extensions } = await ehlo(server.ports.smtp);
  assert.ok(!extensions.some((e) => e.startsWith("AUTH")));
  const secret = btoa("\0bob\0pickles");
  await raw.write(`AUTH PLAIN ${secret}\r\n`);
  assert.deepEqual(await raw.reply(), wire(REPLY.AuthNotOffered));
  raw.close();
  const sub = await ehlo(server.ports.submission);
  await sub.raw.write(`AUTH PLAIN ${secret}\r\n`);
  assert.deepEqual(await sub.raw.reply(), wire(REPLY.AuthOk));
  assert.equal(await sub.raw.command("QUIT"), 221);
  sub.raw.close();
  const text = server.transcripts.map((t) => t.toString()).join("\n");
  assert.match(text, /AUTH PLAIN \*\*\*\*/);
  assert.ok(!text.includes(secret) && !text.includes("pickles"));
});
