/**
 * A folder's keywords as Dovecot keeps them: the letters `a` to `z` in message file names, named
 * by the folder's `dovecot-keywords` file, one `<index> <name>` line per letter (`0` is `a`).
 *
 * ```
 * 0 $Label1
 * 1 NonJunk
 * ```
 *
 * Read as Dovecot reads it: lines without a space, with an index that is not below 26 or with an
 * empty name are skipped, a later line for the same index wins, names compare without case.
 * Written as Dovecot writes it: whole, into a new file renamed into place, with a modification
 * time later than the previous one (Dovecot rereads the file only when that time changes).
 *
 * @module
 */
import { join } from "node:path";
import { InvalidNameError, MAX_KEYWORDS, normalizeFlags } from "./store.ts";
import { readStoreFile, replaceFile } from "./maildir_message_file.ts";

/** The keywords file's name inside a folder. */
export const KEYWORDS_FILE = "dovecot-keywords";

const FIRST = "a".charCodeAt(0);

/**
 * Which letter names which keyword in one folder. A table is a value: defining keywords makes a
 * new one.
 *
 * @example Parse, look up without case, define
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeywordTable } from "./maildir_keywords.ts";
 *
 * const table = KeywordTable.parse("0 $Label1\n1 NonJunk\nnot a line\n");
 * assert.equal(table.letterOf("$label1"), "a");
 * assert.equal(table.nameOf("b"), "NonJunk");
 * const more = table.define(["$Forwarded", "nonjunk"]);
 * assert.deepEqual(more.names, ["$Label1", "NonJunk", "$Forwarded"]);
 * assert.equal(more.format(), "0 $Label1\n1 NonJunk\n2 $Forwarded\n");
 * ```
 */
export class KeywordTable {
  /** Each letter's name as the file has it, kept even when it is no IMAP keyword. */
  #raw: readonly (string | undefined)[];
  #valid: readonly boolean[];
  #letters = new Map<string, string>();

  /**
   * Makes a table.
   *
   * @param names The keyword of each letter, `a` first; gaps stay free.
   */
  constructor(names: readonly (string | undefined)[] = []) {
    this.#raw = Array.from({ length: Math.min(names.length, MAX_KEYWORDS) }, (_, i) => names[i]);
    this.#valid = this.#raw.map((name) => name !== undefined && isKeyword(name));
    for (const [i, name] of this.#raw.entries()) {
      if (this.#valid[i] && !this.#letters.has(name!.toLowerCase())) {
        this.#letters.set(name!.toLowerCase(), letter(i));
      }
    }
  }

  /**
   * Reads a `dovecot-keywords` file's text. A name that is no IMAP keyword (Dovecot takes the
   * rest of the line, spaces and all) leaves its letter uninterpreted, but taken.
   *
   * @param text The file's text.
   * @returns The table.
   */
  static parse(text: string): KeywordTable {
    const names: (string | undefined)[] = [];
    for (const line of text.split("\n")) {
      const space = line.indexOf(" ");
      const index = /^\d{1,2}$/.test(line.slice(0, space)) ? Number(line.slice(0, space)) : -1;
      const name = line.slice(space + 1);
      if (space < 0 || index < 0 || index >= MAX_KEYWORDS || name === "") continue;
      names[index] = name;
    }
    return new KeywordTable(names);
  }

  /** The defined keywords, in letter order. */
  get names(): string[] {
    return [...this.#letters.values()].sort().map((c) => this.nameOf(c)!);
  }

  /**
   * The file text for this table.
   *
   * @returns Lines `<index> <name>`.
   */
  format(): string {
    return this.#raw.map((name, i) => name === undefined ? "" : `${i} ${name}\n`).join("");
  }

  /**
   * The keyword a letter stands for.
   *
   * @param c `a` to `z`.
   * @returns Its name, or `undefined` for a free or uninterpreted letter.
   */
  nameOf(c: string): string | undefined {
    const i = c.charCodeAt(0) - FIRST;
    return this.#valid[i] ? this.#raw[i] : undefined;
  }

  /**
   * The letter of a keyword, whatever its case.
   *
   * @param name A keyword.
   * @returns Its letter, or `undefined` when it is not defined.
   */
  letterOf(name: string): string | undefined {
    return this.#letters.get(name.toLowerCase());
  }

  /**
   * Defines the keywords that are new, each in the first free letter that no message carries.
   *
   * @param names Keywords, some perhaps defined already.
   * @param busy Letters that messages carry without a name here (left alone).
   * @returns This table when nothing was new, else a new table.
   * @throws {InvalidNameError} When they do not fit; then nothing is defined.
   */
  define(names: readonly string[], busy = ""): KeywordTable {
    const fresh = [...new Map(names.map((n) => [n.toLowerCase(), n])).values()]
      .filter((name) => this.letterOf(name) === undefined);
    if (fresh.length === 0) return this;
    const next = [...this.#raw];
    for (const name of fresh) {
      let i = 0;
      while (i < MAX_KEYWORDS && (next[i] !== undefined || busy.includes(letter(i)))) i++;
      if (i === MAX_KEYWORDS) {
        throw new InvalidNameError(`No room for keyword "${name}": at most ${MAX_KEYWORDS}`);
      }
      next[i] = name;
    }
    return new KeywordTable(next);
  }

  /**
   * The keywords that a file name's letters stand for, in letter order.
   *
   * @param letters Keyword letters, in ASCII order.
   * @returns The names of the defined ones.
   */
  namesOf(letters: string): string[] {
    const names = new Map<string, string>();
    for (const c of letters) {
      const name = this.nameOf(c);
      if (name !== undefined && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
    }
    return [...names.values()];
  }

  /**
   * The letters of some keywords, all defined.
   *
   * @param names Keywords.
   * @returns Their letters in ASCII order.
   */
  lettersOf(names: readonly string[]): string {
    return names.map((name) => this.letterOf(name)!).sort().join("");
  }

  /**
   * Whether two tables give every letter the same name.
   *
   * @param other Another table.
   * @returns True when they agree.
   */
  equals(other: KeywordTable): boolean {
    return this.format() === other.format();
  }
}

/** A keywords file as read: the table and the file's modification time. */
export interface KeywordsFile {
  /** The table (empty when there is no file). */
  table: KeywordTable;
  /** The file's modification time in milliseconds, 0 without a file. */
  mtime: number;
}

/**
 * Reads a folder's keywords file.
 *
 * @param folder The Maildir folder.
 * @returns The table and the file's time; an empty table when there is none.
 *
 * @example No file, no keywords
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKeywords } from "./maildir_keywords.ts";
 *
 * const dir = await Deno.makeTempDir();
 * assert.deepEqual((await readKeywords(dir)).table.names, []);
 * await Deno.writeTextFile(`${dir}/dovecot-keywords`, "3 Work\n");
 * assert.equal((await readKeywords(dir)).table.letterOf("work"), "d");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readKeywords(folder: string): Promise<KeywordsFile> {
  const file = await readStoreFile(join(folder, KEYWORDS_FILE)); // a link in its place is no file
  if (!file) return { table: new KeywordTable(), mtime: 0 };
  const text = new TextDecoder().decode(file.bytes);
  return { table: KeywordTable.parse(text), mtime: file.stat.mtime?.getTime() ?? 0 };
}

/**
 * Replaces a folder's keywords file, its modification time a whole second past the previous.
 *
 * @param folder The Maildir folder; its `tmp/` stages the file.
 * @param table The keywords.
 * @param options The previous file's time, and whether to fsync.
 * @returns The new file's modification time.
 *
 * @example Write and read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeywordTable, readKeywords, writeKeywords } from "./maildir_keywords.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/tmp`);
 * const first = await writeKeywords(dir, new KeywordTable(["$Label1"]), { previous: 0 });
 * const second = await writeKeywords(dir, new KeywordTable(["$Label1", "Work"]), { previous: first });
 * assert.ok(second > first);
 * assert.deepEqual((await readKeywords(dir)).table.names, ["$Label1", "Work"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeKeywords(
  folder: string,
  table: KeywordTable,
  options: { previous: number; fsync?: boolean },
): Promise<number> {
  const seconds = Math.max(Math.floor(Date.now() / 1000), Math.floor(options.previous / 1000) + 1);
  await replaceFile(join(folder, KEYWORDS_FILE), new TextEncoder().encode(table.format()), {
    tmpDir: join(folder, "tmp"),
    fsync: options.fsync,
    mtime: new Date(seconds * 1000),
  });
  return seconds * 1000;
}

function letter(index: number): string {
  return String.fromCharCode(FIRST + index);
}

function isKeyword(name: string): boolean {
  if (name.startsWith("\\")) return false;
  try {
    return normalizeFlags([name]).length === 1;
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}
