import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import { Lab } from "../lab/lab.ts";
import { parseMessage } from "../message/parse.ts";
import { ImapResponseError } from "../protocol/imap/error.ts";
import { scripted } from "../client/_imap_fixture.ts";
import { UserAgent } from "./agent.ts";
import type { MailboxNews } from "./watch.ts";

const encoder = new TextEncoder();

async function lab() {
  return await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
    clock: new ManualClock(),
  });
}

Deno.test("UserAgent.compose puts Bcc in the envelope and never in the header", () => {
  const agent = new UserAgent({
    address: "alice@crepes.fr",
    password: "x",
    submission: { hostname: "127.0.0.1", port: 1 },
    imap: { hostname: "127.0.0.1", port: 1 },
    clock: new ManualClock(Date.UTC(2026, 8, 1)),
  });
  const composed = agent.compose({
    to: "Bob <bob@hamburger.edu>",
    cc: ["carol@hamburger.edu"],
    bcc: "dave@crepes.fr",
    subject: "Lunch",
    text: "Hi\n",
  });
  const text = new TextDecoder().decode(composed.bytes);
  assert.deepEqual(composed.envelope, {
    from: "alice@crepes.fr",
    to: ["bob@hamburger.edu", "carol@hamburger.edu", "dave@crepes.fr"],
  });
  assert.doesNotMatch(text, /dave/);
  assert.match(text, /^Date: Tue, 01 Sep 2026 00:00:00 \+0000\r\n/);
  assert.match(text, new RegExp(`Message-ID: ${composed.messageId.replace(/[.+]/g, "\\$&")}\r\n`));
});

Deno.test("UserAgent reads the inbox without marking it seen, and read marks it seen", async () => {
  await using l = await lab();
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const bob = new UserAgent(l.agentOptions("bob@hamburger.edu"));
  await alice.send({
    to: "bob@hamburger.edu",
    subject: "안녕하세요",
    text: "Do you like ketchup?\n",
  });
  await l.idle();
  const [before] = await bob.inbox();
  assert.equal(before.subject, "안녕하세요");
  assert.equal(before.seen, false);
  const message = await bob.read(before.uid);
  assert.equal(message.text, "Do you like ketchup?\r\n");
  const [after] = await bob.inbox();
  assert.equal(after.seen, true);
});

Deno.test("UserAgent.reply answers the sender with Re:, In-Reply-To, References and a quote", async () => {
  await using l = await lab();
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const bob = new UserAgent(l.agentOptions("bob@hamburger.edu"));
  const { messageId } = await alice.send({
    to: "bob@hamburger.edu",
    subject: "Lunch?",
    text: "Do you like ketchup?\n",
  });
  await l.idle();
  const [entry] = await bob.inbox();
  await bob.reply(entry.uid, "Yes, with pickles.");
  await l.idle();
  const [answer] = await alice.inbox();
  const reply = await alice.read(answer.uid);
  assert.equal(reply.subject, "Re: Lunch?");
  assert.deepEqual(reply.inReplyTo, [messageId]);
  assert.deepEqual(reply.references, [messageId]);
  assert.equal(reply.from[0].address, "bob@hamburger.edu");
  assert.match(
    reply.text ?? "",
    /^Yes, with pickles\.\r\n\r\nOn .+, alice@crepes\.fr wrote:\r\n> Do you like ketchup\?\r\n/,
  );
});

Deno.test("UserAgent.forward attaches the whole original as message/rfc822", async () => {
  await using l = await lab();
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const bob = new UserAgent(l.agentOptions("bob@hamburger.edu"));
  await alice.send({ to: "bob@hamburger.edu", subject: "Recipe", text: "Ketchup and pickles.\n" });
  await l.idle();
  const [entry] = await bob.inbox();
  const original = await bob.save(entry.uid);
  await bob.forward(entry.uid, "alice@crepes.fr", { text: "Look at this", asAttachment: true });
  await l.idle();
  const [fwd] = await alice.inbox();
  const message = await alice.read(fwd.uid);
  assert.equal(message.subject, "Fwd: Recipe");
  const [attachment] = message.attachments;
  assert.equal(attachment.contentType, "message/rfc822");
  assert.deepEqual(attachment.content, original);
});

Deno.test("UserAgent.save returns the stored bytes and reports an unknown UID", async () => {
  await using l = await lab();
  const bob = new UserAgent(l.agentOptions("bob@hamburger.edu"));
  await assert.rejects(bob.save(42), /No message with UID 42/);
  await l.server("hamburger.edu").store.deliver(
    "bob",
    new TextEncoder().encode("Subject: x\r\n\r\nhi\r\n"),
  );
  assert.equal(new TextDecoder().decode(await bob.save(1)), "Subject: x\r\n\r\nhi\r\n");
});

/** Polls until the condition holds; fails after `ms` so that no test can hang. */
async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) assert.fail(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function bobWithMail(subjects: string[]) {
  const l = await lab();
  const store = l.server("hamburger.edu").store;
  for (const subject of subjects) {
    await store.deliver(
      "bob",
      encoder.encode(`From: alice@crepes.fr\r\nSubject: ${subject}\r\n\r\nHi\r\n`),
    );
  }
  return { l, store, bob: new UserAgent(l.agentOptions("bob@hamburger.edu")) };
}

Deno.test("UserAgent.trash moves a message to Trash with the same bytes; in Trash it deletes it for good", async () => {
  const { l, store, bob } = await bobWithMail(["Spam", "Keep"]);
  await using _ = l;
  const original = await store.read("bob", "INBOX", 1);
  const uid = await bob.trash(1);
  assert.deepEqual((await bob.inbox()).map((e) => e.subject), ["Keep"]);
  const [inTrash] = await store.list("bob", "Trash");
  assert.equal(uid, inTrash.uid);
  assert.deepEqual(await store.read("bob", "Trash", inTrash.uid), original);
  assert.equal(await bob.trash(inTrash.uid, "Trash"), undefined);
  assert.deepEqual(await store.list("bob", "Trash"), []);
  await assert.rejects(bob.trash(42), /No message with UID 42 in "INBOX"/);
  await assert.rejects(bob.trash(42, "Trash"), /No message with UID 42 in "Trash"/);
});

Deno.test("UserAgent.move files a message in another mailbox, and reports a missing one", async () => {
  const { l, store, bob } = await bobWithMail(["Course notes"]);
  await using _ = l;
  await store.createMailbox("bob", "Work");
  assert.equal(await bob.move(1, "Work"), 1);
  assert.deepEqual((await bob.inbox("Work")).map((e) => e.subject), ["Course notes"]);
  assert.deepEqual(await bob.inbox(), []);
  await assert.rejects(bob.move(1, "Nowhere", { from: "Work" }), (error: unknown) => {
    assert.ok(error instanceof ImapResponseError);
    assert.equal(error.code, "TRYCREATE");
    return true;
  });
  await assert.rejects(bob.move(7, "Work"), /No message with UID 7 in "INBOX"/);
});

Deno.test("UserAgent.flag sets and clears flags and keywords that the listing shows", async () => {
  const { l, bob } = await bobWithMail(["Important"]);
  await using _ = l;
  assert.deepEqual(await bob.flag(1, ["\\Flagged", "$Todo"]), ["\\Flagged", "$Todo"]);
  assert.deepEqual((await bob.inbox())[0].flags, ["\\Flagged", "$Todo"]);
  assert.deepEqual(await bob.flag(1, "$Todo", { on: false }), ["\\Flagged"]);
  await assert.rejects(bob.flag(9, "\\Seen"), /No message with UID 9/);
  await assert.rejects(bob.flag(1, "to do"), TypeError);
});

Deno.test("UserAgent with saveSent keeps a read copy of what it sent in Sent; without, nothing", async () => {
  await using l = await lab();
  const store = l.server("crepes.fr").store;
  const plain = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const sent = await plain.send({ to: "bob@hamburger.edu", subject: "One", text: "1\n" });
  assert.equal(sent.saved, undefined);
  const keeper = new UserAgent({ ...l.agentOptions("alice@crepes.fr"), saveSent: true });
  const kept = await keeper.send({ to: "bob@hamburger.edu", subject: "Two", text: "2\n" });
  assert.equal(kept.saveError, undefined);
  const [copy] = await store.list("alice", "Sent");
  assert.equal(kept.saved?.uid, copy.uid);
  assert.deepEqual(copy.flags, ["\\Seen"]);
  const message = parseMessage(await store.read("alice", "Sent", copy.uid));
  assert.equal(message.messageId, kept.messageId);
  assert.equal(message.subject, "Two");
  await l.idle();
  assert.deepEqual(
    (await new UserAgent(l.agentOptions("bob@hamburger.edu")).inbox()).map((e) => e.subject),
    ["One", "Two"],
  );
});

Deno.test("UserAgent.saveSent creates Sent when the server says TRYCREATE", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS CREATE-SPECIAL-USE] ready",
    "C: a1 LOGIN bob pickles",
    "S: a1 OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS CREATE-SPECIAL-USE] Logged in",
    'C: a2 LIST "" "*"',
    'S: * LIST (\\HasNoChildren) "." INBOX',
    "S: a2 OK LIST completed",
    "C: a3 APPEND Sent (\\Seen) {10+}",
    "C: Subject: x",
    'S: a3 NO [TRYCREATE] No mailbox "Sent"',
    "C: a4 CREATE Sent (USE (\\Sent))",
    "S: a4 OK CREATE completed",
    "C: a5 APPEND Sent (\\Seen) {10+}",
    "C: Subject: x",
    "S: a5 OK [APPENDUID 9 1] APPEND completed",
    "C: a6 LOGOUT",
    "S: * BYE Logging out",
    "S: a6 OK LOGOUT completed",
  ]);
  const bob = new UserAgent({
    address: "bob@hamburger.edu",
    password: "pickles",
    submission: { hostname: "127.0.0.1", port: 1 },
    imap: { hostname: "127.0.0.1", port: server.port },
  });
  assert.deepEqual(await bob.saveSent(encoder.encode("Subject: x")), { uidValidity: 9, uid: 1 });
});

Deno.test("UserAgent.mailboxes lists the folders with their special uses and counters", async () => {
  const { l, bob } = await bobWithMail(["One", "Two"]);
  await using _ = l;
  await bob.read(1);
  assert.deepEqual(await bob.mailboxes(), [
    { name: "INBOX", messages: 2, unseen: 1 },
    { name: "Drafts", specialUse: "\\Drafts", messages: 0, unseen: 0 },
    { name: "Junk", specialUse: "\\Junk", messages: 0, unseen: 0 },
    { name: "Sent", specialUse: "\\Sent", messages: 0, unseen: 0 },
    { name: "Trash", specialUse: "\\Trash", messages: 0, unseen: 0 },
  ]);
});

Deno.test("UserAgent.watch reports arrivals, flag changes and expunges until its signal aborts", async () => {
  const { l, store, bob } = await bobWithMail(["Old"]);
  await using _ = l;
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const news: MailboxNews[] = [];
  const controller = new AbortController();
  let ready = false;
  const watching = bob.watch("INBOX", (n) => news.push(n), {
    signal: controller.signal,
    onReady: () => ready = true,
  });
  await waitFor(() => ready, "the watch to listen");
  await alice.send({ to: "bob@hamburger.edu", subject: "Lunch?", text: "Noon?\n" });
  await l.idle();
  await waitFor(() => news.length === 1, "the arrival");
  await store.setFlags("bob", "INBOX", 1, ["\\Seen"]);
  await waitFor(() => news.length === 2, "the flag change");
  await store.expunge("bob", "INBOX", [1]);
  await waitFor(() => news.length === 3, "the expunge");
  await store.deliver("bob", encoder.encode("Subject: Dessert?\r\n\r\n"));
  await waitFor(() => news.length === 4, "the second arrival");
  controller.abort();
  await watching;
  assert.deepEqual(
    news.map((n) => n.kind === "arrived" ? n.messages.map((m) => [m.uid, m.subject]) : n),
    [
      [[2, "Lunch?"]],
      { kind: "flags", uid: 1, flags: ["\\Seen"] },
      { kind: "expunged", uid: 1 },
      [[3, "Dessert?"]],
    ],
  );
});
