import assert from "node:assert/strict";
import { ImapResponseError } from "../protocol/imap/error.ts";
import type { ImapResponse } from "../protocol/imap/response_parser.ts";
import { specialUse } from "../protocol/imap/response_data.ts";
import { Transcript } from "../protocol/transcript.ts";
import { ImapServer } from "../server/imap/server.ts";
import { MemoryStore } from "../server/store/memory_store.ts";
import { MESSAGE, scripted, start, text } from "./_imap_fixture.ts";
import { ImapClient } from "./imap_client.ts";

const encoder = new TextEncoder();

Deno.test("ImapClient logs in, lists, selects, fetches, searches and stores", async () => {
  const { server, store } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  assert.equal(client.greeting, "hamburger.edu IMAP4rev1 ready");
  assert.ok(client.capabilities.includes("LITERAL+"));
  assert.ok(client.capabilities.includes("AUTH=PLAIN"));
  await client.login("bob@hamburger.edu", "pickles");
  // RFC 3501 §7.2.1: the login mechanisms are gone once logged in.
  assert.ok(!client.capabilities.includes("AUTH=PLAIN"));
  const mailboxes = await client.list();
  assert.deepEqual(mailboxes.map((e) => e.name), [
    "INBOX",
    "Drafts",
    "Junk",
    "Sent",
    "Trash",
    "Work",
  ]);
  assert.deepEqual(mailboxes.map(specialUse), [
    undefined,
    "\\Drafts",
    "\\Junk",
    "\\Sent",
    "\\Trash",
    undefined,
  ]);
  const box = await client.select("INBOX");
  assert.equal(box.exists, 1);
  assert.equal(box.uidNext, 2);
  assert.equal(box.unseen, 1);
  assert.equal(box.readOnly, false);
  assert.ok(box.uidValidity > 0);
  assert.ok(box.permanentFlags.includes("\\Seen"));
  const [message] = await client.fetch(
    "1",
    "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[] BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
  );
  assert.equal(message.seq, 1);
  assert.equal(message.uid, 1);
  assert.equal(message.size, MESSAGE.length);
  assert.equal(message.internalDate, Date.UTC(2026, 8, 1, 9));
  assert.deepEqual(message.sections["BODY[]"], MESSAGE);
  assert.equal(text(message.sections["BODY[HEADER.FIELDS (SUBJECT)]"]), "Subject: hi\r\n\r\n");
  assert.deepEqual(await client.search("UNSEEN"), [1]);
  const stored = await client.store("1", "+FLAGS", ["\\Seen"], { uid: true });
  assert.deepEqual(stored.map((m) => [m.uid, m.flags?.includes("\\Seen")]), [[1, true]]);
  assert.deepEqual(await client.search("UNSEEN", { uid: true }), []);
  await store.deliver("bob", encoder.encode("Subject: more\r\n\r\n"));
  const changes = await client.noop();
  assert.deepEqual(changes.map((r) => r.kind === "data" ? `${r.number} ${r.name}` : r.kind), [
    "2 EXISTS",
    "2 RECENT",
  ]);
  assert.equal((await client.select("Work", true)).readOnly, true);
  await client.logout();
});

Deno.test("ImapClient throws the server's NO as an ImapResponseError with its code", async () => {
  const { server } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  await assert.rejects(() => client.login("bob", "ketchup"), (error: unknown) => {
    assert.ok(error instanceof ImapResponseError);
    assert.equal(error.status, "NO");
    assert.equal(error.code, "AUTHENTICATIONFAILED");
    assert.equal(error.tag, "a1");
    return true;
  });
  await client.login("bob", "pickles");
  const refused = (code: string) => (error: unknown) =>
    error instanceof ImapResponseError && error.status === "NO" && error.code === code;
  await assert.rejects(() => client.select("Nowhere"), refused("NONEXISTENT"));
  await assert.rejects(() => client.status("Nowhere"), refused("NONEXISTENT"));
  await assert.rejects(() => client.delete("Nowhere"), refused("NONEXISTENT"));
  await assert.rejects(() => client.rename("Nowhere", "Elsewhere"), refused("NONEXISTENT"));
  await assert.rejects(() => client.create("Work"), refused("ALREADYEXISTS"));
  await assert.rejects(() => client.append("Nowhere", MESSAGE), refused("TRYCREATE"));
  await client.select("INBOX");
  await assert.rejects(() => client.move("1", "Nowhere"), refused("TRYCREATE"));
  await assert.rejects(() => client.copy("1", "Nowhere"), refused("TRYCREATE"));
  await assert.rejects(() => client.command("FROB"), { name: "ImapResponseError", status: "BAD" });
  // After every refusal the dialog is still in step.
  assert.equal((await client.status("INBOX")).messages, 1);
});

Deno.test("ImapClient.move leaves the same bytes in Trash and none in INBOX", async () => {
  const { server, store } = await start();
  await using _ = server;
  const heard: ImapResponse[] = [];
  await using client = await ImapClient.connect({
    port: server.port,
    onUntagged: (r) => heard.push(r),
  });
  await client.login("bob", "pickles");
  await client.select("INBOX");
  const trashValidity = (await store.status("bob", "Trash")).uidValidity;
  const moved = await client.move("1", "Trash", { uid: true });
  const [inTrash] = await store.list("bob", "Trash");
  assert.deepEqual(moved, { uidValidity: trashValidity, uids: new Map([[1, inTrash.uid]]) });
  assert.deepEqual(await store.read("bob", "Trash", inTrash.uid), MESSAGE);
  assert.deepEqual(await store.list("bob", "INBOX"), []);
  assert.ok(heard.some((r) => r.kind === "data" && r.name === "EXPUNGE" && r.number === 1));
  assert.equal((await client.noop()).length, 0); // the EXPUNGE is not reported twice
});

Deno.test("ImapClient.copy names the copies' UIDs and keeps the originals", async () => {
  const { server, store } = await start();
  await using _ = server;
  await store.deliver("bob", encoder.encode("Subject: two\r\n\r\n"));
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  await client.select("INBOX");
  const copied = await client.copy("1:2", "Work");
  assert.deepEqual([...copied!.uids], [[1, 1], [2, 2]]);
  assert.deepEqual(await store.read("bob", "Work", 1), MESSAGE);
  assert.equal((await store.list("bob", "INBOX")).length, 2);
  assert.equal(await client.copy("7:9", "Work", { uid: true }), undefined); // nothing to copy
});

Deno.test("ImapClient.append returns the UID that the store shows, with flags and date", async () => {
  const { server, store } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  const date = Date.UTC(2026, 8, 2, 10, 30);
  const saved = await client.append("Sent", MESSAGE, { flags: ["\\Seen"], internalDate: date });
  const [stored] = await store.list("bob", "Sent");
  assert.deepEqual(saved, {
    uidValidity: (await store.status("bob", "Sent")).uidValidity,
    uid: stored.uid,
  });
  assert.deepEqual(stored.flags, ["\\Seen"]);
  assert.equal(stored.internalDate, date);
  assert.deepEqual(await store.read("bob", "Sent", stored.uid), MESSAGE);
});

Deno.test("ImapClient.expunge reports what went; UID EXPUNGE spares other \\Deleted messages", async () => {
  const { server, store } = await start();
  await using _ = server;
  for (const subject of ["two", "three", "four"]) {
    await store.deliver("bob", encoder.encode(`Subject: ${subject}\r\n\r\n`));
  }
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  await client.select("INBOX");
  await client.store("2:4", "+FLAGS.SILENT", ["\\Deleted"]);
  assert.deepEqual(await client.expunge({ uids: "3:4" }), [4, 3]);
  assert.deepEqual((await store.list("bob", "INBOX")).map((m) => m.uid), [1, 2]);
  assert.deepEqual(await client.expunge(), [2]);
  assert.deepEqual((await store.list("bob", "INBOX")).map((m) => m.uid), [1]);
});

Deno.test("ImapClient.store sets keywords, and refuses a flag that is no atom without sending", async () => {
  const { server, store } = await start();
  await using _ = server;
  const transcript = new Transcript();
  await using client = await ImapClient.connect({ port: server.port, transcript });
  await client.login("bob", "pickles");
  await client.select("INBOX");
  const [flagged] = await client.store("1", "FLAGS", ["\\Flagged", "$Important"]);
  assert.ok(flagged.flags?.includes("$Important") && flagged.flags.includes("\\Flagged"));
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Flagged", "$Important"]);
  assert.deepEqual(await client.store("1", "-FLAGS.SILENT", ["$Important"]), []);
  assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Flagged"]);
  const sent = transcript.lines("C").length;
  await assert.rejects(client.store("1", "+FLAGS", ["to do"]), TypeError);
  // A parenthesis would end the flag list early and smuggle in the rest.
  await assert.rejects(client.store("1", "+FLAGS", ["a) UID 1"]), /Invalid flag "a\) UID 1"/);
  assert.equal(transcript.lines("C").length, sent);
});

Deno.test("ImapClient manages mailboxes: create with a special use, rename, subscribe, delete", async () => {
  const { server, store } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  await client.create("Old mail", { specialUse: "\\Archive" });
  assert.equal(specialUse((await client.list("", "Old mail"))[0]), "\\Archive");
  await client.rename("Old mail", "Archive");
  assert.deepEqual((await store.mailboxes("bob")).find((m) => m.name === "Archive"), {
    name: "Archive",
    specialUse: "\\Archive",
  });
  await client.subscribe("Archive");
  assert.deepEqual(await store.subscriptions("bob"), ["Archive"]);
  await client.unsubscribe("Archive");
  assert.deepEqual(await store.subscriptions("bob"), []);
  assert.deepEqual(await client.status("Archive", ["MESSAGES", "UIDNEXT"]), {
    name: "Archive",
    messages: 0,
    uidNext: 1,
  });
  await client.delete("Archive");
  assert.deepEqual(await client.list("", "Archive"), []);
});

Deno.test("ImapClient.unselect keeps \\Deleted messages and closeMailbox expunges them", async () => {
  const { server, store } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  await client.select("INBOX");
  await client.store("1", "+FLAGS.SILENT", ["\\Deleted"]);
  await client.unselect();
  assert.equal((await store.list("bob", "INBOX")).length, 1);
  await assert.rejects(client.fetch("1", "(UID)"), { status: "BAD" });
  await client.select("INBOX");
  await client.closeMailbox();
  assert.deepEqual(await store.list("bob", "INBOX"), []);
});

Deno.test("ImapClient.search sends text beyond ASCII as a UTF-8 literal", async () => {
  const { server, store } = await start();
  await using _ = server;
  await store.deliver("bob", encoder.encode("Subject: Lunch\r\n\r\n"));
  const transcript = new Transcript();
  await using client = await ImapClient.connect({ port: server.port, transcript });
  await client.login("bob", "pickles");
  await client.select("INBOX");
  assert.deepEqual(await client.search(["BODY", { string: "안녕" }]), [1]);
  assert.deepEqual(await client.search(["SUBJECT", { string: "lunch" }], { uid: true }), [2]);
  assert.ok(transcript.lines("C").includes("a3 SEARCH CHARSET UTF-8 BODY {6+}"));
});

Deno.test("ImapClient.enable turns CONDSTORE on, and search reads past its (MODSEQ n)", async () => {
  const { server } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  assert.deepEqual(await client.enable("CONDSTORE"), ["CONDSTORE"]);
  assert.deepEqual(await client.enable("CONDSTORE"), []); // on already
  await client.select("INBOX");
  // RFC 7162 §3.1.5: the answer is "* SEARCH 1 (MODSEQ n)"; the list is no message number.
  assert.deepEqual(await client.search("MODSEQ 1"), [1]);
});

Deno.test("ImapClient sends a password that cannot be quoted as a literal, masked in its transcript", async () => {
  const store = new MemoryStore();
  const seen: string[] = [];
  const authenticate = (user: string, password: string) => {
    seen.push(password);
    return Promise.resolve(password === '비밀 "번호"' ? user : undefined);
  };
  await using server = new ImapServer({ store, authenticate });
  const transcript = new Transcript();
  await using client = await ImapClient.connect({ port: server.port, transcript });
  await client.login("bob", '비밀 "번호"');
  assert.deepEqual(seen, ['비밀 "번호"']);
  assert.deepEqual(transcript.lines("C"), ["a1 LOGIN bob ****", "****"]);
  assert.ok(!transcript.toString().includes("비밀"));
});

Deno.test("ImapClient waits for the go-ahead when the server lacks LITERAL+", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1] ready",
    "C: a1 LOGIN bob {6}",
    "S: + go ahead",
    "C: naïve",
    "S: a1 OK [CAPABILITY IMAP4rev1 IDLE] done",
    "C: a2 APPEND Sent {5}",
    "S: * 3 EXISTS",
    "S: a2 NO [TOOBIG] Message too large",
    "C: a3 APPEND Sent {5}",
    "S: + go ahead",
    "C: hello",
    "S: a3 OK [APPENDUID 7 3] APPEND completed",
  ]);
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "naïve");
  assert.deepEqual(client.capabilities, ["IMAP4rev1", "IDLE"]);
  const hello = encoder.encode("hello");
  await assert.rejects(client.append("Sent", hello), { name: "ImapResponseError", code: "TOOBIG" });
  assert.deepEqual(await client.append("Sent", hello), { uidValidity: 7, uid: 3 });
});

Deno.test("ImapClient sends literals at once with LITERAL+, and asks the capabilities after LOGIN", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] ready",
    "C: a1 LOGIN bob pickles",
    "S: a1 OK Logged in",
    "C: a2 CAPABILITY",
    "S: * CAPABILITY IMAP4rev1 LITERAL+ SORT",
    "S: a2 OK CAPABILITY completed",
    "C: a3 APPEND Drafts (\\Draft) {5+}",
    "C: hello",
    "S: a3 OK APPEND completed",
    "C: a4 UID SORT (REVERSE DATE) UTF-8 ALL",
    "S: * SORT 9 7 8",
    "S: a4 OK SORT completed",
  ]);
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  assert.deepEqual(client.capabilities, ["IMAP4rev1", "LITERAL+", "SORT"]);
  const hello = encoder.encode("hello");
  assert.equal(await client.append("Drafts", hello, { flags: ["\\Draft"] }), undefined);
  assert.deepEqual(await client.sort(["REVERSE", "DATE"], "ALL", { uid: true }), [9, 7, 8]);
});

Deno.test("ImapClient parses a transcript replayed by a scripted server", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1 LITERAL+] hamburger.edu ready",
    "C: a1 FETCH 1:2 (UID BODY[])",
    "S: * 1 FETCH (UID 7 BODY[] {5}",
    "S: hello)",
    "S: * 2 FETCH (UID 8 BODY[] NIL)",
    'S: * 2 FETCH (FLAGS (\\Seen) INTERNALDATE " 1-Sep-2026 11:00:00 +0200")',
    "S: a1 OK FETCH completed",
  ]);
  await using client = await ImapClient.connect({ port: server.port });
  const messages = await client.fetch("1:2", "(UID BODY[])");
  assert.equal(messages.length, 2);
  assert.equal(text(messages[0].sections["BODY[]"]), "hello");
  assert.deepEqual(messages[1], {
    seq: 2,
    uid: 8,
    flags: ["\\Seen"],
    internalDate: Date.UTC(2026, 8, 1, 9),
    sections: { "BODY[]": new Uint8Array() },
  });
});

Deno.test("ImapClient gives up on a silent server after its timeout", async () => {
  await using server = scripted(["S: * OK [CAPABILITY IMAP4rev1] ready", "C: a1 NOOP"]);
  const client = await ImapClient.connect({ port: server.port, timeoutMs: 100 });
  const started = Date.now();
  await assert.rejects(() => client.noop(), Deno.errors.TimedOut);
  assert.ok(Date.now() - started < 2000);
  client.close();
});
