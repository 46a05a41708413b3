/**
 * Small file operations run synchronously, in groups, once the current turn of the event loop
 * is over: how the disk spool reads its message files (a few ahead of their turn) and its state
 * files (at start). A spool file is small and, having been written recently, usually in the
 * page cache; in Deno an asynchronous file call costs two to three times the CPU of the
 * synchronous one (a hop to a worker thread and back, each time), which was most of a fast
 * delivery's cost. Done after the turn, the calls do not hold up the replies and writes that the
 * turn was handling; a group is kept short so that nothing else waits long. The price: a disk
 * that makes a read wait (a file not in the page cache) holds up the event loop meanwhile.
 *
 * @module
 */
import { setImmediate } from "node:timers";

/** Options of {@linkcode BatchedFileIo}. */
export interface BatchedFileIoOptions {
  /** Operations run in one group, at most; the rest wait for the next turn. @default 64 */
  groupSize?: number;
}

interface Job {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs synchronous file operations later, in groups, each with its own result.
 *
 * @example Three reads in one group
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchedFileIo } from "./batched_file_io.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a`, "ketchup");
 * const io = new BatchedFileIo();
 * const [text, missing] = await Promise.allSettled([
 *   io.run(() => Deno.readTextFileSync(`${dir}/a`)),
 *   io.run(() => Deno.readTextFileSync(`${dir}/b`)),
 * ]);
 * assert.deepEqual(text, { status: "fulfilled", value: "ketchup" });
 * assert.ok(missing.status === "rejected" && missing.reason instanceof Deno.errors.NotFound);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class BatchedFileIo {
  #jobs: Job[] = [];
  #scheduled = false;
  #groupSize: number;

  /**
   * Makes an empty runner.
   *
   * @param options How many operations one group holds.
   */
  constructor(options: BatchedFileIoOptions = {}) {
    this.#groupSize = Math.max(1, options.groupSize ?? 64);
  }

  /**
   * Runs an operation with the next group.
   *
   * @param operation Synchronous file work, such as `() => Deno.readFileSync(path)`.
   * @returns What it returns, or its error.
   */
  run<T>(operation: () => T): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#jobs.push({ run: operation, resolve: resolve as (value: unknown) => void, reject });
    this.#schedule();
    return promise;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Not setTimeout(0): Deno runs it a millisecond or two later, setImmediate in microseconds.
    setImmediate(() => this.#runGroup());
  }

  #runGroup(): void {
    this.#scheduled = false;
    for (const job of this.#jobs.splice(0, this.#groupSize)) {
      try {
        job.resolve(job.run());
      } catch (error) {
        job.reject(error);
      }
    }
    if (this.#jobs.length > 0) this.#schedule();
  }
}
