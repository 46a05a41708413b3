import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { done, MESSAGE, selected } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// A message that is itself a message/rfc822, holding one that holds a third (imaptest's
// fetch-body-message-rfc822-x2), and a multipart/mixed holding a text, a message/rfc822 with a
// multipart/alternative, and a digest (whose parts are messages with empty MIME headers).
const NESTED = "From: a@x.org\r\nContent-Type: message/rfc822\r\n\r\n" +
  "From: b@x.org\r\nContent-Type: message/rfc822\r\n\r\n" +
  "From: c@x.org\r\nSubject: inmost\r\n\r\nHello world\r\n";
const MIXED = 'From: a@x.org\r\nContent-Type: multipart/mixed; boundary="m"\r\n\r\n' +
  "prologue\r\n--m\r\nContent-Type: text/x-mine\r\n\r\nhello\r\n" +
  "--m\r\nContent-Type: message/rfc822\r\n\r\n" +
  'Subject: sub\r\nContent-Type: multipart/alternative; boundary="s"\r\n\r\n' +
  "--s\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--s\r\n\r\nhi\r\n--s--\r\n" +
  '--m\r\nContent-Type: multipart/digest; boundary="d"\r\n\r\n' +
  "--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n--d\r\nX-Mime: two\r\n\r\nSubject: two\r\n\r\nsecond\r\n" +
  "--d--\r\n--m--\r\nepilogue\r\n";

/** The literals of one FETCH response, by their labels. */
async function sections(
  session: Awaited<ReturnType<typeof selected>>["session"],
  line: string,
): Promise<Record<string, string>> {
  const text = decoder.decode((await session.receiveLine(line)).bytes);
  const out: Record<string, string> = {};
  const label = /(BODY\[[^\]]*\](?:<\d+>)?) \{(\d+)\}\r\n/g;
  for (let m = label.exec(text); m; m = label.exec(text)) {
    const start = m.index + m[0].length;
    out[m[1]] = text.slice(start, start + Number(m[2]));
    label.lastIndex = start + Number(m[2]);
  }
  return out;
}

Deno.test("ImapSession FETCH BODY[] returns the stored bytes and sets \\Seen", async () => {
  const { send, session, store } = await selected();
  const out = await session.receiveLine("a3 FETCH 1 BODY[]");
  assert.equal(
    decoder.decode(out.bytes),
    `* 1 FETCH (BODY[] {${MESSAGE.length}}\r\n${MESSAGE} FLAGS (\\Seen \\Recent))\r\n${
      done("a3", "FETCH")
    }\r\n`,
  );
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Seen"]);
  // Set once: a second fetch shows no FLAGS it did not ask for.
  assert.deepEqual(await send("a4 FETCH 1 (RFC822.SIZE RFC822.TEXT)"), [
    `* 1 FETCH (RFC822.SIZE ${MESSAGE.length} RFC822.TEXT {18}`,
    "(18 bytes)",
    ")",
    done("a4", "FETCH"),
  ]);
  assert.deepEqual(await send("a5 FETCH 1 FLAGS"), [
    "* 1 FETCH (FLAGS (\\Seen \\Recent))",
    done("a5", "FETCH"),
  ]);
});

Deno.test("ImapSession FETCH BODY.PEEK and RFC822.HEADER leave \\Seen alone, EXAMINE too", async () => {
  const { send, store } = await selected();
  await send("a3 FETCH 1 (BODY.PEEK[] RFC822.HEADER RFC822.SIZE)");
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, []);
  await send("a4 EXAMINE INBOX");
  await send("a5 FETCH 1 (RFC822 BODY[TEXT])");
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, []);
});

Deno.test("ImapSession FETCH answers header fields, text and partial ranges", async () => {
  const { session, send } = await selected();
  const out = await session.receiveLine(
    "a3 FETCH 1 (UID RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (Subject FROM)] BODY.PEEK[TEXT]<0.7> BODY.PEEK[HEADER.FIELDS.NOT (From To Date)])",
  );
  assert.equal(
    decoder.decode(out.bytes),
    `* 1 FETCH (UID 1 RFC822.SIZE ${MESSAGE.length} INTERNALDATE "01-Sep-2026 09:00:00 +0000" ` +
      "BODY[HEADER.FIELDS (Subject FROM)] {41}\r\nFrom: alice@crepes.fr\r\nSubject: Lunch\r\n\r\n" +
      " BODY[TEXT]<0> {7}\r\nPickles BODY[HEADER.FIELDS.NOT (From To Date)] {18}\r\nSubject: Lunch\r\n\r\n)\r\n" +
      `${done("a3", "FETCH")}\r\n`,
  );
  assert.deepEqual(
    await sections(
      session,
      "a4 FETCH 1 (BODY.PEEK[TEXT]<8.100> BODY.PEEK[]<500.5> BODY.PEEK[1]<0.7>)",
    ),
    { "BODY[TEXT]<8>": "at noon?\r\n", "BODY[]<500>": "", "BODY[1]<0>": "Pickles" },
  );
  assert.deepEqual(await send("a5 FETCH 1 BODY.PEEK[HEADER.FIELDS (X-None)]"), [
    "* 1 FETCH (BODY[HEADER.FIELDS (X-None)] {2}",
    "(2 bytes)",
    ")",
    done("a5", "FETCH"),
  ]);
});

Deno.test("ImapSession UID FETCH adds UID and reads n:* as reaching the last UID", async () => {
  const { send } = await selected();
  assert.deepEqual(await send("a3 UID FETCH 5:* FLAGS"), [
    "* 2 FETCH (UID 2 FLAGS (\\Seen \\Flagged \\Recent))",
    done("a3", "UID FETCH"),
  ]);
  assert.deepEqual(await send("a4 FETCH 3 FLAGS"), [
    formatStatus("a4", RESPONSE.BadSequenceNumber(3, 2)),
  ]);
  assert.deepEqual(await send("a5 FETCH 1:x FLAGS"), [
    formatStatus("a5", RESPONSE.BadArguments('Invalid sequence set "1:x"', COMMANDS.FETCH.syntax)),
  ]);
  assert.deepEqual(await send("a6 FETCH 1 FLAGS (FOO 1)"), [
    formatStatus(
      "a6",
      RESPONSE.BadArguments('Unknown fetch modifier "FOO"', COMMANDS.FETCH.syntax),
    ),
  ]);
});

Deno.test("ImapSession FETCH answers the macros, ENVELOPE, BODY and BODYSTRUCTURE", async () => {
  const { send, store } = await selected();
  assert.deepEqual(await send("a3 FETCH 2 FAST"), [
    '* 2 FETCH (FLAGS (\\Seen \\Flagged \\Recent) INTERNALDATE "15-Aug-2026 00:00:00 +0000" RFC822.SIZE 24)',
    done("a3", "FETCH"),
  ]);
  const alice = '((NIL NIL "alice" "crepes.fr"))';
  assert.deepEqual(await send("a4 FETCH 1 ENVELOPE"), [
    `* 1 FETCH (ENVELOPE ("Tue, 1 Sep 2026 09:00:00 +0000" "Lunch" ${alice} ${alice} ${alice} ` +
    '((NIL NIL "bob" "hamburger.edu")) NIL NIL NIL NIL))',
    done("a4", "FETCH"),
  ]);
  assert.match(
    (await send("a5 FETCH 2 ALL"))[0],
    /^\* 2 FETCH \(FLAGS .* RFC822\.SIZE 24 ENVELOPE \(NIL "Second" NIL NIL NIL NIL NIL NIL NIL NIL\)\)$/,
  );
  assert.equal(
    (await send("a6 FETCH 1 BODY"))[0],
    '* 1 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 18 1))',
  );
  const mixed = 'Subject: parts\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
    "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n";
  await store.deliver("bob", encoder.encode(mixed));
  await send("a7 NOOP");
  assert.deepEqual(await send("a8 FETCH 3 (BODY BODYSTRUCTURE)"), [
    '* 3 FETCH (BODY (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1)' +
    ' ("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 9 1) "mixed")' +
    ' BODYSTRUCTURE (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL)' +
    ' ("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 9 1 NIL NIL NIL NIL)' +
    ' "mixed" ("boundary" "b") NIL NIL NIL))',
    done("a8", "FETCH"),
  ]);
  assert.deepEqual(await send("b3 FETCH 1 BODY[FOO]"), [
    formatStatus(
      "b3",
      RESPONSE.BadArguments('Unknown fetch item "BODY[FOO]"', COMMANDS.FETCH.syntax),
    ),
  ]);
});

Deno.test("ImapSession FETCH numbers the parts of nested message/rfc822 parts", async () => {
  const { session, store, send } = await selected();
  await store.deliver("bob", encoder.encode(NESTED));
  await store.deliver("bob", encoder.encode(MIXED));
  await send("a3 NOOP");
  // RFC 3501 §6.4.5: part 1 of a message that is not multipart is its body; below a
  // message/rfc822 part, numbers count the parts of the message it holds.
  assert.deepEqual(
    await sections(
      session,
      "a4 FETCH 3 (BODY.PEEK[1] BODY.PEEK[1.HEADER] BODY.PEEK[1.TEXT] BODY.PEEK[1.1] " +
        "BODY.PEEK[1.1.HEADER] BODY.PEEK[1.1.1] BODY.PEEK[1.1.HEADER.FIELDS (Subject)] " +
        "BODY.PEEK[1.2] BODY.PEEK[1.1.1.HEADER])",
    ),
    {
      "BODY[1]": NESTED.slice(NESTED.indexOf("From: b")),
      "BODY[1.HEADER]": "From: b@x.org\r\nContent-Type: message/rfc822\r\n\r\n",
      "BODY[1.TEXT]": NESTED.slice(NESTED.indexOf("From: c")),
      "BODY[1.1]": NESTED.slice(NESTED.indexOf("From: c")),
      "BODY[1.1.HEADER]": "From: c@x.org\r\nSubject: inmost\r\n\r\n",
      "BODY[1.1.1]": "Hello world\r\n",
      "BODY[1.1.HEADER.FIELDS (Subject)]": "Subject: inmost\r\n\r\n",
      // Parts the message does not have are empty, as Dovecot answers them.
      "BODY[1.2]": "",
      "BODY[1.1.1.HEADER]": "",
    },
  );
  assert.deepEqual(
    await sections(
      session,
      "a5 FETCH 4 (BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[2.MIME] BODY.PEEK[2.HEADER] " +
        "BODY.PEEK[2.1] BODY.PEEK[2.2.MIME] BODY.PEEK[2.2] BODY.PEEK[3.1] BODY.PEEK[3.1.MIME] " +
        "BODY.PEEK[3.2.MIME] BODY.PEEK[3.2.TEXT] BODY.PEEK[4] BODY.PEEK[1.HEADER])",
    ),
    {
      "BODY[1]": "hello",
      "BODY[1.MIME]": "Content-Type: text/x-mine\r\n\r\n",
      "BODY[2.MIME]": "Content-Type: message/rfc822\r\n\r\n",
      "BODY[2.HEADER]": 'Subject: sub\r\nContent-Type: multipart/alternative; boundary="s"\r\n\r\n',
      "BODY[2.1]": "<p>hi</p>",
      "BODY[2.2.MIME]": "\r\n",
      "BODY[2.2]": "hi",
      "BODY[3.1]": "Subject: one\r\n\r\nfirst",
      "BODY[3.1.MIME]": "\r\n",
      "BODY[3.2.MIME]": "X-Mime: two\r\n\r\n",
      "BODY[3.2.TEXT]": "second",
      "BODY[4]": "",
      "BODY[1.HEADER]": "",
    },
  );
  assert.equal(
    (await send("a6 FETCH 3 BODYSTRUCTURE"))[0],
    '* 3 FETCH (BODYSTRUCTURE ("message" "rfc822" NIL NIL NIL "7bit" 94 ' +
      '(NIL NIL ((NIL NIL "b" "x.org")) ((NIL NIL "b" "x.org")) ((NIL NIL "b" "x.org")) NIL NIL NIL NIL NIL) ' +
      '("message" "rfc822" NIL NIL NIL "7bit" 47 ' +
      '(NIL "inmost" ((NIL NIL "c" "x.org")) ((NIL NIL "c" "x.org")) ((NIL NIL "c" "x.org")) NIL NIL NIL NIL NIL) ' +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL) ' +
      "7 NIL NIL NIL NIL))",
  );
});
