// A spool written before outcomes were kept as data: the state file holds each recipient's last
// reply as text (`lastError`, `deliveredReply`) and the answering server (`remote`). A queue
// started on such a folder still delivers it, and still bounces what had failed. The files
// below are byte for byte what that DiskSpool wrote.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../protocol/clock.ts";
import { parseMessage } from "../../message/mod.ts";
import { MailServer } from "../../server/mail_server.ts";
import { DiskSpool } from "../../server/queue/disk_spool.ts";
import { StaticRouter } from "../../server/queue/router.ts";
import { testServer } from "../smtp/_server.ts";

const QUEUED_AT = 1788253200000; // 2026-09-01 09:00 UTC
const EML = "From: alice@crepes.fr\r\nSubject: Old\r\n\r\nHi\r\n";

// Bob was deferred with a 451 at the first attempt; dave@example.org, at another domain, had
// been delivered already.
const DEFERRED = JSON.stringify({
  id: "MTIFS8000A1B2C3D4",
  from: "alice@crepes.fr",
  recipients: [
    {
      address: "bob@hamburger.edu",
      status: "pending",
      remote: "127.0.0.1:20025",
      lastError: "451 4.3.0 Local error in processing, try again later",
    },
    {
      address: "dave@example.org",
      status: "delivered",
      remote: "127.0.0.1:30025",
      deliveredReply: "250 2.0.0 Message accepted for delivery",
    },
  ],
  createdAt: QUEUED_AT,
  nextAttemptAt: QUEUED_AT + 1_800_000,
  attempts: 1,
  size: 43,
  history: [{
    at: QUEUED_AT,
    destination: "hamburger.edu via 127.0.0.1:20025",
    result:
      "bob@hamburger.edu: deferred (451 4.3.0 Local error in processing, try again later); dave@example.org: delivered (250 2.0.0 Message accepted for delivery)",
  }],
  lastAttemptAt: QUEUED_AT,
});

// Carol was refused for good at RCPT (550), bob deferred (451): the bounce for carol waits until
// bob is done.
const FAILED = JSON.stringify({
  id: "MTIFS8000D68DE717",
  from: "alice@crepes.fr",
  recipients: [
    {
      address: "carol@hamburger.edu",
      status: "failed",
      remote: "127.0.0.1:20025",
      lastError: "550 5.1.1 carol@hamburger.edu: no such user here",
    },
    {
      address: "bob@hamburger.edu",
      status: "pending",
      remote: "127.0.0.1:20025",
      lastError: "451 4.3.0 Local error in processing, try again later",
    },
  ],
  createdAt: QUEUED_AT,
  nextAttemptAt: QUEUED_AT + 1_800_000,
  attempts: 1,
  size: 43,
  history: [{
    at: QUEUED_AT,
    destination: "hamburger.edu via 127.0.0.1:20025",
    result:
      "carol@hamburger.edu: failed (550 5.1.1 carol@hamburger.edu: no such user here); bob@hamburger.edu: deferred (451 4.3.0 Local error in processing, try again later)",
  }],
  lastAttemptAt: QUEUED_AT,
});

async function oldSpool(id: string, state: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "old-spool-" });
  await Deno.writeTextFile(join(dir, `${id}.eml`), EML);
  await Deno.writeTextFile(join(dir, `${id}.json`), state);
  return dir;
}

async function crepes(dir: string, port: number): Promise<MailServer> {
  return await MailServer.start({
    domain: "crepes.fr",
    users: { alice: "ketchup" },
    passwordIterations: 1000,
    spool: await DiskSpool.open(dir),
    router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port } }),
    clock: new ManualClock(QUEUED_AT + 1_800_000),
    record: false,
  });
}

Deno.test("DiskSpool reads an older state file's text as the outcome's error, and the queue delivers it", async () => {
  const dir = await oldSpool("MTIFS8000A1B2C3D4", DEFERRED);
  try {
    const [entry] = await (await DiskSpool.open(dir)).load();
    assert.deepEqual(entry.recipients, [
      {
        address: "bob@hamburger.edu",
        status: "pending",
        last: {
          status: "deferred",
          error: "451 4.3.0 Local error in processing, try again later",
          remote: "127.0.0.1:20025",
          at: QUEUED_AT,
        },
      },
      {
        address: "dave@example.org",
        status: "delivered",
        last: {
          status: "delivered",
          error: "250 2.0.0 Message accepted for delivery",
          remote: "127.0.0.1:30025",
          at: QUEUED_AT,
        },
      },
    ]);
    const { server, accepted } = testServer();
    await using _ = server;
    await using sender = await crepes(dir, server.port);
    await sender.queue.idle();
    assert.equal(accepted.length, 1);
    assert.deepEqual(accepted[0].envelope.to, ["bob@hamburger.edu"], "dave had his already");
    assert.equal(accepted[0].text, EML);
    assert.equal(sender.queue.list().length, 0);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["tmp"], "the spool is empty");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A recipient that failed with an older state file's text still gets a readable bounce", async () => {
  const dir = await oldSpool("MTIFS8000D68DE717", FAILED);
  try {
    const { server, accepted } = testServer();
    await using _ = server;
    await using sender = await crepes(dir, server.port);
    await sender.queue.idle();
    assert.deepEqual(accepted.map((a) => a.envelope.to), [["bob@hamburger.edu"]]);
    const [bounce] = await sender.store.list("alice", "INBOX");
    const parsed = parseMessage(await sender.store.read("alice", "INBOX", bounce.uid));
    assert.equal(parsed.subject, "Undelivered Mail Returned to Sender");
    assert.match(parsed.header.get("return-path") ?? "", /^<>$/);
    const [note, status] = parsed.root.children;
    assert.match(
      note.text(),
      /<carol@hamburger\.edu>: 550 5\.1\.1 carol@hamburger\.edu: no such user here\r\n/,
    );
    assert.match(
      status.text(),
      /Final-Recipient: rfc822; carol@hamburger\.edu\r\nAction: failed\r\nStatus: 5\.0\.0\r\nRemote-MTA: dns; 127\.0\.0\.1\r\n/,
    );
    assert.match(
      status.text(),
      /Diagnostic-Code: X-Mail-Toolkit; 550 5\.1\.1 carol@hamburger\.edu: no such user here\r\n/,
      "the old text as it was, never read as a reply",
    );
    assert.doesNotMatch(status.text(), /bob@hamburger\.edu/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
