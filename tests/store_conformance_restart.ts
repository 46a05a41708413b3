/**
 * The store conformance suite, part four: what a store that persists keeps across a restart (a
 * new store object on the same data). Registered by {@linkcode storeConformance} in
 * `store_conformance.ts`; left out for a store that keeps nothing (memory).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { MailboxStore } from "../server/store/store.ts";
import { encode, type Register } from "./store_conformance.ts";

/** Everything a client could see of a user's store. */
async function snapshot(store: MailboxStore) {
  const mailboxes = await store.mailboxes("bob");
  const boxes = [];
  for (const { name } of mailboxes) {
    boxes.push({
      status: await store.status("bob", name),
      list: await store.list("bob", name),
    });
  }
  return { mailboxes, boxes, subscriptions: await store.subscriptions("bob") };
}

/**
 * Registers the restart test.
 *
 * @param test Registers one test for the store under test.
 *
 * @example Registered by the suite's entry (a doc test cannot register tests)
 * ```ts ignore
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { storeConformance } from "./store_conformance.ts";
 *
 * // Registers the restart tests, among the others.
 * storeConformance("MemoryStore", (clock) =>
 *   Promise.resolve({
 *     store: new MemoryStore({ clock }),
 *     [Symbol.asyncDispose]: () => Promise.resolve(),
 *   }));
 * ```
 */
export function restartConformance(test: Register): void {
  test("a reopened store has kept everything", async (store, clock, fixture) => {
    assert.ok(fixture.reopen, "a persistent store's fixture reopens it");
    await store.ensureUser("bob");
    const date = Date.UTC(2001, 8, 9);
    for (const n of [1, 2, 3, 4]) await store.deliver("bob", encode(`Subject: ${n}\r\n\r\n`));
    await store.deliver("bob", encode("old"), { flags: ["\\Seen", "$Label1"], internalDate: date });
    await store.setFlags("bob", "INBOX", 2, ["\\Flagged", "NonJunk"]);
    await store.expunge("bob", "INBOX", [1]);
    assert.deepEqual(await store.claimRecent("bob", "INBOX"), [2, 3, 4, 5]);
    await store.deliver("bob", encode("Subject: 6\r\n\r\n")); // recent, unclaimed
    await store.createMailbox("bob", "Work.Course");
    await store.copy("bob", "INBOX", [5, 2], "Work.Course");
    await store.createMailbox("bob", "Gone");
    await store.deleteMailbox("bob", "Gone");
    await store.createMailbox("bob", "Archive", { specialUse: "\\Archive" });
    await store.renameMailbox("bob", "Archive", "Kept");
    await store.setSubscribed("bob", "Work.Course", true);
    await store.setSubscribed("bob", "Elsewhere", true);
    let computed = 0;
    const size = (bytes: Uint8Array) => (computed++, { size: bytes.length });
    await store.summary("bob", { mailbox: "INBOX", uid: 3, kind: "k" }, size);
    const before = await snapshot(store);
    const uidValidities = before.boxes.map((b) => b.status.uidValidity);

    clock.advance(3_600_000);
    const again = fixture.reopen!();
    assert.deepEqual(await snapshot(again), before);
    assert.deepEqual(await again.summary("bob", { mailbox: "INBOX", uid: 3, kind: "k" }, size), {
      size: 14,
    });
    assert.equal(computed, 1);
    assert.deepEqual(await again.read("bob", "INBOX", 5), encode("old"));
    assert.deepEqual(await again.claimRecent("bob", "INBOX"), [6]);
    assert.equal(await again.deliver("bob", encode("next")), 7);
    await again.createMailbox("bob", "Gone");
    const gone = (await again.status("bob", "Gone")).uidValidity;
    assert.ok(uidValidities.every((v) => v < gone)); // UIDVALIDITY grows across the restart
    const modseq = await again.setFlags("bob", "Work.Course", 1, []);
    const course = before.boxes[before.mailboxes.findIndex((m) => m.name === "Work.Course")];
    assert.ok(modseq > course.status.highestModseq); // modseqs go on growing
  }, { persistent: true });
}
