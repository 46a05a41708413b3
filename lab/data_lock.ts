/**
 * One lab per data folder. A running lab names itself (its pid) in `<dataDir>/lab.lock`, and the
 * control endpoint in `control.json`; a second lab that finds either held by a live process stops
 * with a message naming that process, instead of sharing the mailboxes or deleting the first
 * one's `control.json` when it stops. A file left by a lab that crashed is taken over.
 *
 * @module
 */
import { join, resolve } from "node:path";

/** The files this process holds. */
const HELD = new Set<string>();

/** The data folder is held by another running lab. */
export class DataFolderInUseError extends Error {
  /** The pid of the lab that holds it. */
  readonly pid: number;

  /**
   * Creates the error.
   *
   * @param file The file that names the other lab.
   * @param pid Its pid.
   */
  constructor(file: string, pid: number) {
    const dir = file.slice(0, file.lastIndexOf("/")) || ".";
    super(
      `Cannot start the lab: ${dir}/ is in use by another lab (pid ${pid}). Stop that one ` +
        `first (Ctrl-C in its terminal), or start this one on its own folder with --data DIR. ` +
        `If no lab runs, remove ${file}.`,
    );
    this.name = "DataFolderInUseError";
    this.pid = pid;
  }
}

/** A claimed file: it names this process until released. */
export interface Claim {
  /** The file. */
  readonly file: string;
  /** Removes the file, if it still names this process. */
  release(): Promise<void>;
}

/**
 * Whether a process that could be a lab runs with this pid. On Linux it reads `/proc` (and a pid
 * that the system has given to a program other than Deno counts as gone); elsewhere it assumes
 * so, and the error tells the user which file to remove.
 *
 * @param pid The pid.
 * @returns Whether it runs.
 */
function alive(pid: number): boolean {
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    return /deno|node/i.test(cmdline);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    return true;
  }
}

/**
 * Claims a file for this process: writes `content` (JSON with this process's `pid`) into it,
 * unless it names another live process.
 *
 * @param file The file, such as `lab-data/lab.lock`.
 * @param content What to write; its `pid` is set to this process's.
 * @returns The claim, to release when the lab stops.
 * @throws {DataFolderInUseError} When a live process other than this one holds it.
 *
 * @example The second claim of one file fails while the first holds it
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimFile } from "./data_lock.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const first = await claimFile(`${dir}/lab.lock`);
 * await assert.rejects(claimFile(`${dir}/lab.lock`), { name: "DataFolderInUseError" });
 * await first.release();
 * const again = await claimFile(`${dir}/lab.lock`); // free once released
 * await again.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function claimFile(
  file: string,
  content: Record<string, unknown> = {},
): Promise<Claim> {
  file = resolve(file);
  const text = JSON.stringify({ ...content, pid: Deno.pid }) + "\n";
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await Deno.writeTextFile(file, text, { createNew: true, mode: 0o600 });
      HELD.add(file);
      return claimOf(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    const holder = await holderOf(file);
    // Our own pid: a second lab of this process, or a file left by an earlier process that had
    // the same pid (a container restarted gets the same small pids).
    const live = holder === Deno.pid ? HELD.has(file) : holder !== undefined && alive(holder);
    if (live) throw new DataFolderInUseError(file, holder!);
    await Deno.remove(file).catch(() => {}); // left by a lab that crashed
  }
  throw new Error(`Cannot claim ${file}: it keeps coming back`);
}

/**
 * Claims `<dir>/lab.lock` for a lab that keeps its mail in `dir`.
 *
 * @param dir The lab's data folder (created when missing).
 * @returns The claim.
 * @throws {DataFolderInUseError} When another running lab holds the folder.
 */
export async function claimDataFolder(dir: string): Promise<Claim> {
  await Deno.mkdir(dir, { recursive: true });
  return await claimFile(join(dir, "lab.lock"), { started: new Date().toISOString() });
}

async function holderOf(file: string): Promise<number | undefined> {
  try {
    const pid = JSON.parse(await Deno.readTextFile(file)).pid;
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // unreadable or half written: nobody's
  }
}

function claimOf(file: string): Claim {
  return {
    file,
    async release() {
      if (!HELD.delete(file)) return;
      if (await holderOf(file) === Deno.pid) await Deno.remove(file).catch(() => {});
    },
  };
}
