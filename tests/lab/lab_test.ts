// The course's message, end to end, over real sockets: the lab's promises of issue 2.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { formatReply } from "../../protocol/smtp/reply.ts";
import { SmtpClient } from "../../client/smtp_client.ts";
import { Lab } from "../../lab/lab.ts";
import { RawSmtp } from "../_raw.ts";

const MINUTE = 60_000;
const decoder = new TextDecoder();

function startLab(clock?: ManualClock): Promise<Lab> {
  return Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000, clock });
}

async function inbox(lab: Lab, domain: string, user: string): Promise<string[]> {
  const store = lab.server(domain).store;
  const messages = await store.list(user, "INBOX");
  return await Promise.all(
    messages.map(async (m) => decoder.decode(await store.read(user, "INBOX", m.uid))),
  );
}

const ALICE_TO_BOB = "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\n" +
  "Subject: Searching for the meaning of life.\r\n\r\nDo you like ketchup?\r\n";

Deno.test("Lab answers the course's dialog typed over a raw socket with 220 250 250 250 354 250 221", async () => {
  await using lab = await startLab();
  const hamburger = lab.server("hamburger.edu");
  const raw = await RawSmtp.connect(hamburger.ports.smtp);
  const codes = [await raw.code()];
  for (
    const line of [
      "HELO crepes.fr",
      "MAIL FROM: <alice@crepes.fr>",
      "RCPT TO: <bob@hamburger.edu>",
      "DATA",
    ]
  ) {
    codes.push(await raw.command(line));
  }
  await raw.write("Do you like ketchup?\r\nHow about pickles?\r\n.\r\n");
  codes.push(await raw.code());
  const closing = await raw.command("QUIT");
  codes.push(closing);
  raw.close();
  assert.deepEqual(codes, [220, 250, 250, 250, 354, 250, 221]);
  const [message] = await inbox(lab, "hamburger.edu", "bob");
  assert.match(message, /^Return-Path: <alice@crepes\.fr>\r\nReceived: from crepes\.fr /);
  assert.ok(message.endsWith("Do you like ketchup?\r\nHow about pickles?\r\n"));
  assert.doesNotMatch(message, /[^\r]\n/, "every line stored with CRLF");
});

Deno.test("Lab answers the course's dialog typed with nc, whose lines end in a bare LF", async () => {
  await using lab = await startLab();
  const raw = await RawSmtp.connect(lab.server("hamburger.edu").ports.smtp);
  const codes = [await raw.code()];
  for (
    const line of [
      "HELO crepes.fr",
      "MAIL FROM: <alice@crepes.fr>",
      "RCPT TO: <bob@hamburger.edu>",
      "DATA",
    ]
  ) {
    await raw.write(line + "\n");
    codes.push(await raw.code());
  }
  await raw.write("Do you like ketchup?\nHow about pickles?\n.\n");
  codes.push(await raw.code());
  await raw.write("QUIT\n");
  codes.push(await raw.code());
  raw.close();
  assert.deepEqual(codes, [220, 250, 250, 250, 354, 250, 221]);
  const [message] = await inbox(lab, "hamburger.edu", "bob");
  assert.ok(message.endsWith("Do you like ketchup?\r\nHow about pickles?\r\n"));
  assert.doesNotMatch(message, /[^\r]\n/, "every line stored with CRLF");
});

Deno.test("Lab relays alice's message from crepes.fr to bob's mailbox at hamburger.edu", async () => {
  await using lab = await startLab();
  const crepes = lab.server("crepes.fr");
  const ua = await SmtpClient.connect({
    hostname: "127.0.0.1",
    port: crepes.ports.submission,
    clientName: "alice-laptop",
  });
  await ua.authenticate("alice@crepes.fr", "ketchup");
  const result = await ua.send(
    { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
    new TextEncoder().encode(ALICE_TO_BOB),
  );
  await ua.quit();
  assert.equal(result.reply.code, 250);
  await lab.idle();
  const [message] = await inbox(lab, "hamburger.edu", "bob");
  assert.ok(
    message.endsWith(ALICE_TO_BOB),
    "the bytes alice sent arrive unchanged after the trace fields",
  );
  assert.equal(message.match(/^Received: /gm)?.length, 2, "one Received field per server");
  assert.equal(crepes.queue.list().length, 0);
});

Deno.test("Lab keeps a message queued while hamburger.edu is down and delivers it 30 minutes after it is back", async () => {
  const clock = new ManualClock();
  await using lab = await startLab(clock);
  const crepes = lab.server("crepes.fr");
  const hamburger = lab.server("hamburger.edu");
  await hamburger.stopSmtp();
  const ua = await SmtpClient.connect({
    hostname: "127.0.0.1",
    port: crepes.ports.submission,
    clock,
  });
  await ua.authenticate("alice", "ketchup");
  const result = await ua.send(
    { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
    new TextEncoder().encode(ALICE_TO_BOB),
  );
  await ua.quit();
  assert.equal(
    result.reply.code,
    250,
    "crepes.fr accepts the message although hamburger.edu is down",
  );
  await lab.idle();
  const [entry] = crepes.queue.list();
  assert.equal(entry.attempts, 1);
  assert.equal(entry.recipients[0].status, "pending");
  assert.equal(entry.recipients[0].last?.step, "connect");
  assert.match(entry.recipients[0].last?.error ?? "", /refused|connect/i);
  assert.equal(entry.nextAttemptAt - entry.createdAt, 30 * MINUTE);

  hamburger.startSmtp();
  clock.advance(29 * MINUTE);
  await lab.idle();
  assert.equal(
    (await inbox(lab, "hamburger.edu", "bob")).length,
    0,
    "no attempt before 30 minutes",
  );
  clock.advance(1 * MINUTE);
  await lab.idle();
  const messages = await inbox(lab, "hamburger.edu", "bob");
  assert.equal(messages.length, 1);
  assert.ok(messages[0].endsWith(ALICE_TO_BOB));
  assert.equal(crepes.queue.list().length, 0);
});

Deno.test("Lab refuses to relay to a foreign domain for a client that did not log in", async () => {
  await using lab = await startLab();
  const crepes = lab.server("crepes.fr");
  const mx = await RawSmtp.connect(crepes.ports.smtp);
  await mx.reply();
  assert.equal(await mx.command("HELO spammer.example"), 250);
  assert.equal(await mx.command("MAIL FROM:<alice@crepes.fr>"), 250);
  await mx.write("RCPT TO:<bob@hamburger.edu>\r\n");
  assert.deepEqual(await mx.reply(), [formatReply(REPLY.RelayDenied("bob@hamburger.edu")).trim()]);
  assert.equal(await mx.command("RCPT TO:<victim@example.com>"), 554);
  mx.close();

  const submission = await RawSmtp.connect(crepes.ports.submission);
  await submission.reply();
  assert.equal(await submission.command("EHLO spammer.example"), 250);
  assert.equal(await submission.command("MAIL FROM:<alice@crepes.fr>"), 530);
  assert.equal(await submission.command(`AUTH PLAIN ${btoa("\0alice\0wrong")}`), 535);
  submission.close();
  assert.equal(crepes.queue.list().length, 0);
});

Deno.test("Lab takes mail for postmaster, with or without a domain, in any case (RFC 5321 §4.5.1)", async () => {
  await using lab = await startLab();
  const mx = await RawSmtp.connect(lab.server("hamburger.edu").ports.smtp);
  await mx.reply();
  await mx.command("HELO crepes.fr");
  for (const postmaster of ["postmaster", "Postmaster@hamburger.edu", "POSTMASTER@HAMBURGER.EDU"]) {
    assert.equal(await mx.command("MAIL FROM:<alice@crepes.fr>"), 250);
    assert.equal(await mx.command(`RCPT TO:<${postmaster}>`), 250, postmaster);
    assert.equal(await mx.command("DATA"), 354);
    assert.equal(
      await mx.command(`Subject: to ${postmaster}\r\n\r\nYour server bounced me.\r\n.`),
      250,
    );
  }
  mx.close();
  // hamburger.edu has no postmaster account: its one user, bob, reads that mail.
  const subjects = (await inbox(lab, "hamburger.edu", "bob")).map((m) =>
    /Subject: (.*)/.exec(m)?.[1]
  );
  assert.deepEqual(subjects, [
    "to postmaster",
    "to Postmaster@hamburger.edu",
    "to POSTMASTER@HAMBURGER.EDU",
  ]);
});

Deno.test("Lab answers 550 for an unknown user at the destination", async () => {
  await using lab = await startLab();
  const mx = await RawSmtp.connect(lab.server("hamburger.edu").ports.smtp);
  await mx.reply();
  await mx.command("HELO crepes.fr");
  await mx.command("MAIL FROM:<alice@crepes.fr>");
  assert.equal(await mx.command("RCPT TO:<carol@hamburger.edu>"), 550);
  mx.close();
});
