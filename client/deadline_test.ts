// Deadline's one timer: moved forward lazily, set again when a shorter wait comes, and gone
// once the connection is closed.
import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import { Deadline } from "./deadline.ts";

Deno.test("Deadline fires a short wait that follows a long one at its own time", () => {
  const clock = new ManualClock(0);
  const deadline = new Deadline(clock);
  const expired: string[] = [];
  deadline.start(600_000, () => expired.push("end of data"));
  deadline.stop();
  deadline.start(5_000, () => expired.push("command"));
  clock.advance(5_000);
  assert.deepEqual(expired, ["command"]);
  assert.equal(deadline.expired, true);
  deadline.start(1_000, () => expired.push("next"));
  assert.equal(deadline.expired, false, "a new wait starts afresh");
  deadline.cancel();
  clock.advance(600_000);
  assert.deepEqual(expired, ["command"]);
  assert.equal(clock.pending, 0);
});

Deno.test("Deadline keeps one timer for many waits that end in time", () => {
  const clock = new ManualClock(0);
  const deadline = new Deadline(clock);
  for (let i = 0; i < 1000; i++) {
    deadline.start(300_000, () => assert.fail("no wait ran out"));
    clock.advance(10);
    deadline.stop();
  }
  assert.equal(clock.pending, 1);
  clock.advance(300_000);
  assert.equal(clock.pending, 0, "with no wait under way, the timer lapses");
});
