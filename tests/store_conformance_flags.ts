/**
 * The store conformance suite, part two: what a store keeps of messages besides their bytes,
 * and keeps when it copies them: keywords, modification sequences (RFC 7162), flag updates
 * against the current flags, `\Recent` claiming, kept summaries, copies. Registered by
 * {@linkcode storeConformance} in `store_conformance.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { InvalidNameError, MAX_KEYWORDS, NotFoundError } from "../server/store/store.ts";
import { encode, type Register } from "./store_conformance.ts";

/**
 * Registers the tests of keywords, modseqs, recent messages, summaries and copies.
 *
 * @param test Registers one test for the store under test.
 *
 * @example Registered by the suite's entry (a doc test cannot register tests)
 * ```ts ignore
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { storeConformance } from "./store_conformance.ts";
 *
 * // Registers the keywords, modseqs, recent messages, summaries and copies tests, among the others.
 * storeConformance("MemoryStore", (clock) =>
 *   Promise.resolve({
 *     store: new MemoryStore({ clock }),
 *     [Symbol.asyncDispose]: () => Promise.resolve(),
 *   }));
 * ```
 */
export function flagConformance(test: Register): void {
  test("keywords round trip and are defined in the mailbox", async (store) => {
    const uid = await store.deliver("bob", encode("x"), { flags: ["$Forwarded", "\\Seen"] });
    const flagsOf = async () => (await store.list("bob", "INBOX"))[0].flags;
    assert.deepEqual(await flagsOf(), ["\\Seen", "$Forwarded"]);
    await store.setFlags("bob", "INBOX", uid, ["NonJunk", "\\Flagged", "$Label1"]);
    assert.deepEqual(await flagsOf(), ["\\Flagged", "NonJunk", "$Label1"]);
    await store.setFlags("bob", "INBOX", uid, []);
    assert.deepEqual(await flagsOf(), []);
    // Defined keywords stay defined (PERMANENTFLAGS and FLAGS list them) when no message has one.
    assert.deepEqual((await store.status("bob", "INBOX")).keywords, [
      "$Forwarded",
      "NonJunk",
      "$Label1",
    ]);
    await store.createMailbox("bob", "Work");
    assert.deepEqual((await store.status("bob", "Work")).keywords, []); // per mailbox
  });

  test("keywords are case-insensitive: one keyword, spelled as first defined", async (store) => {
    const uid = await store.deliver("bob", encode("x"), { flags: ["$Label1"] });
    await store.setFlags("bob", "INBOX", uid, ["$LABEL1", "\\Seen"]);
    assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Seen", "$Label1"]);
    assert.deepEqual((await store.status("bob", "INBOX")).keywords, ["$Label1"]);
    const where = { mailbox: "INBOX", uid };
    assert.deepEqual((await store.updateFlags("bob", where, { remove: ["$label1"] }))?.flags, [
      "\\Seen",
    ]);
    const added = await store.updateFlags("bob", where, { add: ["$LABEL1", "$Junk"] });
    assert.deepEqual(added?.flags, ["\\Seen", "$Label1", "$Junk"]);
  });

  test(`keywords: at most ${MAX_KEYWORDS} per mailbox, all or none`, async (store) => {
    const uid = await store.deliver("bob", encode("x"));
    const names = Array.from({ length: MAX_KEYWORDS + 1 }, (_, i) => `k${i}`);
    await store.setFlags("bob", "INBOX", uid, names.slice(0, MAX_KEYWORDS - 1));
    const before = await store.status("bob", "INBOX");
    await assert.rejects(store.setFlags("bob", "INBOX", uid, names.slice(-2)), InvalidNameError);
    const after = await store.status("bob", "INBOX");
    assert.deepEqual(after.keywords, names.slice(0, MAX_KEYWORDS - 1)); // neither was defined
    assert.equal(after.highestModseq, before.highestModseq);
    assert.equal((await store.list("bob", "INBOX"))[0].flags.length, MAX_KEYWORDS - 1);
    await store.setFlags("bob", "INBOX", uid, names.slice(MAX_KEYWORDS - 1, MAX_KEYWORDS));
    assert.equal((await store.status("bob", "INBOX")).keywords.length, MAX_KEYWORDS);
    await assert.rejects(
      store.deliver("bob", encode("y"), { flags: [names[MAX_KEYWORDS]] }),
      InvalidNameError,
    );
    assert.equal((await store.status("bob", "INBOX")).messages, 1);
    await store.setFlags("bob", "INBOX", uid, names.slice(0, 3)); // defined ones still fit
  });

  test("keywords are listed in the order the mailbox defined them", async (store) => {
    await store.deliver("bob", encode("x"), { flags: ["Beta", "Alpha"] });
    const uid = await store.deliver("bob", encode("y"), { flags: ["Gamma"] });
    await store.setFlags("bob", "INBOX", uid, ["Gamma", "Alpha", "\\Seen", "Beta"]);
    assert.deepEqual((await store.status("bob", "INBOX")).keywords, ["Beta", "Alpha", "Gamma"]);
    assert.deepEqual((await store.list("bob", "INBOX")).map((m) => m.flags), [
      ["Beta", "Alpha"],
      ["\\Seen", "Beta", "Alpha", "Gamma"],
    ]);
  });

  test("every change raises the mailbox's modseq; a message keeps its last", async (store) => {
    await store.ensureUser("bob");
    const seq = async () => (await store.status("bob", "INBOX")).highestModseq;
    const modseqs = async () => (await store.list("bob", "INBOX")).map((m) => m.modseq);
    const start = await seq();
    await store.deliver("bob", encode("a"));
    await store.deliver("bob", encode("b"));
    const delivered = await seq();
    assert.ok(delivered > start);
    assert.deepEqual(await modseqs(), [delivered - 1, delivered]);
    const flagged = await store.setFlags("bob", "INBOX", 1, ["\\Seen"]);
    assert.ok(flagged > delivered);
    assert.equal(await seq(), flagged);
    assert.deepEqual(await modseqs(), [flagged, delivered]);
    await store.expunge("bob", "INBOX", [2]);
    const expunged = await seq();
    assert.ok(expunged > flagged);
    assert.deepEqual(await modseqs(), [flagged]);
    await store.expunge("bob", "INBOX", [99]); // nothing removed, nothing changed
    assert.equal(await seq(), expunged);
    await store.read("bob", "INBOX", 1);
    await store.list("bob", "INBOX");
    await store.claimRecent("bob", "INBOX");
    assert.equal(await seq(), expunged); // reading changes nothing
  });

  test("updateFlags adds, removes, replaces, and honours unchangedSince", async (store) => {
    const uid = await store.deliver("bob", encode("x"), { flags: ["\\Seen"] });
    const where = { mailbox: "INBOX", uid };
    const added = await store.updateFlags("bob", where, { add: ["\\Answered", "$Done"] });
    assert.deepEqual(added?.flags, ["\\Seen", "\\Answered", "$Done"]);
    assert.equal(added?.modseq, (await store.status("bob", "INBOX")).highestModseq);
    const same = await store.updateFlags("bob", where, { add: ["\\Seen"] });
    assert.deepEqual(same, added); // nothing to change: no new modseq
    assert.equal(
      await store.updateFlags("bob", where, {
        add: ["\\Flagged"],
        unchangedSince: added!.modseq - 1,
      }),
      undefined,
    );
    assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, added?.flags);
    const removed = await store.updateFlags("bob", where, {
      remove: ["$done", "\\Seen"],
      unchangedSince: added!.modseq,
    });
    assert.deepEqual(removed?.flags, ["\\Answered"]);
    assert.ok(removed!.modseq > added!.modseq);
    const replaced = await store.updateFlags("bob", where, { replace: ["\\Draft"] });
    assert.deepEqual(replaced?.flags, ["\\Draft"]);
    assert.deepEqual((await store.list("bob", "INBOX"))[0], {
      ...(await store.list("bob", "INBOX"))[0],
      flags: ["\\Draft"],
      modseq: replaced!.modseq,
    });
    await assert.rejects(store.updateFlags("bob", { ...where, uid: 99 }, {}), NotFoundError);
    await assert.rejects(store.updateFlags("bob", where, { add: ["\\Recent"] }), TypeError);
  });

  test("claimRecent: the first claim gets them, the next none, until new mail", async (store) => {
    await store.deliver("bob", encode("a"));
    await store.deliver("bob", encode("b"));
    assert.equal((await store.status("bob", "INBOX")).recent, 2);
    assert.deepEqual(await store.claimRecent("bob", "INBOX"), [1, 2]);
    assert.deepEqual(await store.claimRecent("bob", "INBOX"), []);
    assert.equal((await store.status("bob", "INBOX")).recent, 0);
    await store.deliver("bob", encode("c"));
    assert.equal((await store.status("bob", "INBOX")).recent, 1);
    await store.expunge("bob", "INBOX", [1]);
    assert.deepEqual(await store.claimRecent("bob", "inbox"), [3]);
    assert.deepEqual(await store.claimRecent("bob", "INBOX"), []);
    await assert.rejects(store.claimRecent("bob", "Nope"), NotFoundError);
  });

  test("summary is computed once per message and kind, and kept", async (store) => {
    const uid = await store.deliver("bob", encode("Subject: hi\r\n\r\nHello\r\n"));
    let computed = 0;
    const subject = (bytes: Uint8Array) => {
      computed++;
      return { subject: new TextDecoder().decode(bytes).split("\r\n")[0], parts: [1, [2, null]] };
    };
    const where = { mailbox: "INBOX", uid, kind: "test-1" };
    const first = await store.summary("bob", where, subject);
    assert.deepEqual(first, { subject: "Subject: hi", parts: [1, [2, null]] });
    assert.deepEqual(await store.summary("bob", where, subject), first);
    await store.setFlags("bob", "INBOX", uid, ["\\Seen"]); // flags are no part of a summary
    assert.deepEqual(await store.summary("bob", { ...where, mailbox: "inbox" }, subject), first);
    assert.equal(computed, 1);
    assert.equal(await store.summary("bob", { ...where, kind: "test-2" }, (b) => b.length), 22);
    const other = await store.deliver("bob", encode("Subject: other\r\n\r\n"));
    await store.summary("bob", { ...where, uid: other }, subject);
    assert.equal(computed, 2);
    await assert.rejects(store.summary("bob", { ...where, uid: 99 }, subject), NotFoundError);
    await store.expunge("bob", "INBOX", [uid]);
    await assert.rejects(store.summary("bob", where, subject), NotFoundError);
    assert.equal(computed, 2);
  });

  test("readMany and summaries answer a batch in order, undefined for what is gone", async (store) => {
    const a = await store.deliver("bob", encode("Subject: a\r\n\r\none\r\n"));
    const b = await store.deliver("bob", encode("Subject: b\r\n\r\ntwo\r\n"));
    const c = await store.deliver("bob", encode("Subject: c\r\n\r\nthree\r\n"));
    await store.expunge("bob", "INBOX", [b]);
    const text = (bytes?: Uint8Array) => bytes && new TextDecoder().decode(bytes);
    const read = await store.readMany("bob", "inbox", [c, b, 99, a]);
    assert.deepEqual(read.map(text), [
      "Subject: c\r\n\r\nthree\r\n",
      undefined,
      undefined,
      "Subject: a\r\n\r\none\r\n",
    ]);
    assert.deepEqual(
      await store.summaries(
        "bob",
        { mailbox: "INBOX", uids: [a, b, c], kind: "len" },
        (m) => m.length,
      ),
      [19, undefined, 21],
    );
    // A value the batch made is the one a single call keeps.
    assert.equal(
      await store.summary("bob", { mailbox: "INBOX", uid: c, kind: "len" }, () => 0),
      21,
    );
    assert.deepEqual(await store.readMany("bob", "INBOX", []), []);
    await assert.rejects(store.readMany("bob", "Nope", [a]), NotFoundError);
    await assert.rejects(
      store.summaries("bob", { mailbox: "Nope", uids: [a], kind: "len" }, (m) => m.length),
      NotFoundError,
    );
  });

  test("copy keeps flags and dates and answers the UID pairs", async (store) => {
    await store.ensureUser("bob");
    const date = Date.UTC(2001, 8, 9);
    await store.deliver("bob", encode("a"), { flags: ["\\Seen", "$Label1"], internalDate: date });
    await store.deliver("bob", encode("b"));
    await store.deliver("bob", encode("c"), { flags: ["\\Answered"] });
    await store.deliver("bob", encode("t"), { mailbox: "Trash" });
    const pairs = await store.copy("bob", "INBOX", [3, 99, 1], "Trash");
    assert.deepEqual(pairs, [{ from: 1, to: 2 }, { from: 3, to: 3 }]);
    const copies = (await store.list("bob", "Trash")).slice(1);
    assert.deepEqual(copies.map((m) => [m.uid, m.flags, m.size]), [
      [2, ["\\Seen", "$Label1"], 1],
      [3, ["\\Answered"], 1],
    ]);
    assert.equal(copies[0].internalDate, date);
    assert.deepEqual(await store.read("bob", "Trash", 3), encode("c"));
    assert.deepEqual((await store.status("bob", "Trash")).keywords, ["$Label1"]);
    assert.equal((await store.status("bob", "INBOX")).messages, 3); // a copy, not a move
    assert.deepEqual(await store.copy("bob", "INBOX", [2], "INBOX"), [{ from: 2, to: 4 }]);
    assert.deepEqual(await store.copy("bob", "INBOX", [42], "Trash"), []);
  });

  test("copy is all or none", async (store) => {
    await store.ensureUser("bob");
    await store.deliver("bob", encode("a"), { flags: ["$Mine"] });
    await store.deliver("bob", encode("b"));
    await assert.rejects(store.copy("bob", "INBOX", [1, 2], "Nope"), NotFoundError);
    await assert.rejects(store.copy("bob", "Nope", [1, 2], "Trash"), NotFoundError);
    const full = await store.deliver("bob", encode("k"), { mailbox: "Junk" });
    const keywords = Array.from({ length: 26 }, (_, i) => `k${i}`);
    await store.setFlags("bob", "Junk", full, keywords); // Junk has no room left for $Mine
    const before = await store.status("bob", "Junk");
    await assert.rejects(store.copy("bob", "INBOX", [2, 1], "Junk"), InvalidNameError);
    assert.deepEqual(await store.status("bob", "Junk"), before);
  });
}
