// Every notebook runs top to bottom on the Deno kernel, with checks in strict mode: a failed
// check throws, and nbconvert reports the error. Outputs are never compared (notebooks/NOTEBOOKS.md: the
// kernel can drop them); errors are what count.
import assert from "node:assert/strict";
import { toolTest } from "./_tools.ts";

const root = new URL("../", import.meta.url).pathname;
const notebooks: string[] = [];
for (const entry of Deno.readDirSync(`${root}notebooks`)) {
  if (entry.isFile && entry.name.endsWith(".ipynb")) notebooks.push(entry.name);
}
notebooks.sort();

// Runs a notebook on the Deno kernel (strict checks) and returns the result record it wrote.
async function execute(dir: string, name: string, out: string) {
  const run = await new Deno.Command("jupyter-nbconvert", {
    args: [
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      "--ExecutePreprocessor.timeout=120",
      "--output-dir",
      out,
      `${dir}/${name}`,
    ],
    cwd: dir,
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
  const stem = name.replace(/\.ipynb$/, "");
  const record = JSON.parse(await Deno.readTextFile(`${out}/results/${stem}.ci.json`));
  assert.equal(record.notebook, stem);
  assert.equal(record.student, "ci");
  return record as { results: { kind: string; id: string; ok: boolean }[] };
}

const answers = (record: { results: { kind: string; id: string; ok: boolean }[] }) =>
  record.results.filter((r) => r.kind === "prediction" || r.kind === "exercise");

for (const name of notebooks) {
  toolTest(
    `notebook ${name} (the teacher's version) runs without an error, every answer right`,
    ["jupyter-nbconvert"],
    async () => {
      const out = await Deno.makeTempDir({ prefix: "notebook-" });
      try {
        const record = await execute(`${root}notebooks`, name, out);
        assert.ok(record.results.some((r) => r.kind === "check"));
        assert.ok(answers(record).length > 0, "a chapter asks the student something");
        const wrong = answers(record).filter((r) => !r.ok).map((r) => r.id);
        assert.deepEqual(wrong, [], "the teacher's answers hold");
      } finally {
        await Deno.remove(out, { recursive: true });
      }
    },
  );
}

toolTest(
  "deno task student-notebooks: the student's versions run clean, with every answer still to give",
  ["jupyter-nbconvert"],
  async () => {
    const students = `${root}build/student-notebooks-test`;
    const out = await Deno.makeTempDir({ prefix: "student-notebook-" });
    try {
      const task = await new Deno.Command(Deno.execPath(), {
        args: ["task", "student-notebooks", students],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(task.code, 0, new TextDecoder().decode(task.stderr));
      for (const name of notebooks) {
        const record = await execute(students, name, out);
        const right = answers(record).filter((r) => r.ok).map((r) => r.id);
        assert.deepEqual(right, [], `${name}: nothing is answered in the student's version`);
        // The lab's own checks still hold: only the student's answers are missing.
        assert.ok(record.results.filter((r) => r.kind === "check").every((r) => r.ok));
      }
    } finally {
      await Deno.remove(out, { recursive: true });
      await Deno.remove(students, { recursive: true }).catch(() => {});
    }
  },
);

toolTest(
  "deno task student-notebooks --stubs raise: Run All stops at the first answer, with 'write your answer here'",
  ["jupyter-nbconvert"],
  async () => {
    const students = `${root}build/student-notebooks-raise-test`;
    const out = await Deno.makeTempDir({ prefix: "student-notebook-raise-" });
    try {
      const task = await new Deno.Command(Deno.execPath(), {
        args: ["task", "student-notebooks", "--stubs", "raise", students],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(task.code, 0, new TextDecoder().decode(task.stderr));
      const name = "01_overview.ipynb";
      const teacher = JSON.parse(await Deno.readTextFile(`${root}notebooks/${name}`));
      const first = teacher.cells.findIndex((c: { metadata?: { tags?: string[] } }) =>
        c.metadata?.tags?.includes("solution")
      );
      const run = await new Deno.Command("jupyter-nbconvert", {
        args: [
          "--to",
          "notebook",
          "--execute",
          "--allow-errors",
          "--ExecutePreprocessor.kernel_name=deno",
          "--ExecutePreprocessor.timeout=120",
          "--output-dir",
          out,
          `${students}/${name}`,
        ],
        cwd: students,
        env: { JUPYTER_PATH: `${root}.jupyter`, NO_COLOR: "1", LAB_RESULTS: `${out}/results` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      const executed = JSON.parse(await Deno.readTextFile(`${out}/${name}`));
      const errors = executed.cells.flatMap((
        c: { outputs?: { output_type: string; evalue?: string }[] },
        i: number,
      ) =>
        (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => ({
          i,
          evalue: o.evalue,
        }))
      );
      // Every cell before the first answer ran clean; the first error is that answer's stub.
      assert.equal(errors[0]?.i, first, JSON.stringify(errors.slice(0, 3)));
      assert.match(errors[0].evalue, /write your answer here/);
    } finally {
      await Deno.remove(out, { recursive: true });
      await Deno.remove(students, { recursive: true }).catch(() => {});
    }
  },
);
