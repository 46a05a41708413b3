// Every notebook runs top to bottom on the Deno kernel, with checks in strict mode: a failed
// check throws, and nbconvert reports the error. Outputs are never compared (NOTEBOOKS.md: the
// kernel can drop them); errors are what count.
import assert from "node:assert/strict";
import { toolTest } from "./_tools.ts";

const root = new URL("../", import.meta.url).pathname;
const notebooks: string[] = [];
for (const entry of Deno.readDirSync(`${root}notebooks`)) {
  if (entry.isFile && entry.name.endsWith(".ipynb")) notebooks.push(entry.name);
}
notebooks.sort();

for (const name of notebooks) {
  toolTest(
    `notebook ${name} runs on the Deno kernel without an error`,
    ["jupyter-nbconvert"],
    async () => {
      const out = await Deno.makeTempDir({ prefix: "notebook-" });
      try {
        const run = await new Deno.Command("jupyter-nbconvert", {
          args: [
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.kernel_name=deno",
            "--ExecutePreprocessor.timeout=120",
            "--output-dir",
            out,
            `${root}notebooks/${name}`,
          ],
          cwd: `${root}notebooks`,
          env: {
            JUPYTER_PATH: `${root}.jupyter`,
            LAB_STRICT: "1",
            NO_COLOR: "1",
            LAB_RESULTS: `${out}/results`,
            STUDENT: "ci",
          },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(run.stderr);
        assert.equal(run.code, 0, `nbconvert failed:\n${stderr.split("\n").slice(-40).join("\n")}`);
        const executed = JSON.parse(await Deno.readTextFile(`${out}/${name}`));
        const errors = executed.cells.flatMap((c: { outputs?: { output_type: string }[] }) =>
          (c.outputs ?? []).filter((o) => o.output_type === "error")
        );
        assert.equal(errors.length, 0);
        // The notebook left its results for the teacher: every prediction, exercise and check.
        const stem = name.replace(/\.ipynb$/, "");
        const record = JSON.parse(await Deno.readTextFile(`${out}/results/${stem}.ci.json`));
        assert.equal(record.notebook, stem);
        assert.equal(record.student, "ci");
        assert.ok(record.results.some((r: { kind: string }) => r.kind === "check"));
        assert.ok(record.results.every((r: { ok: unknown }) => typeof r.ok === "boolean"));
      } finally {
        await Deno.remove(out, { recursive: true });
      }
    },
  );
}
