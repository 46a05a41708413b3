/**
 * Tests that need a real third-party program (curl, python3, neomutt). When a program is
 * missing, the test is registered as ignored with the reason in its name, so the report shows
 * what did not run; with `TOOLKIT_REQUIRE_TOOLS=1` in the environment it fails instead, so CI
 * that promises the tools cannot silently skip them.
 *
 * @module
 */

/**
 * Where the workplace's measuring tools are (Dovecot's imaptest, the SMTP load generator): the
 * `shared/tools` folder beside this repository, or `TOOLKIT_SHARED_TOOLS`.
 *
 * @param path A path inside that folder, such as `imaptest/run.sh`.
 * @returns The absolute path (which may not exist: {@linkcode toolTest} checks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedTool } from "./_tools.ts";
 *
 * assert.match(sharedTool("imaptest/run.sh"), /\/tools\/imaptest\/run\.sh$/);
 * ```
 */
export function sharedTool(path: string): string {
  const root = Deno.env.get("TOOLKIT_SHARED_TOOLS") ??
    new URL("../../shared/tools", import.meta.url).pathname;
  return `${root.replace(/\/$/, "")}/${path}`;
}

/**
 * Whether an executable is on the PATH, or a file exists when `tool` is a path.
 *
 * @param tool A program name such as `curl`, or a path such as `/usr/lib/dovecot/libdovecot.so.0`.
 * @returns True when some PATH directory holds a file of that name, or the path is a file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasTool } from "./_tools.ts";
 *
 * assert.equal(hasTool("surely-no-such-tool-here"), false);
 * ```
 */
export function hasTool(tool: string): boolean {
  if (tool.includes("/")) {
    try {
      return Deno.statSync(tool).isFile;
    } catch {
      return false;
    }
  }
  const path = Deno.env.get("PATH") ?? "";
  for (const dir of path.split(":")) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/${tool}`).isFile) return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/**
 * Registers a test that needs some programs. Missing programs make it ignored, named
 * `"<name> (skipped: curl not found)"`, or failing when `TOOLKIT_REQUIRE_TOOLS=1`.
 *
 * @param name The test's name.
 * @param tools The programs it runs.
 * @param fn The test.
 *
 * @example Register a test that needs `sh` (not run by `--doc`: a doc test cannot register tests)
 * ```ts ignore
 * import { toolTest } from "./_tools.ts";
 *
 * toolTest("sh prints its argument", ["sh"], async () => {
 *   const out = await new Deno.Command("sh", { args: ["-c", "echo hi"] }).output();
 *   if (new TextDecoder().decode(out.stdout) !== "hi\n") throw new Error("Unexpected output");
 * });
 * ```
 */
export function toolTest(
  name: string,
  tools: readonly string[],
  fn: (t: Deno.TestContext) => void | Promise<void>,
): void {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length === 0) {
    Deno.test(name, fn);
  } else if (Deno.env.get("TOOLKIT_REQUIRE_TOOLS") === "1") {
    Deno.test(name, () => {
      throw new Error(`Required tool not found: ${missing.map((m) => `"${m}"`).join(", ")}`);
    });
  } else {
    Deno.test({ name: `${name} (skipped: ${missing.join(", ")} not found)`, ignore: true, fn });
  }
}

/** What {@linkcode runTool} gives back: the exit code and both streams as text. */
export interface ToolRun {
  /** The exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/**
 * Runs a program with some input on stdin, for at most 30 s.
 *
 * @param command The program.
 * @param args Its arguments.
 * @param stdin What to write to its standard input. @default nothing (stdin closed)
 * @returns The exit code and what it printed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runTool } from "./_tools.ts";
 *
 * assert.deepEqual(await runTool("sh", ["-c", "cat"], "hi"), { code: 0, stdout: "hi", stderr: "" });
 * ```
 */
export async function runTool(
  command: string,
  args: string[],
  stdin?: string | Uint8Array,
): Promise<ToolRun> {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
    await writer.close();
  }
  const timer = setTimeout(() => child.kill(), 30_000);
  try {
    const out = await child.output();
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}
