import assert from "node:assert/strict";
import { systemClock } from "./system_clock.ts";

const wait = (ms: number) => new Promise<void>((resolve) => systemClock.setTimer(ms, resolve));

Deno.test("timers fire in the order they are due, equal ones in the order they were set", async () => {
  const fired: string[] = [];
  for (const [name, ms] of [["c", 30], ["a", 5], ["b", 15], ["b2", 15], ["a2", 5]] as const) {
    systemClock.setTimer(ms, () => fired.push(name));
  }
  await wait(60);
  assert.deepEqual(fired, ["a", "a2", "b", "b2", "c"]);
});

Deno.test("a cancelled timer never fires, and every other one still does, in order", async () => {
  // Random waits and random cancels move entries around the queue's heap in every way.
  const fired: number[] = [];
  const due = new Map<number, number>();
  const timers = Array.from({ length: 300 }, (_, i) => {
    const ms = Math.floor(Math.random() * 40);
    due.set(i, performance.now() + ms);
    return systemClock.setTimer(ms, () => fired.push(i));
  });
  const cancelled = new Set<number>();
  for (let i = 0; i < 300; i++) {
    if (Math.random() < 0.5) {
      timers[i].cancel();
      cancelled.add(i);
    }
  }
  timers[0].cancel(); // twice is harmless
  await wait(80);
  const expected = [...due.keys()].filter((i) => !cancelled.has(i) && i !== 0);
  assert.deepEqual([...fired].sort((a, b) => a - b), expected);
  for (let k = 1; k < fired.length; k++) {
    assert.ok(due.get(fired[k - 1])! <= due.get(fired[k])! + 1, "fired out of order");
  }
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
