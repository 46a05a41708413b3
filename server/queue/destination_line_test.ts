// The line's read-ahead: how far it reads, what it skips, and a read that fails.
import assert from "node:assert/strict";
import { DestinationLine } from "./destination_line.ts";

function line(sizes: Record<string, number>, fail: string[] = []) {
  const reads: string[] = [];
  const destination = new DestinationLine("hamburger.edu", {
    read: (id) => {
      reads.push(id);
      return fail.includes(id)
        ? Promise.reject(new Error(`No queued message "${id}"`))
        : Promise.resolve(new TextEncoder().encode(id));
    },
    size: (id) => sizes[id],
    readAhead: 3,
    readAheadBytes: 100,
  });
  return { destination, reads };
}

Deno.test("DestinationLine reads ahead at most readAhead messages and readAheadBytes bytes", () => {
  const { destination, reads } = line({ Q1: 10, Q2: 60, Q3: 60, Q4: 10, Q5: 10 });
  for (const id of ["Q1", "Q2", "Q3", "Q4", "Q5"]) destination.push(id);
  assert.deepEqual(reads, ["Q1", "Q2"], "Q3 would pass 100 bytes");
  destination.take();
  assert.deepEqual(reads, ["Q1", "Q2"], "Q2 and Q3 still pass 100 bytes");
  destination.take();
  assert.deepEqual(reads, ["Q1", "Q2", "Q3", "Q4", "Q5"]);
});

Deno.test("DestinationLine skips a message that left the queue, and hands a failed read to its taker", async () => {
  const sizes: Record<string, number> = { Q1: 1, Q2: 1, Q3: 1 };
  const { destination, reads } = line(sizes, ["Q3"]);
  for (const id of ["Q1", "Q2", "Q3"]) destination.push(id);
  delete sizes.Q2; // the operator removed it
  assert.equal(destination.take()?.id, "Q1");
  const third = destination.take();
  assert.equal(third?.id, "Q3");
  await assert.rejects(third!.message, /No queued message "Q3"/);
  assert.equal(destination.take(), undefined);
  assert.deepEqual(reads, ["Q1", "Q2", "Q3"]);
  destination.settle();
  assert.equal(destination.empty, true);
});
