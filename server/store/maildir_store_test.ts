import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../protocol/clock.ts";
import { MaildirStore } from "./maildir_store.ts";
import { InvalidNameError, NotFoundError } from "./store.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const names = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();

/** A store in a fresh temporary root, removed at the end of the test. */
async function tempStore(clock = new ManualClock()) {
  const root = await Deno.makeTempDir({ prefix: "maildir_store_test_" });
  return {
    root,
    clock,
    store: new MaildirStore({ root, clock, fsync: false }),
    bob: join(root, "bob"),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

Deno.test("MaildirStore delivers into new/ through tmp/, never half-written", async () => {
  await using t = await tempStore();
  const big = new Uint8Array(4 * 1024 * 1024).fill(0x61);
  const seen: number[] = [];
  let done = false;
  await t.store.ensureUser("bob");
  const delivery = Promise.all([1, 2, 3].map(() => t.store.deliver("bob", big))).finally(() =>
    done = true
  );
  while (!done) {
    for (const name of await names(join(t.bob, "new"))) {
      const size = await Deno.stat(join(t.bob, "new", name)).then((s) => s.size, () => big.length);
      seen.push(size);
    }
  }
  assert.deepEqual(await delivery, [1, 2, 3]);
  assert.deepEqual(seen.filter((size) => size !== big.length), [], "partial files in new/");
  const delivered = await names(join(t.bob, "new"));
  assert.equal(delivered.length, 3);
  for (const name of delivered) assert.match(name, /^\d+\.M\d+P\d+Q\d+R[0-9a-f]{8}\..+,S=4194304$/);
  assert.deepEqual(await names(join(t.bob, "tmp")), []);
});

Deno.test("MaildirStore ignores what a crash leaves in tmp/", async () => {
  await using t = await tempStore();
  await t.store.deliver("bob", encode("kept"));
  await Deno.writeTextFile(join(t.bob, "tmp", "1788253200.M0P1Q1R00.host,S=99"), "half a mes");
  assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => m.uid), [1]);
  assert.equal((await t.store.status("bob", "INBOX")).uidNext, 2);
});

Deno.test("MaildirStore keeps flags in file names and moves flagged mail to cur/", async () => {
  await using t = await tempStore();
  const uid = await t.store.deliver("bob", encode("x"));
  const [base] = await names(join(t.bob, "new"));
  assert.doesNotMatch(base, /:/);
  const expect = async (name: string) => {
    assert.deepEqual(await names(join(t.bob, "new")), []);
    assert.deepEqual(await names(join(t.bob, "cur")), [name]);
  };
  await t.store.setFlags("bob", "INBOX", uid, ["\\Seen"]);
  await expect(`${base}:2,S`);
  await t.store.setFlags("bob", "INBOX", uid, [
    "\\Seen",
    "\\Deleted",
    "\\Answered",
    "\\Draft",
    "\\Flagged",
  ]);
  await expect(`${base}:2,DFRST`);
  await t.store.setFlags("bob", "INBOX", uid, []);
  await expect(`${base}:2,`);
  await t.store.expunge("bob", "INBOX", [uid]);
  await t.store.deliver("bob", encode("y"), { flags: ["\\Flagged", "\\Answered"] });
  const [delivered] = await names(join(t.bob, "cur"));
  assert.match(delivered, /,S=1:2,FR$/);
  // Letters this toolkit does not interpret (Dovecot keywords) stay.
  await Deno.writeTextFile(join(t.bob, "cur", "1600000000.kw.host:2,Sa"), "k");
  await t.store.setFlags("bob", "INBOX", 3, ["\\Flagged"]);
  assert.ok((await names(join(t.bob, "cur"))).includes("1600000000.kw.host:2,Fa"));
});

Deno.test("MaildirStore lays mailboxes out as Maildir++ folders", async () => {
  await using t = await tempStore();
  await t.store.ensureUser("bob");
  await t.store.createMailbox("bob", "Work.Course");
  assert.deepEqual(await names(t.bob), [
    ".Drafts",
    ".Junk",
    ".Sent",
    ".Trash",
    ".Work.Course",
    "cur",
    "new",
    "tmp",
    "toolkit-index",
    "toolkit-special-use",
    "toolkit-uidvalidity",
  ]);
  const folder = join(t.bob, ".Work.Course");
  assert.deepEqual(await names(folder), ["cur", "maildirfolder", "new", "tmp", "toolkit-index"]);
  assert.match(
    await Deno.readTextFile(join(folder, "toolkit-index")),
    /^toolkit-index 1 V\d+ N1 M1 R1\nd \d+ \d+\n$/,
  );
  await t.store.deliver("bob", encode("x"), { mailbox: "Work.Course" });
  const [file] = await names(join(folder, "new"));
  assert.match(
    await Deno.readTextFile(join(folder, "toolkit-index")),
    new RegExp(`\\n\\+ 1 2 1 ${t.clock.now()} n ${file.replaceAll(".", "\\.")}\\nd \\d+ \\d+\\n$`),
  );
  assert.equal(
    await Deno.readTextFile(join(t.bob, "toolkit-special-use")),
    "\\Sent Sent\n\\Drafts Drafts\n\\Trash Trash\n\\Junk Junk\n",
  );
});

Deno.test("MaildirStore keeps keywords as Dovecot does: letters named by dovecot-keywords", async () => {
  await using t = await tempStore();
  const uid = await t.store.deliver("bob", encode("x"), { flags: ["$Label1", "\\Seen"] });
  await t.store.setFlags("bob", "INBOX", uid, ["NonJunk", "$label1", "\\Flagged"]);
  assert.equal(await Deno.readTextFile(join(t.bob, "dovecot-keywords")), "0 $Label1\n1 NonJunk\n");
  const [file] = await names(join(t.bob, "cur"));
  assert.match(file, /:2,Fab$/);
  // A file that Dovecot wrote: gaps, a line it would skip, a name that is no IMAP atom.
  await Deno.writeTextFile(
    join(t.bob, "dovecot-keywords"),
    "0 $Label1\n1 NonJunk\nnonsense\n3 $Forwarded\n4 two words\n30 Far\n",
  );
  await Deno.writeTextFile(join(t.bob, "cur", "1600000000.dovecot.host:2,Sdex"), "y");
  const list = await t.store.list("bob", "INBOX");
  assert.deepEqual(list.map((m) => m.flags), [
    ["\\Flagged", "$Label1", "NonJunk"],
    ["\\Seen", "$Forwarded"], // e (a name with a space) and x (no name) stay uninterpreted
  ]);
  assert.deepEqual((await t.store.status("bob", "INBOX")).keywords, [
    "$Label1",
    "NonJunk",
    "$Forwarded",
  ]);
  // A new keyword takes the first free letter that no message carries: c (not e, not x).
  await t.store.setFlags("bob", "INBOX", 2, ["$Forwarded", "Work"]);
  assert.ok((await names(join(t.bob, "cur"))).includes("1600000000.dovecot.host:2,cdex"));
  assert.equal(
    await Deno.readTextFile(join(t.bob, "dovecot-keywords")),
    "0 $Label1\n1 NonJunk\n2 Work\n3 $Forwarded\n4 two words\n",
  );
});

Deno.test("MaildirStore keeps subscriptions in Dovecot's file, in either version", async () => {
  await using t = await tempStore();
  await t.store.ensureUser("bob");
  await t.store.setSubscribed("bob", "Work.Course", true);
  await t.store.setSubscribed("bob", "INBOX", true);
  assert.equal(await Deno.readTextFile(join(t.bob, "subscriptions")), "Work.Course\nINBOX\n");
  // Dovecot 2.3 writes version 2 (levels apart by tabs); it stays version 2.
  await Deno.writeTextFile(join(t.bob, "subscriptions"), "V\t2\n\nWork\tCourse\nINBOX\n");
  assert.deepEqual(await t.store.subscriptions("bob"), ["INBOX", "Work.Course"]);
  await t.store.setSubscribed("bob", "Sent", true);
  assert.equal(
    await Deno.readTextFile(join(t.bob, "subscriptions")),
    "V\t2\n\nWork\tCourse\nINBOX\nSent\n",
  );
});

Deno.test("MaildirStore makes nothing that others can read", async () => {
  await using t = await tempStore();
  const previous = Deno.umask(0o022);
  try {
    await t.store.ensureUser("bob");
    await t.store.deliver("bob", encode("x"), { flags: ["$Label1"] });
    await t.store.deliver("bob", encode("y"), { mailbox: "Sent" });
    await t.store.setSubscribed("bob", "Sent", true);
    await t.store.summary("bob", { mailbox: "INBOX", uid: 1, kind: "k" }, () => 1);
    await t.store.createMailbox("bob", "Work.Course");
    const loose: string[] = [];
    const walk = async (dir: string) => {
      for await (const entry of Deno.readDir(dir)) {
        const path = join(dir, entry.name);
        const mode = (await Deno.lstat(path)).mode! & 0o777;
        if (mode !== (entry.isDirectory ? 0o700 : 0o600)) loose.push(`${path} ${mode.toString(8)}`);
        if (entry.isDirectory) await walk(path);
      }
    };
    await walk(t.bob);
    assert.deepEqual(loose, []);
  } finally {
    Deno.umask(previous);
  }
});

Deno.test("MaildirStore refuses symbolic links that lead out of the root", async () => {
  await using t = await tempStore();
  const outside = await Deno.makeTempDir({ prefix: "maildir_outside_" });
  try {
    for (const sub of ["tmp", "new", "cur"]) await Deno.mkdir(join(outside, sub));
    await Deno.writeTextFile(join(outside, "secret"), "secret");
    await t.store.ensureUser("bob");
    await Deno.symlink(outside, join(t.bob, ".Evil"));
    await Deno.symlink(outside, join(t.root, "eve"));
    await Deno.symlink(join(outside, "secret"), join(t.bob, "new", "1600000000.link.host"));
    await assert.rejects(t.store.status("bob", "Evil"), InvalidNameError);
    await assert.rejects(
      t.store.deliver("bob", encode("x"), { mailbox: "Evil" }),
      InvalidNameError,
    );
    await assert.rejects(t.store.deliver("eve", encode("x")), InvalidNameError);
    await assert.rejects(t.store.ensureUser("eve"), InvalidNameError);
    await assert.rejects(t.store.renameMailbox("bob", "Evil", "Fine"), NotFoundError);
    assert.ok(!(await t.store.mailboxes("bob")).some((m) => m.name === "Evil"));
    assert.deepEqual(await t.store.list("bob", "INBOX"), []);
    assert.deepEqual(await names(outside), ["cur", "new", "secret", "tmp"]);
    assert.deepEqual(await names(join(outside, "new")), []);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("MaildirStore reads no message through a link, even inside the root", async () => {
  await using t = await tempStore();
  await t.store.deliver("alice", encode("Subject: alice's secret\r\n\r\n"));
  await t.store.deliver("bob", encode("Subject: bob's\r\n\r\n"));
  const [secret] = await names(join(t.root, "alice", "new"));
  const [own] = await names(join(t.bob, "new"));
  // A student links alice's message into bob's Maildir, and bob's own into his cur/.
  await Deno.symlink(
    join(t.root, "alice", "new", secret),
    join(t.bob, "new", "1600000000.sym.host"),
  );
  await Deno.link(join(t.root, "alice", "new", secret), join(t.bob, "cur", "1600000001.hard.host"));
  assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => m.uid), [1]);
  // A link made after the message was indexed is refused at reading.
  await Deno.link(join(t.bob, "new", own), join(t.root, "alice", "copy"));
  await assert.rejects(t.store.read("bob", "INBOX", 1), NotFoundError);
  await Deno.remove(join(t.root, "alice", "copy"));
  await Deno.remove(join(t.bob, "new", own));
  await Deno.symlink(join(t.root, "alice", "new", secret), join(t.bob, "new", own));
  await assert.rejects(t.store.read("bob", "INBOX", 1), NotFoundError);
  await assert.rejects(
    t.store.summary("bob", { mailbox: "INBOX", uid: 1, kind: "k" }, (b) => b),
    NotFoundError,
  );
  // A named pipe in the message's place is refused at once: reading it would wait for a writer.
  await Deno.remove(join(t.bob, "new", own));
  const mkfifo = await new Deno.Command("mkfifo", { args: [join(t.bob, "new", own)] }).output();
  assert.ok(mkfifo.success, "mkfifo failed");
  await assert.rejects(t.store.read("bob", "INBOX", 1), NotFoundError);
  // A mailbox's new/ made a link to another user's is refused too.
  await Deno.remove(join(t.bob, "new"), { recursive: true });
  await Deno.symlink(join(t.root, "alice", "new"), join(t.bob, "new"));
  await assert.rejects(t.store.list("bob", "INBOX"), InvalidNameError);
  await assert.rejects(t.store.deliver("bob", encode("x")), InvalidNameError);
});

Deno.test("MaildirStore shares a folder's turn between two stores on one root", async () => {
  await using t = await tempStore();
  const other = new MaildirStore({ root: t.root, clock: t.clock, fsync: false });
  const uids = await Promise.all(
    Array.from({ length: 20 }, (_, i) => (i % 2 ? t.store : other).deliver("bob", encode(`${i}`))),
  );
  assert.deepEqual(uids.sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal((await t.store.list("bob", "INBOX")).length, 20);
});
