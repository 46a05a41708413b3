// The disk spool's files through a message's life: a removal that meets an update of the same
// message, and what load() makes of the files a crash can leave behind.
import assert from "node:assert/strict";
import { DiskSpool } from "./disk_spool.ts";
import type { QueueEntry } from "./spool.ts";

const entry = (id: string): QueueEntry => ({
  id,
  from: "alice@crepes.fr",
  recipients: [{ address: "bob@hamburger.edu", status: "pending" }],
  createdAt: 0,
  nextAttemptAt: 0,
  attempts: 0,
  size: 2,
  history: [],
});
const names = (root: string) => [...Deno.readDirSync(root)].map((e) => e.name).sort();

Deno.test("DiskSpool.remove during an update of the same message leaves neither file", async () => {
  const root = await Deno.makeTempDir();
  try {
    const spool = await DiskSpool.open(root);
    await spool.put(entry("q1"), new Uint8Array([104, 105]));
    const updating = spool.update({ ...entry("q1"), attempts: 1 });
    const removing = spool.remove("q1");
    await Promise.all([updating, removing]);
    assert.deepEqual(names(root), ["tmp"]);
    assert.deepEqual(await spool.load(), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("DiskSpool.load clears a message without its state and a state without its message", async () => {
  const root = await Deno.makeTempDir();
  try {
    const spool = await DiskSpool.open(root);
    for (const id of ["q1", "q2", "q3"]) await spool.put(entry(id), new Uint8Array([104, 105]));
    await Deno.remove(`${root}/q1.json`); // a crash before the state was written: never acknowledged
    await Deno.remove(`${root}/q2.eml`); // a crash between the two unlinks of a removal
    const reopened = await DiskSpool.open(root);
    assert.deepEqual((await reopened.load()).map((e) => e.id), ["q3"]);
    assert.deepEqual(names(root), ["q3.eml", "q3.json", "tmp"]);
    assert.deepEqual(await reopened.read("q3"), new Uint8Array([104, 105]));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
