// `deno task ua reply` and `forward` against the lab: the headers that thread a conversation
// (RFC 5322 §3.6.4), Re: and Fwd: said once, the quote, the attached original, and the reply to
// a message typed by hand in the course's SMTP dialog, which has no From at all.
import assert from "node:assert/strict";
import { parseMessage } from "../../message/parse.ts";
import { RawSmtp } from "../_raw.ts";
import { as, encoder, ok, readable, startLab } from "./_cli.ts";

Deno.test("ua reply threads the answer: Re: once, In-Reply-To, References, the quoted text", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  const bob = as(lab, "bob@hamburger.edu");
  const sent = ok(
    await alice(
      "send",
      "--to",
      "bob@hamburger.edu",
      "--subject",
      "Lunch?",
      "--text",
      "Noon?\\n> ok",
    ),
  );
  const first = /Message-ID: (<[^>]+>)/.exec(sent.out)![1];
  await lab.idle();
  ok(await bob("reply", "1", "--text", "Yes, with pickles."));
  await lab.idle();
  const store = lab.server("crepes.fr").store;
  const answer = parseMessage(await store.read("alice", "INBOX", 1));
  assert.equal(answer.subject, "Re: Lunch?");
  assert.deepEqual(answer.inReplyTo, [first]);
  assert.deepEqual(answer.references, [first]);
  assert.deepEqual(answer.to, [{ name: "", address: "alice@crepes.fr" }]);
  assert.match(answer.text!, /^Yes, with pickles\.\r\n\r\nOn .+, alice@crepes\.fr wrote:\r\n/);
  assert.match(answer.text!, /\r\n> Noon\?\r\n>> ok\r\n$/);

  ok(await alice("reply", "1", "--text", "Great."));
  await lab.idle();
  const third = parseMessage(await lab.server("hamburger.edu").store.read("bob", "INBOX", 2));
  assert.equal(third.subject, "Re: Lunch?");
  assert.deepEqual(third.inReplyTo, [answer.messageId]);
  assert.deepEqual(third.references, [first, answer.messageId]);
});

Deno.test("ua reply --all answers the sender and copies the others, never oneself", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  ok(
    await alice(
      "send",
      "--to",
      "bob@hamburger.edu, Carol <carol@hamburger.edu>",
      "--subject",
      "Picnic",
      "--text",
      "Saturday?",
    ),
  );
  await lab.idle();
  const replied = ok(await as(lab, "bob@hamburger.edu")("reply", "1", "--all", "--text", "Yes"));
  assert.match(replied.out, /^Sent to alice@crepes\.fr, carol@hamburger\.edu /);
  await lab.idle();
  const answer = parseMessage(await lab.server("crepes.fr").store.read("alice", "INBOX", 1));
  assert.deepEqual(answer.to.map((a) => "address" in a && a.address), ["alice@crepes.fr"]);
  assert.deepEqual(answer.cc, [{ name: "Carol", address: "carol@hamburger.edu" }]);
});

Deno.test("ua reply to a message typed by hand, without From, goes to its Return-Path", async () => {
  await using lab = await startLab();
  const hamburger = lab.server("hamburger.edu");
  const raw = await RawSmtp.connect(hamburger.ports.smtp);
  await raw.reply();
  for (
    const line of ["HELO crepes.fr", "MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>"]
  ) {
    assert.equal(await raw.command(line), 250);
  }
  assert.equal(await raw.command("DATA"), 354);
  assert.equal(await raw.command("Subject: typed by hand\r\n\r\nDo you like ketchup?\r\n."), 250);
  assert.equal(await raw.command("QUIT"), 221);
  raw.close();

  const bob = as(lab, "bob@hamburger.edu");
  const listing = ok(await bob("inbox"));
  assert.match(listing.out, /^ {3}1 N \(no date\) +\(no sender\) +typed by hand$/);
  const shown = ok(await bob("read", "1"));
  assert.match(
    shown.out,
    /^From: {4}\(no sender\); Return-Path: alice@crepes\.fr\nDate: {4}\(no date\)\n/,
  );
  const replied = ok(await bob("reply", "1", "--text", "Yes!"));
  assert.match(replied.out, /^Sent to alice@crepes\.fr \(the server said: 250 /);
  await lab.idle();
  const answer = parseMessage(await lab.server("crepes.fr").store.read("alice", "INBOX", 1));
  assert.equal(answer.subject, "Re: typed by hand");
  assert.match(
    answer.text!,
    /^Yes!\r\n\r\nalice@crepes\.fr wrote:\r\n> Do you like ketchup\?\r\n$/,
  );

  // A bounce names no one: its Return-Path is <>, so that no one answers it automatically.
  await hamburger.store.deliver(
    "bob",
    encoder.encode("Return-Path: <>\r\nSubject: x\r\n\r\nx\r\n"),
  );
  const refused = await bob("reply", "2", "--text", "Hello?");
  readable(refused);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.err,
    "The message names no one to reply to: it has no From, Reply-To or Return-Path address " +
      "(its Return-Path is <>, as a bounce's is)",
  );
});

Deno.test("ua forward quotes the original inline, or attaches it whole as message/rfc822", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  const bob = as(lab, "bob@hamburger.edu");
  const file = await Deno.makeTempFile({ suffix: ".txt" });
  await Deno.writeTextFile(file, "2 tomatoes, 1 onion\n");
  ok(
    await alice(
      "send",
      ...["--to", "bob@hamburger.edu", "--subject", "Recipe", "--text", "Ketchup."],
      ...["--attach", file],
    ),
  );
  await lab.idle();
  const bobs = lab.server("hamburger.edu").store;
  const original = await bobs.read("bob", "INBOX", 1);

  ok(await bob("forward", "1", "--to", "carol@hamburger.edu", "--text", "Look"));
  ok(await bob("forward", "1", "--to", "carol@hamburger.edu", "--as-attachment"));
  await lab.idle();
  const inline = parseMessage(await bobs.read("carol", "INBOX", 1));
  assert.equal(inline.subject, "Fwd: Recipe");
  assert.match(
    inline.text!,
    /^Look\r\n\r\n---------- Forwarded message ----------\r\nFrom: alice@crepes\.fr\r\n/,
  );
  assert.match(
    inline.text!,
    /\r\nSubject: Recipe\r\nTo: bob@hamburger\.edu\r\n\r\n> Ketchup\.\r\n/,
  );
  assert.deepEqual(inline.attachments.map((a) => a.filename), [file.split("/").at(-1)]);

  const attached = parseMessage(await bobs.read("carol", "INBOX", 2));
  assert.equal(attached.subject, "Fwd: Recipe");
  const [whole] = attached.attachments;
  assert.equal(whole.contentType, "message/rfc822");
  assert.equal(whole.filename, "Recipe.eml");
  assert.deepEqual(whole.content, original);
  const inside = parseMessage(whole.content);
  assert.equal(inside.subject, "Recipe");
  assert.equal(inside.attachments[0].filename, file.split("/").at(-1));

  // Forwarding a forward says Fwd: once.
  ok(await as(lab, "carol@hamburger.edu")("forward", "2", "--to", "alice@crepes.fr"));
  await lab.idle();
  const again = parseMessage(await lab.server("crepes.fr").store.read("alice", "INBOX", 1));
  assert.equal(again.subject, "Fwd: Recipe");
  await Deno.remove(file);
});
