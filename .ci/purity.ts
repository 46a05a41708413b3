// Keeps message/ and protocol/ pure (STYLE.md): no Deno APIs, no timers, no wall clock, no
// network. Comments and *_test.ts files are not checked: doc examples may use a socket.
const BANNED = [
  /\bDeno\./,
  /\bsetTimeout\b/,
  /\bsetInterval\b/,
  /\bDate\.now\(/,
  /new Date\(\)/,
  /\bfetch\(/,
];
let problems = 0;
for (const dir of ["message", "protocol"]) {
  for await (const entry of walk(dir)) {
    if (!entry.endsWith(".ts") || entry.endsWith("_test.ts")) continue;
    const lines = (await Deno.readTextFile(entry)).split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      if (/^\s*(\*|\/\*\*)/.test(line)) return;
      for (const pattern of BANNED) {
        if (pattern.test(code)) {
          console.error(
            `${entry}:${i + 1}: ${pattern.source} is not allowed in ${dir}/ (it must stay pure)`,
          );
          problems++;
        }
      }
    });
  }
}
if (problems > 0) Deno.exit(1);
console.log("message/ and protocol/ are pure");

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}
