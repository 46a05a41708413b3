// A small disk of a test's own, to fill: a tmpfs mounted on a temporary folder. Mounting needs
// root and Linux; without them the test is registered as ignored with the reason in its name,
// and fails under TOOLKIT_REQUIRE_TOOLS=1 (CI), like a missing tool (see ../_tools.ts).
import { hasTool } from "../_tools.ts";

/** The disk's size: 512 pages, a few hundred small messages. */
const SIZE = "2m";

let problem: string | undefined | null = null;

/** Why a tmpfs cannot be mounted here, or undefined when it can (probed once). */
function mountProblem(): string | undefined {
  if (problem !== null) return problem;
  problem = probe();
  return problem;
}

function probe(): string | undefined {
  if (Deno.build.os !== "linux") return "tmpfs mounts are Linux only";
  if (Deno.uid() !== 0) return "not root, cannot mount a tmpfs";
  if (!hasTool("mount") || !hasTool("umount")) return "mount not found";
  const dir = Deno.makeTempDirSync({ prefix: "tmpfs-probe-" });
  try {
    const mounted = run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    if (!mounted.success) return `mount -t tmpfs fails: ${firstLine(mounted.stderr)}`;
    run("umount", [dir]);
    return undefined;
  } finally {
    Deno.removeSync(dir);
  }
}

function run(command: string, args: string[]): Deno.CommandOutput {
  return new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).outputSync();
}

function firstLine(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes).trim().split("\n")[0];
}

/**
 * Registers a test that gets a fresh 2 MB tmpfs, unmounted when it ends.
 *
 * @param name The test's name.
 * @param fn The test, given the mounted folder.
 */
export function tmpfsTest(name: string, fn: (disk: string) => Promise<void>): void {
  const why = mountProblem();
  if (why === undefined) {
    return Deno.test(name, async () => {
      const disk = await Deno.makeTempDir({ prefix: "tmpfs-" });
      const mounted = run("mount", ["-t", "tmpfs", "-o", `size=${SIZE},mode=0700`, "tmpfs", disk]);
      if (!mounted.success) throw new Error(`Cannot mount a tmpfs: ${firstLine(mounted.stderr)}`);
      try {
        await fn(disk);
      } finally {
        const unmounted = run("umount", [disk]);
        if (!unmounted.success) console.error(`umount ${disk}: ${firstLine(unmounted.stderr)}`);
        else await Deno.remove(disk);
      }
    });
  }
  if (Deno.env.get("TOOLKIT_REQUIRE_TOOLS") === "1") {
    Deno.test(name, () => {
      throw new Error(`Cannot mount a tmpfs here: ${why}`);
    });
  } else {
    Deno.test({ name: `${name} (skipped: ${why})`, ignore: true, fn: () => {} });
  }
}

/** The system's memory page: the unit a tmpfs hands out. */
export const PAGE = pageSize();

function pageSize(): number {
  if (!hasTool("getconf")) return 4096;
  const out = new Deno.Command("getconf", { args: ["PAGESIZE"], stdout: "piped" }).outputSync();
  return Number(new TextDecoder().decode(out.stdout).trim()) || 4096;
}

/** A disk filled to its last page, with one page kept aside to give back. */
export class FullDisk {
  #disk: string;

  private constructor(disk: string) {
    this.#disk = disk;
  }

  /**
   * Fills a disk: first a spare page, then everything else, one page at a time, until the
   * system says ENOSPC.
   */
  static fill(disk: string): FullDisk {
    Deno.writeFileSync(`${disk}/filler-spare`, new Uint8Array(PAGE));
    using file = Deno.openSync(`${disk}/filler`, { write: true, createNew: true });
    const page = new Uint8Array(PAGE);
    try {
      for (;;) file.writeSync(page);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOSPC") throw error;
    }
    return new FullDisk(disk);
  }

  /** Gives back the spare page: room for one small file, no more. */
  freePage(): void {
    Deno.removeSync(`${this.#disk}/filler-spare`);
  }

  /** Gives back all the room. */
  free(): void {
    for (const name of ["filler-spare", "filler"]) {
      try {
        Deno.removeSync(`${this.#disk}/${name}`);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  }
}
