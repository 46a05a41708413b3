// What a crash leaves in a Maildir's tmp/ (a delivery or a rewrite cut short) is removed once it
// is 36 hours old, when a store first opens the folder, as the Maildir spec asks; a newer file
// may be a delivery in progress and stays.
import assert from "node:assert/strict";
import { MaildirStore } from "../../server/store/maildir_store.ts";

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

async function orphan(path: string, hours: number): Promise<void> {
  await Deno.writeTextFile(path, "Subject: cut short\r\n\r\nhal");
  await Deno.utime(path, hoursAgo(hours), hoursAgo(hours));
}

Deno.test("MaildirStore removes tmp/ files older than 36 hours when it opens a folder, and keeps newer ones", async () => {
  const root = await Deno.makeTempDir();
  try {
    const first = new MaildirStore({ root, fsync: false });
    await first.ensureUser("bob");
    await first.createMailbox("bob", "Work");
    const inbox = `${root}/bob`;
    await orphan(`${inbox}/tmp/1700000000.M1P1.crepes`, 40);
    await orphan(`${inbox}/tmp/toolkit.4f1c`, 37);
    await orphan(`${inbox}/tmp/1700000000.M2P1.crepes`, 1);
    await orphan(`${inbox}/tmp/1700000000.M3P1.crepes`, 35);
    await Deno.mkdir(`${inbox}/tmp/a-directory`);
    await Deno.utime(`${inbox}/tmp/a-directory`, hoursAgo(100), hoursAgo(100));
    await orphan(`${inbox}/.Work/tmp/1700000000.M4P1.crepes`, 48);

    const store = new MaildirStore({ root, fsync: false }); // a restart
    assert.deepEqual(await store.list("bob", "INBOX"), []);
    assert.deepEqual(names(`${inbox}/tmp`), [
      "1700000000.M2P1.crepes",
      "1700000000.M3P1.crepes",
      "a-directory",
    ]);
    assert.deepEqual(names(`${inbox}/.Work/tmp`), ["1700000000.M4P1.crepes"], "not opened yet");
    await store.status("bob", "Work");
    assert.deepEqual(names(`${inbox}/.Work/tmp`), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("MaildirStore leaves a link in tmp/ pointing elsewhere alone but for the link itself", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await new MaildirStore({ root, fsync: false }).ensureUser("bob");
    await Deno.writeTextFile(`${outside}/precious`, "keep me");
    await Deno.utime(`${outside}/precious`, hoursAgo(100), hoursAgo(100));
    await Deno.symlink(`${outside}/precious`, `${root}/bob/tmp/link`);
    await new MaildirStore({ root, fsync: false }).list("bob", "INBOX");
    assert.equal(await Deno.readTextFile(`${outside}/precious`), "keep me");
    assert.deepEqual(names(`${root}/bob/tmp`), ["link"], "a fresh link is not old");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("MaildirStore delivers a message with an old internal date without it looking orphaned in tmp/", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root, fsync: false });
    const internalDate = hoursAgo(24 * 365).getTime();
    const uid = await store.deliver("bob", new TextEncoder().encode("Subject: old\r\n\r\n"), {
      internalDate,
    });
    const [name] = names(`${root}/bob/new`);
    const stat = Deno.lstatSync(`${root}/bob/new/${name}`);
    assert.equal(stat.mtime?.getTime(), internalDate, "the internal date is the file's mtime");
    assert.ok(Date.now() - stat.atime!.getTime() < 3600_000, "written now, as its atime says");
    assert.deepEqual((await store.list("bob", "INBOX")).map((m) => m.internalDate), [internalDate]);
    assert.equal(uid, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
