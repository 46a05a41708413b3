import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { done, MESSAGE, selected } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("ImapSession FETCH BODY[] returns the stored bytes and sets \\Seen", async () => {
  const { send, session, store } = await selected();
  const out = await session.receiveLine("a3 FETCH 1 BODY[]");
  const text = decoder.decode(out.bytes);
  assert.equal(
    text,
    `* 1 FETCH (BODY[] {${MESSAGE.length}}\r\n${MESSAGE} FLAGS (\\Seen))\r\n${
      done("a3", "FETCH")
    }\r\n`,
  );
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Seen"]);
  assert.deepEqual(await send("a4 FETCH 1 FLAGS"), [
    "* 1 FETCH (FLAGS (\\Seen))",
    done("a4", "FETCH"),
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
      `${done("a3", "FETCH")}\r\n`,
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
    done("a3", "UID FETCH"),
  ]);
  assert.deepEqual(await send("a4 FETCH 3 FLAGS"), [
    formatStatus("a4", RESPONSE.BadSequenceNumber(3, 2)),
  ]);
  assert.deepEqual(await send("a5 FETCH 1:x FLAGS"), [
    formatStatus("a5", RESPONSE.BadArguments('Invalid sequence set "1:x"', COMMANDS.FETCH.syntax)),
  ]);
});

Deno.test("ImapSession FETCH answers the macros, ENVELOPE, BODYSTRUCTURE and part sections", async () => {
  const { send, store, session } = await selected();
  assert.deepEqual(await send("a3 FETCH 2 FAST"), [
    '* 2 FETCH (FLAGS (\\Seen \\Flagged) INTERNALDATE "15-Aug-2026 00:00:00 +0000" RFC822.SIZE 24)',
    done("a3", "FETCH"),
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
    "* 3 FETCH (BODY[2] {9}\r\n<p>hi</p> BODY[1.MIME] {28}\r\nContent-Type: text/plain\r\n\r\n)\r\n" +
      `${done("a9", "FETCH")}\r\n`,
  );
  assert.deepEqual(await send("b1 FETCH 3 BODY[3]"), [
    formatStatus("b1", RESPONSE.NoSuchPart("3")),
  ]);
  assert.deepEqual(await send("b2 FETCH 3 BODY[1.HEADER]"), [
    formatStatus("b2", RESPONSE.NotAMessage("1", "HEADER")),
  ]);
  assert.deepEqual(await send("b3 FETCH 1 BODY[FOO]"), [
    formatStatus(
      "b3",
      RESPONSE.BadArguments('Unknown fetch item "BODY[FOO]"', COMMANDS.FETCH.syntax),
    ),
  ]);
});
