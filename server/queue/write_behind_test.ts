// WriteBehind's promises: a message's ordered writes keep their order, a removal waits for none,
// state writes that pile up behind a slow disk become one, and the number under way is bounded.
import assert from "node:assert/strict";
import { WriteBehind } from "./write_behind.ts";

Deno.test("WriteBehind runs a message's ordered writes in turn and an unordered one at once", async () => {
  const writes = new WriteBehind();
  const disk = Promise.withResolvers<void>();
  const done: string[] = [];
  await writes.add("Q1", () => disk.promise.then(() => void done.push("update")));
  await writes.add("Q1", () => Promise.resolve(void done.push("update again")));
  await writes.add("Q1", () => Promise.resolve(void done.push("remove")), { ordered: false });
  assert.deepEqual(done, ["remove"], "the removal started in the caller's turn");
  disk.resolve();
  await writes.settle();
  assert.deepEqual(done, ["remove", "update", "update again"]);
});

Deno.test("WriteBehind keeps one waiting write of the latest state per message", async () => {
  const writes = new WriteBehind();
  const disk = Promise.withResolvers<void>();
  const state = { attempts: 1 };
  const saved: number[] = [];
  const save = () => disk.promise.then(() => void saved.push(state.attempts));
  await writes.add("Q1", save, { latest: true }); // under way
  for (state.attempts = 2; state.attempts <= 5; state.attempts++) {
    await writes.add("Q1", save, { latest: true }); // the first waits, the others are needless
  }
  state.attempts = 5;
  disk.resolve();
  await writes.settle();
  assert.deepEqual(saved, [5, 5], "two writes, the waiting one with the state it found");
});

Deno.test("WriteBehind makes the writer wait while too many messages have writes under way", async () => {
  const writes = new WriteBehind({ limit: 2 });
  const disk = Promise.withResolvers<void>();
  await writes.add("Q1", () => disk.promise);
  await writes.add("Q2", () => disk.promise);
  let third = false;
  const adding = writes.add("Q3", () => disk.promise).then(() => void (third = true));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(third, false);
  disk.resolve();
  await adding;
  await writes.settle();
  assert.equal(writes.size, 0);
});
