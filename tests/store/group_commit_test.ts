// Deliveries that arrive together share one commit (server/store/group_commit.ts): each still
// gets its own UID and its own answer, and what one of them does wrong is its own failure.
import assert from "node:assert/strict";
import { MaildirStore } from "../../server/store/maildir_store.ts";
import { InvalidNameError, MAX_KEYWORDS } from "../../server/store/store.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const message = (n: number) => encoder.encode(`Subject: Message ${n}\r\n\r\nNumber ${n}\r\n`);

Deno.test("twenty deliveries at once get twenty UIDs, each its own message, all on disk", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root });
    await store.ensureUser("bob");
    const uids = await Promise.all(
      Array.from({ length: 20 }, (_, n) => store.deliver("bob", message(n))),
    );
    assert.deepEqual([...uids].sort((a, b) => a - b), Array.from({ length: 20 }, (_, n) => n + 1));
    for (const [n, uid] of uids.entries()) {
      assert.equal(
        decoder.decode(await store.read("bob", "INBOX", uid)),
        decoder.decode(message(n)),
      );
    }
    // A second store on the same folder (the lab restarted) reads the same UIDs from the index.
    const again = new MaildirStore({ root });
    const listed = await again.list("bob", "INBOX");
    assert.deepEqual(listed.map((m) => m.uid), Array.from({ length: 20 }, (_, n) => n + 1));
    const next = await again.deliver("bob", message(20));
    assert.equal(next, 21);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a delivery whose keywords do not fit fails alone; the others in its group are stored", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root });
    await store.ensureUser("bob");
    const tooMany = Array.from({ length: MAX_KEYWORDS + 1 }, (_, n) => `Label${n}`);
    const results = await Promise.allSettled([
      store.deliver("bob", message(0)),
      store.deliver("bob", message(1), { flags: tooMany }),
      store.deliver("bob", message(2), { flags: ["\\Seen"] }),
      store.deliver("bob", message(3)),
    ]);
    assert.deepEqual(results.map((r) => r.status), [
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    assert.ok((results[1] as PromiseRejectedResult).reason instanceof InvalidNameError);
    const listed = await store.list("bob", "INBOX");
    const subjects = await Promise.all(
      listed.map(async (m) =>
        decoder.decode(await store.read("bob", "INBOX", m.uid)).split("\r\n")[0]
      ),
    );
    assert.deepEqual(subjects.sort(), [
      "Subject: Message 0",
      "Subject: Message 2",
      "Subject: Message 3",
    ]);
    assert.deepEqual(listed.find((m) => m.flags.includes("\\Seen")) !== undefined, true);
    // Nothing of the failed group is left behind in tmp/ or new/ beyond the three messages.
    const inbox = `${root}/bob`;
    assert.equal([...Deno.readDirSync(`${inbox}/tmp`)].length, 0);
    const files = [...Deno.readDirSync(`${inbox}/new`)].length +
      [...Deno.readDirSync(`${inbox}/cur`)].length;
    assert.equal(files, 3);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

// A crash after a delivery's wait for the disk but before its rename leaves a recorded file in
// tmp/. Simulated here by putting the files back into tmp/ as the crash would have left them.
Deno.test("after a crash between the wait and the rename, the next start puts a whole message into place and drops a partial one", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root });
    await store.ensureUser("bob");
    const whole = await store.deliver("bob", message(1));
    const partial = await store.deliver("bob", message(2));
    const inbox = `${root}/bob`;
    const [first, second] = [...Deno.readDirSync(`${inbox}/new`)].map((e) => e.name)
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    Deno.renameSync(`${inbox}/new/${first}`, `${inbox}/tmp/${first}`);
    Deno.renameSync(`${inbox}/new/${second}`, `${inbox}/tmp/${second}`);
    await Deno.truncate(`${inbox}/tmp/${second}`, 5); // its bytes never reached the disk whole
    const restarted = new MaildirStore({ root });
    const listed = await restarted.list("bob", "INBOX");
    assert.deepEqual(listed.map((m) => m.uid), [whole], "the whole one keeps its UID");
    assert.equal(
      decoder.decode(await restarted.read("bob", "INBOX", whole)),
      decoder.decode(message(1)),
    );
    assert.ok(!listed.some((m) => m.uid === partial));
    assert.deepEqual([...Deno.readDirSync(`${inbox}/new`)].map((e) => e.name), [first]);
    // The next delivery gets a new UID: the dropped one is never handed out again.
    assert.equal(await restarted.deliver("bob", message(3)), partial + 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
