import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { MailboxStore } from "../store/store.ts";
import { accounts } from "./_fixture.ts";
import { ImapSession } from "./session.ts";

// A store that counts what it is asked: message reads, and summaries it had to compute.
function counting(store: MemoryStore) {
  const counts = { read: 0, computed: 0 };
  const wrapped = new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "read") {
        return (...args: Parameters<MailboxStore["read"]>) => {
          counts.read++;
          return target.read(...args);
        };
      }
      if (name === "summary") {
        return (
          user: string,
          where: { mailbox: string; uid: number; kind: string },
          compute: (bytes: Uint8Array) => unknown,
        ) =>
          target.summary(user, where, (bytes) => {
            counts.computed++;
            return compute(bytes);
          });
      }
      return value.bind(target);
    },
  });
  return { store: wrapped as MailboxStore, counts };
}

async function session(count: number) {
  const memory = new MemoryStore({ clock: new ManualClock() });
  for (let i = 1; i <= count; i++) {
    const from = i % 2 ? "Alice <alice@crepes.fr>" : "bob@hamburger.edu";
    const text = `From: ${from}\r\nSubject: Note ${i}\r\n\r\nword${i} pickles\r\n`;
    await memory.deliver("bob", new TextEncoder().encode(text), {
      flags: i <= 2 ? ["\\Flagged"] : [],
    });
  }
  const { store, counts } = counting(memory);
  const imap = new ImapSession({ store, accounts });
  await imap.receiveLine("a1 LOGIN bob pickles");
  await imap.receiveLine("a2 SELECT INBOX");
  const reset = () => Object.assign(counts, { read: 0, computed: 0 });
  const send = async (line: string) => (await imap.receiveLine(line)).lines[0];
  return { store, send, counts, reset };
}

Deno.test("searchMailbox reads no message bytes for a second SEARCH FROM", async () => {
  const { store, send, counts, reset } = await session(6);
  assert.equal(await send("s SEARCH FROM alice"), "* SEARCH 1 3 5");
  assert.deepEqual(counts, { read: 0, computed: 6 });
  reset();
  assert.equal(await send("s SEARCH FROM bob SUBJECT note"), "* SEARCH 2 4 6");
  assert.equal(await send("s SORT (FROM) UTF-8 ALL"), "* SORT 1 3 5 2 4 6");
  assert.deepEqual(counts, { read: 0, computed: 0 });
  // Another session finds the summaries in the store.
  const other = new ImapSession({ store, accounts });
  await other.receiveLine("b1 LOGIN bob pickles");
  await other.receiveLine("b2 EXAMINE INBOX");
  assert.equal((await other.receiveLine("b3 SEARCH FROM alice")).lines[0], "* SEARCH 1 3 5");
  assert.deepEqual(counts, { read: 0, computed: 0 });
});

Deno.test("searchMailbox needs neither summary nor bytes for flags, sizes and numbers", async () => {
  const { send, counts } = await session(4);
  assert.equal(await send("s SEARCH FLAGGED NOT 1 LARGER 10 UID 1:*"), "* SEARCH 2");
  assert.deepEqual(counts, { read: 0, computed: 0 });
});

Deno.test("searchMailbox reads bytes only where the cheaper keys leave the answer open", async () => {
  const { send, counts, reset } = await session(6);
  assert.equal(await send("s SEARCH FLAGGED BODY word2"), "* SEARCH 2");
  assert.deepEqual(counts, { read: 2, computed: 0 });
  reset();
  // OR: a message from alice matches without its body.
  assert.equal(await send("s SEARCH OR FROM alice BODY word4"), "* SEARCH 1 3 4 5");
  assert.deepEqual(counts, { read: 3, computed: 6 });
  reset();
  assert.equal(await send("s SEARCH TEXT pickles"), "* SEARCH 1 2 3 4 5 6");
  assert.deepEqual(counts, { read: 6, computed: 0 });
  reset();
  assert.equal(await send('s SEARCH HEADER X-Unusual ""'), "* SEARCH");
  assert.deepEqual(counts, { read: 6, computed: 0 });
});
