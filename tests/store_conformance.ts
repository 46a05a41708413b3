/**
 * The conformance suite of {@linkcode MailboxStore}: one set of behaviours that every store
 * implementation must show, registered as `Deno.test` cases for a given store (the shape of
 * Hono's `router/common.case.test.ts`). `store_conformance_test.ts` runs it for each store.
 *
 * This file holds the suite's entry and the behaviours of messages (bytes, UIDs, status, flags,
 * listing); the others are beside it: keywords, modification sequences, recent messages,
 * summaries and copies (`store_conformance_flags.ts`), the mailbox tree, subscriptions and
 * watchers (`store_conformance_mailboxes.ts`), and a restart (`store_conformance_restart.ts`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import { type MailboxStore, SYSTEM_FLAGS, type SystemFlag } from "../server/store/store.ts";
import { flagConformance } from "./store_conformance_flags.ts";
import { mailboxConformance } from "./store_conformance_mailboxes.ts";
import { restartConformance } from "./store_conformance_restart.ts";

/** A fresh, empty store for one test, and how to clean up after it. */
export interface StoreFixture extends AsyncDisposable {
  /** The store under test. */
  store: MailboxStore;
  /**
   * Opens another store on the same data, as a restarted process would; stores that keep
   * nothing (memory) leave it out, and the restart tests are not registered for them.
   */
  reopen?: () => MailboxStore;
}

/** Opens a fresh, empty store that reads the given clock. */
export type OpenStore = (clock: ManualClock) => Promise<StoreFixture>;

/** Registers one conformance test for the store under test. */
export type Register = (
  name: string,
  body: (store: MailboxStore, clock: ManualClock, fixture: StoreFixture) => Promise<void>,
  options?: { persistent?: boolean },
) => void;

/** Options of {@linkcode storeConformance}. */
export interface ConformanceOptions {
  /** Whether the store keeps its data across a restart (its fixtures can reopen). @default false */
  persistent?: boolean;
}

/** The bytes of a text. */
export const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * Registers the conformance tests for one store implementation. Each test opens its own store
 * through `open` and disposes of it at the end, so tests share nothing.
 *
 * @param label The implementation's name, the first word of every test name.
 * @param open Makes a fresh store on a manual clock.
 * @param options Whether the store persists (else the restart tests are left out).
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
export function storeConformance(
  label: string,
  open: OpenStore,
  options: ConformanceOptions = {},
): void {
  const test: Register = (name, body, needs = {}) => {
    // A store that keeps nothing has no restart to test: such tests are not registered at all.
    if (needs.persistent && !options.persistent) return;
    Deno.test(`${label} ${name}`, async () => {
      const clock = new ManualClock();
      await using fixture = await open(clock);
      await body(fixture.store, clock, fixture);
    });
  };
  messageConformance(test);
  flagConformance(test);
  mailboxConformance(test);
  restartConformance(test);
}

function messageConformance(test: Register): void {
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

  test("status counts messages, unseen and recent ones, and reports uidNext", async (store) => {
    await store.ensureUser("bob");
    const fresh = await store.status("bob", "INBOX");
    assert.deepEqual({ ...fresh, uidValidity: 0, highestModseq: 0 }, {
      name: "INBOX",
      uidValidity: 0,
      uidNext: 1,
      messages: 0,
      unseen: 0,
      recent: 0,
      highestModseq: 0,
      keywords: [],
    });
    assert.ok(Number.isInteger(fresh.uidValidity) && fresh.uidValidity >= 1);
    assert.ok(fresh.uidValidity <= 2 ** 32 - 1);
    await store.deliver("bob", encode("a"));
    await store.deliver("bob", encode("b"), { flags: ["\\Seen"] });
    await store.deliver("bob", encode("c"));
    const three = await store.status("bob", "INBOX");
    assert.deepEqual({ ...three, highestModseq: 0 }, {
      ...fresh,
      highestModseq: 0,
      uidNext: 4,
      messages: 3,
      unseen: 2,
      recent: 3,
    });
    await store.setFlags("bob", "INBOX", 1, ["\\Seen", "\\Answered"]);
    await store.expunge("bob", "INBOX", [3]);
    const after = await store.status("bob", "inbox");
    assert.deepEqual([after.uidNext, after.messages, after.unseen, after.recent], [4, 2, 0, 2]);
    assert.ok(after.highestModseq > three.highestModseq);
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
    await assert.rejects(store.setFlags("bob", "INBOX", uid, ["\\Recent"]), TypeError);
    await assert.rejects(store.setFlags("bob", "INBOX", uid, ["two words"]), TypeError);
    await assert.rejects(store.deliver("bob", encode("y"), { flags: ["\\Recent"] }), TypeError);
    assert.equal((await store.status("bob", "INBOX")).messages, 1);
  });

  test("list is in UID order with sizes, internal dates and modseqs", async (store, clock) => {
    const first = clock.now();
    await store.deliver("bob", encode("one"));
    clock.advance(60_000);
    const old = Date.UTC(2001, 8, 9, 12, 0, 0);
    await store.deliver("bob", encode("second"), { internalDate: old });
    clock.advance(60_000);
    await store.deliver("bob", encode("third!"));
    const list = await store.list("bob", "INBOX");
    assert.deepEqual(list.map(({ modseq: _, ...rest }) => rest), [
      { uid: 1, flags: [], size: 3, internalDate: first },
      { uid: 2, flags: [], size: 6, internalDate: old },
      { uid: 3, flags: [], size: 6, internalDate: first + 120_000 },
    ]);
    const modseqs = list.map((m) => m.modseq);
    assert.ok(modseqs[0] < modseqs[1] && modseqs[1] < modseqs[2], `${modseqs}`);
    assert.equal((await store.status("bob", "INBOX")).highestModseq, modseqs[2]);
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
