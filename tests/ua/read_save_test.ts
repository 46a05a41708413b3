// `deno task ua` reading and keeping mail over IMAP: a Korean message shown decoded (encoded
// words, base64, quoted-printable in EUC-KR), its attachments listed, the exact bytes with --raw
// and --out, mbox files that parse back, and search, move, delete, trash and flag.
import assert from "node:assert/strict";
import { parseMessage } from "../../message/parse.ts";
import { parseMbox } from "../../ua/mbox.ts";
import { as, decoder, encoder, ok, readable, startLab } from "./_cli.ts";

const KOREAN = [
  "From: =?UTF-8?B?7LKg7IiY?= <cheolsu@hamburger.edu>",
  "To: bob@hamburger.edu",
  "Date: Tue, 01 Sep 2026 12:30:00 +0900",
  "Subject: =?UTF-8?B?7KCQ7Ius?= =?UTF-8?Q?_=EB=A8=B9=EC=97=88=EC=96=B4=EC=9A=94=3F?=",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "Content-Transfer-Encoding: base64",
  "",
  btoa(String.fromCharCode(...encoder.encode("점심 먹었어요?\r\n김밥 어때요?\r\n"))),
  "--b1",
  'Content-Type: application/pdf; name="menu.pdf"',
  'Content-Disposition: attachment; filename="menu.pdf"',
  "Content-Transfer-Encoding: base64",
  "",
  btoa("%PDF-1.4 " + "x".repeat(2039)),
  "--b1--",
  "",
].join("\r\n");

const EUC_KR = [
  "Subject: =?EUC-KR?B?vsiz5w==?=",
  "Content-Type: text/plain; charset=euc-kr",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "=BE=C8=B3=E7=C7=CF=BC=BC=BF=E4",
  "",
].join("\r\n");

Deno.test("ua read shows a Korean message decoded, lists its attachments, and --raw the bytes", async () => {
  await using lab = await startLab();
  const store = lab.server("hamburger.edu").store;
  await store.deliver("bob", encoder.encode(KOREAN));
  await store.deliver("bob", encoder.encode(EUC_KR));
  const bob = as(lab, "bob@hamburger.edu");
  const listing = ok(await bob("inbox"));
  assert.match(
    listing.out,
    /^ {3}1 N 2026-09-01 03:30 {2}철수 <cheolsu@hamburger\.edu> +점심 먹었어요\?\n/,
  );
  const shown = ok(await bob("read", "1"));
  readable(shown);
  assert.equal(
    shown.out,
    [
      "From:    철수 <cheolsu@hamburger.edu>",
      "To:      bob@hamburger.edu",
      "Date:    Tue, 01 Sep 2026 12:30:00 +0900",
      "Subject: 점심 먹었어요?",
      "",
      "점심 먹었어요?",
      "김밥 어때요?",
      "",
      "Attachments:",
      "  1. menu.pdf  application/pdf  2.0 KB",
    ].join("\n"),
  );
  assert.match(ok(await bob("read", "2")).out, /^Subject: 안녕\n\n안녕하세요$/m);
  const raw = ok(await bob("read", "1", "--raw"));
  assert.deepEqual(raw.bytes, await store.read("bob", "INBOX", 1));
  assert.equal(raw.out, "");
});

Deno.test("ua save writes the exact bytes to .eml and appends mboxrd entries that parse back", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  const text = "From the kitchen:\\n>From the garden\\nketchup";
  ok(await alice("send", "--to", "bob@hamburger.edu", "--subject", "One", "--text", text));
  ok(await alice("send", "--to", "bob@hamburger.edu", "--subject", "Two", "--text", "2"));
  await lab.idle();
  const store = lab.server("hamburger.edu").store;
  const bob = as(lab, "bob@hamburger.edu");
  const dir = await Deno.makeTempDir();
  const saved = ok(await bob("save", "1", "--out", `${dir}/one.eml`));
  assert.match(saved.out, /^Saved message 1 to .+one\.eml \(\d+ bytes, as stored\)$/);
  assert.deepEqual(await Deno.readFile(`${dir}/one.eml`), await store.read("bob", "INBOX", 1));

  ok(await bob("save", "1", "--mbox", `${dir}/saved.mbox`));
  ok(await bob("save", "2", "--mbox", `${dir}/saved.mbox`));
  const file = await Deno.readFile(`${dir}/saved.mbox`);
  const content = decoder.decode(file);
  assert.match(content, /^From alice@crepes\.fr \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
  assert.match(content, /\n>From the kitchen:\n>>From the garden\nketchup\n/);
  assert.doesNotMatch(content, /\r/);
  const messages = parseMbox(file);
  assert.deepEqual(messages.map((m) => m.sender), ["alice@crepes.fr", "alice@crepes.fr"]);
  assert.deepEqual(messages[0].message, await store.read("bob", "INBOX", 1));
  assert.deepEqual(messages[1].message, await store.read("bob", "INBOX", 2));
  // Neither save marked a message read.
  assert.match(ok(await bob("inbox")).out, /^ {3}1 N .+\n {3}2 N /);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ua search finds messages by IMAP SEARCH; move, flag, trash and delete tidy them", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  for (const [subject, text] of [["Lunch", "ketchup"], ["Dinner", "pickles"], ["Tea", "none"]]) {
    ok(await alice("send", "--to", "bob@hamburger.edu", "--subject", subject, "--text", text));
  }
  await lab.idle();
  const bob = as(lab, "bob@hamburger.edu");
  const store = lab.server("hamburger.edu").store;
  assert.match(ok(await bob("search", "KETCHUP")).out, /^ {3}1 N .+ Lunch$/);
  assert.match(ok(await bob("search", "--in", "subject", "dinner")).out, /^ {3}2 N .+ Dinner$/);
  assert.equal(
    ok(await bob("search", "--in", "subject", "ketchup")).out,
    'Nothing in INBOX matches "ketchup"',
  );

  await store.createMailbox("bob", "Work");
  assert.equal(
    ok(await bob("move", "1", "--to", "Work")).out,
    "Moved message 1 to Work (its UID there: 1)",
  );
  assert.equal(ok(await bob("flag", "2", "--flag", "\\Flagged")).out, "Message 2: \\Flagged");
  assert.equal(ok(await bob("trash", "2")).out, "Moved message 2 to Trash (its UID there: 1)");
  assert.equal(ok(await bob("delete", "3")).out, "Deleted message 3 from INBOX for good");
  assert.equal(ok(await bob("inbox")).out, "(INBOX is empty)");
  assert.deepEqual((await store.list("bob", "Trash")).length, 1);
  assert.match(ok(await bob("inbox", "--mailbox", "Work")).out, /Lunch$/);
  assert.match(ok(await bob("folders")).out, /^Work +1 message, 1 unread$/m);
});

Deno.test("ua send composes HTML, attachments, a Korean subject, and a non-ASCII address with SMTPUTF8", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  const dir = await Deno.makeTempDir();
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
  await Deno.writeFile(`${dir}/logo.png`, png);
  // A text file travels in the canonical form of text (RFC 2046 §4.1.1): CRLF line ends.
  await Deno.writeTextFile(`${dir}/notes.txt`, "Bring a blanket.\n");
  ok(
    await alice(
      "send",
      ...["--to", "bob@hamburger.edu", "--subject", "점심 메뉴", "--text", "Hi Bob"],
      ...["--html", "<p>Hi <b>Bob</b></p>", "--attach", `${dir}/logo.png`],
      ...["--attach", `${dir}/notes.txt`],
    ),
  );
  await lab.idle();
  const bytes = await lab.server("hamburger.edu").store.read("bob", "INBOX", 1);
  assert.match(decoder.decode(bytes), /\r\nSubject: =\?UTF-8\?[BQ]\?/);
  const bob = as(lab, "bob@hamburger.edu");
  const shown = ok(await bob("read", "1"));
  assert.match(shown.out, /^Subject: 점심 메뉴\n\nHi Bob\n\nAttachments:\n/m);
  assert.match(
    shown.out,
    /\n {2}1\. logo\.png {2}image\/png {2}8 bytes\n {2}2\. notes\.txt {2}text\/plain {2}18 bytes$/,
  );
  const message = parseMessage(bytes);
  assert.equal(message.html, "<p>Hi <b>Bob</b></p>");
  assert.deepEqual(message.attachments[0].content, png);

  const korean = await alice(
    "send",
    "--to",
    "철수@hamburger.edu",
    "--subject",
    "x",
    "--transcript",
  );
  ok(korean);
  assert.match(korean.err, /C: MAIL FROM:<alice@crepes\.fr> .*SMTPUTF8/);
  assert.doesNotMatch(korean.err, /utf8/);
  await Deno.remove(dir, { recursive: true });
});
