import assert from "node:assert/strict";
import { ManualClock } from "../../../protocol/clock.ts";
import { Accounts } from "../../accounts.ts";
import { MemoryStore } from "../../store/memory_store.ts";
import { ImapSession } from "../session.ts";

const encoder = new TextEncoder();
const accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");

async function loggedIn() {
  const store = new MemoryStore({ clock: new ManualClock() });
  await store.deliver("bob", encoder.encode("Subject: one\r\n\r\nfirst\r\n"), {
    flags: ["\\Flagged"],
  });
  const session = new ImapSession({ store, accounts, domain: "hamburger.edu" });
  session.greeting();
  const send = async (line: string) => (await session.receiveLine(line)).lines;
  await send("a1 LOGIN bob pickles");
  return { store, session, send };
}

Deno.test("ImapSession APPEND stores a sent message with its flags and date, asking to create a missing mailbox", async () => {
  const { store, session, send } = await loggedIn();
  const message = encoder.encode("From: bob@hamburger.edu\r\nSubject: sent\r\n\r\nHi\r\n");
  await session.receiveLine(`a2 APPEND Outbox {${message.length}+}`);
  await session.receiveLiteral(message);
  assert.match((await session.receiveLine("")).lines.at(-1)!, /^a2 NO \[TRYCREATE\]/);
  assert.match((await send("a3 CREATE Outbox")).at(-1)!, /^a3 OK/);
  const start = await session.receiveLine(
    `a4 APPEND Outbox (\\Seen $Sent) "01-Sep-2026 09:00:00 +0200" {${message.length}}`,
  );
  assert.deepEqual(start.lines, ["+ Ready for literal data"]);
  await session.receiveLiteral(message);
  const { uidValidity } = await store.status("bob", "Outbox");
  assert.deepEqual((await session.receiveLine("")).lines, [
    `a4 OK [APPENDUID ${uidValidity} 1] APPEND completed`,
  ]);
  const [info] = await store.list("bob", "Outbox");
  assert.deepEqual(info.flags, ["\\Seen", "$Sent"]);
  assert.equal(info.internalDate, Date.UTC(2026, 8, 1, 7, 0, 0));
  assert.deepEqual(await store.read("bob", "Outbox", info.uid), message);
});

Deno.test("ImapSession APPEND into the selected mailbox tells the session EXISTS and RECENT", async () => {
  const { session, send } = await loggedIn();
  await send("a2 SELECT INBOX");
  const message = encoder.encode("Subject: two\r\n\r\nsecond\r\n");
  await session.receiveLine(`a3 APPEND INBOX {${message.length}+}`);
  await session.receiveLiteral(message);
  const lines = (await session.receiveLine("")).lines;
  // Both are new to this session, the one delivered before SELECT and the one it appended.
  assert.deepEqual(lines.slice(0, 2), ["* 2 EXISTS", "* 2 RECENT"]);
  assert.match(lines.at(-1)!, /^a3 OK \[APPENDUID \d+ 2\]/);
});

Deno.test("ImapSession MULTIAPPEND adds several messages in one command, or none", async () => {
  const { store, session } = await loggedIn();
  const one = encoder.encode("Subject: a\r\n\r\na\r\n");
  const two = encoder.encode("Subject: b\r\n\r\nb\r\n");
  await session.receiveLine(`a2 APPEND Drafts (\\Draft) {${one.length}+}`);
  await session.receiveLiteral(one);
  await session.receiveLine(` (\\Draft) {${two.length}+}`);
  await session.receiveLiteral(two);
  const { uidValidity } = await store.status("bob", "Drafts");
  assert.deepEqual((await session.receiveLine("")).lines, [
    `a2 OK [APPENDUID ${uidValidity} 1:2] APPEND completed`,
  ]);
  assert.equal((await store.list("bob", "Drafts")).length, 2);

  await session.receiveLine(`a3 APPEND Drafts {${one.length}+}`);
  await session.receiveLiteral(one);
  await session.receiveLine(` "30-Feb-2026 25:00:00 +0000" {${two.length}+}`);
  await session.receiveLiteral(two);
  assert.match((await session.receiveLine("")).lines.at(-1)!, /^a3 BAD/);
  assert.equal((await store.list("bob", "Drafts")).length, 2);
});

Deno.test("ImapSession COPY and UID COPY put messages with their flags into another mailbox", async () => {
  const { store, send } = await loggedIn();
  await send("a3 SELECT INBOX");
  assert.match((await send("a4 COPY 1 Nowhere")).at(-1)!, /^a4 NO \[TRYCREATE\]/);
  assert.match((await send("a5 COPY 1 Trash")).at(-1)!, /^a5 OK/);
  assert.match((await send("a6 UID COPY 1 Trash")).at(-1)!, /^a6 OK/);
  const copies = await store.list("bob", "Trash");
  assert.equal(copies.length, 2);
  assert.deepEqual(copies.map((c) => c.flags), [["\\Flagged"], ["\\Flagged"]]);
  assert.equal(
    new TextDecoder().decode(await store.read("bob", "Trash", copies[0].uid)),
    "Subject: one\r\n\r\nfirst\r\n",
  );
});

Deno.test("ImapSession APPEND wants a literal and a mailbox name that stays in the store", async () => {
  const { store, session, send } = await loggedIn();
  assert.match((await send('a2 APPEND INBOX "not a literal"')).at(-1)!, /^a2 BAD/);
  await session.receiveLine("a3 APPEND ../../etc {1+}");
  await session.receiveLiteral(encoder.encode("x"));
  assert.match((await session.receiveLine("")).lines.at(-1)!, /^a3 NO /);
  assert.deepEqual((await store.mailboxes("bob")).map((m) => m.name), [
    "INBOX",
    "Drafts",
    "Junk",
    "Sent",
    "Trash",
  ]);
});
