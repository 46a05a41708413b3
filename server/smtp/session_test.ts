import assert from "node:assert/strict";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { type SmtpReply, SmtpReplyError } from "../../protocol/smtp/reply.ts";
import { Transcript } from "../../protocol/transcript.ts";
import { SmtpSession, type SmtpSessionOptions } from "./session.ts";
import type { Envelope } from "./types.ts";

const decoder = new TextDecoder();

/** A session with a handler that keeps what it receives and knows one user, bob. */
function session(options: Partial<SmtpSessionOptions> = {}) {
  const received: { envelope: Envelope; text: string }[] = [];
  const s = new SmtpSession({
    domain: "hamburger.edu",
    handler: {
      rcpt(to) {
        if (!to.startsWith("bob@")) throw new SmtpReplyError(REPLY.NoSuchUser(to));
      },
      data(envelope, message) {
        received.push({ envelope: structuredClone(envelope), text: decoder.decode(message) });
      },
      authenticate: (user, password) =>
        Promise.resolve(user === "alice" && password === "ketchup" ? "alice" : undefined),
    },
    ...options,
  });
  s.greeting();
  return { s, received };
}

async function say(s: SmtpSession, ...lines: string[]): Promise<(SmtpReply | undefined)[]> {
  const replies = [];
  for (const line of lines) replies.push(await s.receiveLine(line));
  return replies;
}

Deno.test("SmtpSession answers the course's dialog with the course's codes and phrases", async () => {
  const t = new Transcript();
  const s = new SmtpSession({ domain: "hamburger.edu", transcript: t });
  s.greeting();
  await say(
    s,
    "HELO crepes.fr",
    "MAIL FROM: <alice@crepes.fr>",
    "RCPT TO: <bob@hamburger.edu>",
    "DATA",
    "Do you like ketchup?",
    "How about pickles?",
    ".",
    "QUIT",
  );
  assert.deepEqual(t.lines("S"), [
    "220 hamburger.edu",
    "250 Hello crepes.fr, pleased to meet you",
    "250 alice@crepes.fr ... Sender ok",
    "250 bob@hamburger.edu ... Recipient ok",
    '354 Enter mail, end with "." on a line by itself',
    "250 Message accepted for delivery",
    "221 hamburger.edu closing connection",
  ]);
  assert.deepEqual(t.replyCodes(), [220, 250, 250, 250, 354, 250, 221]);
  assert.equal(s.closed, true);
});

Deno.test("SmtpSession undoes dot-stuffing exactly once", async () => {
  const { s, received } = session();
  await say(
    s,
    "HELO crepes.fr",
    "MAIL FROM:<alice@crepes.fr>",
    "RCPT TO:<bob@hamburger.edu>",
    "DATA",
  );
  await say(s, "..", "...twice", ".once", "middle . dot", ".");
  assert.equal(received[0].text, ".\r\n..twice\r\nonce\r\nmiddle . dot\r\n");
});

Deno.test("SmtpSession carries several messages over one connection", async () => {
  const { s, received } = session();
  await say(s, "EHLO crepes.fr");
  for (const n of [1, 2, 3]) {
    const replies = await say(
      s,
      "MAIL FROM:<alice@crepes.fr>",
      "RCPT TO:<bob@hamburger.edu>",
      "DATA",
      `Message ${n}`,
      ".",
    );
    assert.equal(replies.at(-1)?.code, 250);
  }
  assert.deepEqual(received.map((r) => r.text), [
    "Message 1\r\n",
    "Message 2\r\n",
    "Message 3\r\n",
  ]);
  assert.equal(s.messagesAccepted, 3);
});

Deno.test("SmtpSession rejects commands out of order with 503", async () => {
  const { s } = session();
  assert.deepEqual(await s.receiveLine("MAIL FROM:<alice@crepes.fr>"), REPLY.NeedHello);
  await s.receiveLine("HELO crepes.fr");
  assert.deepEqual(await s.receiveLine("RCPT TO:<bob@hamburger.edu>"), REPLY.NeedMail);
  assert.deepEqual(await s.receiveLine("DATA"), REPLY.NeedMail);
  await s.receiveLine("MAIL FROM:<alice@crepes.fr>");
  assert.deepEqual(await s.receiveLine("DATA"), REPLY.NeedRcpt);
  assert.deepEqual(await s.receiveLine("MAIL FROM:<alice@crepes.fr>"), REPLY.NestedMail);
});

Deno.test("SmtpSession answers 500 to unknown commands and 501 to bad arguments", async () => {
  const { s } = session();
  assert.deepEqual(await s.receiveLine("HELLO crepes.fr"), REPLY.Unrecognized("HELLO"));
  assert.deepEqual(await s.receiveLine("HELO"), REPLY.Syntax("HELO <domain>"));
  await s.receiveLine("HELO crepes.fr");
  assert.deepEqual(
    await s.receiveLine("MAIL alice@crepes.fr"),
    REPLY.Syntax("MAIL FROM:<address>"),
  );
  assert.deepEqual(
    await s.receiveLine("MAIL FROM:<alice@crepes.fr"),
    REPLY.Syntax("MAIL FROM:<address>"),
  );
  assert.equal((await s.receiveLine("MAIL FROM:<alice@@crepes.fr>"))?.code, 501);
  assert.equal((await s.receiveLine("MAIL FROM:<alice>"))?.code, 501);
  await s.receiveLine("MAIL FROM:<alice@crepes.fr>");
  assert.deepEqual(await s.receiveLine("RCPT TO:bob"), REPLY.BadAddress("bob", "missing @domain"));
  assert.deepEqual(await s.receiveLine("DATA now"), REPLY.NeedRcpt);
});

Deno.test("SmtpSession refuses a recipient the handler does not know with 550", async () => {
  const { s } = session();
  await say(s, "HELO crepes.fr", "MAIL FROM:<alice@crepes.fr>");
  const reply = await s.receiveLine("RCPT TO:<carol@hamburger.edu>");
  assert.deepEqual(reply, REPLY.NoSuchUser("carol@hamburger.edu"));
  assert.equal(s.state, "mail");
});

Deno.test("SmtpSession accepts the null reverse-path of a bounce", async () => {
  const { s, received } = session();
  await say(s, "EHLO crepes.fr");
  assert.deepEqual(await s.receiveLine("MAIL FROM:<>"), REPLY.SenderOk(""));
  await say(s, "RCPT TO:<bob@hamburger.edu>", "DATA", "bounce", ".");
  assert.equal(received[0].envelope.from, "");
});

Deno.test("SmtpSession forgets the message on RSET and keeps the greeting", async () => {
  const { s } = session();
  await say(s, "HELO crepes.fr", "MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>");
  assert.deepEqual(await s.receiveLine("RSET"), REPLY.Reset);
  assert.equal(s.envelope, undefined);
  assert.deepEqual(
    await s.receiveLine("MAIL FROM:<alice@crepes.fr>"),
    REPLY.SenderOk("alice@crepes.fr"),
  );
});

Deno.test("SmtpSession turns a hook's unexpected error into 451 so the client retries", async () => {
  const s = new SmtpSession({
    domain: "hamburger.edu",
    handler: {
      data() {
        throw new Error("disk full");
      },
    },
  });
  await say(
    s,
    "HELO crepes.fr",
    "MAIL FROM:<alice@crepes.fr>",
    "RCPT TO:<bob@hamburger.edu>",
    "DATA",
  );
  assert.deepEqual(await s.receiveLine("."), REPLY.LocalError);
  assert.equal(s.messagesAccepted, 0);
});

Deno.test("SmtpSession on the submission port requires AUTH before MAIL", async () => {
  const { s } = session({ submission: true });
  await s.receiveLine("EHLO laptop");
  assert.deepEqual(await s.receiveLine("MAIL FROM:<alice@crepes.fr>"), REPLY.AuthRequired);
  assert.deepEqual(await s.receiveLine(`AUTH PLAIN ${btoa("\0alice\0wrong")}`), REPLY.AuthFailed);
  assert.deepEqual(await s.receiveLine(`AUTH PLAIN ${btoa("\0alice\0ketchup")}`), REPLY.AuthOk);
  assert.equal(s.client.user, "alice");
  assert.deepEqual(await s.receiveLine("AUTH PLAIN x"), REPLY.AlreadyAuthenticated);
  assert.deepEqual(
    await s.receiveLine("MAIL FROM:<alice@crepes.fr>"),
    REPLY.SenderOk("alice@crepes.fr"),
  );
});

Deno.test("SmtpSession supports AUTH LOGIN and PLAIN without an initial response", async () => {
  const { s } = session({ submission: true });
  await s.receiveLine("EHLO laptop");
  assert.equal((await s.receiveLine("AUTH LOGIN"))?.code, 334);
  assert.equal(s.input, "auth");
  assert.deepEqual(await s.receiveLine(btoa("alice")), REPLY.AuthChallenge(btoa("Password:")));
  assert.deepEqual(await s.receiveLine(btoa("ketchup")), REPLY.AuthOk);

  const other = session({ submission: true }).s;
  await other.receiveLine("EHLO laptop");
  assert.deepEqual(await other.receiveLine("AUTH PLAIN"), REPLY.AuthChallenge(""));
  assert.deepEqual(await other.receiveLine("*"), REPLY.AuthCancelled);
  assert.equal(other.input, "command");
  assert.deepEqual(await other.receiveLine("AUTH PLAIN !!!"), REPLY.AuthSyntax);
});

Deno.test("SmtpSession refuses AUTH on the MX port and masks credentials in the transcript", async () => {
  const t = new Transcript();
  const mx = new SmtpSession({ domain: "hamburger.edu", transcript: t });
  await mx.receiveLine("EHLO crepes.fr");
  const secret = btoa("\0alice\0ketchup");
  assert.deepEqual(await mx.receiveLine(`AUTH PLAIN ${secret}`), REPLY.AuthNotOffered);
  assert.ok(t.lines("C").includes("AUTH PLAIN ****"));
  assert.ok(!t.toString().includes(secret));
});

Deno.test("SmtpSession checks SIZE up front and enforces the size limit while reading", async () => {
  const { s, received } = session({ maxMessageSize: 100 });
  await s.receiveLine("EHLO crepes.fr");
  assert.deepEqual(await s.receiveLine("MAIL FROM:<alice@crepes.fr> SIZE=101"), REPLY.TooBig(100));
  await say(s, "MAIL FROM:<alice@crepes.fr> SIZE=50", "RCPT TO:<bob@hamburger.edu>", "DATA");
  for (let i = 0; i < 10; i++) await s.receiveLine("0123456789012345");
  assert.deepEqual(await s.receiveLine("."), REPLY.TooBig(100));
  assert.equal(received.length, 0);
  assert.equal(s.state, "greeted");
});

Deno.test("SmtpSession gives up with 421 after too many errors", async () => {
  const { s } = session({ maxErrors: 3 });
  await s.receiveLine("FOO");
  await s.receiveLine("BAR");
  assert.deepEqual(await s.receiveLine("BAZ"), REPLY.TooManyErrors);
  assert.equal(s.closed, true);
});

Deno.test("SmtpSession refuses NUL and control bytes in a command", async () => {
  const { s } = session();
  assert.deepEqual(await s.receiveLine("HELO crepes\0.fr"), REPLY.BadCharacters);
  assert.deepEqual(await s.receiveLine(new Uint8Array([0xff, 0xfe, 0x00])), REPLY.BadCharacters);
});

Deno.test("SmtpSession needs SMTPUTF8 for a non-ASCII address", async () => {
  const { s } = session();
  await s.receiveLine("EHLO crepes.fr");
  assert.equal((await s.receiveLine("MAIL FROM:<앨리스@crepes.fr>"))?.code, 553);
  assert.equal((await s.receiveLine("MAIL FROM:<앨리스@crepes.fr> SMTPUTF8"))?.code, 250);
});

Deno.test("SmtpSession uses enhanced codes after EHLO only", () => {
  const { s } = session();
  assert.equal(s.wire(REPLY.Ok), "250 OK\r\n");
  s.receiveLine("EHLO crepes.fr");
  assert.equal(s.wire(REPLY.Ok), "250 2.0.0 OK\r\n");
});

Deno.test("SmtpSession closes after a hook refuses with 421", async () => {
  const s = new SmtpSession({
    domain: "hamburger.edu",
    handler: {
      rcpt() {
        throw new SmtpReplyError({ code: 421, enhanced: "4.3.2", lines: ["Going down"] });
      },
    },
  });
  await say(s, "HELO crepes.fr", "MAIL FROM:<alice@crepes.fr>");
  assert.equal((await s.receiveLine("RCPT TO:<bob@hamburger.edu>"))?.code, 421);
  assert.equal(s.closed, true);
});
