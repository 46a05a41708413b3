// The Maildir store's UID list (each folder's toolkit-index) is not rewritten whole per delivery:
// a delivery appends its record, the file is compacted (rewritten as a snapshot) only once the
// log has grown as long as the folder has messages, and a record that a crash cut short at the
// end is dropped when the file is read again, without losing the records before it.
import assert from "node:assert/strict";
import { MaildirStore } from "../../server/store/maildir_store.ts";

const message = (n: number) => new TextEncoder().encode(`Subject: ${n}\r\n\r\nMessage ${n}\r\n`);

Deno.test("MaildirStore appends one record per delivery to the index and compacts it only now and then", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root, fsync: false });
    await store.ensureUser("bob");
    const path = `${root}/bob/toolkit-index`;
    const sizes: number[] = [];
    const inodes = new Set<number>();
    for (let n = 1; n <= 1200; n++) {
      await store.deliver("bob", message(n));
      const stat = Deno.lstatSync(path);
      sizes.push(stat.size);
      inodes.add(stat.ino!);
    }
    // Each delivery adds a short record (its UID, name, size, date, and the folder's times).
    const growth = sizes.slice(1).map((size, i) => size - sizes[i]);
    const appended = growth.filter((g) => g > 0 && g < 200);
    assert.ok(appended.length >= 1195, `${appended.length} of 1199 deliveries appended`);
    // A rewrite is rare: here once the log passed 1000 records (some 500 deliveries), then again
    // when it had grown as long as the folder again.
    assert.ok(inodes.size <= 4, `${inodes.size} versions of the file for 1200 deliveries`);
    const bytesWritten = appended.reduce((a, b) => a + b, 0);
    assert.ok(bytesWritten < 1200 * 200, "what a delivery writes does not grow with the mailbox");

    const again = new MaildirStore({ root, fsync: false });
    const listed = await again.list("bob", "INBOX");
    assert.equal(listed.length, 1200);
    assert.deepEqual([listed[0].uid, listed.at(-1)!.uid], [1, 1200]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("MaildirStore reads an index whose last record a crash cut short, and appends after it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root, fsync: false });
    for (let n = 1; n <= 3; n++) await store.deliver("bob", message(n));
    const path = `${root}/bob/toolkit-index`;
    const whole = await Deno.readTextFile(path);
    const { uidValidity } = await store.status("bob", "INBOX");
    // A fourth record, half written: its line has no end.
    await Deno.writeTextFile(path, "+ 4 6 25 1796138619962 n 1796138619.M96", { append: true });

    const again = new MaildirStore({ root, fsync: false });
    assert.deepEqual((await again.list("bob", "INBOX")).map((m) => m.uid), [1, 2, 3]);
    assert.equal(await Deno.readTextFile(path), whole, "cut back to the last whole record");
    assert.equal(await again.deliver("bob", message(4)), 4);
    const third = new MaildirStore({ root, fsync: false });
    const status = await third.status("bob", "INBOX");
    assert.equal(status.uidValidity, uidValidity, "the same mailbox, not rebuilt");
    assert.deepEqual((await third.list("bob", "INBOX")).map((m) => m.uid), [1, 2, 3, 4]);
    assert.ok(!Deno.readDirSync(`${root}/bob`).some((e) => e.name.endsWith(".damaged")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
