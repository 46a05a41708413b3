// A Maildir store on a disk that fills up (a small tmpfs of the test's own): a delivery that
// finds no room is refused with StorageFullError and leaves nothing behind, whichever write
// failed (the message in tmp/, or its record in the index after the rename into new/); a store
// opened on the full disk still lists, reads, flags, expunges and deletes, so that a user can log
// in and make room; and the SMTP server answers 452 4.3.1, so the sender retries later.
import assert from "node:assert/strict";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { formatReply } from "../../protocol/smtp/reply.ts";
import { SmtpServer } from "../../server/smtp/server.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";
import { StorageFullError } from "../../server/store/store.ts";
import { RawSmtp } from "../_raw.ts";
import { fillIndexTo } from "./_index.ts";
import { FullDisk, PAGE, tmpfsTest } from "./_tmpfs.ts";

const message = (n: number) => new TextEncoder().encode(`Subject: ${n}\r\n\r\nMessage ${n}\r\n`);
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
const uids = async (store: MaildirStore, mailbox = "INBOX") =>
  (await store.list("bob", mailbox)).map((m) => m.uid);

tmpfsTest(
  "MaildirStore refuses a delivery on a full disk with StorageFullError and keeps nothing of it",
  async (disk) => {
    const root = `${disk}/mail`;
    const store = new MaildirStore({ root });
    await store.ensureUser("bob");
    for (let n = 1; n <= 3; n++) await store.deliver("bob", message(n));
    const before = { new: names(`${root}/bob/new`), tmp: names(`${root}/bob/tmp`) };
    const full = FullDisk.fill(disk);

    const big = new TextEncoder().encode(`Subject: big\r\n\r\n${"x".repeat(20_000)}\r\n`);
    await assert.rejects(store.deliver("bob", big), StorageFullError);
    await assert.rejects(store.deliver("bob", message(4)), StorageFullError);
    assert.deepEqual(names(`${root}/bob/new`), before.new, "nothing left in new/");
    assert.deepEqual(names(`${root}/bob/tmp`), before.tmp, "nothing left in tmp/");
    assert.deepEqual(await uids(store), [1, 2, 3]);

    full.free();
    assert.equal(await store.deliver("bob", message(4)), 4);
    assert.deepEqual(await uids(new MaildirStore({ root })), [1, 2, 3, 4]);
  },
);

tmpfsTest(
  "MaildirStore takes a delivery back out of new/ when its index record finds no room",
  async (disk) => {
    const root = `${disk}/mail`;
    const store = new MaildirStore({ root });
    await store.ensureUser("bob");
    for (let n = 1; n <= 3; n++) await store.deliver("bob", message(n));
    const inbox = `${root}/bob`;
    const newBefore = names(`${inbox}/new`);
    fillIndexTo(inbox, PAGE); // the index's next record needs a page of its own
    const index = Deno.readFileSync(`${inbox}/toolkit-index`);
    const full = FullDisk.fill(disk);
    full.freePage(); // room for the message's file, none for its record

    await assert.rejects(store.deliver("bob", message(4)), StorageFullError);
    assert.deepEqual(names(`${inbox}/new`), newBefore, "the renamed file is taken back out");
    assert.deepEqual(names(`${inbox}/tmp`), []);
    assert.deepEqual(Deno.readFileSync(`${inbox}/toolkit-index`), index, "no half record left");
    assert.deepEqual(await uids(store), [1, 2, 3]);
    assert.deepEqual(await uids(new MaildirStore({ root })), [1, 2, 3]);

    full.free();
    const uid = await store.deliver("bob", message(4));
    assert.ok(uid >= 4, `UID ${uid} after the refused one`);
    const again = new MaildirStore({ root });
    assert.deepEqual(await uids(again), [1, 2, 3, uid]);
    assert.equal(
      new TextDecoder().decode(await again.read("bob", "INBOX", uid)),
      "Subject: 4\r\n\r\nMessage 4\r\n",
    );
  },
);

tmpfsTest(
  "MaildirStore opened on a full disk logs in, lists, reads, flags, expunges and deletes",
  async (disk) => {
    const root = `${disk}/mail`;
    const first = new MaildirStore({ root });
    await first.ensureUser("bob");
    for (let n = 1; n <= 3; n++) await first.deliver("bob", message(n));
    await first.deleteMailbox("bob", "Junk"); // so that logging in wants to make it again
    const { uidValidity } = await first.status("bob", "INBOX");
    fillIndexTo(`${root}/bob`, PAGE); // any record appended to the index needs a page
    const full = FullDisk.fill(disk);

    const store = new MaildirStore({ root }); // a restart
    await store.ensureUser("bob"); // what IMAP LOGIN does
    assert.deepEqual((await store.mailboxes("bob")).map((m) => m.name), [
      "INBOX",
      "Drafts",
      "Sent",
      "Trash",
    ]);
    assert.deepEqual(await uids(store), [1, 2, 3]);
    assert.equal(
      new TextDecoder().decode(await store.read("bob", "INBOX", 2)),
      "Subject: 2\r\n\r\nMessage 2\r\n",
    );
    const where = { mailbox: "INBOX", uid: 2, kind: "size" };
    assert.equal(await store.summary("bob", where, (bytes) => bytes.length), 25);
    await store.claimRecent("bob", "INBOX"); // what SELECT does
    const indexSize = Deno.lstatSync(`${root}/bob/toolkit-index`).size;
    await store.setFlags("bob", "INBOX", 1, ["\\Seen"]);
    assert.equal(Deno.lstatSync(`${root}/bob/toolkit-index`).size, indexSize, "its record waits");
    await assert.rejects(store.createMailbox("bob", "Work"), StorageFullError);
    assert.ok(!names(`${root}/bob`).includes(".Work"), "no half-made mailbox");
    await store.expunge("bob", "INBOX", [2]);
    await store.deleteMailbox("bob", "Drafts");
    const listed = await store.list("bob", "INBOX");
    assert.deepEqual(listed.map((m) => [m.uid, m.flags]), [[1, ["\\Seen"]], [3, []]]);

    full.free();
    assert.equal(await store.deliver("bob", message(4)), 4);
    const after = new MaildirStore({ root });
    const status = await after.status("bob", "INBOX");
    assert.equal(status.uidValidity, uidValidity, "the same mailbox, UIDs kept");
    const again = await after.list("bob", "INBOX");
    assert.deepEqual(again.map((m) => [m.uid, m.flags]), [[1, ["\\Seen"]], [3, []], [4, []]]);
    await after.ensureUser("bob");
    assert.ok(
      (await after.mailboxes("bob")).some((m) => m.name === "Junk"),
      "made once there is room",
    );
  },
);

tmpfsTest(
  "SmtpServer answers 452 4.3.1 when the mailbox store finds the disk full",
  async (disk) => {
    const store = new MaildirStore({ root: `${disk}/mail` });
    await store.ensureUser("bob");
    await using server = new SmtpServer({
      domain: "hamburger.edu",
      handler: {
        async data(envelope, bytes) {
          for (const _ of envelope.to) await store.deliver("bob", bytes);
        },
      },
    });
    const full = FullDisk.fill(disk);
    const raw = await RawSmtp.connect(server.port);
    try {
      await raw.reply();
      await raw.command("EHLO crepes.fr");
      await raw.command("MAIL FROM:<alice@crepes.fr>");
      await raw.command("RCPT TO:<bob@hamburger.edu>");
      assert.equal(await raw.command("DATA"), 354);
      await raw.write(`Subject: hi\r\n\r\n${`${"x".repeat(70)}\r\n`.repeat(200)}.\r\n`);
      const wire = formatReply(REPLY.InsufficientStorage, true).trimEnd().split("\r\n");
      assert.deepEqual(await raw.reply(), wire);
      assert.deepEqual(wire, ["452 4.3.1 Insufficient system storage; try again later"]);
      full.free();
      await raw.command("MAIL FROM:<alice@crepes.fr>");
      await raw.command("RCPT TO:<bob@hamburger.edu>");
      await raw.command("DATA");
      await raw.write("Subject: hi\r\n\r\nhi\r\n.\r\n");
      assert.equal(await raw.code(), 250);
      assert.equal((await store.list("bob", "INBOX")).length, 1);
    } finally {
      raw.close();
    }
  },
);
