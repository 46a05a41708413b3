/**
 * Runs the mailbox store conformance suite for both stores: the one in memory, and the Maildir
 * store in a temporary directory that is removed after each test (its restart tests open a
 * second store on the same directory).
 *
 * @module
 */
import { MaildirStore } from "../server/store/maildir_store.ts";
import { MemoryStore } from "../server/store/memory_store.ts";
import { storeConformance } from "./store_conformance.ts";

storeConformance("MemoryStore", (clock) =>
  Promise.resolve({
    store: new MemoryStore({ clock }),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  }));

storeConformance("MaildirStore", async (clock) => {
  const root = await Deno.makeTempDir({ prefix: "maildir_store_" });
  return {
    store: new MaildirStore({ root, clock }),
    reopen: () => new MaildirStore({ root, clock }),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}, { persistent: true });
