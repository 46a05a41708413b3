/**
 * A spool on disk: one message file and one state file per queued message, each written to a
 * temporary name, synced, then renamed into place, so that a crash never leaves half a message.
 * Nothing in it is readable by others: the folders it makes are 0700, its files 0600, each mode
 * given when the file is made (not left to the umask).
 * State files written before outcomes were kept as data (a reply as text in `lastError` or
 * `deliveredReply`) are read too, and delivered like any other.
 *
 * @module
 */
import { join } from "node:path";
import { syncDirectory } from "../../runtime/atomic_file.ts";
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
    return join(this.root, `${id}.${ext}`);
  }

  async #write(path: string, bytes: Uint8Array): Promise<void> {
    const tmp = join(this.root, "tmp", crypto.randomUUID());
    try {
      await writeNewFile(tmp, bytes, this.#fsync);
      await Deno.rename(tmp, path);
    } catch (error) {
      await Deno.remove(tmp).catch(() => {});
      throw error;
    }
  }

  async put(entry: QueueEntry, message: Uint8Array): Promise<void> {
    await this.#write(this.#path(entry.id, "eml"), message);
    await this.#write(
      this.#path(entry.id, "json"),
      new TextEncoder().encode(JSON.stringify(entry)),
    );
    if (this.#fsync) await syncDirectory(this.root);
  }

  async update(entry: QueueEntry): Promise<void> {
    await this.#write(
      this.#path(entry.id, "json"),
      new TextEncoder().encode(JSON.stringify(entry)),
    );
    if (this.#fsync) await syncDirectory(this.root);
  }

  async remove(id: string): Promise<void> {
    // Either file left alone by a crash is cleared by load(), so both may go at once.
    await Promise.all([
      Deno.remove(this.#path(id, "json")).catch(ignoreMissing),
      Deno.remove(this.#path(id, "eml")).catch(ignoreMissing),
    ]);
  }

  async load(): Promise<QueueEntry[]> {
    const names = new Set<string>();
    for await (const entry of Deno.readDir(this.root)) {
      if (entry.isFile) names.add(entry.name);
    }
    const entries: QueueEntry[] = [];
    const loadOne = async (name: string) => {
      const id = name.replace(/\.(eml|json)$/, "");
      if (name.endsWith(".json")) {
        if (!names.has(`${id}.eml`)) {
          await Deno.remove(join(this.root, name)).catch(ignoreMissing);
          return;
        }
        try {
          entries.push(upgrade(JSON.parse(await Deno.readTextFile(join(this.root, name)))));
        } catch {
          // A state file that cannot be read is kept for the operator, not retried.
        }
      } else if (name.endsWith(".eml") && !names.has(`${id}.json`)) {
        // The message was written but its state was not: the client never got its 250.
        await Deno.remove(join(this.root, name)).catch(ignoreMissing);
      }
    };
    const all = [...names];
    for (let i = 0; i < all.length; i += 64) await Promise.all(all.slice(i, i + 64).map(loadOne));
    return entries.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  read(id: string): Promise<Uint8Array> {
    return Deno.readFile(this.#path(id, "eml"));
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
