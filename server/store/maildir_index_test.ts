import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../protocol/clock.ts";
import { MaildirStore } from "./maildir_store.ts";
import { NotFoundError } from "./store.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const names = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();

/** A store in a fresh temporary root, removed at the end of the test. */
async function tempStore(clock = new ManualClock()) {
  const root = await Deno.makeTempDir({ prefix: "maildir_index_test_" });
  return {
    root,
    clock,
    store: new MaildirStore({ root, clock, fsync: false }),
    reopen: () => new MaildirStore({ root, clock, fsync: false }),
    bob: join(root, "bob"),
    index: join(root, "bob", "toolkit-index"),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** Counts the directory scans that `work` makes. */
async function scans(work: () => Promise<unknown>): Promise<number> {
  const readDir = Deno.readDir;
  let count = 0;
  Object.assign(Deno, {
    readDir: (path: string | URL) => (String(path).match(/\/(new|cur)$/) && count++, readDir(path)),
  });
  try {
    await work();
  } finally {
    Object.assign(Deno, { readDir });
  }
  return count;
}

Deno.test("MaildirStore keeps UIDs, modseqs and recent state when reopened", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`Subject: ${n}\r\n\r\n`));
  await t.store.createMailbox("bob", "Work");
  await t.store.deliver("bob", encode("work"), { mailbox: "Work" });
  await t.store.setFlags("bob", "INBOX", 2, ["\\Seen", "\\Flagged"]);
  await t.store.expunge("bob", "INBOX", [1]);
  await t.store.claimRecent("bob", "Work");
  const before = {
    inbox: await t.store.status("bob", "INBOX"),
    work: await t.store.status("bob", "Work"),
    list: await t.store.list("bob", "INBOX"),
  };
  t.clock.advance(3_600_000);
  const again = t.reopen();
  assert.equal(
    await scans(async () => {
      assert.deepEqual(await again.status("bob", "INBOX"), before.inbox);
      assert.deepEqual(await again.status("bob", "Work"), before.work);
      assert.deepEqual(await again.list("bob", "INBOX"), before.list);
    }),
    0,
  );
  assert.deepEqual(await again.read("bob", "INBOX", 3), encode("Subject: 3\r\n\r\n"));
  assert.equal(await again.deliver("bob", encode("next")), 4);
  assert.deepEqual((await again.mailboxes("bob")).map((m) => m.name), ["INBOX", "Work"]);
});

Deno.test("MaildirStore scans no directory for its own changes", async () => {
  await using t = await tempStore();
  await t.store.ensureUser("bob");
  assert.equal(
    await scans(async () => {
      for (const n of [1, 2, 3, 4]) await t.store.deliver("bob", encode(`${n}`));
      await t.store.setFlags("bob", "INBOX", 2, ["\\Seen", "$Label1"]);
      await t.store.expunge("bob", "INBOX", [3]);
      await t.store.copy("bob", "INBOX", [1, 2], "Trash");
      await t.store.list("bob", "INBOX");
      await t.store.status("bob", "Trash");
      await t.store.claimRecent("bob", "INBOX");
      await t.store.read("bob", "INBOX", 4);
      await t.reopen().list("bob", "INBOX");
    }),
    0,
  );
});

Deno.test("MaildirStore appends each change to the index, and compacts it now and then", async () => {
  await using t = await tempStore();
  await t.store.deliver("bob", encode("first"));
  const { ino, size } = await Deno.stat(t.index);
  await t.store.deliver("bob", encode("second"));
  const text = await Deno.readTextFile(t.index);
  const added = text.split("\n").slice(-3, -1);
  assert.match(added[0], /^\+ 2 3 6 \d+ n \S+,S=6$/);
  assert.match(added[1], /^d \d+ \d+$/);
  const after = await Deno.stat(t.index);
  assert.equal(after.ino, ino); // appended, not rewritten: a delivery costs the same in any mailbox
  assert.equal(after.size, size + encode(added.join("\n") + "\n").length);
  for (let i = 0; i < 600; i++) {
    await t.store.setFlags("bob", "INBOX", 1, [i % 2 ? "\\Seen" : "\\Flagged"]);
  }
  const compacted = await Deno.stat(t.index);
  assert.notEqual(compacted.ino, ino); // rewritten as a snapshot: header, two messages, times
  assert.ok(compacted.size < 100_000);
  assert.deepEqual((await t.reopen().list("bob", "INBOX")).map((m) => [m.uid, m.flags]), [
    [1, ["\\Seen"]],
    [2, []],
  ]);
});

Deno.test("MaildirStore loses nothing when a crash cuts an index write short", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`${n}`));
  const status = await t.store.status("bob", "INBOX");
  await Deno.writeTextFile(t.index, "+ 4 9 1 17", { append: true });
  const again = t.reopen();
  assert.deepEqual(await again.status("bob", "INBOX"), status);
  assert.ok((await Deno.readTextFile(t.index)).endsWith("\n")); // cut back to the last whole line
  assert.equal(await again.deliver("bob", encode("4")), 4);
  // A crash after a message file was renamed into new/, before its index line was written (in
  // the same millisecond as the delivery before, more often than not).
  for (let round = 0; round < 3; round++) {
    const store = t.reopen();
    const uid = await store.deliver("bob", encode("before")) + 1;
    const before = await Deno.readTextFile(t.index);
    assert.equal(await store.deliver("bob", encode(`${uid}`)), uid);
    await Deno.writeTextFile(t.index, before);
    const third = t.reopen();
    assert.equal((await third.list("bob", "INBOX")).at(-1)?.uid, uid);
    assert.deepEqual(await third.read("bob", "INBOX", uid), encode(`${uid}`));
    assert.equal((await third.status("bob", "INBOX")).uidValidity, status.uidValidity);
  }
});

Deno.test("MaildirStore rebuilds a damaged or lost index under a new UIDVALIDITY", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`${n}`));
  await t.store.expunge("bob", "INBOX", [1]);
  const first = await t.store.status("bob", "INBOX");
  const text = await Deno.readTextFile(t.index);
  const lines = text.split("\n");
  const plus = lines.findIndex((line) => line.startsWith("+ 2 "));
  const damages = [
    "garbage\n",
    text.replace(/ V\d+ /, " V0 "),
    [...lines.slice(0, plus), "+ 2 x", ...lines.slice(plus)].join("\n"), // garbage, then more
    text + lines[plus] + "\n", // UID 2 twice
    undefined, // lost
  ];
  // The clock stands still: a new UIDVALIDITY must differ even within the same second.
  for (const damage of damages) {
    const previous = await t.store.status("bob", "INBOX");
    if (damage === undefined) await Deno.remove(t.index);
    else await Deno.writeTextFile(t.index, damage);
    const status = await t.store.status("bob", "INBOX");
    assert.ok(status.uidValidity > previous.uidValidity, `after ${JSON.stringify(damage)}`);
    assert.deepEqual([status.messages, status.uidNext], [2, 3]);
  }
  assert.ok(first.uidValidity < (await t.store.status("bob", "INBOX")).uidValidity);
  assert.deepEqual(await t.store.read("bob", "INBOX", 1), encode("2"));
  assert.ok((await names(t.bob)).includes("toolkit-index.damaged")); // kept for a look
});

Deno.test("MaildirStore gives files from outside the next UIDs, oldest first", async () => {
  await using t = await tempStore();
  await t.store.deliver("bob", encode("ours"));
  const drop = async (path: string, text: string, seconds: number) => {
    await Deno.writeTextFile(join(t.bob, path), text);
    await Deno.utime(join(t.bob, path), seconds, seconds);
  };
  await drop("new/1700000000.outside1.mutt", "newest", 1_700_000_000);
  await drop("new/1600000000.outside2.mutt", "oldest", 1_600_000_000);
  await drop("cur/1650000000.outside3.mutt:2,RS", "read and replied", 1_650_000_000);
  await drop("new/.hidden", "not a message", 1_600_000_000);
  const list = await t.store.list("bob", "INBOX");
  assert.deepEqual(list.map(({ modseq: _, ...info }) => info), [
    { uid: 1, flags: [], size: 4, internalDate: t.clock.now() },
    { uid: 2, flags: [], size: 6, internalDate: 1_600_000_000_000 },
    { uid: 3, flags: ["\\Seen", "\\Answered"], size: 16, internalDate: 1_650_000_000_000 },
    { uid: 4, flags: [], size: 6, internalDate: 1_700_000_000_000 },
  ]);
  assert.equal((await t.store.status("bob", "INBOX")).highestModseq, list[3].modseq);
  assert.deepEqual(await t.store.read("bob", "INBOX", 2), encode("oldest"));
  assert.equal(await t.store.deliver("bob", encode("after")), 5);
});

Deno.test("MaildirStore sees a file dropped in within the tick of its own delivery", async () => {
  await using t = await tempStore();
  await t.store.deliver("bob", encode("ours"));
  const recorded = (await Deno.lstat(join(t.bob, "new"))).mtime!;
  // Another program adds a file, and a coarse clock gives new/ the time of our own delivery.
  await Deno.writeTextFile(join(t.bob, "new", "1600000000.same-tick.host"), "theirs");
  const ours = new Date(recorded.getTime() + 1);
  await Deno.utime(join(t.bob, "new"), ours, ours);
  assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => m.uid), [1, 2]);
});

Deno.test("MaildirStore follows what another program did to its files", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`${n}`));
  const [first, second, third] = await names(join(t.bob, "new"));
  const before = await t.store.list("bob", "INBOX");
  await Deno.rename(join(t.bob, "new", first), join(t.bob, "cur", `${first}:2,S`)); // mutt read it
  await Deno.remove(join(t.bob, "new", second));
  const after = await t.store.list("bob", "INBOX");
  assert.deepEqual(after.map((m) => [m.uid, m.flags]), [[1, ["\\Seen"]], [3, []]]);
  assert.ok(after[0].modseq > before[2].modseq); // a new flag is a change for CONDSTORE clients
  assert.equal(after[1].modseq, before[2].modseq);
  assert.equal(await t.store.deliver("bob", encode("4")), 4); // UID 2 is never handed out again
  // Renamed again behind our back, then flagged or expunged by us: the file is found.
  await Deno.rename(join(t.bob, "cur", `${first}:2,S`), join(t.bob, "cur", `${first}:2,RS`));
  assert.deepEqual(await t.store.read("bob", "INBOX", 1), encode("1"));
  await Deno.rename(join(t.bob, "new", third), join(t.bob, "cur", `${third}:2,F`));
  await t.store.setFlags("bob", "INBOX", 3, ["\\Seen"]);
  assert.ok((await names(join(t.bob, "cur"))).includes(`${third}:2,S`));
  await Deno.rename(join(t.bob, "cur", `${third}:2,S`), join(t.bob, "cur", `${third}:2,ST`));
  await t.store.expunge("bob", "INBOX", [3]);
  assert.ok(!(await names(join(t.bob, "cur"))).some((name) => name.startsWith(third)));
  assert.deepEqual((await t.reopen().list("bob", "INBOX")).map((m) => m.uid), [1, 4]);
});

Deno.test("MaildirStore forgets what it knew when another store rebuilds the index", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`${n}`));
  assert.deepEqual(await t.store.read("bob", "INBOX", 2), encode("2"));
  // Another store rebuilds the index with an older message in front: every UID now means another.
  await Deno.remove(t.index);
  await Deno.writeTextFile(join(t.bob, "new", "1000000000.older.host"), "0");
  const other = t.reopen();
  assert.deepEqual((await other.list("bob", "INBOX")).map((m) => m.uid), [1, 2, 3, 4]);
  assert.deepEqual(await t.store.read("bob", "INBOX", 2), encode("1"));
  await t.store.setFlags("bob", "INBOX", 1, ["\\Seen"]);
  assert.deepEqual((await other.list("bob", "INBOX")).map((m) => m.flags.length), [1, 0, 0, 0]);
  assert.equal(await t.store.deliver("bob", encode("4")), 5);
  assert.equal(await other.deliver("bob", encode("5")), 6);
});

Deno.test("MaildirStore answers NotFoundError for a mailbox moved away on disk", async () => {
  await using t = await tempStore();
  await t.store.ensureUser("bob");
  await t.store.createMailbox("bob", "Work");
  await t.store.deliver("bob", encode("w"), { mailbox: "Work" });
  const work = await t.store.status("bob", "Work");
  await Deno.rename(join(t.bob, ".Work"), join(t.bob, ".Old")); // a student's mv, while selected
  await assert.rejects(t.store.status("bob", "Work"), NotFoundError);
  await assert.rejects(t.store.read("bob", "Work", 1), NotFoundError);
  await assert.rejects(t.store.setFlags("bob", "Work", 1, ["\\Seen"]), NotFoundError);
  assert.deepEqual(await t.store.status("bob", "Old"), { ...work, name: "Old" });
  // A directory made under the old name is another mailbox.
  for (const sub of ["", "/tmp", "/new", "/cur"]) await Deno.mkdir(join(t.bob, `.Work${sub}`));
  const fresh = await t.store.status("bob", "Work");
  assert.ok(fresh.uidValidity > work.uidValidity);
  assert.equal(fresh.messages, 0);
  await Deno.remove(join(t.bob, ".Old"), { recursive: true });
  await assert.rejects(t.store.list("bob", "Old"), NotFoundError);
  await Deno.remove(t.bob, { recursive: true });
  await assert.rejects(t.store.status("bob", "INBOX"), NotFoundError);
});

Deno.test("MaildirStore keeps the UIDs of an old toolkit-uidlist, once", async () => {
  await using t = await tempStore();
  for (const sub of ["", "/tmp", "/new", "/cur"]) await Deno.mkdir(join(t.bob + sub));
  await Deno.writeTextFile(join(t.bob, "new", "1600000000.a.host"), "a");
  await Deno.writeTextFile(join(t.bob, "cur", "1600000001.b.host:2,S"), "b");
  await Deno.writeTextFile(join(t.bob, "new", "1600000002.c.host"), "c"); // not in the list
  await Deno.writeTextFile(
    join(t.bob, "toolkit-uidlist"),
    "1 V1700000000 N9\n3 1600000000.a.host\n7 1600000001.b.host\n8 1600000009.gone.host\n",
  );
  const status = await t.store.status("bob", "INBOX");
  assert.deepEqual([status.uidValidity, status.uidNext, status.recent], [1_700_000_000, 10, 1]);
  assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => [m.uid, m.flags]), [
    [3, []],
    [7, ["\\Seen"]],
    [9, []],
  ]);
  assert.ok(!(await names(t.bob)).includes("toolkit-uidlist"));
});

Deno.test("MaildirStore keeps summaries across a restart, for the UIDVALIDITY they belong to", async () => {
  await using t = await tempStore();
  await t.store.deliver("bob", encode("Subject: one\r\n\r\n"));
  let computed = 0;
  const compute = (bytes: Uint8Array) => ({ n: ++computed, size: bytes.length });
  const where = { mailbox: "INBOX", uid: 1, kind: "imap-1" };
  assert.deepEqual(await t.store.summary("bob", where, compute), { n: 1, size: 16 });
  assert.deepEqual(await t.reopen().summary("bob", where, compute), { n: 1, size: 16 });
  await Deno.writeTextFile(join(t.bob, "toolkit-cache"), '1\t"imap-1"\t{broken\n', {
    append: true,
  });
  assert.deepEqual(await t.reopen().summary("bob", where, compute), { n: 2, size: 16 });
  await Deno.remove(t.index); // UID 1 may be another message now
  assert.deepEqual(await t.reopen().summary("bob", where, compute), { n: 3, size: 16 });
});
