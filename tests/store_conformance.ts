/**
 * The conformance suite of {@linkcode MailboxStore}: one set of behaviours that every store
 * implementation must show, registered as `Deno.test` cases for a given store (the shape of
 * Hono's `router/common.case.test.ts`). `store_conformance_test.ts` runs it for each store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import {
  AlreadyExistsError,
  InvalidNameError,
  type MailboxStore,
  NotFoundError,
  SYSTEM_FLAGS,
  type SystemFlag,
} from "../server/store/store.ts";

/** A fresh, empty store for one test, and how to clean up after it. */
export interface StoreFixture extends AsyncDisposable {
  /** The store under test. */
  store: MailboxStore;
}

/** Opens a fresh, empty store that reads the given clock. */
export type OpenStore = (clock: ManualClock) => Promise<StoreFixture>;

const encode = (text: string) => new TextEncoder().encode(text);

/**
 * Registers the conformance tests for one store implementation. Each test opens its own store
 * through `open` and disposes of it at the end, so tests share nothing.
 *
 * @param label The implementation's name, the first word of every test name.
 * @param open Makes a fresh store on a manual clock.
 *
 * @example Run the suite for the memory store
 * ```ts ignore
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { storeConformance } from "./store_conformance.ts";
 *
 * storeConformance("MemoryStore", (clock) =>
 *   Promise.resolve({
 *     store: new MemoryStore({ clock }),
 *     [Symbol.asyncDispose]: () => Promise.resolve(),
 *   }));
 * ```
 */
export function storeConformance(label: string, open: OpenStore): void {
  const test = (name: string, body: (store: MailboxStore, clock: ManualClock) => Promise<void>) =>
    Deno.test(`${label} ${name}`, async () => {
      const clock = new ManualClock();
      await using fixture = await open(clock);
      await body(fixture.store, clock);
    });

  test("deliver and read keep the exact bytes", async (store) => {
    const samples = {
      crlf: encode("From: alice@crepes.fr\r\nSubject: hi\r\n\r\nHello\r\n.\r\n..dots\r\n"),
      bareLineEnds: encode("Subject: odd\n\nline\rwith bare CR\n  trailing space \t\n"),
      eightBit: encode("Subject: caf\u00e9\r\n\r\nCr\u00eapes \u00e0 la cr\u00e8me \u{1f95e}\r\n"),
      binary: Uint8Array.from({ length: 1024 }, (_, i) => 1 + (i * 7) % 255),
      empty: new Uint8Array(),
    };
    for (const [kind, bytes] of Object.entries(samples)) {
      const uid = await store.deliver("bob", bytes);
      assert.deepEqual(await store.read("bob", "INBOX", uid), bytes, kind);
      const info = (await store.list("bob", "INBOX")).find((m) => m.uid === uid);
      assert.equal(info?.size, bytes.length, kind);
    }
    // Neither the caller's array nor the returned one is the store's own copy.
    const mine = encode("Subject: mine\r\n\r\n");
    const uid = await store.deliver("bob", mine);
    mine[0] = 0x58;
    const read = await store.read("bob", "INBOX", uid);
    read[1] = 0x58;
    assert.deepEqual(await store.read("bob", "INBOX", uid), encode("Subject: mine\r\n\r\n"));
  });

  test("deliver and read keep a 5 MiB message", async (store) => {
    const line = encode(`${"0123456789abcdef".repeat(63)}\u00e9\r\n`.slice(0, 1022) + "\r\n");
    const big = new Uint8Array(5 * 1024 * 1024);
    for (let at = 0; at < big.length; at += line.length) {
      big.set(line.subarray(0, big.length - at), at);
    }
    const uid = await store.deliver("bob", big);
    assert.deepEqual(await store.read("bob", "INBOX", uid), big);
    assert.equal((await store.list("bob", "INBOX"))[0].size, big.length);
  });

  test("UIDs grow and are never reused after expunge", async (store) => {
    const uids = [];
    for (const n of [1, 2, 3]) {
      uids.push(await store.deliver("bob", encode(`Subject: ${n}\r\n\r\n`)));
    }
    assert.deepEqual(uids, [1, 2, 3]);
    await store.expunge("bob", "INBOX", [3]);
    assert.equal(await store.deliver("bob", encode("Subject: 4\r\n\r\n")), 4);
    await store.expunge("bob", "INBOX", [1, 4]);
    assert.equal((await store.status("bob", "INBOX")).uidNext, 5);
    assert.equal(await store.deliver("bob", encode("Subject: 5\r\n\r\n")), 5);
    assert.deepEqual((await store.list("bob", "INBOX")).map((m) => m.uid), [2, 5]);
    assert.deepEqual(await store.read("bob", "INBOX", 2), encode("Subject: 2\r\n\r\n"));
  });

  test("status counts messages and unseen messages and reports uidNext", async (store) => {
    await store.ensureUser("bob");
    const fresh = await store.status("bob", "INBOX");
    assert.deepEqual({ ...fresh, uidValidity: 0 }, {
      name: "INBOX",
      uidValidity: 0,
      uidNext: 1,
      messages: 0,
      unseen: 0,
    });
    assert.ok(Number.isInteger(fresh.uidValidity) && fresh.uidValidity >= 1);
    assert.ok(fresh.uidValidity <= 2 ** 32 - 1);
    await store.deliver("bob", encode("a"));
    await store.deliver("bob", encode("b"), { flags: ["\\Seen"] });
    await store.deliver("bob", encode("c"));
    assert.deepEqual(await store.status("bob", "INBOX"), {
      ...fresh,
      uidNext: 4,
      messages: 3,
      unseen: 2,
    });
    await store.setFlags("bob", "INBOX", 1, ["\\Seen", "\\Answered"]);
    await store.expunge("bob", "INBOX", [3]);
    assert.deepEqual(await store.status("bob", "inbox"), {
      ...fresh,
      uidNext: 4,
      messages: 2,
      unseen: 0,
    });
  });

  test("flags round trip in IMAP order", async (store) => {
    const uid = await store.deliver("bob", encode("x"), { flags: ["\\Draft", "\\Seen"] });
    const flagsOf = async () => (await store.list("bob", "INBOX"))[0].flags;
    assert.deepEqual(await flagsOf(), ["\\Seen", "\\Draft"]);
    const shuffled: SystemFlag[] = ["\\Draft", "\\Deleted", "\\Seen", "\\Flagged", "\\Answered"];
    await store.setFlags("bob", "INBOX", uid, [...shuffled, "\\Seen"]);
    assert.deepEqual(await flagsOf(), SYSTEM_FLAGS);
    for (const flag of SYSTEM_FLAGS) {
      await store.setFlags("bob", "INBOX", uid, [flag]);
      assert.deepEqual(await flagsOf(), [flag]);
    }
    await store.setFlags("bob", "INBOX", uid, []);
    assert.deepEqual(await flagsOf(), []);
    (await flagsOf()).push("\\Seen"); // a caller's copy, not the store's
    assert.deepEqual(await flagsOf(), []);
    assert.deepEqual(await store.read("bob", "INBOX", uid), encode("x"));
    const recent = ["\\Recent" as SystemFlag];
    await assert.rejects(store.setFlags("bob", "INBOX", uid, recent), TypeError);
    await assert.rejects(store.deliver("bob", encode("y"), { flags: recent }), TypeError);
    assert.equal((await store.status("bob", "INBOX")).messages, 1);
  });

  test("list is in UID order with sizes and internal dates", async (store, clock) => {
    const first = clock.now();
    await store.deliver("bob", encode("one"));
    clock.advance(60_000);
    const old = Date.UTC(2001, 8, 9, 12, 0, 0);
    await store.deliver("bob", encode("second"), { internalDate: old });
    clock.advance(60_000);
    await store.deliver("bob", encode("third!"));
    assert.deepEqual(await store.list("bob", "INBOX"), [
      { uid: 1, flags: [], size: 3, internalDate: first },
      { uid: 2, flags: [], size: 6, internalDate: old },
      { uid: 3, flags: [], size: 6, internalDate: first + 120_000 },
    ]);
  });

  test("mailboxes lists INBOX first, then the others in order", async (store) => {
    await store.ensureUser("bob");
    assert.deepEqual(await store.mailboxes("bob"), ["INBOX"]);
    for (const name of ["Work", "Archive", "Work.Course"]) await store.createMailbox("bob", name);
    assert.deepEqual(await store.mailboxes("bob"), ["INBOX", "Archive", "Work", "Work.Course"]);
    const uid = await store.deliver("bob", encode("Subject: lab\r\n\r\n"), {
      mailbox: "Work.Course",
      flags: ["\\Flagged"],
    });
    assert.equal(uid, 1);
    assert.deepEqual(await store.read("bob", "Work.Course", uid), encode("Subject: lab\r\n\r\n"));
    const status = await store.status("bob", "Work.Course");
    assert.deepEqual([status.name, status.messages, status.unseen], ["Work.Course", 1, 1]);
    assert.equal((await store.status("bob", "INBOX")).messages, 0);
    assert.deepEqual(await store.list("bob", "Work"), []);
    assert.equal(await store.deliver("bob", encode("x")), 1); // every mailbox counts its own UIDs
  });

  test("createMailbox refuses a mailbox that exists", async (store) => {
    await store.ensureUser("bob");
    await store.createMailbox("bob", "Work");
    await assert.rejects(store.createMailbox("bob", "Work"), AlreadyExistsError);
    await assert.rejects(store.createMailbox("bob", "INBOX"), AlreadyExistsError);
    await assert.rejects(store.createMailbox("bob", "inbox"), AlreadyExistsError);
    assert.deepEqual(await store.mailboxes("bob"), ["INBOX", "Work"]);
  });

  test("unknown users, mailboxes and UIDs are NotFoundError", async (store) => {
    const x = encode("x");
    await assert.rejects(store.status("nobody", "INBOX"), NotFoundError);
    await assert.rejects(store.mailboxes("nobody"), NotFoundError);
    await assert.rejects(store.list("nobody", "INBOX"), NotFoundError);
    await assert.rejects(store.read("nobody", "INBOX", 1), NotFoundError);
    await assert.rejects(store.createMailbox("nobody", "Work"), NotFoundError);
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
    await assert.rejects(store.read("bob", "INBOX", 99), NotFoundError);
    await assert.rejects(store.setFlags("bob", "INBOX", 99, ["\\Seen"]), NotFoundError);
    await store.expunge("bob", "INBOX", [99]); // unknown UIDs are ignored
    assert.equal((await store.status("bob", "INBOX")).messages, 1);
    assert.deepEqual(await store.mailboxes("bob"), ["INBOX"]);
  });

  test("user and INBOX names are case-insensitive", async (store) => {
    const uid = await store.deliver("Carol", encode("x"), { mailbox: "Inbox" });
    assert.deepEqual(await store.mailboxes("carol"), ["INBOX"]);
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
    assert.deepEqual(await store.status("bob", "INBOX"), {
      ...before,
      uidNext: 2,
      messages: 1,
      unseen: 1,
    });
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
    }
    const badUsers = ["../root", "..", "a/b", ".hidden", "bob\0", "", "a..b", "x".repeat(65)];
    for (const user of badUsers) {
      const what = JSON.stringify(user);
      await assert.rejects(store.ensureUser(user), InvalidNameError, what);
      await assert.rejects(store.deliver(user, x), InvalidNameError, what);
      await assert.rejects(store.mailboxes(user), InvalidNameError, what);
      await assert.rejects(store.status(user, "INBOX"), InvalidNameError, what);
    }
    assert.deepEqual(await store.mailboxes("bob"), ["INBOX"]);
    assert.equal((await store.status("bob", "INBOX")).messages, 0);
  });

  test("50 concurrent deliveries all land with distinct UIDs", async (store) => {
    const bodies = Array.from({ length: 50 }, (_, i) => encode(`Subject: ${i}\r\n\r\n${i}\r\n`));
    const uids = await Promise.all(bodies.map((body) => store.deliver("bob", body)));
    assert.deepEqual([...uids].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
    const status = await store.status("bob", "INBOX");
    assert.deepEqual([status.messages, status.uidNext], [50, 51]);
    for (const [i, uid] of uids.entries()) {
      assert.deepEqual(await store.read("bob", "INBOX", uid), bodies[i]);
    }
  });
}
