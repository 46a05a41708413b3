import assert from "node:assert/strict";
import { accounts, done, selected } from "../_fixture.ts";
import { MemoryStore } from "../../store/memory_store.ts";
import { ImapSession } from "../session.ts";

const encoder = new TextEncoder();

/** A memory store that counts what FETCH costs it: reads of bytes, and summaries computed. */
class CountingStore extends MemoryStore {
  reads = 0;
  computed = 0;

  override read(user: string, mailbox: string, uid: number): Promise<Uint8Array> {
    this.reads++;
    return super.read(user, mailbox, uid);
  }

  override summary<T>(
    user: string,
    where: { mailbox: string; uid: number; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<T> {
    return super.summary(user, where, (bytes) => {
      this.computed++;
      return compute(bytes);
    });
  }
}

/** A memory store that keeps summaries as JSON text, as a store on disk would. */
class JsonStore extends MemoryStore {
  override async summary<T>(
    user: string,
    where: { mailbox: string; uid: number; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<T> {
    const text = await super.summary(user, where, (bytes) => JSON.stringify(compute(bytes)));
    return JSON.parse(text) as T;
  }
}

const MIXED =
  'Subject: =?UTF-8?Q?caf=C3=A9?=\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
  "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Language: en, fr\r\n\r\nhello\r\n" +
  "--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n" +
  "From: Bob <bob@x.org>\r\nSubject: inner\r\n\r\ninner body\r\n--b--\r\n";

async function open(store: MemoryStore) {
  const session = new ImapSession({ store, accounts, domain: "hamburger.edu" });
  session.greeting();
  const send = async (line: string) => (await session.receiveLine(line)).lines;
  await send("a1 LOGIN bob pickles");
  await send("a2 SELECT INBOX");
  return send;
}

Deno.test("ImapSession FETCH reads and parses nothing for a second ENVELOPE", async () => {
  const store = new CountingStore();
  for (let i = 1; i <= 3; i++) {
    await store.deliver(
      "bob",
      encoder.encode(`From: a${i}@x.org\r\nSubject: ${i}\r\n\r\nbody ${i}\r\n`),
    );
  }
  const send = await open(store);
  const first = await send("a3 FETCH 1:* (FLAGS UID ENVELOPE)");
  assert.equal(first.length, 4);
  assert.deepEqual([store.reads, store.computed], [0, 3]);
  assert.deepEqual(await send("a4 FETCH 1:* (FLAGS UID ENVELOPE)"), [
    ...first.slice(0, 3),
    done("a4", "FETCH"),
  ]);
  assert.deepEqual([store.reads, store.computed], [0, 3]);
  // Another session, or a new snapshot, finds the summaries the store keeps.
  const other = await open(store);
  await other("b3 FETCH 1:* (BODYSTRUCTURE ENVELOPE)");
  assert.deepEqual([store.reads, store.computed], [0, 3]);
  // Sections read the bytes, and find parts through the kept summary.
  await other("b4 FETCH 2 (BODY.PEEK[1] BODY.PEEK[HEADER])");
  assert.deepEqual([store.reads, store.computed], [1, 3]);
});

Deno.test("ImapSession FETCH answers the same from summaries kept as JSON", async () => {
  const answers: string[][] = [];
  for (const store of [new MemoryStore(), new JsonStore()]) {
    await store.deliver("bob", encoder.encode(MIXED));
    const send = await open(store);
    const line = "a3 FETCH 1 (ENVELOPE BODY BODYSTRUCTURE BODY.PEEK[2.HEADER] BODY.PEEK[1])";
    answers.push([...await send(line), ...await send(line)]);
  }
  assert.deepEqual(answers[1], answers[0]);
  assert.match(answers[0][0], /^\* 1 FETCH \(ENVELOPE \(NIL "=\?UTF-8\?Q\?caf=C3=A9\?=" /);
  assert.match(answers[0][0], /\("en" "fr"\)/);
});

Deno.test("ImapSession FETCH of messages another session expunged gives what it can", async () => {
  const { send, store } = await selected();
  const envelope = (await send("a3 FETCH 1 ENVELOPE"))[0].slice("* 1 FETCH (".length, -1);
  // Both messages go; this session keeps them in its snapshot until it may say so (§7.4.1).
  await store.expunge("bob", "INBOX", [1, 2]);
  const ghosts = await send("a4 FETCH 1:2 (UID FLAGS ENVELOPE BODY.PEEK[])");
  assert.deepEqual(ghosts.slice(0, 2), [
    // The first one's summary was made before it went; the second has only its snapshot entry.
    `* 1 FETCH (UID 1 FLAGS (\\Recent) ${envelope})`,
    "* 2 FETCH (UID 2 FLAGS (\\Seen \\Flagged \\Recent))",
  ]);
  assert.match(ghosts[2], /^a4 OK \[EXPUNGEISSUED\] /);
  assert.equal(ghosts.length, 3);
  // Nothing at all to give, and no \Seen to set: only the tagged OK.
  const nothing = await send("a5 FETCH 1 BODY[]");
  assert.equal(nothing.length, 1);
  assert.match(nothing[0], /^a5 OK \[EXPUNGEISSUED\] /);
  assert.deepEqual(await send("a6 FETCH 1:2 (FLAGS RFC822.SIZE)"), [
    "* 1 FETCH (FLAGS (\\Recent) RFC822.SIZE 120)",
    "* 2 FETCH (FLAGS (\\Seen \\Flagged \\Recent) RFC822.SIZE 24)",
    done("a6", "FETCH"),
  ]);
  assert.deepEqual(await send("a7 NOOP"), ["* 2 EXPUNGE", "* 1 EXPUNGE", done("a7", "NOOP")]);
});

Deno.test("ImapSession FETCH announces a keyword another session set before showing it", async () => {
  const { send, store } = await selected();
  await store.updateFlags("bob", { mailbox: "INBOX", uid: 1 }, { add: ["$Urgent"] });
  // The keyword arrives with the flags that the implicit \Seen brings back from the store.
  const lines = await send("a3 FETCH 1 BODY[HEADER.FIELDS (Subject)]");
  assert.deepEqual(lines.slice(0, 2), [
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Urgent)",
    "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Urgent \\*)] " +
    "Flags kept for good",
  ]);
  assert.equal(lines[4], " FLAGS (\\Seen $Urgent \\Recent))");
});
