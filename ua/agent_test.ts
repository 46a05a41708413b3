import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import { Lab } from "../lab/lab.ts";
import { UserAgent } from "./agent.ts";

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
  assert.match(reply.text ?? "", /^Yes, with pickles\.\r\n\r\n> Do you like ketchup\?\r\n/);
});

Deno.test("UserAgent.forward attaches the whole original as message/rfc822", async () => {
  await using l = await lab();
  const alice = new UserAgent(l.agentOptions("alice@crepes.fr"));
  const bob = new UserAgent(l.agentOptions("bob@hamburger.edu"));
  await alice.send({ to: "bob@hamburger.edu", subject: "Recipe", text: "Ketchup and pickles.\n" });
  await l.idle();
  const [entry] = await bob.inbox();
  const original = await bob.save(entry.uid);
  await bob.forward(entry.uid, "alice@crepes.fr", "Look at this");
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
