import assert from "node:assert/strict";
import { systemClock } from "./system_clock.ts";

const wait = (ms: number) => new Promise<void>((resolve) => systemClock.setTimer(ms, resolve));

// Makes timers at one instant: the monotonic clock is held still while they are made, so when
// each is due follows from its wait alone, however slowly a loaded machine runs the loop.
function atOneInstant<T>(make: () => T): T {
  const now = performance.now();
  const real = performance.now;
  performance.now = () => now;
  try {
    return make();
  } finally {
    performance.now = real;
  }
}

Deno.test("timers fire in the order they are due, equal ones in the order they were set", async () => {
  const fired: string[] = [];
  atOneInstant(() => {
    for (const [name, ms] of [["c", 30], ["a", 5], ["b", 15], ["b2", 15], ["a2", 5]] as const) {
      systemClock.setTimer(ms, () => fired.push(name));
    }
  });
  await wait(60);
  assert.deepEqual(fired, ["a", "a2", "b", "b2", "c"]);
});

Deno.test("a cancelled timer never fires, and every other one still does, in order", async () => {
  // Random waits and random cancels move entries around the queue's heap in every way.
  const fired: number[] = [];
  const waits = Array.from({ length: 300 }, () => Math.floor(Math.random() * 40));
  const timers = atOneInstant(() =>
    waits.map((ms, i) => systemClock.setTimer(ms, () => fired.push(i)))
  );
  const cancelled = new Set<number>();
  for (let i = 0; i < 300; i++) {
    if (Math.random() < 0.5) {
      timers[i].cancel();
      cancelled.add(i);
    }
  }
  timers[0].cancel(); // twice is harmless
  cancelled.add(0);
  await wait(80);
  // By wait, and equal waits in the order they were set.
  const expected = waits.map((_, i) => i).filter((i) => !cancelled.has(i))
    .sort((a, b) => waits[a] - waits[b] || a - b);
  assert.deepEqual(fired, expected);
});

Deno.test("a timer set from a firing callback waits its own time", async () => {
  const started = performance.now();
  let second = 0;
  await new Promise<void>((resolve) =>
    systemClock.setTimer(
      5,
      () => systemClock.setTimer(20, () => (second = performance.now(), resolve())),
    )
  );
  assert.ok(second - started >= 25, `fired after ${second - started} ms`);
});

Deno.test("an unref'd timer lets the program end; a plain one keeps it alive until it fires", async () => {
  const clock = new URL("./system_clock.ts", import.meta.url).href;
  const script = `
    import { systemClock } from "${clock}";
    systemClock.setTimer(60_000, () => console.log("never")).unref();
    systemClock.setTimer(50, () => console.log("fired"));
  `;
  const started = performance.now();
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout), "fired\n");
  assert.ok(performance.now() - started < 30_000, "the unref'd timer kept the program alive");
});

Deno.test("a timer for no time, a negative time or NaN fires at once, as setTimeout's would", async () => {
  const fired: number[] = [];
  for (const ms of [0, -5, NaN]) systemClock.setTimer(ms, () => fired.push(ms));
  await wait(10);
  assert.deepEqual(fired, [0, -5, NaN]);
});
