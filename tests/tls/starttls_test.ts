// STARTTLS and implicit TLS over raw sockets, SMTP and IMAP alike: the upgrade, the state reset
// the RFCs require after it, requireTls, the transcript's note, and the command-injection flaw
// of CVE-2011-0411 (commands pipelined behind STARTTLS must never run).
import assert from "node:assert/strict";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { formatReply } from "../../protocol/smtp/reply.ts";
import { Transcript } from "../../protocol/transcript.ts";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer } from "../../server/imap/server.ts";
import { SmtpServer } from "../../server/smtp/server.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import { RawTlsClient, SERVER_TLS } from "./_tls.ts";

const accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");
const wire = (reply: { code: number; enhanced?: string; lines: string[] }) =>
  formatReply(reply, true).trimEnd();

function smtpServer(
  options: { submission?: boolean; requireTls?: boolean; implicitTls?: boolean },
) {
  const transcripts: Transcript[] = [];
  const accepted: string[] = [];
  const server = new SmtpServer({
    domain: "hamburger.edu",
    tls: SERVER_TLS,
    ...options,
    transcripts: () => {
      const t = new Transcript();
      transcripts.push(t);
      return t;
    },
    handler: {
      authenticate: (user, password) =>
        Promise.resolve(user === "bob" && password === "pickles" ? "bob" : undefined),
      data: (envelope) => void accepted.push(envelope.from),
    },
  });
  return { server, transcripts, accepted };
}

Deno.test("SmtpServer offers STARTTLS, then forgets EHLO: the dialog starts afresh inside TLS", async () => {
  const { server, transcripts } = smtpServer({});
  await using _ = server;
  using client = await RawTlsClient.plain(server.port);
  await client.until(/^220 /m);
  await client.send("EHLO crepes.fr\r\n");
  assert.match(await client.until(/^250 /m), /^250-STARTTLS\r$/m);
  await client.send("STARTTLS\r\n");
  assert.equal(await client.until(/\r\n/), wire(REPLY.StartTls) + "\r\n");
  await client.startTls();
  // RFC 3207 §4.2: the server forgot the EHLO, so MAIL is out of sequence until the next one.
  await client.send("MAIL FROM:<alice@crepes.fr>\r\n");
  assert.match(await client.until(/\r\n/), /^503 /);
  await client.send("EHLO crepes.fr\r\n");
  const ehlo = await client.until(/^250 /m);
  assert.doesNotMatch(ehlo, /STARTTLS/, "STARTTLS is not offered twice");
  await client.send("STARTTLS\r\n");
  assert.equal(await client.until(/\r\n/), wire(REPLY.TlsActive) + "\r\n");
  await client.send("QUIT\r\n");
  await client.until(/^221 /m);
  const notes = transcripts[0].entries.filter((e) => e.side === "*").map((e) => e.text);
  assert.ok(
    notes.some((n) => /^TLS started \(TLSv1\.[23], [A-Z0-9_]+\)$/.test(n)),
    notes.join("; "),
  );
  const tlsAt = transcripts[0].entries.findIndex((e) => e.text.startsWith("TLS started"));
  assert.ok(transcripts[0].entries.slice(tlsAt).some((e) => e.text === "EHLO crepes.fr"));
});

Deno.test("SmtpServer never runs commands pipelined behind STARTTLS (CVE-2011-0411)", async () => {
  const { server, transcripts, accepted } = smtpServer({});
  await using _ = server;
  using client = await RawTlsClient.plain(server.port);
  await client.until(/^220 /m);
  await client.send("EHLO crepes.fr\r\n");
  await client.until(/^250 /m);
  // The attacker's bytes ride in the same packet as STARTTLS, before the handshake.
  await client.send(
    "STARTTLS\r\nMAIL FROM:<mallory@evil.example>\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\n",
  );
  assert.equal(await client.until(/\r\n/), wire(REPLY.StartTls) + "\r\n");
  await client.startTls();
  assert.equal(await client.within(300), "", "no reply to the injected commands inside TLS");
  await client.send("EHLO crepes.fr\r\nMAIL FROM:<alice@crepes.fr>\r\n");
  const replies = await client.until(/^250 2\.1\.0 /m);
  assert.match(replies, /^250-hamburger\.edu/, "the first reply inside TLS answers our EHLO");
  await client.send("QUIT\r\n");
  await client.until(/^221 /m);
  assert.deepEqual(accepted, []);
  assert.ok(
    !transcripts[0].lines("C").some((l) => l.includes("mallory")),
    "never read as commands",
  );
});

Deno.test("SmtpServer with requireTls refuses AUTH and MAIL before TLS and offers AUTH only inside it", async () => {
  const { server } = smtpServer({ submission: true, requireTls: true });
  await using _ = server;
  using client = await RawTlsClient.plain(server.port);
  await client.until(/^220 /m);
  await client.send("EHLO crepes.fr\r\n");
  assert.doesNotMatch(await client.until(/^250 /m), /AUTH/);
  await client.send("AUTH PLAIN AGJvYgBwaWNrbGVz\r\n");
  assert.equal(await client.until(/\r\n/), "530 5.7.0 Must issue a STARTTLS command first\r\n");
  await client.send("MAIL FROM:<bob@hamburger.edu>\r\n");
  assert.equal(await client.until(/\r\n/), "530 5.7.0 Must issue a STARTTLS command first\r\n");
  await client.send("STARTTLS\r\n");
  await client.until(/^220 /m);
  await client.startTls();
  await client.send("EHLO crepes.fr\r\n");
  assert.match(await client.until(/^250 /m), /^250-AUTH PLAIN LOGIN\r$/m);
  await client.send("AUTH PLAIN AGJvYgBwaWNrbGVz\r\n");
  assert.match(await client.until(/\r\n/), /^235 /);
});

Deno.test("SmtpServer on an implicit-TLS port greets inside TLS and offers no STARTTLS", async () => {
  const { server, accepted } = smtpServer({ submission: true, implicitTls: true });
  await using _ = server;
  using client = await RawTlsClient.implicit(server.port);
  assert.equal(await client.until(/\r\n/), "220 hamburger.edu\r\n");
  await client.send("EHLO crepes.fr\r\n");
  const ehlo = await client.until(/^250 /m);
  assert.doesNotMatch(ehlo, /STARTTLS/);
  assert.match(ehlo, /AUTH PLAIN/);
  await client.send(
    "AUTH PLAIN AGJvYgBwaWNrbGVz\r\nMAIL FROM:<bob@hamburger.edu>\r\nRCPT TO:<alice@crepes.fr>\r\nDATA\r\n",
  );
  await client.until(/^354 /m);
  await client.send("Subject: hi\r\n\r\nInside TLS\r\n.\r\nQUIT\r\n");
  await client.until(/^221 /m);
  assert.deepEqual(accepted, ["bob@hamburger.edu"]);
});

Deno.test("SmtpServer without a certificate does not offer STARTTLS and refuses it", async () => {
  await using server = new SmtpServer({ domain: "hamburger.edu" });
  using client = await RawTlsClient.plain(server.port);
  await client.until(/^220 /m);
  await client.send("EHLO crepes.fr\r\n");
  assert.doesNotMatch(await client.until(/^250 /m), /STARTTLS/);
  await client.send("STARTTLS\r\n");
  assert.equal(await client.until(/\r\n/), wire(REPLY.TlsNotOffered) + "\r\n");
});

Deno.test("SmtpServer closes a connection whose TLS handshake is garbage, and keeps serving", async () => {
  const { server, transcripts } = smtpServer({});
  await using _ = server;
  using bad = await RawTlsClient.plain(server.port);
  await bad.until(/^220 /m);
  await bad.send("EHLO x\r\n");
  await bad.until(/^250 /m);
  await bad.send("STARTTLS\r\n");
  await bad.until(/^220 /m);
  await bad.send("this is not a ClientHello\r\n".repeat(20));
  assert.equal(await bad.within(2000), "", "nothing but a close");
  using good = await RawTlsClient.plain(server.port);
  assert.match(await good.until(/\r\n/), /^220 hamburger\.edu/);
  assert.ok(
    transcripts[0].entries.some((e) => /TLS handshake failed/.test(e.text)),
    "the transcript says why",
  );
});

function imapServer(options: { requireTls?: boolean; implicitTls?: boolean }) {
  const transcripts: Transcript[] = [];
  const server = new ImapServer({
    domain: "hamburger.edu",
    store: new MemoryStore(),
    accounts,
    tls: SERVER_TLS,
    ...options,
    transcripts: () => {
      const t = new Transcript();
      transcripts.push(t);
      return t;
    },
  });
  return { server, transcripts };
}

Deno.test("ImapServer offers STARTTLS, drops what was pipelined behind it, and logs in inside TLS", async () => {
  const { server, transcripts } = imapServer({});
  await using _ = server;
  using client = await RawTlsClient.plain(server.port);
  assert.match(await client.until(/\r\n/), /^\* OK \[CAPABILITY [^\]]* STARTTLS[ \]]/);
  await client.send("a1 STARTTLS\r\na2 LOGIN bob pickles\r\n");
  assert.equal(await client.until(/\r\n/), "a1 OK Begin TLS negotiation now\r\n");
  await client.startTls();
  assert.equal(await client.within(300), "", "the pipelined LOGIN was dropped");
  await client.send("a3 CAPABILITY\r\n");
  const caps = await client.until(/^a3 OK/m);
  assert.doesNotMatch(caps, /STARTTLS/);
  await client.send("a4 STARTTLS\r\n");
  assert.match(await client.until(/^a4 /m), /^a4 BAD TLS is already active/m);
  await client.send("a5 LOGIN bob pickles\r\n");
  assert.match(await client.until(/^a5 /m), /^a5 OK /m);
  assert.ok(!transcripts[0].lines("C").some((l) => l.startsWith("a2")));
  assert.ok(transcripts[0].entries.some((e) => /^TLS started \(TLSv1\.[23], /.test(e.text)));
});

Deno.test("ImapServer with requireTls says LOGINDISABLED and refuses LOGIN and AUTHENTICATE before TLS", async () => {
  const { server } = imapServer({ requireTls: true });
  await using _ = server;
  using client = await RawTlsClient.plain(server.port);
  const greeting = await client.until(/\r\n/);
  assert.match(greeting, /LOGINDISABLED/);
  assert.doesNotMatch(greeting, /AUTH=PLAIN/);
  await client.send("a1 LOGIN bob pickles\r\n");
  assert.match(await client.until(/^a1 /m), /^a1 NO \[PRIVACYREQUIRED\] /m);
  await client.send("a2 AUTHENTICATE PLAIN AGJvYgBwaWNrbGVz\r\n");
  assert.match(await client.until(/^a2 /m), /^a2 NO \[PRIVACYREQUIRED\] /m);
  await client.send("a3 STARTTLS\r\n");
  await client.until(/^a3 OK/m);
  await client.startTls();
  await client.send("a4 CAPABILITY\r\n");
  const caps = await client.until(/^a4 OK/m);
  assert.doesNotMatch(caps, /LOGINDISABLED/);
  assert.match(caps, /AUTH=PLAIN/);
  await client.send("a5 LOGIN bob pickles\r\n");
  assert.match(await client.until(/^a5 /m), /^a5 OK /m);
});

Deno.test("ImapServer on an implicit-TLS port greets inside TLS without STARTTLS", async () => {
  const { server } = imapServer({ implicitTls: true });
  await using _ = server;
  using client = await RawTlsClient.implicit(server.port);
  const greeting = await client.until(/\r\n/);
  assert.match(greeting, /^\* OK \[CAPABILITY IMAP4rev1/);
  assert.doesNotMatch(greeting, /STARTTLS/);
  await client.send("a1 LOGIN bob pickles\r\na2 LOGOUT\r\n");
  assert.match(await client.until(/^a2 OK/m), /^a1 OK /m);
});
