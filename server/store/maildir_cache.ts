/**
 * The summaries of one folder's messages (the IMAP server's ENVELOPE and BODYSTRUCTURE), kept in
 * `toolkit-cache` beside the index as Dovecot keeps `dovecot.index.cache`: a header that names
 * the folder's UIDVALIDITY, then one line per value, appended as values are made.
 *
 * ```
 * toolkit-cache 1 V1788220800
 * 1<TAB>"imap-1"<TAB>{"envelope":["Mon, 1 Sep 2026 09:00:00 +0000","hi"]}
 * ```
 *
 * The kind and the value are JSON, which never holds a raw tab or newline. It is a cache: a
 * damaged line or a file from another UIDVALIDITY is dropped and the values made again. Values
 * are parsed when first asked for, so opening a big folder does not parse what is not used.
 * Lines of expunged messages are dropped when they make up more than half of the file.
 *
 * When the disk is full, values are kept in memory only (an append that failed is cut back off,
 * so no half line is left for the next one to follow), and a read never fails for want of room
 * to remember what it computed. A link in the file's place is not followed: it reads as no file.
 *
 * @module
 */
import { join } from "node:path";
import {
  openStoreFile,
  readStoreFile,
  RefusedFileError,
  replaceFile,
} from "./maildir_message_file.ts";
import { StorageFullError } from "./store.ts";

/** The cache's file name inside a folder. */
export const CACHE_FILE = "toolkit-cache";

const VERSION = 1;
const COMPACT_AFTER = 1024 * 1024;
const encoder = new TextEncoder();

/** One kept value: its line (for the file) and, once asked for, its value. */
interface Entry {
  line: string;
  value?: { parsed: unknown };
}

/**
 * The summaries of one folder.
 *
 * @example Keep a value, find it after a reopen
 * ```ts
 * import assert from "node:assert/strict";
 * import { SummaryCache } from "./maildir_cache.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/tmp`);
 * const cache = await SummaryCache.open(dir, 7);
 * await cache.put(3, "imap-1", { subject: "hi" });
 * assert.deepEqual((await SummaryCache.open(dir, 7)).get(3, "imap-1"), { value: { subject: "hi" } });
 * assert.equal((await SummaryCache.open(dir, 8)).get(3, "imap-1"), undefined); // another UIDVALIDITY
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SummaryCache {
  #path: string;
  #tmpDir: string;
  #header: string;
  #entries = new Map<number, Map<string, Entry>>();
  /** The file's size in bytes, where appends go. */
  #size = 0;
  /** The characters of all lines in the file, and of those still of use. */
  #chars = 0;
  #live = 0;
  /** Whether the file is not this cache's (a rewrite found no room): values wait in memory. */
  #detached = false;

  private constructor(folder: string, uidValidity: number) {
    this.#path = join(folder, CACHE_FILE);
    this.#tmpDir = join(folder, "tmp");
    this.#header = `toolkit-cache ${VERSION} V${uidValidity}\n`;
  }

  /**
   * Reads a folder's cache, or starts it anew when it is missing or from another UIDVALIDITY.
   *
   * @param folder The Maildir folder.
   * @param uidValidity The folder's UIDVALIDITY now.
   * @returns The cache.
   */
  static async open(folder: string, uidValidity: number): Promise<SummaryCache> {
    const cache = new SummaryCache(folder, uidValidity);
    const file = await readStoreFile(cache.#path);
    const text = file ? new TextDecoder().decode(file.bytes) : "";
    if (!text.startsWith(cache.#header)) {
      await cache.#rewrite();
      return cache;
    }
    let at = cache.#header.length;
    for (let end = text.indexOf("\n", at); end >= 0; at = end + 1, end = text.indexOf("\n", at)) {
      cache.#take(text.slice(at, end + 1));
    }
    cache.#size = encoder.encode(text.slice(0, at)).length;
    cache.#chars = at - cache.#header.length;
    // What follows the last newline is a write cut short: cut it off before appending.
    if (at < text.length) {
      using cut = openStoreFile(cache.#path, { write: true }).file;
      cut.truncateSync(cache.#size);
    }
    return cache;
  }

  /**
   * Finds a kept value.
   *
   * @param uid The message.
   * @param kind The kind of value.
   * @returns The value, wrapped (a value may itself be `null`), or `undefined`.
   */
  get(uid: number, kind: string): { value: unknown } | undefined {
    const entry = this.#entries.get(uid)?.get(kind);
    if (!entry) return undefined;
    if (!entry.value) {
      const json = entry.line.slice(entry.line.indexOf("\t", entry.line.indexOf("\t") + 1) + 1);
      try {
        entry.value = { parsed: JSON.parse(json) };
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        this.#entries.get(uid)!.delete(kind); // damaged: made again
        return undefined;
      }
    }
    return { value: entry.value.parsed };
  }

  /**
   * Keeps a value, in memory and in the file.
   *
   * @param uid The message.
   * @param kind The kind of value.
   * @param value The value; one that JSON cannot hold is kept in memory only.
   */
  async put(uid: number, kind: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    if (json === undefined) {
      this.#slot(uid).set(kind, { line: "", value: { parsed: value } });
      return;
    }
    const line = `${uid}\t${JSON.stringify(kind)}\t${json}\n`;
    this.#drop(this.#entries.get(uid)?.get(kind));
    this.#slot(uid).set(kind, { line, value: { parsed: value } });
    this.#live += line.length;
    this.#chars += line.length;
    if (this.#detached) return await this.#rewrite();
    let opened: { file: Deno.FsFile; stat: Deno.FileInfo };
    try {
      opened = openStoreFile(this.#path, { append: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound || error instanceof RefusedFileError)) {
        throw error;
      }
      return await this.#rewrite(); // removed or replaced from outside: written anew, with this value
    }
    using file = opened.file;
    const bytes = encoder.encode(line);
    try {
      for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
    } catch (error) {
      // No half line for the next append to run into (a truncate needs no room).
      file.truncateSync(opened.stat.size);
      if (StorageFullError.from(error)) return; // a cache: the value stays in memory
      throw error;
    }
    this.#size += bytes.length;
  }

  /**
   * Forgets the values of expunged messages; rewrites the file when they fill most of it.
   *
   * @param uids The messages.
   */
  async forget(uids: Iterable<number>): Promise<void> {
    for (const uid of uids) {
      for (const entry of this.#entries.get(uid)?.values() ?? []) this.#drop(entry);
      this.#entries.delete(uid);
    }
    if (this.#chars - this.#live > Math.max(COMPACT_AFTER, this.#live)) await this.#rewrite();
  }

  #take(line: string): void {
    const tab = line.indexOf("\t");
    const second = line.indexOf("\t", tab + 1);
    const uid = Number(line.slice(0, tab));
    let kind: unknown;
    try {
      kind = JSON.parse(line.slice(tab + 1, second));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
    if (!Number.isInteger(uid) || uid < 1 || second < 0 || typeof kind !== "string") return;
    this.#drop(this.#entries.get(uid)?.get(kind));
    this.#slot(uid).set(kind, { line });
    this.#live += line.length;
  }

  #slot(uid: number): Map<string, Entry> {
    let slot = this.#entries.get(uid);
    if (!slot) this.#entries.set(uid, slot = new Map());
    return slot;
  }

  #drop(entry: Entry | undefined): void {
    if (entry) this.#live -= entry.line.length;
  }

  async #rewrite(): Promise<void> {
    const lines = [...this.#entries.values()].flatMap((slot) => [...slot.values()]);
    const text = this.#header + lines.map((entry) => entry.line).join("");
    const bytes = encoder.encode(text);
    try {
      await replaceFile(this.#path, bytes, { tmpDir: this.#tmpDir, fsync: false });
    } catch (error) {
      if (!StorageFullError.from(error)) throw error;
      this.#detached = true; // the values wait in memory; the next one tries again
      return;
    }
    this.#detached = false;
    this.#size = bytes.length;
    this.#chars = this.#live = text.length - this.#header.length;
  }
}
