/**
 * Self-checks for notebooks: a named assertion with a one-line hint in English and Korean. A
 * failed check shows ✘ and its hint; in strict mode (CI) it also throws, so the notebook fails.
 *
 * @module
 */
import { escapeHtml } from "../protocol/transcript.ts";
import { type Variant, variantFor } from "./variant.ts";

export type { Variant } from "./variant.ts";

/** A hint shown when a check fails: one line in English, one in Korean. */
export interface Hint {
  /** English. */
  en: string;
  /** Korean. */
  ko: string;
}

/** The outcome of one check. */
export interface CheckResult {
  /** What it was: a check of the lab, a student's prediction, or a student's exercise. */
  kind?: "check" | "prediction" | "exercise";
  /** The check's name. */
  id: string;
  /** Whether it held. */
  ok: boolean;
  /** The assertion's message when it failed. */
  detail?: string;
  /** The hint, shown when it failed. */
  hint: Hint;
  /** For a prediction: what the student wrote. */
  predicted?: unknown;
  /** For a prediction: what the run gave. */
  actual?: unknown;
}

/** What a notebook writes of its checks, for a teacher to gather (see `Checks.save`). */
export interface ResultRecord {
  /** The notebook, such as `04_mail_access`. */
  notebook: string;
  /** The student's name, from `STUDENT` (or `USER`), when known. */
  student?: string;
  /** When the record was written, in milliseconds since the epoch. */
  at: number;
  /** Every check, prediction and exercise, in order. */
  results: Omit<CheckResult, "hint">[];
}

/** Options of {@linkcode Checks}. */
export interface ChecksOptions {
  /** Throw when a check fails (CI sets this through `LAB_STRICT=1`). @default false */
  strict?: boolean;
  /** The student's name. @default `STUDENT`, else `USER`, from the environment */
  student?: string;
}

/** A failed check in strict mode. */
export class CheckFailedError extends Error {
  /** The failed check. */
  readonly result: CheckResult;
  /**
   * Creates the error.
   *
   * @param result The failed check.
   */
  constructor(result: CheckResult) {
    super(`Check "${result.id}" failed: ${result.detail ?? ""} (${result.hint.en})`);
    this.name = "CheckFailedError";
    this.result = result;
  }
}

/** Gives a result its notebook view, kept out of its enumerable fields. */
function displayable(result: CheckResult): CheckResult {
  Object.defineProperty(result, Symbol.for("Jupyter.display"), {
    value: () => display(result),
    enumerable: false,
  });
  return result;
}

function display(result: CheckResult): Record<string, string> {
  const mark = result.ok ? "✔" : "✘";
  const lines = result.ok ? [`${mark} ${result.id}`] : [
    `${mark} ${result.id}: ${result.detail ?? ""}`,
    `  ${result.hint.en}`,
    `  ${result.hint.ko}`,
  ];
  const colour = result.ok ? "#15803d" : "#b91c1c";
  return {
    "text/plain": lines.join("\n"),
    "text/html": `<div style="color:${colour};font-family:monospace">` +
      lines.map((l) => escapeHtml(l)).join("<br/>") + "</div>",
  };
}

/**
 * Runs and records checks. Each result shows itself in a notebook.
 *
 * @example A check that holds and one that fails
 * ```ts
 * import assert from "node:assert/strict";
 * import { Checks } from "./checks.ts";
 *
 * const checks = new Checks();
 * const hint = { en: "Count the 250 replies", ko: "250 응답을 세어 보세요" };
 * assert.equal((await checks.run("codes", () => assert.equal(1 + 1, 2), hint)).ok, true);
 * assert.equal((await checks.run("wrong", () => assert.equal(1, 2), hint)).ok, false);
 * assert.deepEqual(checks.results.map((r) => r.ok), [true, false]);
 *
 * const strict = new Checks({ strict: true });
 * await assert.rejects(strict.run("wrong", () => assert.equal(1, 2), hint), {
 *   name: "CheckFailedError",
 * });
 * ```
 */
export class Checks {
  #strict: boolean;
  #student?: string;
  #results: CheckResult[] = [];

  /**
   * Creates an empty list of checks.
   *
   * @param options Whether failures throw.
   */
  constructor(options: ChecksOptions = {}) {
    this.#strict = options.strict ?? false;
    this.#student = options.student;
  }

  /** The student's name, if known: the option, else `STUDENT`, else `USER`. */
  get student(): string | undefined {
    return this.#student ?? Deno.env.get("STUDENT") ?? Deno.env.get("USER");
  }

  /**
   * This student's variant of an exercise: the same picks every time for the same student, other
   * picks for another, so that answers cannot be copied.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Checks } from "./checks.ts";
   *
   * const texts = ["Searching for the meaning of life.", "Crepes are better than hamburgers."];
   * const minji = new Checks({ student: "Kim Minji" }).variant.pick(texts);
   * assert.equal(new Checks({ student: "Kim Minji" }).variant.pick(texts), minji);
   * ```
   */
  get variant(): Variant {
    return variantFor(this.student ?? "");
  }

  /** Every result so far, in order. */
  get results(): readonly CheckResult[] {
    return this.#results;
  }

  /**
   * Runs one check.
   *
   * @param id A short name.
   * @param assertion Throws when the check fails.
   * @param hint What to tell the student when it fails.
   * @returns The result, which displays itself as ✔ or ✘.
   * @throws {CheckFailedError} In strict mode, when the check fails.
   */
  async run(
    id: string,
    assertion: () => void | Promise<void>,
    hint: Hint,
  ): Promise<CheckResult> {
    let result: CheckResult;
    try {
      await assertion();
      result = { kind: "check", id, ok: true, hint };
    } catch (error) {
      const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
      result = { kind: "check", id, ok: false, detail, hint };
    }
    displayable(result);
    this.#results.push(result);
    if (!result.ok && this.#strict) throw new CheckFailedError(result);
    return result;
  }

  /**
   * Compares a student's prediction with what happened. Unlike {@linkcode Checks.run} it never
   * throws, even in strict mode: a wrong guess is part of learning, not a failure of the lab.
   *
   * @param id A short name.
   * @param predicted What the student wrote.
   * @param actual What the run showed.
   * @param hint What to tell the student when the guess was off.
   * @returns The result, which displays itself as ✔ or ✘.
   */
  predict(id: string, predicted: unknown, actual: unknown, hint: Hint): CheckResult {
    const ok = JSON.stringify(predicted) === JSON.stringify(actual);
    const result: CheckResult = { kind: "prediction", id, ok, hint, predicted, actual };
    if (!ok) {
      result.detail = `you predicted ${JSON.stringify(predicted)}, the run gave ${
        JSON.stringify(actual)
      }`;
    }
    displayable(result);
    this.#results.push(result);
    return result;
  }

  /**
   * Reports on a student's exercise: ✔ when it works, ✘ with the hint when not. Like
   * {@linkcode Checks.predict} it never throws: unfinished work is not a broken notebook.
   *
   * @param id A short name.
   * @param passed Whether the student's work did what was asked.
   * @param hint What to look at when it did not.
   * @returns The result, which displays itself as ✔ or ✘.
   */
  exercise(id: string, passed: boolean, hint: Hint): CheckResult {
    const result: CheckResult = passed
      ? { kind: "exercise", id, ok: true, hint }
      : { kind: "exercise", id, ok: false, hint, detail: "not yet" };
    displayable(result);
    this.#results.push(result);
    return result;
  }

  /**
   * The record of this notebook's checks, predictions and exercises, as a teacher gathers it.
   *
   * @param notebook The notebook's name, such as `04_mail_access`.
   * @param student The student's name. @default {@linkcode Checks.student}
   * @returns The record.
   */
  record(notebook: string, student?: string): ResultRecord {
    student ??= this.student;
    return {
      notebook,
      ...(student ? { student } : {}),
      at: Date.now(),
      results: this.#results.map(({ hint: _, ...rest }) => rest),
    };
  }

  /**
   * Writes {@linkcode Checks.record} as JSON into a folder (`LAB_RESULTS`, or `.lab-results`
   * beside the notebooks), one file per notebook and student, for `deno task results` to gather.
   *
   * @param notebook The notebook's name.
   * @param options The folder (default `LAB_RESULTS`, else `.lab-results`) and the student.
   * @returns The file written.
   */
  async save(notebook: string, options: { dir?: string; student?: string } = {}): Promise<string> {
    const record = this.record(notebook, options.student);
    const folder = options.dir ?? Deno.env.get("LAB_RESULTS") ?? ".lab-results";
    await Deno.mkdir(folder, { recursive: true });
    const who = (record.student ?? "student").replace(/[^\w.-]/g, "_");
    const file = `${folder}/${notebook.replace(/[^\w.-]/g, "_")}.${who}.json`;
    await Deno.writeTextFile(file, JSON.stringify(record, null, 2) + "\n");
    return file;
  }

  /** A summary of every check, prediction and exercise, for a notebook's last cell. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const rows = this.#results.map((r) => `${r.ok ? "✔" : "✘"} ${r.kind ?? "check"}: ${r.id}`);
    const count = (kind: CheckResult["kind"], word: string) => {
      const of = this.#results.filter((r) => r.kind === kind);
      return of.length === 0 ? [] : [`${of.filter((r) => r.ok).length} of ${of.length} ${word}`];
    };
    rows.push(
      [
        ...count("prediction", "predictions right"),
        ...count("exercise", "exercises done"),
        ...count("check", "checks hold"),
      ].join(" · "),
    );
    return {
      "text/plain": rows.join("\n"),
      "text/html": `<pre>${escapeHtml(rows.join("\n"))}</pre>`,
    };
  }
}
