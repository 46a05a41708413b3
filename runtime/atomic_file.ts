/**
 * Durable file writes shared by the Maildir store and the queue's spool: a new file written and
 * synced before anyone may see it, and a directory synced so that a rename into it survives a
 * crash.
 *
 * @module
 */

/** Options of {@linkcode writeNewFile}. */
export interface WriteNewFileOptions {
  /** Whether to wait for the disk before returning. @default true */
  fsync?: boolean;
  /** The file's modification time (a Maildir message's internal date). @default the time of writing */
  mtime?: Date;
}

/**
 * Writes a new file that did not exist before, with all its bytes and its modification time, and
 * (unless told not to) waits until the disk has them.
 *
 * @param path Where to write; the call fails if something is there.
 * @param bytes The content.
 * @param options Whether to fsync, and the modification time.
 *
 * @example Write once
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeNewFile } from "./atomic_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeNewFile(`${dir}/a`, new Uint8Array([1, 2]), { fsync: false });
 * await assert.rejects(writeNewFile(`${dir}/a`, new Uint8Array([3])), Deno.errors.AlreadyExists);
 * assert.deepEqual(await Deno.readFile(`${dir}/a`), new Uint8Array([1, 2]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeNewFile(
  path: string,
  bytes: Uint8Array,
  options: WriteNewFileOptions = {},
): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  for (let done = 0; done < bytes.length;) {
    done += await file.write(bytes.subarray(done));
  }
  if (options.mtime) await file.utime(options.mtime, options.mtime);
  if (options.fsync ?? true) await file.sync();
}

/**
 * Makes the renames in a directory durable, where the platform allows it (POSIX; not Windows):
 * until the directory itself is synced, a crash may forget that a file moved into it.
 *
 * @param dir The directory whose entries changed.
 *
 * @example Make a rename durable
 * ```ts
 * import assert from "node:assert/strict";
 * import { syncDirectory } from "./atomic_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a`, "x");
 * await Deno.rename(`${dir}/a`, `${dir}/b`);
 * await syncDirectory(dir);
 * assert.equal(await Deno.readTextFile(`${dir}/b`), "x");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  using handle = await Deno.open(dir, { read: true });
  await handle.sync();
}

/**
 * Waits for every one of several writes or syncs, so that none is left running behind the
 * caller's cleanup, then throws the first failure.
 *
 * @param work What to wait for, side by side.
 * @throws The first failure among them, once all have ended.
 *
 * @example Both end before the failure is reported
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitAll } from "./atomic_file.ts";
 *
 * let slowEnded = false;
 * const slow = new Promise<void>((resolve) => setTimeout(() => (slowEnded = true, resolve()), 5));
 * await assert.rejects(waitAll([Promise.reject(new Error("disk full")), slow]), /disk full/);
 * assert.equal(slowEnded, true);
 * ```
 */
export async function waitAll(work: readonly Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
}
