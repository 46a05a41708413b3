/**
 * The V8 flags `deno task lab` runs with, read from deno.json's `lab` task, so that the benches
 * run the toolkit's servers as the lab runs them. `BENCH_V8_FLAGS` overrides them (empty: Deno's
 * defaults), to see what they change.
 *
 * @module
 */
import { join } from "node:path";

const root = join(new URL(".", import.meta.url).pathname, "..");

function fromLabTask(): string {
  const config = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
  return /--v8-flags=(\S+)/.exec(config.tasks.lab)?.[1] ?? "";
}

/** The flags, comma-separated as `--v8-flags=` takes them; empty for none. */
export const LAB_V8_FLAGS: string = Deno.env.get("BENCH_V8_FLAGS") ?? fromLabTask();

/**
 * `--v8-flags=` with the lab's flags and any more a bench needs.
 *
 * @param more Flags to add, such as `--expose-gc`.
 * @returns The argument, or none when there are no flags at all.
 */
export function v8FlagsArg(...more: string[]): string[] {
  const flags = [...more, ...LAB_V8_FLAGS.split(",")].filter((flag) => flag !== "");
  return flags.length > 0 ? [`--v8-flags=${flags.join(",")}`] : [];
}
