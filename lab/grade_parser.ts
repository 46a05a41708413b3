/**
 * The grader of the course's parser assignment ("write parseHeaders for folded and encoded
 * fields"): the student's program, in any language, is run once per case of
 * {@linkcode PARSER_CORPUS}, with the case's message on stdin, and must print its header fields
 * on stdout as JSON, judged against the toolkit's own parser:
 *
 * ```
 * stdin   Subject: =?UTF-8?Q?Cr=C3=AApes_et?=\r\n =?UTF-8?Q?_caf=C3=A9?=\r\n\r\nHello.\r\n
 * stdout  [["Subject", "Crêpes et café"]]
 * ```
 *
 * Names as written; values unfolded (RFC 5322 §2.2.3), encoded-words decoded (RFC 2047), the
 * whitespace around them trimmed.
 *
 * @module
 */
import { parseHeaders } from "../message/header.ts";
import { decodeWords } from "../message/encoded_words.ts";
import { GradeError, type GradeReport, type GradeStep } from "./grade_smtp.ts";
import { runProgram } from "./grade_run.ts";
import { PARSER_CORPUS, type ParserCase } from "./grade_parser_corpus.ts";

export { PARSER_CORPUS, type ParserCase } from "./grade_parser_corpus.ts";
export {
  formatGradeReport,
  GradeError,
  type GradeReport,
  type GradeStep,
  type Why,
} from "./grade_smtp.ts";

/** How many cases run at once: a JVM or a Deno start takes a while, the cases do not. */
const PARALLEL = 4;

/** Options of {@linkcode gradeParser}. */
export interface GradeParserOptions {
  /**
   * How long the program may run on one case before it is killed, with whatever it started.
   * @default 10000
   */
  timeLimitMs?: number;
  /** The program's working directory. @default the grader's */
  cwd?: string;
}

/** How one run of the student's program on one case ended. */
export interface ParserRun {
  /** The exit code. */
  code: number;
  /** What it printed on stdout, as UTF-8. */
  stdout: string;
  /** What it printed on stderr (its end is enough). */
  stderr: string;
  /** The time limit, when the program was stopped at it; absent when it ended by itself. */
  stoppedAfterMs?: number;
}

/**
 * The toolkit's answer for a message: each header field as `[name, value]`, the name as written
 * and the value unfolded, trimmed and decoded, in the order of the message.
 *
 * @param message The whole message; the body is not read.
 * @returns The pairs a student's program must print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parserAnswer } from "./grade_parser.ts";
 *
 * const message = "SUBJECT: =?UTF-8?B?7JWI64WV?=\r\n =?UTF-8?B?7ZWY7IS47JqU?= bob\r\n\r\nA: b\r\n";
 * assert.deepEqual(parserAnswer(message), [["SUBJECT", "안녕하세요 bob"]]);
 * ```
 */
export function parserAnswer(message: string | Uint8Array): [string, string][] {
  return parseHeaders(message).fields.map((field) => [field.name, decodeWords(field.value)]);
}

/**
 * Judges one run of the student's program on one case: passed when it ended by itself with
 * code 0 and printed exactly the toolkit's pairs as JSON.
 *
 * @param parserCase The case the program was given.
 * @param run How the program ended and what it printed.
 * @returns The step, its expected and seen values shown as `name: value` lines.
 *
 * @example A program that leaves the encoded-words encoded
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeParserRun, PARSER_CORPUS } from "./grade_parser.ts";
 *
 * const korean = PARSER_CORPUS.find((c) => c.name === "b-korean")!;
 * const stdout = JSON.stringify([["Subject", "=?UTF-8?B?7JWI64WV7ZWY7IS47JqU?="]]);
 * const step = judgeParserRun(korean, { code: 0, stdout, stderr: "" });
 * assert.equal(step.passed, false);
 * assert.deepEqual(step.expected, ["Subject: 안녕하세요"]);
 * assert.deepEqual(step.seen, ["Subject: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?="]);
 * assert.match(step.why.en, /RFC 2047 §4\.1/);
 * ```
 */
export function judgeParserRun(parserCase: ParserCase, run: ParserRun): GradeStep {
  const want = parserAnswer(parserCase.header);
  const step = (passed: boolean, seen: string[]): GradeStep => ({
    name: parserCase.name,
    title: parserCase.title,
    passed,
    expected: want.map(showPair),
    seen,
    why: passed ? { en: "", ko: "" } : parserCase.why,
  });
  const stderr = run.stderr.split("\n").map(plain).filter((l) => l.trim()).slice(-5)
    .map((l) => `stderr: ${l}`);
  if (run.stoppedAfterMs !== undefined) {
    return step(false, [`timed out: stopped after ${run.stoppedAfterMs / 1000} s`, ...stderr]);
  }
  if (run.code !== 0) return step(false, [`exit code ${run.code}`, ...stderr]);
  const pairs = readPairs(run.stdout);
  if (typeof pairs === "string") return step(false, [pairs, ...stderr]);
  const same = pairs.length === want.length &&
    pairs.every(([name, value], i) => name === want[i][0] && value === want[i][1]);
  return step(same, pairs.length === 0 ? ["(no fields: [])"] : pairs.map(showPair));
}

/**
 * Grades one student's parser: runs the program once per case of {@linkcode PARSER_CORPUS}
 * (a few at a time), the case's message on stdin, and judges each run with
 * {@linkcode judgeParserRun}; one step per case, in the corpus's order.
 *
 * @param command The program and its arguments, such as `["python3", "parse_headers.py"]`.
 * @param options The time limit per case and the working directory.
 * @returns The report, for {@linkcode formatGradeReport}.
 * @throws {GradeError} When the program cannot be started.
 *
 * @example A parser written in TypeScript, run with `deno eval`
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradeParser } from "./grade_parser.ts";
 *
 * async function parse() {
 *   const input = await new Response(Deno.stdin.readable).text();
 *   const head = input.slice(0, input.indexOf("\r\n\r\n")).replace(/\r\n(?=[ \t])/g, "");
 *   const bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
 *   const q = (text: string) =>
 *     text.replace(/_/g, " ").replace(/=(..)/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
 *   const decode = (value: string) =>
 *     value.replace(/\?=\s+(?==\?)/g, "?=").replace(
 *       /=\?([^?]+)\?([bq])\?([^?]*)\?=/gi,
 *       (_, charset, b, text) =>
 *         new TextDecoder(charset).decode(bytes(b.toUpperCase() === "B" ? atob(text) : q(text))),
 *     );
 *   const pairs = head.split("\r\n").map((line) => {
 *     const colon = line.indexOf(":");
 *     return [line.slice(0, colon), decode(line.slice(colon + 1).trim())];
 *   });
 *   console.log(JSON.stringify(pairs));
 * }
 *
 * const report = await gradeParser([Deno.execPath(), "eval", `await (${parse})()`]);
 * assert.deepEqual(report.steps.filter((s) => !s.passed).map((s) => s.name), []);
 * assert.equal(report.score, report.total);
 * ```
 */
export async function gradeParser(
  command: readonly string[],
  options: GradeParserOptions = {},
): Promise<GradeReport> {
  if (!command[0]) throw new GradeError("No program to grade: give its command after --");
  const timeLimitMs = options.timeLimitMs ?? 10_000;
  const runs = await inTurns(PARSER_CORPUS, async (c): Promise<ParserRun> => {
    const stdin = new TextEncoder().encode(c.header);
    const run = await runProgram(command, { stdin, timeLimitMs, cwd: options.cwd });
    return {
      code: run.code,
      stdout: new TextDecoder().decode(run.stdout),
      stderr: run.stderr,
      ...(run.timedOut ? { stoppedAfterMs: timeLimitMs } : {}),
    };
  });
  const steps = PARSER_CORPUS.map((c, i) => judgeParserRun(c, runs[i]));
  return { steps, score: steps.filter((s) => s.passed).length, total: steps.length };
}

/** A pair as the report shows it: `Subject: Crêpes et café`. */
function showPair([name, value]: [string, string]): string {
  return value === "" ? `${visible(name)}:` : `${visible(name)}: ${visible(value)}`;
}

/** Text as is, unless a tab, a line end or whitespace at either end would hide in the report. */
function visible(text: string): string {
  // deno-lint-ignore no-control-regex
  return /[\x00-\x1f\x7f]|^\s|\s$/.test(text) ? JSON.stringify(text) : text;
}

/** The pairs the program printed, or what is wrong with its output. */
function readPairs(stdout: string): [string, string][] | string {
  const shown = stdout.trim() === "" ? "(nothing printed)" : visible(cut(stdout.trim()));
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return `not JSON: ${shown}`;
  }
  const isPair = (p: unknown) =>
    Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && typeof p[1] === "string";
  if (!Array.isArray(json) || !json.every(isPair)) {
    return `not a JSON array of [name, value] pairs: ${shown}`;
  }
  return json as [string, string][];
}

/** A line of stderr without its colours and control characters. */
function plain(line: string): string {
  // deno-lint-ignore no-control-regex
  return line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/[\x00-\x1f\x7f]/g, " ").trimEnd();
}

const cut = (text: string) => text.length > 200 ? text.slice(0, 200) + "..." : text;

/** Runs `work` over the items, {@linkcode PARALLEL} at a time; the first error, once all ended. */
async function inTurns<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (errors.length === 0 && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return results;
}
