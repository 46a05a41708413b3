import assert from "node:assert/strict";
import { ManualClock } from "../../../protocol/clock.ts";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { encodeBase64 } from "../../../message/transfer_encoding.ts";
import { MemoryStore } from "../../store/memory_store.ts";
import { accounts, done, selected } from "../_fixture.ts";
import { ImapSession } from "../session.ts";
import { COMMANDS } from "./table.ts";

const encoder = new TextEncoder();

// Three messages that exercise every key family; their internal dates straddle midnight UTC.
const MESSAGES = [
  {
    text: "From: Alice <alice@crepes.fr>\r\nTo: bob@hamburger.edu\r\n" +
      "Cc: team: carol@x.org, Dave <dave@x.org>;\r\nSubject: Lunch =?UTF-8?Q?caf=C3=A9?=\r\n" +
      "Date: Tue, 1 Sep 2026 23:30:00 -0500\r\nX-Spam: no\r\n\r\nPickles at noon?\r\n",
    flags: [],
    internalDate: Date.UTC(2026, 8, 1, 23, 30),
  },
  {
    text:
      "From: bob@hamburger.edu (Bob Builder)\r\nTo: alice@crepes.fr\r\nSubject: Re: Budget\r\n" +
      "Date: Wed, 2 Sep 2026 00:30:00 +0200\r\nContent-Type: text/plain; charset=utf-8\r\n" +
      `Content-Transfer-Encoding: base64\r\n\r\n${encodeBase64("Les crêpes sont prêtes\r\n")}\r\n`,
    flags: ["\\Seen", "\\Flagged"],
    internalDate: Date.UTC(2026, 7, 15),
  },
  {
    text: "From: <carol (the boss)@ (hq) x.org>\r\nTo: bob@hamburger.edu\r\n" +
      'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n' +
      "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
      "Quarterly numbers=\r\n attached\r\n--b\r\nContent-Type: application/octet-stream\r\n" +
      `Content-Transfer-Encoding: base64\r\n\r\n${encodeBase64("secretword")}\r\n--b--\r\n`,
    flags: ["\\Answered", "$Work"],
    internalDate: Date.UTC(2026, 8, 2),
  },
];

async function mailbox() {
  const store = new MemoryStore({ clock: new ManualClock() });
  for (const { text, flags, internalDate } of MESSAGES) {
    await store.deliver("bob", encoder.encode(text), { flags, internalDate });
  }
  const session = new ImapSession({ store, accounts, domain: "hamburger.edu" });
  const send = async (line: string) => (await session.receiveLine(line)).lines;
  await send("a1 LOGIN bob pickles");
  await send("a2 SELECT INBOX");
  const search = async (criteria: string) => (await send(`s SEARCH ${criteria}`))[0];
  return { store, session, send, search };
}

Deno.test("ImapSession SEARCH matches system flags, keywords and the session's recent messages", async () => {
  const { store, search } = await mailbox();
  assert.equal(await search("ALL"), "* SEARCH 1 2 3");
  assert.equal(await search("ANSWERED"), "* SEARCH 3");
  assert.equal(await search("UNANSWERED"), "* SEARCH 1 2");
  assert.equal(await search("SEEN FLAGGED"), "* SEARCH 2");
  assert.equal(await search("UNSEEN"), "* SEARCH 1 3");
  assert.equal(await search("UNFLAGGED UNDELETED UNDRAFT"), "* SEARCH 1 3");
  assert.equal(await search("DELETED"), "* SEARCH");
  assert.equal(await search("DRAFT"), "* SEARCH");
  assert.equal(await search("KEYWORD $work"), "* SEARCH 3");
  assert.equal(await search("UNKEYWORD $Work"), "* SEARCH 1 2");
  assert.equal(await search("RECENT"), "* SEARCH 1 2 3");
  assert.equal(await search("NEW"), "* SEARCH 1 3");
  assert.equal(await search("OLD"), "* SEARCH");
  // A second session finds them taken: none is recent for it.
  const other = new ImapSession({ store, accounts, domain: "hamburger.edu" });
  await other.receiveLine("b1 LOGIN bob pickles");
  await other.receiveLine("b2 EXAMINE INBOX");
  assert.equal((await other.receiveLine("b3 SEARCH OLD")).lines[0], "* SEARCH 1 2 3");
  assert.equal((await other.receiveLine("b4 SEARCH NEW")).lines[0], "* SEARCH");
});

Deno.test("ImapSession SEARCH matches sequence sets, UID sets, sizes and combinations", async () => {
  const { store, search } = await mailbox();
  const [small, middle, large] = (await store.list("bob", "INBOX")).map((m) => m.size).sort((
    a,
    b,
  ) => a - b);
  assert.ok(small < middle && middle < large);
  assert.equal(await search("2:*"), "* SEARCH 2 3");
  assert.equal(await search("*"), "* SEARCH 3");
  assert.equal(await search("3:2"), "* SEARCH 2 3");
  assert.equal(await search("1,3 UID 3:*"), "* SEARCH 3");
  assert.equal(await search("UID 9:*"), "* SEARCH 3");
  assert.equal(await search("7"), "* SEARCH");
  assert.equal(await search(`LARGER ${middle}`).then((l) => l.split(" ").length), 3);
  assert.equal(
    await search(`NOT SMALLER ${middle} NOT LARGER ${middle}`).then((l) => l.length),
    10,
  );
  assert.equal(await search("OR ANSWERED FLAGGED"), "* SEARCH 2 3");
  assert.equal(await search("NOT (SEEN FLAGGED)"), "* SEARCH 1 3");
  assert.equal(await search("(OR 1 2) (NOT 1)"), "* SEARCH 2");
});

Deno.test("ImapSession SEARCH compares internal dates and sent dates by the date alone", async () => {
  const { search } = await mailbox();
  // Internal dates, in UTC: message 1 late on 1 Sep, message 3 at midnight on 2 Sep.
  assert.equal(await search("ON 1-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("SINCE 2-Sep-2026"), "* SEARCH 3");
  assert.equal(await search("BEFORE 1-Sep-2026"), "* SEARCH 2");
  assert.equal(await search("SINCE 1-Sep-2026 BEFORE 2-Sep-2026"), "* SEARCH 1");
  // Sent dates as written: 1 Sep in New York (2 Sep in UTC), 2 Sep in Paris (1 Sep in UTC).
  assert.equal(await search("SENTON 1-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("SENTON 2-Sep-2026"), "* SEARCH 2");
  assert.equal(await search("SENTBEFORE 2-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("SENTSINCE 2-Sep-2026"), "* SEARCH 2");
  // Message 3 has no Date: it is neither sent before nor since any day.
  assert.equal(await search("OR SENTBEFORE 1-Jan-2100 SENTSINCE 1-Jan-1970"), "* SEARCH 1 2");
});

Deno.test("ImapSession SEARCH finds addresses through display names, comments and groups", async () => {
  const { search } = await mailbox();
  assert.equal(await search("FROM alice"), "* SEARCH 1");
  assert.equal(await search('FROM "Alice <alice@crepes"'), "* SEARCH 1");
  assert.equal(await search("FROM BUILDER"), "* SEARCH 2");
  assert.equal(await search("FROM carol@x.org"), "* SEARCH 3");
  assert.equal(await search("FROM boss"), "* SEARCH");
  assert.equal(await search("TO crepes.fr"), "* SEARCH 2");
  assert.equal(await search("TO bob@"), "* SEARCH 1 3");
  assert.equal(await search("CC team"), "* SEARCH 1");
  assert.equal(await search("CC dave@x"), "* SEARCH 1");
  assert.equal(await search("BCC bob"), "* SEARCH");
  assert.equal(await search('CC ""'), "* SEARCH 1");
});

Deno.test("ImapSession SEARCH matches decoded SUBJECT and HEADER values, empty for presence", async () => {
  const { search } = await mailbox();
  assert.equal(await search("SUBJECT CAFÉ"), "* SEARCH 1");
  assert.equal(await search('SUBJECT "lunch caf"'), "* SEARCH 1");
  assert.equal(await search("SUBJECT budget"), "* SEARCH 2");
  assert.equal(await search('HEADER Subject ""'), "* SEARCH 1 2");
  assert.equal(await search('NOT HEADER subject ""'), "* SEARCH 3");
  assert.equal(await search('HEADER X-Spam ""'), "* SEARCH 1");
  assert.equal(await search("HEADER x-spam NO"), "* SEARCH 1");
  assert.equal(await search("HEADER Content-Type mixed"), "* SEARCH 3");
  assert.equal(await search("HEADER From builder"), "* SEARCH 2");
});

Deno.test("ImapSession SEARCH BODY and TEXT match decoded text parts; TEXT adds the headers", async () => {
  const { search } = await mailbox();
  assert.equal(await search("BODY pickles"), "* SEARCH 1");
  assert.equal(await search("BODY CRÊPES"), "* SEARCH 2");
  assert.equal(await search('BODY "numbers attached"'), "* SEARCH 3");
  assert.equal(await search("BODY secretword"), "* SEARCH");
  assert.equal(await search("BODY x-spam"), "* SEARCH");
  assert.equal(await search("TEXT x-spam"), "* SEARCH 1");
  assert.equal(await search('TEXT "lunch café"'), "* SEARCH 1");
  assert.equal(await search("TEXT quarterly"), "* SEARCH 3");
  assert.equal(await search("TEXT octet-stream"), "* SEARCH 3");
  assert.equal(await search('BODY ""'), "* SEARCH 1 2 3");
});

Deno.test("ImapSession SEARCH takes UTF-8 and US-ASCII and refuses other charsets", async () => {
  const { send, search } = await mailbox();
  assert.equal(await search("CHARSET UTF-8 BODY crêpes"), "* SEARCH 2");
  assert.equal(await search("CHARSET us-ascii FROM alice"), "* SEARCH 1");
  assert.deepEqual(await send("s SEARCH CHARSET KOI8-R ALL"), [
    formatStatus("s", RESPONSE.BadCharset("KOI8-R", ["US-ASCII", "UTF-8"])),
  ]);
  assert.equal(
    await search("FROB"),
    formatStatus("s", RESPONSE.BadArguments('Unknown search key "FROB"', COMMANDS.SEARCH.syntax)),
  );
  assert.deepEqual(await send("u UID SEARCH FLAGGED"), ["* SEARCH 2", done("u", "UID SEARCH")]);
});

Deno.test("ImapSession SEARCH MODSEQ ends with the highest modseq found and enables CONDSTORE", async () => {
  const { store, send, search } = await mailbox();
  const before = (await store.list("bob", "INBOX")).map((m) => m.modseq);
  await send("t STORE 2 +FLAGS.SILENT (\\Deleted)");
  const after = (await store.list("bob", "INBOX")).map((m) => m.modseq);
  assert.ok(after[1] > Math.max(...before));
  assert.equal(await search(`MODSEQ ${after[1]}`), `* SEARCH 2 (MODSEQ ${after[1]})`);
  assert.equal(await search(`MODSEQ "/flags/\\\\deleted" all ${after[1] + 1}`), "* SEARCH");
  assert.equal(await search("MODSEQ 0"), `* SEARCH 1 2 3 (MODSEQ ${after[1]})`);
  // CONDSTORE is on now: STORE reports MODSEQ without being asked.
  const stored = await send("t STORE 1 +FLAGS (\\Seen)");
  assert.match(stored[0], /^\* 1 FETCH \(.*MODSEQ \(\d+\)/);
});

Deno.test("ImapSession SEARCH RETURN answers ESEARCH with MIN, MAX, ALL and COUNT", async () => {
  const { send, search } = await mailbox();
  assert.equal(
    await search("RETURN (MIN MAX ALL COUNT) NOT 2"),
    '* ESEARCH (TAG "s") MIN 1 MAX 3 ALL 1,3 COUNT 2',
  );
  assert.equal(await search("RETURN () ALL"), '* ESEARCH (TAG "s") ALL 1:3');
  assert.equal(await search("RETURN (COUNT) DELETED"), '* ESEARCH (TAG "s") COUNT 0');
  assert.equal(await search("RETURN (MIN MAX) DELETED"), '* ESEARCH (TAG "s")');
  assert.deepEqual(await send("u UID SEARCH RETURN (MAX) UNSEEN"), [
    '* ESEARCH (TAG "u") UID MAX 3',
    done("u", "UID SEARCH"),
  ]);
  assert.match(await search("RETURN (SAVE) ALL"), /^s BAD .*Unknown search return option "SAVE"/);
});

Deno.test("ImapSession SEARCH RETURN with MODSEQ gives the modseq of the messages returned", async () => {
  const { store, send, search } = await mailbox();
  await send("t STORE 3 +FLAGS.SILENT (\\Seen)");
  await send("t STORE 1 +FLAGS.SILENT (\\Seen)");
  const [one, two, three] = (await store.list("bob", "INBOX")).map((m) => m.modseq);
  assert.ok(one > three && three > two);
  assert.equal(await search("RETURN (MIN) MODSEQ 1"), `* ESEARCH (TAG "s") MIN 1 MODSEQ ${one}`);
  assert.equal(await search("RETURN (MAX) MODSEQ 1"), `* ESEARCH (TAG "s") MAX 3 MODSEQ ${three}`);
  assert.equal(
    await search("RETURN (MIN MAX) 2:3 MODSEQ 1"),
    `* ESEARCH (TAG "s") MIN 2 MAX 3 MODSEQ ${three}`,
  );
  assert.equal(
    await search(`RETURN (COUNT) MODSEQ ${three}`),
    `* ESEARCH (TAG "s") COUNT 2 MODSEQ ${one}`,
  );
  assert.equal(await search(`RETURN () MODSEQ ${one + 1}`), '* ESEARCH (TAG "s")');
});

Deno.test("ImapSession SEARCH keeps the fixture's simple cases", async () => {
  const { send } = await selected();
  const search = async (criteria: string) => (await send(`s SEARCH ${criteria}`))[0];
  assert.equal(await search('FROM "ALICE@"'), "* SEARCH 1");
  assert.equal(await search("SENTON 1-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("HEADER Date 2026"), "* SEARCH 1");
  assert.equal(await search("(UNSEEN SUBJECT lunch)"), "* SEARCH 1");
  assert.equal(await search("CHARSET UTF-8 TEXT two"), "* SEARCH 2");
});
