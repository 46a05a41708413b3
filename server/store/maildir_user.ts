/**
 * The files a Maildir store keeps per user, beside the INBOX:
 *
 * ```
 * <root>/bob/toolkit-uidvalidity   the last UIDVALIDITY handed out for bob: "1788220804\n"
 * <root>/bob/subscriptions         Dovecot's: one mailbox name per line (or its version 2)
 * <root>/bob/toolkit-special-use   "<use> <name>" lines: "\Sent Sent", "\Trash Trash"
 * ```
 *
 * Dovecot keeps special use in its configuration, which a store cannot write; the toolkit keeps
 * it in its own small file. Each file is replaced whole (written into `tmp/`, renamed).
 *
 * @module
 */
import { join } from "node:path";
import { checkMailboxName, InvalidNameError, type SpecialUse } from "./store.ts";
import { readStoreFile, replaceFile } from "./maildir_message_file.ts";

/** The file that remembers the last UIDVALIDITY handed out for a user. */
export const UIDVALIDITY_FILE = "toolkit-uidvalidity";
/** The subscriptions file, where Dovecot keeps it. */
export const SUBSCRIPTIONS_FILE = "subscriptions";
/** The special-use file. */
export const SPECIAL_USE_FILE = "toolkit-special-use";

const MAX_UID = 2 ** 32 - 1;
// Dovecot's version 2: this header, then each name's levels separated by tabs.
const VERSION_2 = "V\t2\n\n";
const USES: readonly SpecialUse[] = ["\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive"];

/** Options of the functions that write a user's files. */
export interface UserFileOptions {
  /** Whether to wait for the disk. @default true */
  fsync?: boolean;
}

/**
 * Hands out a UIDVALIDITY for a user's new folder or rebuilt index: the time in seconds, but
 * always above every value handed out before for this user, so a name that comes back (deleted
 * and made again, renamed away and reused) never looks like the old mailbox to a client's cache.
 * The caller serialises calls for one user.
 *
 * @param userDir The user's Maildir, which keeps the last value handed out.
 * @param now The time in milliseconds since the epoch.
 * @param options Whether to fsync.
 * @returns The new UIDVALIDITY.
 *
 * @example Two in the same second differ
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextUidValidity } from "./maildir_user.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/tmp`);
 * const now = Date.UTC(2026, 8, 1);
 * assert.equal(await nextUidValidity(dir, now), now / 1000);
 * assert.equal(await nextUidValidity(dir, now), now / 1000 + 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function nextUidValidity(
  userDir: string,
  now: number,
  options: UserFileOptions = {},
): Promise<number> {
  const text = await readText(join(userDir, UIDVALIDITY_FILE));
  const last = Number(/^(\d{1,10})\n$/.exec(text ?? "")?.[1] ?? 0);
  const next = Math.min(MAX_UID, Math.max(Math.floor(now / 1000), last + 1, 1));
  await write(userDir, UIDVALIDITY_FILE, `${next}\n`, options);
  return next;
}

/** A user's subscriptions as the file has them. */
export interface Subscriptions {
  /** The names, in the file's order. */
  names: string[];
  /** The file's format: Dovecot reads both, and keeps the one it finds. */
  version: 1 | 2;
}

/**
 * Reads a user's subscriptions, in either of Dovecot's formats; names that the store would refuse
 * are left out.
 *
 * @param userDir The user's Maildir.
 * @returns The names and the file's version (1 when there is no file).
 *
 * @example Version 2, as Dovecot 2.3 writes it
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSubscriptions } from "./maildir_user.ts";
 *
 * const dir = await Deno.makeTempDir();
 * assert.deepEqual(await readSubscriptions(dir), { names: [], version: 1 });
 * await Deno.writeTextFile(`${dir}/subscriptions`, "V\t2\n\nWork\tCourse\nINBOX\n");
 * assert.deepEqual(await readSubscriptions(dir), { names: ["Work.Course", "INBOX"], version: 2 });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readSubscriptions(userDir: string): Promise<Subscriptions> {
  const text = await readText(join(userDir, SUBSCRIPTIONS_FILE)) ?? "";
  const version = text.startsWith(VERSION_2) ? 2 : 1;
  const lines = (version === 2 ? text.slice(VERSION_2.length) : text).split("\n");
  const names = lines.map((line) => canonical(version === 2 ? line.replaceAll("\t", ".") : line))
    .filter((name) => name !== undefined);
  return { names: [...new Set(names)], version };
}

/**
 * Replaces a user's subscriptions file.
 *
 * @param userDir The user's Maildir.
 * @param subscriptions The names and the format to write them in.
 * @param options Whether to fsync.
 *
 * @example One name per line
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSubscriptions } from "./maildir_user.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/tmp`);
 * await writeSubscriptions(dir, { names: ["INBOX", "Work.Course"], version: 1 });
 * assert.equal(await Deno.readTextFile(`${dir}/subscriptions`), "INBOX\nWork.Course\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSubscriptions(
  userDir: string,
  subscriptions: Subscriptions,
  options: UserFileOptions = {},
): Promise<void> {
  const { names, version } = subscriptions;
  const lines = names.map((name) => version === 2 ? name.replaceAll(".", "\t") : name);
  const text = (version === 2 ? VERSION_2 : "") + lines.map((line) => `${line}\n`).join("");
  await write(userDir, SUBSCRIPTIONS_FILE, text, options);
}

/**
 * Reads which of a user's mailboxes have a special use.
 *
 * @param userDir The user's Maildir.
 * @returns Mailbox name to special use.
 *
 * @example A name with a space; an unknown use is dropped
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSpecialUse } from "./maildir_user.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/toolkit-special-use`, "\\Sent Sent Items\n\\Bogus X\n");
 * assert.deepEqual(await readSpecialUse(dir), new Map([["Sent Items", "\\Sent"]]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readSpecialUse(userDir: string): Promise<Map<string, SpecialUse>> {
  const uses = new Map<string, SpecialUse>();
  for (const line of (await readText(join(userDir, SPECIAL_USE_FILE)) ?? "").split("\n")) {
    const space = line.indexOf(" ");
    const use = line.slice(0, space) as SpecialUse;
    const name = line.slice(space + 1);
    if (space > 0 && USES.includes(use) && canonical(name) === name) uses.set(name, use);
  }
  return uses;
}

/**
 * Replaces a user's special-use file.
 *
 * @param userDir The user's Maildir.
 * @param uses Mailbox name to special use.
 * @param options Whether to fsync.
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSpecialUse, writeSpecialUse } from "./maildir_user.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/tmp`);
 * await writeSpecialUse(dir, new Map([["Trash", "\\Trash"]]));
 * assert.equal(await Deno.readTextFile(`${dir}/toolkit-special-use`), "\\Trash Trash\n");
 * assert.deepEqual(await readSpecialUse(dir), new Map([["Trash", "\\Trash"]]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSpecialUse(
  userDir: string,
  uses: ReadonlyMap<string, SpecialUse>,
  options: UserFileOptions = {},
): Promise<void> {
  const text = [...uses].map(([name, use]) => `${use} ${name}\n`).join("");
  await write(userDir, SPECIAL_USE_FILE, text, options);
}

async function readText(path: string): Promise<string | undefined> {
  const file = await readStoreFile(path); // a link in its place is no file
  return file && new TextDecoder().decode(file.bytes);
}

async function write(userDir: string, file: string, text: string, options: UserFileOptions) {
  const bytes = new TextEncoder().encode(text);
  await replaceFile(join(userDir, file), bytes, { tmpDir: join(userDir, "tmp"), ...options });
}

function canonical(name: string): string | undefined {
  try {
    return checkMailboxName(name);
  } catch (error) {
    if (error instanceof InvalidNameError) return undefined;
    throw error;
  }
}
