// Mail is readable by its owner only: every file the Maildir store and the queue's disk spool
// make is 0600 and every folder 0700, whatever the umask (the mode is given when each is made).
import assert from "node:assert/strict";
import { join } from "node:path";
import { DiskSpool } from "../../server/queue/disk_spool.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";

/** Every path under a folder (the folder included) with its permission bits, as octal text. */
function modes(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (path: string, name: string) => {
    const stat = Deno.lstatSync(path);
    found.set(name, (stat.mode! & 0o777).toString(8));
    if (!stat.isDirectory) return;
    for (const entry of Deno.readDirSync(path)) {
      walk(join(path, entry.name), name === "." ? entry.name : `${name}/${entry.name}`);
    }
  };
  walk(dir, ".");
  return found;
}

Deno.test("MaildirStore makes its folders 0700 and its files 0600: messages, index, cache, keywords", async () => {
  const parent = await Deno.makeTempDir();
  const root = join(parent, "mail", "domain"); // made by the store, parents too
  try {
    const store = new MaildirStore({ root });
    await store.ensureUser("bob");
    const uid = await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\nhi\r\n"));
    await store.deliver("bob", new TextEncoder().encode("Subject: b\r\n\r\n"), {
      flags: ["$Done"],
    });
    await store.setFlags("bob", "INBOX", uid, ["\\Seen", "$Label1"]);
    await store.summary("bob", { mailbox: "INBOX", uid, kind: "size" }, (b) => b.length);
    await store.createMailbox("bob", "Work.Course");
    await store.setSubscribed("bob", "Work.Course", true);
    await store.copy("bob", "INBOX", [uid], "Work.Course");

    const found = modes(join(parent, "mail"));
    for (
      const name of [
        "domain/bob/toolkit-index",
        "domain/bob/toolkit-cache",
        "domain/bob/dovecot-keywords",
        "domain/bob/subscriptions",
        "domain/bob/toolkit-uidvalidity",
        "domain/bob/toolkit-special-use",
        "domain/bob/.Work.Course/maildirfolder",
      ]
    ) {
      assert.equal(found.get(name), "600", name);
    }
    for (
      const name of [
        ".",
        "domain",
        "domain/bob",
        "domain/bob/tmp",
        "domain/bob/new",
        "domain/bob/cur",
        "domain/bob/.Work.Course",
        "domain/bob/.Work.Course/cur",
      ]
    ) {
      assert.equal(found.get(name), "700", name);
    }
    const messages = [...found].filter(([name]) => /\/(new|cur)\/./.test(name));
    assert.equal(messages.length, 3);
    assert.deepEqual(messages.filter(([, mode]) => mode !== "600"), []);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("DiskSpool makes its folders 0700 and its message and state files 0600", async () => {
  const parent = await Deno.makeTempDir();
  const root = join(parent, "queue");
  try {
    const spool = await DiskSpool.open(root, { fsync: false });
    const entry = {
      id: "q1",
      from: "alice@crepes.fr",
      recipients: [{ address: "bob@hamburger.edu", status: "pending" as const }],
      createdAt: 0,
      nextAttemptAt: 0,
      attempts: 0,
      size: 2,
      history: [],
    };
    await spool.put(entry, new Uint8Array([104, 105]));
    await spool.update({ ...entry, attempts: 1 });
    const found = modes(root);
    assert.deepEqual(Object.fromEntries(found), {
      ".": "700",
      "tmp": "700",
      "q1.eml": "600",
      "q1.json": "600",
    });
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
