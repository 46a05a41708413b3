/**
 * V8 flags for the toolkit's servers that stand in for the lab (the MX, the IMAP server):
 * `BENCH_V8_FLAGS`, comma-separated as `--v8-flags=` takes them, to see what V8's heap settings
 * change. None by default: the lab runs on Deno's defaults.
 *
 * @module
 */

/** The flags; empty for none. */
export const BENCH_V8_FLAGS: string = Deno.env.get("BENCH_V8_FLAGS") ?? "";

/**
 * `--v8-flags=` with `BENCH_V8_FLAGS` and any more a bench needs.
 *
 * @param more Flags to add, such as `--expose-gc`.
 * @returns The argument, or none when there are no flags at all.
 */
export function v8FlagsArg(...more: string[]): string[] {
  const flags = [...more, ...BENCH_V8_FLAGS.split(",")].filter((flag) => flag !== "");
  return flags.length > 0 ? [`--v8-flags=${flags.join(",")}`] : [];
}
