// `deno task bench`: runs every bench/*_bench.ts in turn, each in its own process, so that one
// benchmark's garbage and sockets do not disturb the next.
const files: string[] = [];
for await (const entry of Deno.readDir(new URL(".", import.meta.url))) {
  if (entry.isFile && entry.name.endsWith("_bench.ts")) files.push(entry.name);
}
files.sort();
// `deno task bench smtp --quick`: the first argument picks the benchmarks, the rest go to each.
const [only, ...rest] = Deno.args;
let failed = 0;
for (const file of files) {
  if (only && !file.includes(only)) continue;
  console.log(`\n== ${file}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(file, import.meta.url).pathname, ...rest],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
}
Deno.exit(failed > 0 ? 1 : 0);
