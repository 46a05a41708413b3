// The course's promise, on a manual clock: the server keeps the message, tries again every 30
// minutes, and when it gives up it removes the message and tells the sender.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { parseMessage } from "../../message/mod.ts";
import { SmtpClient } from "../../client/smtp_client.ts";
import { Lab } from "../../lab/lab.ts";
import type { LabConfigInput } from "../../lab/config.ts";
import { DEFAULT_CONFIG } from "../../lab/config.ts";

const MINUTE = 60_000;
const encoder = new TextEncoder();

function startLab(clock: ManualClock, queue: LabConfigInput["queue"] = {}): Promise<Lab> {
  return Lab.start({
    config: { ...DEFAULT_CONFIG, queue },
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
    clock,
  });
}

async function send(lab: Lab, to: string[], subject = "Hello"): Promise<void> {
  const ua = await SmtpClient.connect({
    hostname: "127.0.0.1",
    port: lab.server("crepes.fr").ports.submission,
    clock: lab.clock,
  });
  await ua.authenticate("alice", "ketchup");
  const result = await ua.send(
    { from: "alice@crepes.fr", to },
    encoder.encode(
      `From: alice@crepes.fr\r\nTo: ${to.join(", ")}\r\nSubject: ${subject}\r\n\r\nHi\r\n`,
    ),
  );
  await ua.quit();
  assert.equal(result.reply.code, 250);
  await lab.idle();
}

async function inbox(lab: Lab, domain: string, user: string) {
  const store = lab.server(domain).store;
  return await Promise.all(
    (await store.list(user, "INBOX")).map(async (m) =>
      parseMessage(await store.read(user, "INBOX", m.uid))
    ),
  );
}

Deno.test("Lab retries every 30 minutes for a day, then removes the message and bounces it to alice", async () => {
  const clock = new ManualClock();
  await using lab = await startLab(clock);
  const crepes = lab.server("crepes.fr");
  await lab.server("hamburger.edu").stopSmtp();
  await send(lab, ["bob@hamburger.edu"]);
  const start = clock.now();
  let steps = 0;
  while (crepes.queue.list().length > 0 && steps++ < 60) {
    clock.advance(30 * MINUTE);
    await lab.idle();
  }
  assert.equal(crepes.queue.list().length, 0, "the message is removed");
  assert.equal(clock.now() - start, 24 * 60 * MINUTE, "after the lab's day");
  const attempts = lab.log.events.filter((e) => e.type === "attempt").length;
  assert.equal(attempts, 49, "at 0, 30 m, ..., 24 h");
  const [bounce] = await inbox(lab, "crepes.fr", "alice");
  assert.equal(bounce.subject, "Undelivered Mail Returned to Sender");
  assert.match(bounce.header.get("from") ?? "", /MAILER-DAEMON@crepes\.fr/);
  assert.equal(bounce.header.get("auto-submitted"), "auto-replied");
  assert.match(bounce.header.get("return-path") ?? "", /^<>$/);
  const [note, status, headers] = bounce.root.children;
  assert.equal(bounce.root.mediaType, "multipart/report");
  assert.equal(bounce.root.contentType.params["report-type"], "delivery-status");
  assert.match(
    note.text(),
    /<bob@hamburger\.edu>: Gave up after 49 attempts in 1d; the last one: at connect: Cannot connect to 127\.0\.0\.1:\d+/,
  );
  assert.equal(status.mediaType, "message/delivery-status");
  assert.match(
    status.text(),
    /Final-Recipient: rfc822; bob@hamburger\.edu\r\nAction: failed\r\nStatus: 4\.4\.7\r\n/,
  );
  assert.match(
    status.text(),
    /\r\nDiagnostic-Code: X-Mail-Toolkit; Cannot connect to 127\.0\.0\.1:/,
  );
  assert.doesNotMatch(status.text(), /Remote-MTA/, "no server answered");
  assert.match(status.text(), /\r\nLast-Attempt-Date: .*\r\n/);
  assert.equal(headers.mediaType, "text/rfc822-headers");
  assert.match(headers.text(), /^Received: .*\r\n(.*\r\n)*Subject: Hello\r\n/);
  assert.ok(lab.log.events.some((e) => e.type === "bounced"));
});

Deno.test("Lab fails an unknown recipient at once (550) and bounces, while the other is delivered", async () => {
  const clock = new ManualClock();
  await using lab = await startLab(clock);
  await send(lab, ["carol@hamburger.edu", "bob@hamburger.edu"]);
  assert.equal(lab.server("crepes.fr").queue.list().length, 0);
  assert.equal((await inbox(lab, "hamburger.edu", "bob")).length, 1);
  const [bounce] = await inbox(lab, "crepes.fr", "alice");
  const status = bounce.root.children[1].text();
  assert.match(
    status,
    /Final-Recipient: rfc822; carol@hamburger\.edu\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; 127\.0\.0\.1\r\n/,
  );
  assert.match(status, /Diagnostic-Code: smtp; 550 5\.1\.1 carol@hamburger\.edu/);
  assert.doesNotMatch(status, /bob@hamburger\.edu/);
  assert.match(bounce.root.children[0].text(), /<carol@hamburger\.edu>: at RCPT TO: 550 5\.1\.1 /);
});

Deno.test("Lab never bounces a bounce: a failing message from <> is dropped silently", async () => {
  const clock = new ManualClock();
  await using lab = await startLab(clock);
  const crepes = lab.server("crepes.fr");
  await crepes.queue.enqueue(
    { from: "", to: ["carol@hamburger.edu"] },
    encoder.encode("From: MAILER-DAEMON@crepes.fr\r\nSubject: a bounce\r\n\r\nx\r\n"),
  );
  await lab.idle();
  assert.equal(crepes.queue.list().length, 0);
  assert.equal((await inbox(lab, "crepes.fr", "alice")).length, 0);
  assert.ok(!lab.log.events.some((e) => e.type === "bounced"));
  assert.ok(lab.log.events.some((e) => e.type === "done" && e.failed.length === 1));
});

Deno.test("Lab warns alice once when her message is two hours late, then delivers it", async () => {
  const clock = new ManualClock();
  await using lab = await startLab(clock, { warnAfter: "2h" });
  const hamburger = lab.server("hamburger.edu");
  await hamburger.stopSmtp();
  await send(lab, ["bob@hamburger.edu"]);
  for (let i = 0; i < 6; i++) {
    clock.advance(30 * MINUTE);
    await lab.idle();
  }
  const warnings = await inbox(lab, "crepes.fr", "alice");
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].subject, "Delayed Mail (still being retried)");
  assert.match(warnings[0].root.children[1].text(), /Action: delayed\r\nStatus: 4\.4\.1/);
  assert.match(warnings[0].root.children[1].text(), /Will-Retry-Until: /);
  hamburger.startSmtp();
  clock.advance(30 * MINUTE);
  await lab.idle();
  assert.equal((await inbox(lab, "hamburger.edu", "bob")).length, 1);
  assert.equal((await inbox(lab, "crepes.fr", "alice")).length, 1, "no second warning, no bounce");
});
