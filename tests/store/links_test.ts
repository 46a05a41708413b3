// Links placed inside a Maildir store's root are never followed: a message file that is a
// symbolic link or has a second hard link, and a folder that is a symbolic link, are not listed
// and not read; the store's own files (index, cache, keywords, subscriptions, special use) are
// not read or written through a link either, so nothing outside the root is ever read or changed.
import assert from "node:assert/strict";
import { MaildirStore } from "../../server/store/maildir_store.ts";
import { InvalidNameError, NotFoundError } from "../../server/store/store.ts";

const SECRET = "Subject: secret\r\n\r\nroot:$6$not-for-the-store\r\n";
const bytes = (text: string) => new TextEncoder().encode(text);

/** A store with bob's INBOX holding one message, and a folder outside the root. */
async function setUp(): Promise<{ root: string; outside: string; store: MaildirStore }> {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  await Deno.writeTextFile(`${outside}/secret`, SECRET);
  const store = new MaildirStore({ root, fsync: false });
  await store.ensureUser("bob");
  await store.deliver("bob", bytes("Subject: mine\r\n\r\nhi\r\n"));
  return { root, outside, store };
}

async function tearDown(...dirs: string[]): Promise<void> {
  for (const dir of dirs) await Deno.remove(dir, { recursive: true });
}

Deno.test("MaildirStore neither lists nor reads a message file in cur/ that is a symbolic link out of the root", async () => {
  const { root, outside, store } = await setUp();
  try {
    await Deno.symlink(`${outside}/secret`, `${root}/bob/cur/1700000000.M1P1.evil:2,S`);
    await Deno.symlink(`${outside}/secret`, `${root}/bob/new/1700000001.M1P1.evil`);
    const again = new MaildirStore({ root, fsync: false });
    for (const s of [store, again]) {
      assert.deepEqual((await s.list("bob", "INBOX")).map((m) => m.uid), [1]);
      await assert.rejects(s.read("bob", "INBOX", 2), NotFoundError);
    }
  } finally {
    await tearDown(root, outside);
  }
});

Deno.test("MaildirStore neither lists nor reads a message file with a second hard link", async () => {
  const { root, outside, store } = await setUp();
  try {
    // A hard link needs the same file system: the "outside" file sits beside the root.
    const beside = `${root}-secret`;
    await Deno.writeTextFile(beside, SECRET);
    await Deno.link(beside, `${root}/bob/cur/1700000000.M1P1.evil:2,S`);
    assert.deepEqual((await store.list("bob", "INBOX")).map((m) => m.uid), [1]);
    // A known message's file replaced by a hard link: refused when read.
    const [mine] = [...Deno.readDirSync(`${root}/bob/new`)].map((e) => e.name);
    await Deno.remove(`${root}/bob/new/${mine}`);
    await Deno.link(beside, `${root}/bob/new/${mine}`);
    await assert.rejects(store.read("bob", "INBOX", 1), NotFoundError);
    const where = { mailbox: "INBOX", uid: 1, kind: "text" };
    await assert.rejects(
      store.summary("bob", where, (b) => new TextDecoder().decode(b)),
      NotFoundError,
    );
    await Deno.remove(beside);
  } finally {
    await tearDown(root, outside);
  }
});

Deno.test("MaildirStore refuses a mailbox folder that is a symbolic link and does not list it", async () => {
  const { root, outside, store } = await setUp();
  try {
    // A whole Maildir outside the root, with a message in it.
    for (const sub of ["tmp", "new", "cur"]) {
      await Deno.mkdir(`${outside}/maildir/${sub}`, { recursive: true });
    }
    await Deno.writeTextFile(`${outside}/maildir/new/1700000000.M1P1.evil`, SECRET);
    await Deno.symlink(`${outside}/maildir`, `${root}/bob/.Evil`);
    assert.ok(!(await store.mailboxes("bob")).some((m) => m.name === "Evil"));
    await assert.rejects(store.list("bob", "Evil"), InvalidNameError);
    await assert.rejects(store.read("bob", "Evil", 1), InvalidNameError);
    await assert.rejects(store.deliver("bob", bytes("x"), { mailbox: "Evil" }), InvalidNameError);
    assert.deepEqual([...Deno.readDirSync(`${outside}/maildir/new`)].length, 1);
    // A cur/ that is a link is refused the same way.
    await Deno.remove(`${root}/bob/cur`, { recursive: true });
    await Deno.symlink(`${outside}/maildir/cur`, `${root}/bob/cur`);
    await assert.rejects(new MaildirStore({ root }).list("bob", "INBOX"), InvalidNameError);
  } finally {
    await tearDown(root, outside);
  }
});

Deno.test("MaildirStore reads no subscriptions, special use or keywords through a link out of the root", async () => {
  const { root, outside, store } = await setUp();
  try {
    await Deno.writeTextFile(`${outside}/names`, "Stolen\nAlso.Stolen\n");
    await Deno.writeTextFile(`${outside}/uses`, "\\Sent INBOX.Stolen\n\\Trash Stolen\n");
    await Deno.writeTextFile(`${outside}/keywords`, "0 Stolen\n");
    await Deno.remove(`${root}/bob/toolkit-special-use`);
    await Deno.symlink(`${outside}/names`, `${root}/bob/subscriptions`);
    await Deno.symlink(`${outside}/uses`, `${root}/bob/toolkit-special-use`);
    await Deno.symlink(`${outside}/keywords`, `${root}/bob/dovecot-keywords`);
    const [mine] = [...Deno.readDirSync(`${root}/bob/new`)].map((e) => e.name);
    await Deno.rename(`${root}/bob/new/${mine}`, `${root}/bob/cur/${mine}:2,a`); // keyword "a"
    const again = new MaildirStore({ root, fsync: false });
    assert.deepEqual(await again.subscriptions("bob"), []);
    assert.ok((await again.mailboxes("bob")).every((m) => m.specialUse === undefined));
    assert.deepEqual((await again.list("bob", "INBOX")).map((m) => m.flags), [[]]);
    // Writing replaces the link itself: the file outside stays as it was.
    await again.setSubscribed("bob", "INBOX", true);
    await again.setFlags("bob", "INBOX", 1, ["$Done"]);
    assert.equal(await Deno.readTextFile(`${outside}/names`), "Stolen\nAlso.Stolen\n");
    assert.equal(await Deno.readTextFile(`${outside}/keywords`), "0 Stolen\n");
    assert.equal(Deno.lstatSync(`${root}/bob/subscriptions`).isFile, true);
    assert.deepEqual(await store.subscriptions("bob"), ["INBOX"]);
  } finally {
    await tearDown(root, outside);
  }
});

Deno.test("MaildirStore neither follows nor appends to an index or cache that is a link out of the root", async () => {
  const { root, outside, store } = await setUp();
  try {
    // Another user's index, linked in: its UIDs must not become bob's, nor bob's records its.
    await store.deliver("alice", bytes("Subject: a1\r\n\r\n"));
    await store.deliver("alice", bytes("Subject: a2\r\n\r\n"));
    const alices = await Deno.readTextFile(`${root}/alice/toolkit-index`);
    await Deno.remove(`${root}/bob/toolkit-index`);
    await Deno.symlink(`${root}/alice/toolkit-index`, `${root}/bob/toolkit-index`);
    await Deno.writeTextFile(`${outside}/cache`, "");
    await Deno.symlink(`${outside}/cache`, `${root}/bob/toolkit-cache`);

    const again = new MaildirStore({ root, fsync: false });
    assert.deepEqual((await again.list("bob", "INBOX")).map((m) => m.uid), [1]);
    await again.deliver("bob", bytes("Subject: two\r\n\r\n"));
    await again.setFlags("bob", "INBOX", 1, ["\\Seen"]);
    const where = { mailbox: "INBOX", uid: 1, kind: "size" };
    assert.equal(await again.summary("bob", where, (b) => b.length), 21);
    assert.equal(await Deno.readTextFile(`${root}/alice/toolkit-index`), alices);
    assert.equal(await Deno.readTextFile(`${outside}/cache`), "");
    assert.equal(Deno.lstatSync(`${root}/bob/toolkit-index`).isFile, true, "replaced by its own");
    assert.deepEqual((await store.list("alice", "INBOX")).map((m) => m.uid), [1, 2]);
  } finally {
    await tearDown(root, outside);
  }
});
