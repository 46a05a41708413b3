/**
 * A spool on disk: one message file and one state file per queued message, each written to a
 * temporary name, synced, then renamed into place, so that a crash never leaves half a message.
 *
 * What survives a crash: a message that `put` resolved for is on disk, file and folder synced,
 * before the queue acknowledges it. A state change is synced as a file but not as a rename, and
 * a removal is not synced at all: a crash that loses one leaves the earlier state, so that the
 * next start tries the message again, or sends once more a message whose 250 came just before
 * the crash (a duplicate, the trade SMTP makes anyway); it never loses one. Reads and removals
 * are small synchronous calls (reads in groups between turns of the event loop, see
 * `BatchedFileIo`): in Deno they cost a half to a third of the CPU of asynchronous ones.
 *
 * Nothing in it is readable by others: the folders it makes are 0700, its files 0600, each mode
 * given when the file is made (not left to the umask).
 * State files written before outcomes were kept as data (a reply as text in `lastError` or
 * `deliveredReply`) are read too, and delivered like any other.
 *
 * @module
 */
import { join } from "node:path";
import { syncDirectory } from "../../runtime/atomic_file.ts";
import { BatchedFileIo } from "./batched_file_io.ts";
import type { QueuedRecipient, QueueEntry, Spool } from "./spool.ts";

/** Options of {@linkcode DiskSpool.open}. */
export interface DiskSpoolOptions {
  /** Sync files and the directory before a write counts as done. @default true */
  fsync?: boolean;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The mode of the spool's files: mail is its sender's and recipients' business only. */
const FILE_MODE = 0o600;
/** The mode of the folders the spool makes. */
const DIR_MODE = 0o700;

/**
 * Durable storage for the outbound queue. Layout: `<root>/<id>.eml` (the message) and
 * `<root>/<id>.json` (its state; its presence is what makes the entry live), with `<root>/tmp/`
 * for writes in progress.
 *
 * @example Store, reopen, read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { DiskSpool } from "./disk_spool.ts";
 *
 * const root = await Deno.makeTempDir();
 * const spool = await DiskSpool.open(root);
 * await spool.put({
 *   id: "q1", from: "alice@crepes.fr", recipients: [{ address: "bob@hamburger.edu", status: "pending" }],
 *   createdAt: 0, nextAttemptAt: 0, attempts: 0, size: 2, history: [],
 * }, new Uint8Array([104, 105]));
 * const reopened = await DiskSpool.open(root);
 * assert.deepEqual((await reopened.load()).map((e) => e.id), ["q1"]);
 * assert.deepEqual(await reopened.read("q1"), new Uint8Array([104, 105]));
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @example Read a state file that an older version wrote, its reply as text
 * ```ts
 * import assert from "node:assert/strict";
 * import { DiskSpool } from "./disk_spool.ts";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/q1.eml`, "Subject: hi\r\n\r\nhi\r\n");
 * await Deno.writeTextFile(`${root}/q1.json`, JSON.stringify({
 *   id: "q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 0, attempts: 1, size: 19, history: [], lastAttemptAt: 5,
 *   recipients: [{ address: "bob@hamburger.edu", status: "pending", remote: "127.0.0.1:25", lastError: "451 4.3.0 Try later" }],
 * }));
 * const [entry] = await (await DiskSpool.open(root)).load();
 * assert.deepEqual(entry.recipients[0], {
 *   address: "bob@hamburger.edu", status: "pending",
 *   last: { status: "deferred", error: "451 4.3.0 Try later", remote: "127.0.0.1:25", at: 5 },
 * });
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class DiskSpool implements Spool {
  /** The spool's folder. */
  readonly root: string;
  #fsync: boolean;
  #io = new BatchedFileIo();
  /** Updates under way, per message, and the messages removed meanwhile. */
  #updating = new Map<string, number>();
  #removedWhileUpdating = new Set<string>();

  private constructor(root: string, options: DiskSpoolOptions) {
    this.root = root;
    this.#fsync = options.fsync ?? true;
  }

  /**
   * Opens (creating if needed) a spool folder and clears writes a crash left unfinished.
   *
   * @param root The folder.
   * @param options Whether to sync.
   * @returns The spool.
   */
  static async open(root: string, options: DiskSpoolOptions = {}): Promise<DiskSpool> {
    await Deno.mkdir(join(root, "tmp"), { recursive: true, mode: DIR_MODE });
    for await (const entry of Deno.readDir(join(root, "tmp"))) {
      await Deno.remove(join(root, "tmp", entry.name)).catch(() => {});
    }
    return new DiskSpool(root, options);
  }

  #path(id: string, ext: "eml" | "json"): string {
    if (!ID.test(id)) throw new Error(`Invalid queue id "${id}"`);
    return `${this.root}/${id}.${ext}`;
  }

  // Writes files under temporary names, synced, then renames them into place in order.
  async #write(files: [path: string, bytes: Uint8Array][]): Promise<void> {
    const tmps = files.map(() => join(this.root, "tmp", crypto.randomUUID()));
    try {
      await Promise.all(files.map(([, bytes], i) => writeNewFile(tmps[i], bytes, this.#fsync)));
      for (const [i, [path]] of files.entries()) await Deno.rename(tmps[i], path);
    } catch (error) {
      await Promise.all(tmps.map((tmp) => Deno.remove(tmp).catch(() => {})));
      throw error;
    }
  }

  async put(entry: QueueEntry, message: Uint8Array): Promise<void> {
    // Both files are written at once; the state file comes into place last, since its presence
    // is what makes the entry live. The directory is synced before the queue may acknowledge.
    await this.#write([
      [this.#path(entry.id, "eml"), message],
      [this.#path(entry.id, "json"), new TextEncoder().encode(JSON.stringify(entry))],
    ]);
    if (this.#fsync) await syncDirectory(this.root);
  }

  async update(entry: QueueEntry): Promise<void> {
    // The new state is synced before it replaces the old, so a crash leaves one or the other,
    // whole. The directory is not synced: a rename that a crash forgets leaves the previous
    // state, that is fewer attempts recorded, or a recipient delivered since that is sent again
    // (a duplicate); never a message lost.
    const { id } = entry;
    const json = this.#path(id, "json");
    const bytes = new TextEncoder().encode(JSON.stringify(entry));
    this.#updating.set(id, (this.#updating.get(id) ?? 0) + 1);
    try {
      await this.#write([[json, bytes]]);
    } finally {
      const left = this.#updating.get(id)! - 1;
      if (left > 0) this.#updating.set(id, left);
      else {
        this.#updating.delete(id);
        // Removed while this was written: the state it put back goes too.
        if (this.#removedWhileUpdating.delete(id)) removeIfPresent(json);
      }
    }
  }

  /**
   * Removes a message and its state before it returns (two small synchronous unlinks, cheaper
   * than a trip to another thread), so that a connection's next message goes out only after
   * the last one left the spool; nothing is synced. A removal that a crash loses leaves a
   * message that the next start sends again: a duplicate, never a loss (the queue removes a
   * message only once its destinations have answered). The message file goes first, even while
   * an update of its state is under way (the state goes when the update ends): a state without
   * its message is no entry, and load() clears it.
   *
   * @param id The queue identifier.
   * @returns A settled promise.
   */
  remove(id: string): Promise<void> {
    try {
      const json = this.#path(id, "json");
      removeIfPresent(this.#path(id, "eml"));
      if (this.#updating.has(id)) this.#removedWhileUpdating.add(id);
      else removeIfPresent(json);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async load(): Promise<QueueEntry[]> {
    const names = new Set<string>();
    // One synchronous listing, once at start: the asynchronous one yields its entries one
    // promise at a time, which takes twice as long.
    for (const entry of Deno.readDirSync(this.root)) {
      if (entry.isFile) names.add(entry.name);
    }
    const states: string[] = [];
    const orphans: string[] = [];
    for (const name of names) {
      if (name.endsWith(".json")) {
        // A state without its message: the message was removed, and a crash kept the state.
        (names.has(`${name.slice(0, -5)}.eml`) ? states : orphans).push(name);
      } else if (name.endsWith(".eml") && !names.has(`${name.slice(0, -4)}.json`)) {
        // The message was written but its state was not: the client never got its 250.
        orphans.push(name);
      }
    }
    const entries: QueueEntry[] = [];
    const prefix = `${this.root}/`;
    for (let i = 0; i < states.length; i += 64) {
      const group = states.slice(i, i + 64);
      await this.#io.run(() => {
        for (const name of group) {
          try {
            entries.push(upgrade(JSON.parse(Deno.readTextFileSync(prefix + name))));
          } catch {
            // A state file that cannot be read is kept for the operator, not retried.
          }
        }
      });
    }
    await Promise.all(orphans.map((name) => this.#io.run(() => removeIfPresent(prefix + name))));
    return entries.sort((a, b) =>
      a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    );
  }

  read(id: string): Promise<Uint8Array> {
    const path = this.#path(id, "eml");
    return this.#io.run(() => Deno.readFileSync(path));
  }
}

/** Writes a file that did not exist, mode 0600 from its creation, and waits for the disk. */
async function writeNewFile(path: string, bytes: Uint8Array, fsync: boolean): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true, mode: FILE_MODE });
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
  if (fsync) await file.sync();
}

/** A recipient as a state file of an older version holds it. */
interface OlderRecipient extends QueuedRecipient {
  lastError?: string;
  deliveredReply?: string;
  remote?: string;
}

// An older state file kept the last reply or error as text: it becomes the outcome's error as
// it is (no code is read back out of it), with the server and the time of the last attempt.
function upgrade(entry: QueueEntry): QueueEntry {
  for (const r of entry.recipients as OlderRecipient[]) {
    const { lastError, deliveredReply, remote } = r;
    delete r.lastError;
    delete r.deliveredReply;
    delete r.remote;
    const text = r.status === "delivered" ? deliveredReply ?? lastError : lastError;
    if (r.last || text === undefined) continue;
    r.last = {
      status: r.status === "pending" ? "deferred" : r.status,
      error: text,
      ...(remote ? { remote } : {}),
      at: entry.lastAttemptAt ?? entry.createdAt,
    };
  }
  return entry;
}

function ignoreMissing(error: unknown): void {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}

function removeIfPresent(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    ignoreMissing(error);
  }
}
