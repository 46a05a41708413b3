/**
 * A class's results: the records that notebooks write (`Checks.save`), gathered into one table
 * of students and notebooks, as CSV for a spreadsheet and as a small HTML page.
 *
 *   deno task results [DIR]     reads DIR (default .lab-results), writes results.csv and results.html
 *
 * @module
 */
import { escapeHtml } from "../protocol/transcript.ts";
import type { ResultRecord } from "./checks.ts";

/** One row of the table: one student's one notebook. */
export interface ResultRow {
  /** The student. */
  student: string;
  /** The notebook. */
  notebook: string;
  /** Predictions right, and made. */
  predictions: [right: number, of: number];
  /** Exercises done, and given. */
  exercises: [done: number, of: number];
  /** The lab's own checks that held, and ran. */
  checks: [held: number, of: number];
  /** The names of what did not hold, for a quick look. */
  missed: string[];
}

/**
 * Turns records into rows, one per student and notebook (the newest record wins), sorted.
 *
 * @param records Records as notebooks write them.
 * @returns The rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultRows } from "./results.ts";
 *
 * const rows = resultRows([{ notebook: "02_smtp", student: "minji", at: 1, results: [
 *   { kind: "prediction", id: "reply codes", ok: false },
 *   { kind: "exercise", id: "your dialog", ok: true },
 * ] }]);
 * assert.deepEqual(rows[0].predictions, [0, 1]);
 * assert.deepEqual(rows[0].missed, ["reply codes"]);
 * ```
 */
export function resultRows(records: readonly ResultRecord[]): ResultRow[] {
  const newest = new Map<string, ResultRecord>();
  for (const record of records) {
    const key = `${record.student ?? "?"}\0${record.notebook}`;
    const seen = newest.get(key);
    if (!seen || seen.at < record.at) newest.set(key, record);
  }
  const tally = (record: ResultRecord, kind: string): [number, number] => {
    const of = record.results.filter((r) => (r.kind ?? "check") === kind);
    return [of.filter((r) => r.ok).length, of.length];
  };
  return [...newest.values()].map((record) => ({
    student: record.student ?? "?",
    notebook: record.notebook,
    predictions: tally(record, "prediction"),
    exercises: tally(record, "exercise"),
    checks: tally(record, "check"),
    missed: record.results.filter((r) => !r.ok).map((r) => r.id),
  })).sort((a, b) => a.student.localeCompare(b.student) || a.notebook.localeCompare(b.notebook));
}

const HEADINGS = ["student", "notebook", "predictions", "exercises", "checks", "not yet"];
const cells = (row: ResultRow) => [
  row.student,
  row.notebook,
  `${row.predictions[0]}/${row.predictions[1]}`,
  `${row.exercises[0]}/${row.exercises[1]}`,
  `${row.checks[0]}/${row.checks[1]}`,
  row.missed.join("; "),
];

/**
 * The rows as CSV (RFC 4180: quoted where needed, CRLF line ends).
 *
 * @param rows The rows.
 * @returns The CSV text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsCsv } from "./results.ts";
 *
 * const csv = resultsCsv([{ student: "Kim, Minji", notebook: "01_overview", predictions: [1, 2], exercises: [0, 0], checks: [2, 2], missed: ["hops"] }]);
 * assert.equal(csv.split("\r\n")[1], '"Kim, Minji",01_overview,1/2,0/0,2/2,hops');
 * ```
 */
export function resultsCsv(rows: readonly ResultRow[]): string {
  const quote = (cell: string) => /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
  return [HEADINGS, ...rows.map(cells)].map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n";
}

/**
 * The rows as a small HTML page.
 *
 * @param rows The rows.
 * @returns The page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsHtml } from "./results.ts";
 *
 * const page = resultsHtml([{ student: "<b>", notebook: "01", predictions: [0, 0], exercises: [0, 0], checks: [0, 0], missed: [] }]);
 * assert.match(page, /<td>&lt;b&gt;<\/td>/);
 * ```
 */
export function resultsHtml(rows: readonly ResultRow[]): string {
  const line = (tag: string, values: string[]) =>
    `<tr>${values.map((v) => `<${tag}>${escapeHtml(v)}</${tag}>`).join("")}</tr>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Results</title>` +
    `<style>body{font-family:system-ui,sans-serif}td,th{padding:.2rem .6rem;text-align:left}` +
    `tr:nth-child(even){background:#f3f4f6}</style></head><body><h1>Results</h1><table>` +
    line("th", HEADINGS) + rows.map((row) => line("td", cells(row))).join("") +
    `</table></body></html>\n`;
}

/**
 * Reads every record (`*.json`) in a folder; files that are not records are skipped.
 *
 * @param dir The folder.
 * @returns The records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Checks } from "./checks.ts";
 * import { readRecords } from "./results.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await new Checks().save("01_overview", { dir, student: "minji" });
 * await Deno.writeTextFile(`${dir}/other.json`, "[]");
 * assert.deepEqual((await readRecords(dir)).map((r) => r.student), ["minji"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readRecords(dir: string): Promise<ResultRecord[]> {
  const records: ResultRecord[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    try {
      const record = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
      if (typeof record?.notebook === "string" && Array.isArray(record.results)) {
        records.push(record);
      }
    } catch {
      // not a record: skipped
    }
  }
  return records;
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? ".lab-results";
  const rows = resultRows(await readRecords(dir));
  await Deno.writeTextFile(`${dir}/results.csv`, resultsCsv(rows));
  await Deno.writeTextFile(`${dir}/results.html`, resultsHtml(rows));
  console.log(`${rows.length} rows from ${dir}: ${dir}/results.csv, ${dir}/results.html`);
}
