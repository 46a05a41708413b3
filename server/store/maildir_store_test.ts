import { toolTest } from "../../tests/_tools.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../protocol/clock.ts";
import { MaildirStore } from "./maildir_store.ts";
import { InvalidNameError } from "./store.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const names = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();

/** A store in a fresh temporary root, removed at the end of the test. */
async function tempStore(clock = new ManualClock()) {
  const root = await Deno.makeTempDir({ prefix: "maildir_store_test_" });
  return {
    root,
    clock,
    store: new MaildirStore({ root, clock }),
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

Deno.test("MaildirStore keeps UIDs and UIDVALIDITY when reopened", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`Subject: ${n}\r\n\r\n`));
  await t.store.createMailbox("bob", "Work");
  await t.store.deliver("bob", encode("work"), { mailbox: "Work" });
  await t.store.setFlags("bob", "INBOX", 2, ["\\Seen", "\\Flagged"]);
  await t.store.expunge("bob", "INBOX", [1]);
  const before = {
    inbox: await t.store.status("bob", "INBOX"),
    work: await t.store.status("bob", "Work"),
    list: await t.store.list("bob", "INBOX"),
  };
  t.clock.advance(3_600_000);
  const again = new MaildirStore({ root: t.root, clock: t.clock, fsync: false });
  assert.deepEqual(await again.status("bob", "INBOX"), before.inbox);
  assert.deepEqual(await again.status("bob", "Work"), before.work);
  assert.deepEqual(await again.list("bob", "INBOX"), before.list);
  assert.deepEqual(await again.read("bob", "INBOX", 3), encode("Subject: 3\r\n\r\n"));
  assert.equal(await again.deliver("bob", encode("next")), 4);
  assert.deepEqual(await again.mailboxes("bob"), ["INBOX", "Work"]);
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
  assert.deepEqual(await t.store.list("bob", "INBOX"), [
    { uid: 1, flags: [], size: 4, internalDate: t.clock.now() },
    { uid: 2, flags: [], size: 6, internalDate: 1_600_000_000_000 },
    { uid: 3, flags: ["\\Seen", "\\Answered"], size: 16, internalDate: 1_650_000_000_000 },
    { uid: 4, flags: [], size: 6, internalDate: 1_700_000_000_000 },
  ]);
  assert.deepEqual(await t.store.read("bob", "INBOX", 2), encode("oldest"));
  assert.equal(await t.store.deliver("bob", encode("after")), 5);
});

Deno.test("MaildirStore drops a file deleted from outside and never reuses its UID", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`${n}`));
  const [, second] = await names(join(t.bob, "new"));
  await Deno.remove(join(t.bob, "new", second));
  assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => m.uid), [1, 3]);
  const status = await t.store.status("bob", "INBOX");
  assert.deepEqual([status.messages, status.uidNext], [2, 4]);
  assert.ok(!(await Deno.readTextFile(join(t.bob, "toolkit-uidlist"))).includes(second));
  assert.equal(await t.store.deliver("bob", encode("4")), 4);
});

Deno.test("MaildirStore rebuilds a corrupt or lost UID list under a new UIDVALIDITY", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`${n}`));
  await t.store.expunge("bob", "INBOX", [1]);
  const uidlist = join(t.bob, "toolkit-uidlist");
  const first = await t.store.status("bob", "INBOX");
  const text = await Deno.readTextFile(uidlist);
  // The clock stands still: a new UIDVALIDITY must differ even within the same second.
  for (const damage of ["garbage\n", text.slice(0, -1), text.replace("N4", "N3"), undefined]) {
    const previous = await t.store.status("bob", "INBOX");
    if (damage === undefined) await Deno.remove(uidlist);
    else await Deno.writeTextFile(uidlist, damage);
    const status = await t.store.status("bob", "INBOX");
    assert.ok(status.uidValidity > previous.uidValidity, `after ${JSON.stringify(damage)}`);
    assert.deepEqual([status.messages, status.uidNext], [2, 3]);
  }
  assert.ok(first.uidValidity < (await t.store.status("bob", "INBOX")).uidValidity);
  assert.deepEqual(await t.store.read("bob", "INBOX", 1), encode("2"));
});

Deno.test("MaildirStore follows a message that another program renamed", async () => {
  await using t = await tempStore();
  const uid = await t.store.deliver("bob", encode("x"));
  assert.deepEqual(await t.store.read("bob", "INBOX", uid), encode("x"));
  const [base] = await names(join(t.bob, "new"));
  await Deno.rename(join(t.bob, "new", base), join(t.bob, "cur", `${base}:2,S`)); // mutt read it
  assert.deepEqual(await t.store.read("bob", "INBOX", uid), encode("x"));
  await Deno.rename(join(t.bob, "cur", `${base}:2,S`), join(t.bob, "cur", `${base}:2,RS`));
  await t.store.setFlags("bob", "INBOX", uid, ["\\Seen", "\\Flagged"]);
  assert.deepEqual(await names(join(t.bob, "cur")), [`${base}:2,FS`]);
  assert.deepEqual((await t.store.list("bob", "INBOX"))[0].flags, ["\\Seen", "\\Flagged"]);
});

Deno.test("MaildirStore forgets remembered UIDs when the UID list is rebuilt", async () => {
  await using t = await tempStore();
  for (const n of [1, 2, 3]) await t.store.deliver("bob", encode(`${n}`));
  assert.deepEqual(await t.store.read("bob", "INBOX", 2), encode("2"));
  // Another store rebuilds the list with an older message in front: every UID now means another.
  await Deno.remove(join(t.bob, "toolkit-uidlist"));
  await Deno.writeTextFile(join(t.bob, "new", "1000000000.older.host"), "0");
  const other = new MaildirStore({ root: t.root, clock: t.clock });
  assert.deepEqual((await other.list("bob", "INBOX")).map((m) => m.uid), [1, 2, 3, 4]);
  assert.deepEqual(await t.store.read("bob", "INBOX", 2), encode("1"));
  await t.store.setFlags("bob", "INBOX", 1, ["\\Seen"]);
  assert.deepEqual((await other.list("bob", "INBOX")).map((m) => m.flags.length), [1, 0, 0, 0]);
  assert.equal(await t.store.deliver("bob", encode("4")), 5);
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
    ".Work.Course",
    "cur",
    "new",
    "tmp",
    "toolkit-uidlist",
    "toolkit-uidvalidity",
  ]);
  const folder = join(t.bob, ".Work.Course");
  assert.deepEqual(await names(folder), ["cur", "maildirfolder", "new", "tmp", "toolkit-uidlist"]);
  assert.match(await Deno.readTextFile(join(folder, "toolkit-uidlist")), /^1 V\d+ N1\n$/);
  await t.store.deliver("bob", encode("x"), { mailbox: "Work.Course" });
  assert.match(
    await Deno.readTextFile(join(folder, "toolkit-uidlist")),
    /^1 V\d+ N2\n1 \d+\.\S+\n$/,
  );
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
    assert.deepEqual(await t.store.mailboxes("bob"), ["INBOX"]);
    assert.deepEqual(await t.store.list("bob", "INBOX"), []);
    assert.deepEqual(await names(outside), ["cur", "new", "secret", "tmp"]);
    assert.deepEqual(await names(join(outside, "new")), []);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("MaildirStore shares a folder's turn between two stores on one root", async () => {
  await using t = await tempStore();
  const other = new MaildirStore({ root: t.root, clock: t.clock });
  const uids = await Promise.all(
    Array.from({ length: 20 }, (_, i) => (i % 2 ? t.store : other).deliver("bob", encode(`${i}`))),
  );
  assert.deepEqual(uids.sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal((await t.store.list("bob", "INBOX")).length, 20);
});

toolTest(
  "MaildirStore writes Maildirs that neomutt reads and flags",
  ["neomutt", "script"],
  async () => {
    {
      await using t = await tempStore(new ManualClock(Date.now()));
      await t.store.deliver("bob", encode("Subject: first\r\n\r\nHello\r\n"));
      await t.store.deliver("bob", encode("Subject: second\r\n\r\nAgain\r\n"), {
        flags: ["\\Seen"],
      });
      const out = join(t.root, "piped");
      // neomutt wants a terminal; script(1) gives it one. The pushed keys pipe every message to a
      // file, flag every message, write the flags back and leave. Setting folder and spoolfile
      // spares the question whether to create ~/Mail (its answer would eat pushed keys), and
      // sleep_time=0 the second-long pauses after each message on the status line.
      const rc = join(t.root, "neomuttrc");
      await Deno.writeTextFile(
        rc,
        `set folder=${t.root} spoolfile=${t.bob} mbox_type=Maildir sleep_time=0 wait_key=no quit=yes
set pipe_split=yes pipe_decode=no mark_old=no move=no
push "<tag-pattern>~A<enter><tag-prefix><pipe-message>cat >> ${out}<enter><tag-prefix><flag-message><sync-mailbox><exit>"
`,
      );
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 10_000);
      const result = await new Deno.Command("/usr/bin/script", {
        args: ["-qec", `neomutt -n -F ${rc} -f ${t.bob}`, "/dev/null"],
        env: { TERM: "xterm", HOME: t.root },
        stdin: "null",
        stdout: "null",
        stderr: "null",
        signal: abort.signal,
      }).output().finally(() => clearTimeout(timer));
      assert.equal(result.code, 0);
      const piped = await Deno.readTextFile(out);
      assert.match(piped, /Subject: first/);
      assert.match(piped, /Subject: second/);
      assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => [m.uid, m.flags]), [
        [1, ["\\Flagged"]],
        [2, ["\\Seen", "\\Flagged"]],
      ]);
    }
  },
);
