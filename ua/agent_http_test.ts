import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import { Lab } from "../lab/lab.ts";
import { UserAgent } from "./agent.ts";
import type { UserAgentOptions } from "./agent_options.ts";
import {
  LoginRefusedError,
  NoSuchMailboxError,
  NoSuchMessageError,
  ServerConnectionError,
} from "./errors.ts";
import type { MailboxNews } from "./watch.ts";

async function lab() {
  return await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
    clock: new ManualClock(Date.UTC(2026, 8, 1)),
  });
}

const overHttp = (options: UserAgentOptions): UserAgentOptions => ({
  ...options,
  via: { send: "http", read: "http" },
});

Deno.test("UserAgent via http sends, lists and reads as over SMTP and IMAP", async () => {
  await using l = await lab();
  const alice = new UserAgent(overHttp(l.agentOptions("alice@crepes.fr")));
  const bobHttp = new UserAgent(overHttp(l.agentOptions("bob@hamburger.edu")));
  const bobImap = new UserAgent(l.agentOptions("bob@hamburger.edu"));
  const sent = await alice.send({
    to: "bob@hamburger.edu",
    bcc: "alice@crepes.fr",
    subject: "점심?",
    text: "Do you like ketchup?\n",
  });
  assert.equal(sent.result.reply.code, 202);
  assert.deepEqual(sent.result.accepted, ["bob@hamburger.edu", "alice@crepes.fr"]);
  await l.idle();
  const listed = await bobHttp.inbox();
  assert.deepEqual(listed, await bobImap.inbox());
  assert.equal(listed[0].subject, "점심?");
  assert.equal(listed[0].seen, false);
  const read = await bobHttp.read(listed[0].uid);
  assert.deepEqual(read.bytes, await bobImap.save(listed[0].uid));
  assert.equal(read.text, "Do you like ketchup?\r\n");
  assert.equal((await bobImap.inbox())[0].seen, true);
  assert.deepEqual(await bobHttp.saveAsMbox(1), await bobImap.saveAsMbox(1));
  assert.deepEqual(await bobHttp.mailboxes(), await bobImap.mailboxes());
  // The Bcc copy reached Alice, and the header never named her.
  const [copy] = await new UserAgent(l.agentOptions("alice@crepes.fr")).inbox();
  assert.equal(copy.subject, "점심?");
  assert.doesNotMatch(new TextDecoder().decode(read.bytes), /^(Bcc|To|Cc):.*alice/im);
});

Deno.test("UserAgent via http flags, moves, trashes and deletes what IMAP then sees", async () => {
  await using l = await lab();
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const bob = new UserAgent(overHttp(l.agentOptions("bob@hamburger.edu")));
  const imap = new UserAgent(l.agentOptions("bob@hamburger.edu"));
  for (const subject of ["one", "two", "three"]) {
    await alice.send({ to: "bob@hamburger.edu", subject, text: `${subject}\n` });
  }
  await l.idle();
  assert.deepEqual(await bob.flag(1, ["\\Flagged", "$Todo"]), ["\\Flagged", "$Todo"]);
  assert.deepEqual((await imap.inbox())[0].flags, ["\\Flagged", "$Todo"]);
  assert.deepEqual(await bob.flag(1, "$Todo", { on: false }), ["\\Flagged"]);
  const archived = await bob.move(1, "Junk");
  assert.equal((await imap.inbox("Junk"))[0].uid, archived);
  const trashed = await bob.trash(2);
  assert.equal((await imap.inbox("Trash"))[0].subject, "two");
  assert.equal(await bob.trash(trashed!, "Trash"), undefined);
  assert.deepEqual(await imap.inbox("Trash"), []);
  await bob.delete(3);
  assert.deepEqual(await imap.inbox(), []);
  assert.deepEqual(await imap.inbox("Trash"), []);
  await assert.rejects(() => bob.read(3), NoSuchMessageError);
  await assert.rejects(() => bob.move(archived!, "Archive", { from: "Junk" }), NoSuchMailboxError);
});

Deno.test("UserAgent via http searches From and Subject, and refuses the body", async () => {
  await using l = await lab();
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const bob = new UserAgent(overHttp(l.agentOptions("bob@hamburger.edu")));
  await alice.send({ to: "bob@hamburger.edu", subject: "Ketchup", text: "pickles\n" });
  await alice.send({ to: "bob@hamburger.edu", subject: "Mustard", text: "ketchup\n" });
  await l.idle();
  assert.deepEqual((await bob.search("KETCHUP")).map((e) => e.subject), ["Ketchup"]);
  assert.deepEqual((await bob.search("alice", { in: "from" })).length, 2);
  assert.deepEqual(await bob.search("alice", { in: "subject" }), []);
  await assert.rejects(() => bob.search("ketchup", { in: "body" }), RangeError);
});

Deno.test("UserAgent via http keeps a copy in Sent with saveSent", async () => {
  await using l = await lab();
  const alice = new UserAgent({ ...overHttp(l.agentOptions("alice@crepes.fr")), saveSent: true });
  const sent = await alice.send({ to: "bob@hamburger.edu", subject: "Hi", text: "x\n" });
  const [copy] = await alice.inbox("Sent");
  assert.equal(sent.saved?.uid, copy.uid);
  assert.equal(copy.seen, true);
});

Deno.test("UserAgent via http names the refused recipient as SMTP would", async () => {
  await using l = await lab();
  const alice = new UserAgent(overHttp(l.agentOptions("alice@crepes.fr")));
  const sent = await alice.send({ to: "nobody@crepes.fr", subject: "Hi", text: "x\n" });
  assert.equal(sent.result.accepted.length, 0);
  assert.equal(sent.result.rejected[0].address, "nobody@crepes.fr");
  assert.equal(sent.result.reply.code, 550);
});

Deno.test("UserAgent via http: a wrong password and a stopped server are the UA's errors", async () => {
  const l = await lab();
  const options = overHttp(l.agentOptions("bob@hamburger.edu"));
  const wrong = new UserAgent({ ...options, password: "mustard" });
  await assert.rejects(() => wrong.inbox(), LoginRefusedError);
  // The second failure's answer waits a second on the lab's (manual) clock, as the guard says.
  const second = assert.rejects(
    () => wrong.inbox(),
    new RegExp(
      `^LoginRefusedError: The HTTP interface at 127\\.0\\.0\\.1:${options.http!.port} refused ` +
        `the login of "bob" \\(it said: Wrong user name or password\\)$`,
    ),
  );
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    (l.clock as ManualClock).advance(1000);
  }
  await second;
  await l.close();
  await assert.rejects(
    () => new UserAgent(options).inbox(),
    (error: unknown) => {
      assert.ok(error instanceof ServerConnectionError);
      assert.equal(
        error.message,
        `Could not connect to the HTTP interface at 127.0.0.1:${options.http!.port} ` +
          "(connection refused)",
      );
      return true;
    },
  );
  assert.throws(
    () => new UserAgent({ ...options, http: undefined }),
    /via "http" needs the HTTP interface's endpoint/,
  );
});

Deno.test("UserAgent.watch via http reports arrivals, flag changes and expunges", async () => {
  await using l = await lab();
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const bob = new UserAgent(overHttp(l.agentOptions("bob@hamburger.edu")));
  const news: MailboxNews[] = [];
  const controller = new AbortController();
  const { promise: ready, resolve } = Promise.withResolvers<void>();
  const watching = bob.watch("INBOX", (n) => news.push(n), {
    signal: controller.signal,
    onReady: resolve,
  });
  await ready;
  const until = async (count: number) => {
    for (let i = 0; i < 200 && news.length < count; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await alice.send({ to: "bob@hamburger.edu", subject: "Lunch?", text: "x\n" });
  await l.idle();
  await until(1);
  await bob.flag(1, "\\Flagged");
  await until(2);
  await bob.trash(1);
  await until(3);
  controller.abort();
  await watching;
  assert.equal(news[0].kind, "arrived");
  assert.equal(news[0].kind === "arrived" && news[0].messages[0].subject, "Lunch?");
  assert.deepEqual(news.slice(1), [
    { kind: "flags", uid: 1, flags: ["\\Flagged"] },
    { kind: "expunged", uid: 1 },
  ]);
});
