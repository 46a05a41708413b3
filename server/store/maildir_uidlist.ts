/**
 * The UID list of earlier versions of this toolkit, `toolkit-uidlist`, read once to keep its UIDs
 * when a folder gets its first index (`toolkit-index`), then removed: a header with the format
 * version, the UIDVALIDITY and the next UID, then one `uid basename` line per message.
 *
 * ```
 * 1 V1788253200 N4
 * 1 1788253200.M0P4242Q1R1f2e3d4c.crepes,S=1024
 * 3 1788253260.M0P4242Q2R5a6b7c8d.crepes,S=2048
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { readStoreFile } from "./maildir_message_file.ts";

/** The old UID list's file name inside a folder. */
export const UIDLIST_FILE = "toolkit-uidlist";

const MAX_UID = 2 ** 32 - 1;

/** Which base name has which UID in one folder. */
export interface UidList {
  /** The folder's UIDVALIDITY (RFC 3501 §2.3.1.1). */
  uidValidity: number;
  /** The UID the next message will get. */
  uidNext: number;
  /** Base name to UID, in UID order. */
  uids: Map<string, number>;
}

/**
 * Reads a UID list's text, refusing anything that is not exactly what the old toolkit wrote: a
 * truncated or edited list must not hand out a UID twice.
 *
 * @param text The file's text.
 * @returns The list, or `undefined` when the text is corrupt.
 *
 * @example A good list and a corrupt one
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUidList } from "./maildir_uidlist.ts";
 *
 * assert.deepEqual(parseUidList("1 V1788220800 N4\n1 a\n3 b\n")?.uids, new Map([["a", 1], ["b", 3]]));
 * assert.equal(parseUidList("1 V1788220800 N2\n1 a\n2 b\n"), undefined); // UID not below N
 * assert.equal(parseUidList("1 V1788220800 N3\n1 a"), undefined); // truncated
 * ```
 */
export function parseUidList(text: string): UidList | undefined {
  const lines = text.split("\n");
  if (lines.pop() !== "") return undefined;
  const header = /^1 V(\d{1,10}) N(\d{1,10})$/.exec(lines[0] ?? "");
  if (!header) return undefined;
  const uidValidity = Number(header[1]);
  const uidNext = Number(header[2]);
  if (uidValidity < 1 || uidValidity > MAX_UID || uidNext < 1 || uidNext > MAX_UID + 1) {
    return undefined;
  }
  const uids = new Map<string, number>();
  let last = 0;
  for (const line of lines.slice(1)) {
    const entry = /^(\d{1,10}) ([^\s/:.][^/:]*)$/.exec(line);
    const uid = Number(entry?.[1]);
    if (!entry || uid <= last || uid >= uidNext || uids.has(entry[2])) return undefined;
    uids.set(entry[2], uid);
    last = uid;
  }
  return { uidValidity, uidNext, uids };
}

/**
 * Reads a folder's old UID list, if it has a sound one.
 *
 * @param folder The Maildir folder.
 * @returns The list, or `undefined` when it is missing or corrupt.
 *
 * @example A folder without a list
 * ```ts
 * import assert from "node:assert/strict";
 * import { readUidList } from "./maildir_uidlist.ts";
 *
 * const dir = await Deno.makeTempDir();
 * assert.equal(await readUidList(dir), undefined);
 * await Deno.writeTextFile(`${dir}/toolkit-uidlist`, "1 V7 N2\n1 a\n");
 * assert.equal((await readUidList(dir))?.uidValidity, 7);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readUidList(folder: string): Promise<UidList | undefined> {
  const file = await readStoreFile(join(folder, UIDLIST_FILE)); // a link in its place is no file
  if (!file) return undefined;
  try {
    return parseUidList(new TextDecoder("utf-8", { fatal: true }).decode(file.bytes));
  } catch (error) {
    if (error instanceof TypeError) return undefined; // not UTF-8: corrupt like any other damage
    throw error;
  }
}
