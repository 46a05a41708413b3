import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { LINE_TOO_LONG } from "../../protocol/line_buffer.ts";
import { Transcript } from "../../protocol/transcript.ts";
import { Accounts } from "../accounts.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { ImapSessionOptions } from "./options.ts";
import { ImapSession } from "./session.ts";

const accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MESSAGE = "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Lunch\r\n" +
  "Date: Tue, 1 Sep 2026 09:00:00 +0000\r\n\r\nPickles at noon?\r\n";

async function setup(options: Partial<ImapSessionOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 8, 1, 9, 0, 0));
  const store = new MemoryStore({ clock });
  await store.deliver("bob", encoder.encode(MESSAGE));
  await store.deliver("bob", encoder.encode("Subject: Second\r\n\r\nTwo\r\n"), {
    flags: ["\\Seen", "\\Flagged"],
    internalDate: Date.UTC(2026, 7, 15),
  });
  const transcript = new Transcript();
  const session = new ImapSession({
    store,
    accounts,
    clock,
    transcript,
    domain: "hamburger.edu",
    ...options,
  });
  session.greeting();
  const send = async (line: string) => (await session.receiveLine(line)).lines;
  return { clock, store, session, transcript, send };
}

async function selected(options: Partial<ImapSessionOptions> = {}) {
  const context = await setup(options);
  assert.match((await context.send("a1 LOGIN bob pickles")).at(-1)!, /^a1 OK/);
  assert.match((await context.send("a2 SELECT INBOX")).at(-1)!, /^a2 OK \[READ-WRITE\]/);
  return context;
}

Deno.test("ImapSession greets with its capabilities", () => {
  const store = new MemoryStore();
  const session = new ImapSession({ store, domain: "hamburger.edu" });
  const greeting = session.greeting();
  assert.equal(
    greeting.lines[0],
    "* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE UNSELECT CHILDREN SASL-IR AUTH=PLAIN] " +
      "hamburger.edu IMAP4rev1 ready",
  );
  assert.equal(decoder.decode(greeting.bytes), `${greeting.lines[0]}\r\n`);
  assert.equal(session.state, "notAuthenticated");
});

Deno.test("ImapSession rejects SELECT before LOGIN with BAD", async () => {
  const { send, session } = await setup();
  assert.deepEqual(await send("a1 SELECT INBOX"), ['a1 BAD Command "SELECT" needs a login first']);
  assert.equal(session.state, "notAuthenticated");
});

Deno.test("ImapSession rejects FETCH before SELECT and LOGIN after LOGIN with BAD", async () => {
  const { send } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send("a2 FETCH 1 FLAGS"), [
    'a2 BAD Command "FETCH" needs a selected mailbox',
  ]);
  assert.deepEqual(await send("a3 LOGIN bob pickles"), [
    'a3 BAD Command "LOGIN" is not allowed: already logged in',
  ]);
});

Deno.test("ImapSession accepts user@domain for its own domain and refuses another domain", async () => {
  const own = await setup();
  assert.match((await own.send('a1 LOGIN "bob@hamburger.edu" pickles'))[0], /^a1 OK \[CAPABILITY /);
  assert.equal(own.session.user, "bob");
  const other = await setup();
  assert.deepEqual(await other.send("a1 LOGIN bob@crepes.fr pickles"), [
    "a1 NO [AUTHENTICATIONFAILED] Invalid user name or password",
  ]);
});

Deno.test("ImapSession says BYE after three failed logins", async () => {
  const { session } = await setup();
  assert.equal((await session.receiveLine("a1 LOGIN bob x")).close, false);
  assert.equal((await session.receiveLine("a2 LOGIN bob y")).close, false);
  const third = await session.receiveLine("a3 LOGIN bob z");
  assert.deepEqual(third.lines, [
    "a3 NO [AUTHENTICATIONFAILED] Invalid user name or password",
    "* BYE Too many failed logins",
  ]);
  assert.equal(third.close, true);
  assert.equal(session.state, "logout");
});

Deno.test("ImapSession masks LOGIN passwords in its transcript", async () => {
  const { send, transcript } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(transcript.lines("C"), ["a1 LOGIN bob ****"]);
  assert.ok(!transcript.toString().includes("pickles"));
});

Deno.test("ImapSession reads a LOGIN whose password is a synchronising literal", async () => {
  const { session, transcript } = await setup();
  const first = await session.receiveLine("a1 LOGIN bob {7}");
  assert.deepEqual(first.lines, ["+ Ready for literal data"]);
  assert.equal(first.literal, 7);
  assert.deepEqual(session.expecting, { kind: "literal", size: 7 });
  assert.deepEqual((await session.receiveLiteral(encoder.encode("pickles"))).lines, []);
  assert.match((await session.receiveLine("")).lines[0], /^a1 OK /);
  assert.ok(!transcript.toString().includes("pickles"));
});

Deno.test("ImapSession reads a LITERAL+ literal without a go-ahead", async () => {
  const { session } = await setup();
  const first = await session.receiveLine("a1 LOGIN {3+}");
  assert.deepEqual(first.lines, []);
  assert.equal(first.literal, 3);
  await session.receiveLiteral(encoder.encode("bob"));
  assert.match((await session.receiveLine(" pickles")).lines[0], /^a1 OK /);
});

Deno.test("ImapSession refuses a literal over the limit: BAD when synchronising, BYE with LITERAL+", async () => {
  const limits = { maxLiteralSize: 10 };
  const sync = await setup({ limits });
  const refused = await sync.session.receiveLine("a1 LOGIN bob {11}");
  assert.deepEqual(refused.lines, ["a1 BAD Literal too large, at most 10 bytes"]);
  assert.equal(refused.literal, undefined);
  assert.deepEqual(sync.session.expecting, { kind: "line" });
  const nonSync = await setup({ limits });
  const bye = await nonSync.session.receiveLine("a1 LOGIN bob {11+}");
  assert.deepEqual(bye.lines, ["* BYE Literal too large, at most 10 bytes"]);
  assert.equal(bye.close, true);
});

Deno.test("ImapSession answers AUTHENTICATE PLAIN with an initial response or after a go-ahead", async () => {
  const plain = btoa("\0bob\0pickles");
  const ir = await setup();
  assert.match((await ir.send(`a1 AUTHENTICATE PLAIN ${plain}`))[0], /^a1 OK \[CAPABILITY /);
  assert.deepEqual(ir.transcript.lines("C"), ["a1 AUTHENTICATE PLAIN ****"]);
  const step = await setup();
  assert.deepEqual(await step.send("a1 AUTHENTICATE PLAIN"), ["+ "]);
  assert.match((await step.send(plain))[0], /^a1 OK /);
  assert.equal(step.session.state, "authenticated");
  assert.ok(!step.transcript.toString().includes(plain));
  const cancel = await setup();
  await cancel.send("a1 AUTHENTICATE PLAIN");
  assert.deepEqual(await cancel.send("*"), ["a1 BAD Authentication cancelled"]);
  const wrong = await setup();
  assert.deepEqual(await wrong.send(`a1 AUTHENTICATE PLAIN ${btoa("\0bob\0nope")}`), [
    "a1 NO [AUTHENTICATIONFAILED] Invalid user name or password",
  ]);
  assert.deepEqual(await wrong.send("a2 AUTHENTICATE CRAM-MD5"), [
    'a2 NO [CANNOT] Unsupported mechanism "CRAM-MD5"',
  ]);
});

Deno.test("ImapSession answers garbage with BAD and stays usable", async () => {
  const { send, session } = await setup();
  assert.deepEqual(await send(""), ["* BAD Invalid tag at column 1"]);
  assert.deepEqual(await send("\0\0\0"), ["* BAD Invalid tag at column 1"]);
  assert.deepEqual(await send("a1"), ["a1 BAD Missing command name"]);
  assert.deepEqual(await send("a1 FROB"), ['a1 BAD Unknown command "FROB"']);
  assert.deepEqual(await send('a2 LOGIN "bob pickles'), [
    "a2 BAD Unterminated quoted string at column 10",
  ]);
  assert.deepEqual(await send("a3 LOGIN bob\0 pickles"), [
    "a3 BAD Control character in atom at column 13",
  ]);
  assert.deepEqual(await send("a4 LOGIN (bob"), ['a4 BAD Missing ")" at column 13']);
  assert.deepEqual(await send("a5 LOGIN bob {x}"), ["a5 BAD Invalid literal at column 14"]);
  assert.deepEqual(await send("a6 LOGIN bob"), [
    "a6 BAD Missing password (syntax: LOGIN user password)",
  ]);
  assert.deepEqual((await session.receiveLine(LINE_TOO_LONG)).lines, [
    "* BAD Line too long, at most 8192 bytes",
  ]);
  assert.match((await send("a7 LOGIN bob pickles"))[0], /^a7 OK /);
});

Deno.test("ImapSession SELECT reports counts and response codes", async () => {
  const { send } = await setup();
  await send("a1 LOGIN bob pickles");
  const lines = await send("a2 SELECT inbox");
  assert.deepEqual(lines.slice(0, 4), [
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)",
    "* 2 EXISTS",
    "* 0 RECENT",
    "* OK [UNSEEN 1] First unseen message",
  ]);
  assert.match(lines[4], /^\* OK \[UIDVALIDITY \d+\] /);
  assert.equal(lines[5], "* OK [UIDNEXT 3] Predicted next UID");
  assert.equal(
    lines[6],
    "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)] Flags kept for good",
  );
  assert.equal(lines[7], "a2 OK [READ-WRITE] SELECT completed");
  assert.equal((await send("a3 EXAMINE INBOX")).at(-1), "a3 OK [READ-ONLY] EXAMINE completed");
});

Deno.test("ImapSession refuses missing mailboxes and names with path tricks", async () => {
  const { send, session } = await selected();
  assert.deepEqual(await send("a3 SELECT Nowhere"), [
    'a3 NO [NONEXISTENT] No such mailbox "Nowhere"',
  ]);
  assert.equal(session.state, "authenticated");
  for (const name of ["../x", '"INBOX/../.."', '"a/b"', "..", '"Work..x"']) {
    const [line] = await send(`a4 SELECT ${name}`);
    assert.match(line, /^a4 NO \[CANNOT\] Invalid mailbox name /, name);
    assert.match((await send(`a5 CREATE ${name}`))[0], /^a5 NO \[CANNOT\] /, name);
  }
});

Deno.test("ImapSession FETCH BODY[] returns the stored bytes and sets \\Seen", async () => {
  const { send, session, store } = await selected();
  const out = await session.receiveLine("a3 FETCH 1 BODY[]");
  const text = decoder.decode(out.bytes);
  assert.equal(
    text,
    `* 1 FETCH (BODY[] {${MESSAGE.length}}\r\n${MESSAGE} FLAGS (\\Seen))\r\na3 OK FETCH completed\r\n`,
  );
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Seen"]);
  assert.deepEqual(await send("a4 FETCH 1 FLAGS"), [
    "* 1 FETCH (FLAGS (\\Seen))",
    "a4 OK FETCH completed",
  ]);
});

Deno.test("ImapSession FETCH BODY.PEEK leaves \\Seen alone, and EXAMINE never sets it", async () => {
  const { send, store } = await selected();
  await send("a3 FETCH 1 (BODY.PEEK[] RFC822.SIZE)");
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, []);
  await send("a4 EXAMINE INBOX");
  await send("a5 FETCH 1 RFC822");
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, []);
});

Deno.test("ImapSession FETCH answers header fields, text and partial ranges", async () => {
  const { session } = await selected();
  const out = await session.receiveLine(
    "a3 FETCH 1 (UID RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (Subject FROM)] BODY.PEEK[TEXT]<0.7> BODY.PEEK[HEADER.FIELDS.NOT (From To Date)])",
  );
  assert.equal(
    decoder.decode(out.bytes),
    `* 1 FETCH (UID 1 RFC822.SIZE ${MESSAGE.length} INTERNALDATE "01-Sep-2026 09:00:00 +0000" ` +
      "BODY[HEADER.FIELDS (Subject FROM)] {41}\r\nFrom: alice@crepes.fr\r\nSubject: Lunch\r\n\r\n" +
      " BODY[TEXT]<0> {7}\r\nPickles BODY[HEADER.FIELDS.NOT (From To Date)] {18}\r\nSubject: Lunch\r\n\r\n)\r\n" +
      "a3 OK FETCH completed\r\n",
  );
  assert.deepEqual(out.lines.slice(0, 2), [
    `* 1 FETCH (UID 1 RFC822.SIZE ${MESSAGE.length} INTERNALDATE "01-Sep-2026 09:00:00 +0000" BODY[HEADER.FIELDS (Subject FROM)] {41}`,
    "(41 bytes)",
  ]);
});

Deno.test("ImapSession UID FETCH adds UID and reads n:* as reaching the last UID", async () => {
  const { send } = await selected();
  assert.deepEqual(await send("a3 UID FETCH 5:* FLAGS"), [
    "* 2 FETCH (UID 2 FLAGS (\\Seen \\Flagged))",
    "a3 OK UID FETCH completed",
  ]);
  assert.deepEqual(await send("a4 FETCH 3 FLAGS"), ["a4 BAD Invalid sequence number 3"]);
  assert.deepEqual(await send("a5 FETCH 1:x FLAGS"), [
    'a5 BAD Invalid sequence set "1:x" (syntax: FETCH sequence-set items)',
  ]);
});

Deno.test("ImapSession FETCH answers the macros, ENVELOPE, BODYSTRUCTURE and part sections", async () => {
  const { send, store, session } = await selected();
  assert.deepEqual(await send("a3 FETCH 2 FAST"), [
    '* 2 FETCH (FLAGS (\\Seen \\Flagged) INTERNALDATE "15-Aug-2026 00:00:00 +0000" RFC822.SIZE 24)',
    "a3 OK FETCH completed",
  ]);
  assert.deepEqual(
    (await send("a4 FETCH 1 ENVELOPE"))[0],
    [
      '* 1 FETCH (ENVELOPE ("Tue, 1 Sep 2026 09:00:00 +0000" "Lunch"',
      '(("" NIL "alice" "crepes.fr")) (("" NIL "alice" "crepes.fr")) (("" NIL "alice" "crepes.fr"))',
      '(("" NIL "bob" "hamburger.edu")) NIL NIL NIL NIL))',
    ].join(" ").replaceAll('""', "NIL"),
  );
  assert.match(
    (await send("a5 FETCH 2 ALL"))[0],
    /^\* 2 FETCH \(FLAGS .* RFC822\.SIZE 24 ENVELOPE \(NIL "Second" /,
  );
  assert.equal(
    (await send("a6 FETCH 1 BODY"))[0],
    '* 1 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 18 1))',
  );
  const mixed = 'Subject: parts\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
    "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n";
  await store.deliver("bob", encoder.encode(mixed));
  await send("a7 NOOP");
  const structure = (await send("a8 FETCH 3 BODYSTRUCTURE"))[0];
  assert.equal(
    structure,
    '* 3 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL)' +
      ' ("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 9 1 NIL NIL NIL NIL)' +
      ' "mixed" ("boundary" "b") NIL NIL NIL))',
  );
  const out = await session.receiveLine("a9 FETCH 3 (BODY.PEEK[2] BODY.PEEK[1.MIME])");
  assert.equal(
    decoder.decode(out.bytes),
    "* 3 FETCH (BODY[2] {9}\r\n<p>hi</p> BODY[1.MIME] {28}\r\nContent-Type: text/plain\r\n\r\n)\r\na9 OK FETCH completed\r\n",
  );
  assert.deepEqual(await send("b1 FETCH 3 BODY[3]"), ['b1 NO No part "3" in this message']);
  assert.match((await send("b2 FETCH 1 BODY[FOO]"))[0], /^b2 BAD Unknown fetch item "BODY\[FOO\]"/);
});

Deno.test("ImapSession STORE adds, removes and replaces flags, silently when asked", async () => {
  const { send, store } = await selected();
  assert.deepEqual(await send("a3 STORE 1 +FLAGS (\\Seen \\Answered)"), [
    "* 1 FETCH (FLAGS (\\Seen \\Answered))",
    "a3 OK STORE completed",
  ]);
  assert.deepEqual(await send("a4 UID STORE 1:2 -FLAGS \\Seen"), [
    "* 1 FETCH (UID 1 FLAGS (\\Answered))",
    "* 2 FETCH (UID 2 FLAGS (\\Flagged))",
    "a4 OK UID STORE completed",
  ]);
  assert.deepEqual(await send("a5 STORE 2 FLAGS.SILENT (\\Deleted $Label)"), [
    "a5 OK STORE completed",
  ]);
  assert.deepEqual((await store.list("bob", "INBOX"))[1].flags, ["\\Deleted"]);
  assert.match((await send("a6 STORE 1 FLAG (\\Seen)"))[0], /^a6 BAD Expected FLAGS/);
  await send("a7 EXAMINE INBOX");
  assert.deepEqual(await send("a8 STORE 1 +FLAGS (\\Seen)"), [
    'a8 NO [CANNOT] Mailbox "INBOX" is read-only',
  ]);
});

Deno.test("ImapSession SEARCH matches flags, sets, dates, sizes and header substrings", async () => {
  const { send } = await selected();
  const search = async (criteria: string) => (await send(`s SEARCH ${criteria}`))[0];
  assert.equal(await search("ALL"), "* SEARCH 1 2");
  assert.equal(await search("UNSEEN"), "* SEARCH 1");
  assert.equal(await search("SEEN FLAGGED"), "* SEARCH 2");
  assert.equal(await search("NOT SEEN"), "* SEARCH 1");
  assert.equal(await search("OR ANSWERED FLAGGED"), "* SEARCH 2");
  assert.equal(await search("DELETED"), "* SEARCH");
  assert.equal(await search("UID 2:*"), "* SEARCH 2");
  assert.equal(await search("2"), "* SEARCH 2");
  assert.equal(await search("SINCE 1-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("BEFORE 1-Sep-2026"), "* SEARCH 2");
  assert.equal(await search("ON 15-Aug-2026"), "* SEARCH 2");
  assert.equal(await search("SENTON 1-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("LARGER 100"), "* SEARCH 1");
  assert.equal(await search("SMALLER 100"), "* SEARCH 2");
  assert.equal(await search('FROM "ALICE@"'), "* SEARCH 1");
  assert.equal(await search("SUBJECT second"), "* SEARCH 2");
  assert.equal(await search("TO hamburger"), "* SEARCH 1");
  assert.equal(await search("HEADER Date 2026"), "* SEARCH 1");
  assert.equal(await search("BODY pickles"), "* SEARCH 1");
  assert.equal(await search("(UNSEEN SUBJECT lunch)"), "* SEARCH 1");
  assert.equal(await search("CHARSET UTF-8 TEXT two"), "* SEARCH 2");
  assert.deepEqual(await send("u UID SEARCH FLAGGED"), ["* SEARCH 2", "u OK UID SEARCH completed"]);
  assert.match(await search("CHARSET KOI8-R ALL"), /^s NO \[BADCHARSET \(US-ASCII UTF-8\)\] /);
  assert.match(await search("FROB"), /^s BAD Unknown search key "FROB"/);
});

Deno.test("ImapSession NOOP reports a new delivery with EXISTS and other sessions' flag changes", async () => {
  const { send, store } = await selected();
  assert.deepEqual(await send("a3 NOOP"), ["a3 OK NOOP completed"]);
  await store.deliver("bob", encoder.encode("Subject: Third\r\n\r\n3\r\n"));
  await store.setFlags("bob", "INBOX", 1, ["\\Answered"]);
  assert.deepEqual(await send("a4 NOOP"), [
    "* 3 EXISTS",
    "* 1 FETCH (UID 1 FLAGS (\\Answered))",
    "a4 OK NOOP completed",
  ]);
  assert.equal((await send("a5 FETCH 3 UID"))[0], "* 3 FETCH (UID 3)");
});

Deno.test("ImapSession EXPUNGE reports removed messages highest first; CLOSE removes them silently", async () => {
  const { send, store } = await selected();
  await store.deliver("bob", encoder.encode("Subject: Third\r\n\r\n3\r\n"));
  await send("a3 NOOP");
  await send("a4 STORE 1:2 +FLAGS.SILENT (\\Deleted)");
  assert.deepEqual(await send("a5 EXPUNGE"), [
    "* 2 EXPUNGE",
    "* 1 EXPUNGE",
    "a5 OK EXPUNGE completed",
  ]);
  assert.deepEqual(await send("a6 FETCH 1 UID"), ["* 1 FETCH (UID 3)", "a6 OK FETCH completed"]);
  await send("a7 STORE 1 +FLAGS (\\Deleted)");
  assert.deepEqual(await send("a8 UNSELECT"), ["a8 OK UNSELECT completed"]);
  assert.equal((await store.list("bob", "INBOX")).length, 1);
  await send("a9 SELECT INBOX");
  assert.deepEqual(await send("b1 CLOSE"), ["b1 OK CLOSE completed"]);
  assert.equal((await store.list("bob", "INBOX")).length, 0);
});

Deno.test("ImapSession LIST matches * and % wildcards, LSUB too", async () => {
  const { send, store } = await setup();
  await store.ensureUser("bob");
  await store.createMailbox("bob", "Work.Course");
  await store.createMailbox("bob", "Work.Course.Notes");
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send('a2 LIST "" *'), [
    '* LIST (\\HasNoChildren) "." "INBOX"',
    '* LIST (\\Noselect \\HasChildren) "." "Work"',
    '* LIST (\\HasChildren) "." "Work.Course"',
    '* LIST (\\HasNoChildren) "." "Work.Course.Notes"',
    "a2 OK LIST completed",
  ]);
  assert.deepEqual(await send('a3 LIST "" %'), [
    '* LIST (\\HasNoChildren) "." "INBOX"',
    '* LIST (\\Noselect \\HasChildren) "." "Work"',
    "a3 OK LIST completed",
  ]);
  assert.deepEqual(await send("a4 LIST Work. %"), [
    '* LIST (\\HasChildren) "." "Work.Course"',
    "a4 OK LIST completed",
  ]);
  assert.deepEqual(await send('a5 LIST "" ""'), [
    '* LIST (\\Noselect) "." ""',
    "a5 OK LIST completed",
  ]);
  assert.deepEqual(await send('a6 LSUB "" inbox'), [
    '* LSUB (\\HasNoChildren) "." "INBOX"',
    "a6 OK LSUB completed",
  ]);
});

Deno.test("ImapSession CREATE and STATUS", async () => {
  const { send } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send("a2 CREATE Archive."), ["a2 OK CREATE completed"]);
  assert.deepEqual(await send("a3 CREATE Archive"), [
    'a3 NO [ALREADYEXISTS] Mailbox "Archive" exists already',
  ]);
  assert.deepEqual(await send("a4 STATUS INBOX (MESSAGES UNSEEN UIDNEXT RECENT)"), [
    '* STATUS "INBOX" (MESSAGES 2 UNSEEN 1 UIDNEXT 3 RECENT 0)',
    "a4 OK STATUS completed",
  ]);
  assert.match((await send("a5 STATUS INBOX (SIZE)"))[0], /^a5 BAD Unknown status item "SIZE"/);
});

Deno.test("ImapSession answers ID, NAMESPACE, ENABLE and CAPABILITY", async () => {
  const { send } = await setup();
  assert.deepEqual(await send('a1 ID ("name" "test")'), [
    '* ID ("name" "mail-toolkit" "vendor" "Internet mail course toolkit" "support-url" "https://www.rfc-editor.org/rfc/rfc3501")',
    "a1 OK ID completed",
  ]);
  await send("a2 LOGIN bob pickles");
  assert.deepEqual(await send("a3 NAMESPACE"), [
    '* NAMESPACE (("" ".")) NIL NIL',
    "a3 OK NAMESPACE completed",
  ]);
  assert.deepEqual(await send("a4 ENABLE CONDSTORE"), ["* ENABLED", "a4 OK ENABLE completed"]);
  assert.deepEqual(await send("a5 CAPABILITY"), [
    "* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE UNSELECT CHILDREN",
    "a5 OK CAPABILITY completed",
  ]);
});

Deno.test("ImapSession times out after the idle limit by its clock", async () => {
  const { session, clock } = await setup({ limits: { idleTimeoutMs: 60_000 } });
  clock.advance(59_000);
  assert.equal(session.checkIdle(), undefined);
  await session.receiveLine("a1 NOOP");
  clock.advance(59_000);
  assert.equal(session.checkIdle(), undefined);
  clock.advance(1_000);
  const bye = session.checkIdle();
  assert.deepEqual(bye?.lines, ["* BYE Autologout: idle for too long"]);
  assert.equal(bye?.close, true);
  assert.deepEqual(session.expecting, { kind: "closed" });
});

Deno.test("ImapSession LOGOUT says BYE, then OK, and closes", async () => {
  const { session, transcript } = await selected();
  const out = await session.receiveLine("a3 LOGOUT");
  assert.deepEqual(out.lines, [
    "* BYE hamburger.edu IMAP4rev1 server logging out",
    "a3 OK LOGOUT completed",
  ]);
  assert.equal(out.close, true);
  assert.equal(session.state, "logout");
  assert.deepEqual((await session.receiveLine("a4 NOOP")).lines, []);
  assert.equal(transcript.lines("C").at(-1), "a3 LOGOUT");
});

Deno.test("ImapSession summarises long literals in its transcript", async () => {
  const { session, transcript } = await selected();
  await session.receiveLine("a3 UID FETCH 1 BODY.PEEK[]");
  const lines = transcript.lines("S");
  const at = lines.indexOf(`* 1 FETCH (UID 1 BODY[] {${MESSAGE.length}}`);
  assert.ok(at > 0);
  assert.deepEqual(lines.slice(at + 1, at + 4), [
    `(${MESSAGE.length} bytes)`,
    ")",
    "a3 OK UID FETCH completed",
  ]);
});
