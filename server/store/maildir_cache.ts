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
 * @module
 */
import { join } from "node:path";
import { replaceFile } from "./maildir_message_file.ts";

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
    let text = "";
    try {
      text = new TextDecoder().decode(await Deno.readFile(cache.#path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
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
    if (at < text.length) Deno.truncateSync(cache.#path, cache.#size);
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
    const bytes = encoder.encode(line);
    try {
      using file = Deno.openSync(this.#path, { append: true });
      for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return await this.#rewrite(); // removed from outside: written anew, with this value
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
    await replaceFile(this.#path, bytes, { tmpDir: this.#tmpDir, fsync: false });
    this.#size = bytes.length;
    this.#chars = this.#live = text.length - this.#header.length;
  }
}
