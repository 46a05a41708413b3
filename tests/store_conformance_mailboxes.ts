/**
 * The store conformance suite, part three: the mailbox tree (listing, special use, creating,
 * deleting, renaming), subscriptions, watchers, names that are refused and things that do not
 * exist. Registered by {@linkcode storeConformance} in `store_conformance.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  AlreadyExistsError,
  InvalidNameError,
  type MailboxStore,
  NotFoundError,
  type StoreChange,
} from "../server/store/store.ts";
import { encode, type Register } from "./store_conformance.ts";

const SPECIAL = [
  { name: "Drafts", specialUse: "\\Drafts" },
  { name: "Junk", specialUse: "\\Junk" },
  { name: "Sent", specialUse: "\\Sent" },
  { name: "Trash", specialUse: "\\Trash" },
];

const names = async (store: MailboxStore, user = "bob") =>
  (await store.mailboxes(user)).map((m) => m.name);

/**
 * Registers the tests of the mailbox tree, subscriptions and watchers.
 *
 * @param test Registers one test for the store under test.
 *
 * @example Registered by the suite's entry (a doc test cannot register tests)
 * ```ts ignore
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { storeConformance } from "./store_conformance.ts";
 *
 * // Registers the mailbox tree, subscriptions and watchers tests, among the others.
 * storeConformance("MemoryStore", (clock) =>
 *   Promise.resolve({
 *     store: new MemoryStore({ clock }),
 *     [Symbol.asyncDispose]: () => Promise.resolve(),
 *   }));
 * ```
 */
export function mailboxConformance(test: Register): void {
  test("ensureUser makes INBOX and the special-use mailboxes", async (store) => {
    await store.ensureUser("bob");
    assert.deepEqual(await store.mailboxes("bob"), [{ name: "INBOX" }, ...SPECIAL]);
    for (const { name } of SPECIAL) assert.equal((await store.status("bob", name)).messages, 0);
    await store.deliver("bob", encode("x"), { mailbox: "Sent" });
    await store.deleteMailbox("bob", "Junk");
    await store.ensureUser("bob"); // keeps what is there, makes what is missing
    assert.deepEqual(await store.mailboxes("bob"), [{ name: "INBOX" }, ...SPECIAL]);
    assert.equal((await store.status("bob", "Sent")).messages, 1);
    await store.createMailbox("bob", "Archive", { specialUse: "\\Archive" });
    assert.deepEqual((await store.mailboxes("bob"))[1], {
      name: "Archive",
      specialUse: "\\Archive",
    });
  });

  test("mailboxes lists INBOX first, then the others in order", async (store) => {
    await store.deliver("bob", encode("x")); // a delivery makes INBOX only
    assert.deepEqual(await store.mailboxes("bob"), [{ name: "INBOX" }]);
    for (const name of ["Work", "Archive", "Work.Course"]) await store.createMailbox("bob", name);
    assert.deepEqual(await names(store), ["INBOX", "Archive", "Work", "Work.Course"]);
    const uid = await store.deliver("bob", encode("Subject: lab\r\n\r\n"), {
      mailbox: "Work.Course",
      flags: ["\\Flagged"],
    });
    assert.equal(uid, 1); // every mailbox counts its own UIDs
    assert.deepEqual(await store.read("bob", "Work.Course", uid), encode("Subject: lab\r\n\r\n"));
    const status = await store.status("bob", "Work.Course");
    assert.deepEqual([status.name, status.messages, status.unseen], ["Work.Course", 1, 1]);
    assert.equal((await store.status("bob", "INBOX")).messages, 1);
    assert.deepEqual(await store.list("bob", "Work"), []);
  });

  test("createMailbox refuses a mailbox that exists, and grows UIDVALIDITY", async (store) => {
    await store.ensureUser("bob");
    await store.createMailbox("bob", "Work");
    await assert.rejects(store.createMailbox("bob", "Work"), AlreadyExistsError);
    await assert.rejects(store.createMailbox("bob", "INBOX"), AlreadyExistsError);
    await assert.rejects(store.createMailbox("bob", "inbox"), AlreadyExistsError);
    await store.createMailbox("bob", "Play");
    const inbox = (await store.status("bob", "INBOX")).uidValidity;
    const work = (await store.status("bob", "Work")).uidValidity;
    assert.ok(inbox < work && work < (await store.status("bob", "Play")).uidValidity);
  });

  test("deleteMailbox removes it and its messages; children stay", async (store) => {
    await store.ensureUser("bob");
    await store.createMailbox("bob", "Work");
    await store.createMailbox("bob", "Work.Course");
    await store.deliver("bob", encode("w"), { mailbox: "Work" });
    await store.deliver("bob", encode("c"), { mailbox: "Work.Course" });
    const old = await store.status("bob", "Work");
    await assert.rejects(store.deleteMailbox("bob", "INBOX"), InvalidNameError);
    await assert.rejects(store.deleteMailbox("bob", "inbox"), InvalidNameError);
    await store.deleteMailbox("bob", "Work");
    assert.ok(!(await names(store)).includes("Work"));
    assert.ok((await names(store)).includes("Work.Course"));
    assert.deepEqual(await store.read("bob", "Work.Course", 1), encode("c"));
    await assert.rejects(store.status("bob", "Work"), NotFoundError);
    await assert.rejects(store.read("bob", "Work", 1), NotFoundError);
    await assert.rejects(store.deleteMailbox("bob", "Work"), NotFoundError);
    await store.createMailbox("bob", "Work");
    const again = await store.status("bob", "Work");
    assert.deepEqual([again.messages, again.uidNext], [0, 1]);
    assert.ok(again.uidValidity > old.uidValidity); // no client mistakes it for the old one
  });

  test("renameMailbox moves it and its children, messages and UIDVALIDITY", async (store) => {
    await store.ensureUser("bob");
    for (const name of ["Work", "Work.Course", "Work.Course.Lab", "Workshop"]) {
      await store.createMailbox("bob", name);
    }
    await store.deliver("bob", encode("lab"), { mailbox: "Work.Course.Lab", flags: ["$Done"] });
    const before = await store.status("bob", "Work.Course.Lab");
    await store.renameMailbox("bob", "Work", "Old.Work");
    const after = (await names(store)).filter((n) => !SPECIAL.some((s) => s.name === n));
    assert.deepEqual(after, [
      "INBOX",
      "Old.Work",
      "Old.Work.Course",
      "Old.Work.Course.Lab",
      "Workshop",
    ]);
    assert.deepEqual(await store.status("bob", "Old.Work.Course.Lab"), {
      ...before,
      name: "Old.Work.Course.Lab",
    });
    assert.deepEqual(await store.read("bob", "Old.Work.Course.Lab", 1), encode("lab"));
    assert.deepEqual((await store.list("bob", "Old.Work.Course.Lab"))[0].flags, ["$Done"]);
    await assert.rejects(store.status("bob", "Work.Course"), NotFoundError);
    await store.renameMailbox("bob", "Sent", "Sent Mail"); // its special use goes along
    assert.ok(
      (await store.mailboxes("bob")).some((m) =>
        m.name === "Sent Mail" && m.specialUse === "\\Sent"
      ),
    );
  });

  test("renameMailbox refuses a target that exists, and moving into itself", async (store) => {
    await store.ensureUser("bob");
    for (const name of ["Work", "Work.Course", "Old.Course", "Play"]) {
      await store.createMailbox("bob", name);
    }
    const before = await names(store);
    await assert.rejects(store.renameMailbox("bob", "Work", "Play"), AlreadyExistsError);
    await assert.rejects(store.renameMailbox("bob", "Work", "INBOX"), AlreadyExistsError);
    // Work.Course would become Old.Course, which exists: nothing moves.
    await assert.rejects(store.renameMailbox("bob", "Work", "Old"), AlreadyExistsError);
    await assert.rejects(store.renameMailbox("bob", "Work", "Work.Sub"), InvalidNameError);
    await assert.rejects(store.renameMailbox("bob", "Nope", "Other"), NotFoundError);
    await assert.rejects(store.renameMailbox("bob", "Work", "../x"), InvalidNameError);
    assert.deepEqual(await names(store), before);
  });

  test(
    "renaming INBOX moves its messages into a new mailbox, INBOX stays empty",
    async (store, clock) => {
      await store.ensureUser("bob");
      const date = Date.UTC(2001, 8, 9);
      await store.deliver("bob", encode("one"), {
        flags: ["\\Seen", "$Label1"],
        internalDate: date,
      });
      await store.deliver("bob", encode("two"));
      await store.expunge("bob", "INBOX", [1]);
      await store.deliver("bob", encode("three"), { flags: ["\\Flagged"] });
      const inbox = await store.status("bob", "INBOX");
      clock.advance(1000);
      await store.renameMailbox("bob", "INBOX", "Old Mail");
      const moved = await store.list("bob", "Old Mail");
      assert.deepEqual(moved.map((m) => [m.uid, m.flags]), [[1, []], [2, ["\\Flagged"]]]);
      assert.deepEqual(await store.read("bob", "Old Mail", 2), encode("three"));
      const status = await store.status("bob", "INBOX");
      assert.deepEqual([status.messages, status.uidNext, status.uidValidity], [
        0,
        4,
        inbox.uidValidity,
      ]);
      assert.ok(status.highestModseq > inbox.highestModseq);
      assert.ok((await store.status("bob", "Old Mail")).uidValidity > inbox.uidValidity);
      assert.equal(await store.deliver("bob", encode("four")), 4); // INBOX keeps counting
      await store.deliver("bob", encode("kw"), { flags: ["$Label1"], internalDate: date });
      await store.renameMailbox("bob", "INBOX", "Older");
      assert.deepEqual((await store.list("bob", "Older")).map((m) => [m.flags, m.internalDate]), [
        [[], clock.now()],
        [["$Label1"], date],
      ]);
    },
  );

  test("a name renamed away and made again has a new UIDVALIDITY", async (store) => {
    await store.ensureUser("bob");
    await store.createMailbox("bob", "Work");
    const work = await store.status("bob", "Work");
    await store.renameMailbox("bob", "Work", "Old");
    assert.equal((await store.status("bob", "Old")).uidValidity, work.uidValidity);
    await store.createMailbox("bob", "Work");
    assert.ok((await store.status("bob", "Work")).uidValidity > work.uidValidity);
  });

  test("subscriptions are kept by name, whether the mailbox exists or not", async (store) => {
    await store.ensureUser("bob");
    assert.deepEqual(await store.subscriptions("bob"), []);
    await store.setSubscribed("bob", "Work", true);
    await store.setSubscribed("bob", "inbox", true);
    await store.setSubscribed("bob", "Archive.2025", true);
    await store.setSubscribed("bob", "Work", true);
    assert.deepEqual(await store.subscriptions("bob"), ["Archive.2025", "INBOX", "Work"]);
    await store.createMailbox("bob", "Work");
    await store.deleteMailbox("bob", "Work");
    await store.setSubscribed("bob", "Archive.2025", false);
    await store.setSubscribed("bob", "Never", false);
    assert.deepEqual(await store.subscriptions("bob"), ["INBOX", "Work"]);
    await assert.rejects(store.setSubscribed("bob", "../x", true), InvalidNameError);
  });

  test("watch tells of each change, until stopped", async (store) => {
    await store.ensureUser("bob");
    const seen: StoreChange[] = [];
    const stop = store.watch("bob", (change) => seen.push(change));
    const expect = async (what: string, change: StoreChange, work: () => Promise<unknown>) => {
      seen.length = 0;
      await work();
      assert.deepEqual(seen, [change], what);
    };
    const inbox = { mailbox: "INBOX", kind: "messages" } as const;
    await expect("deliver", inbox, () => store.deliver("bob", encode("a")));
    await expect("setFlags", inbox, () => store.setFlags("bob", "INBOX", 1, ["\\Seen"]));
    await expect(
      "updateFlags",
      inbox,
      () => store.updateFlags("bob", { mailbox: "inbox", uid: 1 }, { add: ["\\Flagged"] }),
    );
    await expect(
      "copy",
      { mailbox: "Trash", kind: "messages" },
      () => store.copy("bob", "INBOX", [1], "Trash"),
    );
    await expect("expunge", inbox, () => store.expunge("bob", "INBOX", [1]));
    const work = { mailbox: "Work", kind: "mailboxes" } as const;
    await expect("create", work, () => store.createMailbox("bob", "Work"));
    await expect("rename", work, () => store.renameMailbox("bob", "Work", "Play"));
    await expect("delete", { ...work, mailbox: "Play" }, () => store.deleteMailbox("bob", "Play"));
    seen.length = 0;
    await store.expunge("bob", "INBOX", [1]); // nothing to expunge: nothing to tell
    await store.read("bob", "Trash", 1);
    assert.deepEqual(seen, []);
    stop();
    await store.deliver("bob", encode("b"));
    assert.deepEqual(seen, []);
    assert.throws(() => store.watch("nobody", () => {}), NotFoundError);
  });

  test("unknown users, mailboxes and UIDs are NotFoundError", async (store) => {
    const x = encode("x");
    await assert.rejects(store.status("nobody", "INBOX"), NotFoundError);
    await assert.rejects(store.mailboxes("nobody"), NotFoundError);
    await assert.rejects(store.list("nobody", "INBOX"), NotFoundError);
    await assert.rejects(store.read("nobody", "INBOX", 1), NotFoundError);
    await assert.rejects(store.createMailbox("nobody", "Work"), NotFoundError);
    await assert.rejects(store.subscriptions("nobody"), NotFoundError);
    // Delivery creates a user's INBOX, but no user for the sake of another mailbox.
    await assert.rejects(store.deliver("nobody", x, { mailbox: "Work" }), NotFoundError);
    await assert.rejects(store.mailboxes("nobody"), NotFoundError);

    const uid = await store.deliver("bob", x);
    await assert.rejects(store.status("bob", "Nope"), NotFoundError);
    await assert.rejects(store.list("bob", "Nope"), NotFoundError);
    await assert.rejects(store.read("bob", "Nope", uid), NotFoundError);
    await assert.rejects(store.setFlags("bob", "Nope", uid, []), NotFoundError);
    await assert.rejects(store.expunge("bob", "Nope", [uid]), NotFoundError);
    await assert.rejects(store.deliver("bob", x, { mailbox: "Nope" }), NotFoundError);
    await assert.rejects(store.deleteMailbox("bob", "Nope"), NotFoundError);
    await assert.rejects(store.read("bob", "INBOX", 99), NotFoundError);
    await assert.rejects(store.setFlags("bob", "INBOX", 99, ["\\Seen"]), NotFoundError);
    await store.expunge("bob", "INBOX", [99]); // unknown UIDs are ignored
    assert.equal((await store.status("bob", "INBOX")).messages, 1);
    assert.deepEqual(await names(store), ["INBOX"]);
  });

  test("user and INBOX names are case-insensitive", async (store) => {
    const uid = await store.deliver("Carol", encode("x"), { mailbox: "Inbox" });
    assert.deepEqual(await names(store, "carol"), ["INBOX"]);
    assert.equal((await store.status("CAROL", "inbox")).name, "INBOX");
    assert.deepEqual(await store.read("carol", "INBOX", uid), encode("x"));
    await store.ensureUser("CaRoL");
    assert.equal((await store.status("carol", "INBOX")).messages, 1);
  });

  test("ensureUser keeps what is there", async (store) => {
    await store.ensureUser("bob");
    const before = await store.status("bob", "INBOX");
    await store.deliver("bob", encode("x"));
    await store.ensureUser("bob");
    const after = await store.status("bob", "INBOX");
    assert.deepEqual([after.uidValidity, after.uidNext, after.messages], [
      before.uidValidity,
      2,
      1,
    ]);
  });

  test("names that could leave the root are InvalidNameError", async (store) => {
    await store.ensureUser("bob");
    const x = encode("x");
    const badMailboxes = [
      "../x",
      "a/b",
      ".hidden",
      "..",
      ".",
      "Work.",
      "Work..Course",
      "",
      "a\0b",
      "a\\b",
      "tab\there",
      "INBOX.Sub",
      "inbox.Sub",
      "*",
      "Work%",
      "x".repeat(101),
      `${"\u00e9".repeat(100)}.${"\u00e9".repeat(10)}`, // 220 bytes in UTF-8
    ];
    for (const name of badMailboxes) {
      const what = JSON.stringify(name);
      await assert.rejects(store.createMailbox("bob", name), InvalidNameError, what);
      await assert.rejects(store.deliver("bob", x, { mailbox: name }), InvalidNameError, what);
      await assert.rejects(store.status("bob", name), InvalidNameError, what);
      await assert.rejects(store.list("bob", name), InvalidNameError, what);
      await assert.rejects(store.read("bob", name, 1), InvalidNameError, what);
      await assert.rejects(store.deleteMailbox("bob", name), InvalidNameError, what);
      await assert.rejects(store.renameMailbox("bob", "Trash", name), InvalidNameError, what);
      await assert.rejects(store.renameMailbox("bob", name, "Fine"), InvalidNameError, what);
      await assert.rejects(store.copy("bob", "INBOX", [1], name), InvalidNameError, what);
      await assert.rejects(store.setSubscribed("bob", name, true), InvalidNameError, what);
    }
    // A child's new name is checked too: this one would be too long.
    await store.createMailbox("bob", "A");
    await store.createMailbox("bob", `A.${"b".repeat(100)}`);
    await assert.rejects(store.renameMailbox("bob", "A", "c".repeat(100)), InvalidNameError);
    const badUsers = ["../root", "..", "a/b", ".hidden", "bob\0", "", "a..b", "x".repeat(65)];
    for (const user of badUsers) {
      const what = JSON.stringify(user);
      await assert.rejects(store.ensureUser(user), InvalidNameError, what);
      await assert.rejects(store.deliver(user, x), InvalidNameError, what);
      await assert.rejects(store.mailboxes(user), InvalidNameError, what);
      await assert.rejects(store.status(user, "INBOX"), InvalidNameError, what);
    }
    assert.deepEqual(await names(store), [
      "INBOX",
      "A",
      `A.${"b".repeat(100)}`,
      ...SPECIAL.map((s) => s.name),
    ]);
    assert.equal((await store.status("bob", "INBOX")).messages, 0);
  });
}
