/**
 * The student version of the chapters. The notebooks in `notebooks/` are the teacher's version:
 * each answer cell (a prediction, an exercise's lines) holds the answer, is tagged `solution`,
 * and keeps the student's starting text in its metadata (`student_source`). This writes copies
 * with every answer cell put back to that starting text (`"?"` guesses, an empty exercise), and
 * no outputs.
 *
 *   deno task student-notebooks [--stubs raise] [OUT]    (default OUT: build/student-notebooks)
 *
 * By default a student's copy runs top to bottom ("Restart & Run All" works, and each answer shows
 * as not yet given). With `--stubs raise` every answer cell ends in a stub that throws "write your
 * answer here", so Run All stops at the first question until the student has answered it: nobody
 * sees the run before predicting it.
 *
 * @module
 */

import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";

/** One cell of a notebook, as far as this module reads it. */
interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[]; student_source?: string | string[] };
  outputs?: unknown[];
  execution_count?: number | null;
}

/**
 * The student version of one notebook: answer cells back to their starting text, outputs gone.
 *
 * @param notebook The teacher's notebook, parsed from its JSON.
 * @param modPath How the student's copy imports the toolkit, when not from `../mod.ts`.
 * @param stubs `"guess"` keeps the starting text; `"raise"` adds a line that throws
 *   "write your answer here" after it.
 * @returns The student's notebook, and how many answer cells were put back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentVersion } from "./student_notebooks.ts";
 *
 * const teacher = { cells: [{
 *   cell_type: "code", source: ["const predicted = 49;"], outputs: [], execution_count: null,
 *   metadata: { tags: ["solution"], student_source: ['const predicted = "?";'] },
 * }] };
 * const { notebook, answers } = studentVersion(teacher);
 * assert.equal(answers, 1);
 * assert.deepEqual(notebook.cells[0].source, ['const predicted = "?";']);
 * assert.deepEqual(notebook.cells[0].metadata, {});
 * ```
 */
export function studentVersion<T extends { cells: Cell[] }>(
  notebook: T,
  modPath = "../mod.ts",
  stubs: "guess" | "raise" = "guess",
): { notebook: T; answers: number } {
  let answers = 0;
  const cells = notebook.cells.map((cell) => {
    const { tags, student_source, ...rest } = cell.metadata ?? {};
    const out: Cell = { ...cell, metadata: rest };
    if (tags?.includes("solution") && student_source !== undefined) {
      out.source = stubs === "raise" ? withStub(student_source) : student_source;
      answers++;
    } else if (tags && tags.length > 0) {
      out.metadata = { ...rest, tags };
    }
    if (out.cell_type === "code") {
      if (modPath !== "../mod.ts") {
        const text = Array.isArray(out.source) ? out.source : [out.source];
        out.source = text.map((line) => line.replaceAll('"../mod.ts"', JSON.stringify(modPath)));
      }
      out.outputs = [];
      out.execution_count = null;
    }
    return out;
  });
  return { notebook: { ...notebook, cells }, answers };
}

/** The starting text, then a line that stops Run All until the student has answered. */
function withStub(source: string | string[]): string[] {
  const lines = Array.isArray(source) ? [...source] : source.split(/(?<=\n)/);
  if (lines.length > 0 && !lines[lines.length - 1].endsWith("\n")) lines[lines.length - 1] += "\n";
  return [
    ...lines,
    'throw new Error("write your answer here"); // ← delete this line once your answer is in',
  ];
}

/**
 * Writes the student version of every notebook in a folder.
 *
 * @param from The teacher's notebooks.
 * @param to Where the student's go.
 * @param stubs How an answer cell starts (see {@linkcode studentVersion}).
 * @returns Each notebook written, with its number of answer cells.
 */
export async function writeStudentNotebooks(
  from: string,
  to: string,
  stubs: "guess" | "raise" = "guess",
): Promise<{ name: string; answers: number }[]> {
  await Deno.mkdir(to, { recursive: true });
  // The copies import the same toolkit, from wherever they are written.
  let modPath = relative(resolve(to), resolve(from, "../mod.ts"));
  if (!modPath.startsWith(".")) modPath = `./${modPath}`;
  const written: { name: string; answers: number }[] = [];
  for await (const entry of Deno.readDir(from)) {
    if (!entry.isFile || !entry.name.endsWith(".ipynb")) continue;
    const teacher = JSON.parse(await Deno.readTextFile(`${from}/${entry.name}`));
    const { notebook, answers } = studentVersion(teacher, modPath, stubs);
    await Deno.writeTextFile(`${to}/${entry.name}`, JSON.stringify(notebook, null, 1) + "\n");
    written.push({ name: entry.name, answers });
  }
  return written.sort((a, b) => a.name.localeCompare(b.name));
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { stubs: { type: "string", default: "guess" } },
  });
  if (values.stubs !== "guess" && values.stubs !== "raise") {
    console.error(`Cannot use --stubs "${values.stubs}": give "guess" or "raise"`);
    Deno.exit(2);
  }
  const root = new URL("../", import.meta.url).pathname;
  const to = positionals[0] ?? `${root}build/student-notebooks`;
  for (
    const { name, answers } of await writeStudentNotebooks(`${root}notebooks`, to, values.stubs)
  ) {
    console.log(`${to}/${name}: ${answers} answer cells left for the student`);
  }
}
