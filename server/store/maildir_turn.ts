/**
 * Turns: operations on one folder run one at a time, so that two deliveries never hand out the
 * same UID and a scan never meets a half-made change. The queues live in the module, so that two
 * stores on one root in one process share them; there is no lock file, so two processes must not
 * write to one root at once.
 *
 * @module
 */

const queues = new Map<string, Promise<void>>();

/**
 * Runs `work` after every earlier call with the same key has finished.
 *
 * @param key What to serialise on: a folder's path.
 * @param work The operation.
 * @returns What `work` returns.
 *
 * @example One at a time
 * ```ts
 * import assert from "node:assert/strict";
 * import { inTurn } from "./maildir_turn.ts";
 *
 * const order: string[] = [];
 * const slow = inTurn("/box", async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 5));
 *   order.push("slow");
 * });
 * const fast = inTurn("/box", () => Promise.resolve(order.push("fast")));
 * await Promise.all([slow, fast]);
 * assert.deepEqual(order, ["slow", "fast"]);
 * ```
 */
export function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
  const result = (queues.get(key) ?? Promise.resolve()).then(work);
  // The next in line waits for this one to finish, whatever its outcome.
  const done = result.then(() => {}, () => {});
  queues.set(key, done);
  done.then(() => {
    if (queues.get(key) === done) queues.delete(key);
  });
  return result;
}

/**
 * Runs `work` in the turns of several keys at once. Keys are taken in sorted order, so two calls
 * that share keys never wait for each other in a circle.
 *
 * @param keys The keys.
 * @param work The operation.
 * @returns What `work` returns.
 *
 * @example Two keys
 * ```ts
 * import assert from "node:assert/strict";
 * import { inTurns } from "./maildir_turn.ts";
 *
 * const both = await Promise.all([
 *   inTurns(["/a", "/b"], () => Promise.resolve(1)),
 *   inTurns(["/b", "/a"], () => Promise.resolve(2)),
 * ]);
 * assert.deepEqual(both, [1, 2]);
 * ```
 */
export function inTurns<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
  const sorted = [...new Set(keys)].sort();
  const step = (i: number): Promise<T> =>
    i === sorted.length ? work() : inTurn(sorted[i], () => step(i + 1));
  return step(0);
}
