// gradeParser against real student programs, in Python and in TypeScript: the correct parsers
// get full marks; each mistake fails exactly the cases that check its RFC point, with the reason
// in Korean too; a program that prints garbage, crashes or hangs fails every case with a clear
// `seen`. The toolkit's answers, which the grader computes, are checked here by hand.
import assert from "node:assert/strict";
import { toolTest } from "../_tools.ts";
import {
  formatGradeReport,
  GradeError,
  gradeParser,
  type GradeReport,
  PARSER_CORPUS,
  parserAnswer,
} from "../../lab/grade_parser.ts";

const clients = new URL("./clients/", import.meta.url).pathname;
const python = ["python3", `${clients}parse_headers.py`];
const typescript = [Deno.execPath(), "run", `${clients}parse_headers.ts`];
const HANGUL = /[\uac00-\ud7a3]/;
const ENCODED = ["q-utf8", "b-korean", "q-latin1", "adjacent-words", "word-and-text", "lower-case"];

/** Each mistake of the student programs, and the cases it must fail, in the corpus's order. */
const MISTAKES: Record<string, string[]> = {
  "no-unfold": ["folded-space", "folded-tab", "folded-three-lines", "adjacent-words"],
  "no-decode": ENCODED,
  "keep-space-between-words": ["adjacent-words"],
  "reads-body": ["body-not-read"],
};

/** What RFC 5322 §2.2 and RFC 2047 say each case's fields are, worked out by hand. */
const BY_HAND: Record<string, [string, string][]> = {
  "plain": [["From", "alice@crepes.fr"], ["To", "bob@hamburger.edu"], ["Subject", "Hello"]],
  "folded-space": [["Subject", "This is a test"], ["From", "alice@crepes.fr"]],
  "folded-tab": [["Subject", "Lunch menu\tfor Friday"], ["From", "alice@crepes.fr"]],
  "folded-three-lines": [
    ["To", "alice@crepes.fr, bob@hamburger.edu, carol@example.org"],
    ["Subject", "Three friends"],
  ],
  "repeated-field": [
    ["Received", "from crepes.fr by hamburger.edu; Tue, 1 Apr 2025 10:00:02 +0000"],
    ["Received", "from alice-laptop by crepes.fr; Tue, 1 Apr 2025 10:00:01 +0000"],
    ["Subject", "Two hops"],
  ],
  "name-case-colon": [["Subject", "Re: lunch at 12:30"], ["message-ID", "<lunch-12.30@crepes.fr>"]],
  "empty-value": [["X-Empty", ""], ["X-Blank", ""], ["Subject", "Nothing before"]],
  "q-utf8": [["Subject", "Crêpes et café"]],
  "b-korean": [["Subject", "안녕하세요"]],
  "q-latin1": [["Subject", "Français à la carte"]],
  "adjacent-words": [["Subject", "안녕하세요"]],
  "word-and-text": [["Subject", "Re: 한글 lesson 3"]],
  "lower-case": [["Subject", "café au lait"], ["X-Dessert", "crème brûlée"]],
  "body-not-read": [["Subject", "The body starts after the blank line"]],
};

const failed = (report: GradeReport) => report.steps.filter((s) => !s.passed).map((s) => s.name);

/** A program written as a few lines of TypeScript, run by `deno eval`. */
const evaluated = (code: string) => [Deno.execPath(), "eval", code];

Deno.test("parserAnswer gives what the RFCs say for every case of PARSER_CORPUS", () => {
  assert.deepEqual(PARSER_CORPUS.map((c) => c.name), Object.keys(BY_HAND));
  for (const c of PARSER_CORPUS) assert.deepEqual(parserAnswer(c.header), BY_HAND[c.name], c.name);
});

/** Grades the correct program and each of its mistakes, one step each. */
function eachMistake(command: string[]): (t: Deno.TestContext) => Promise<void> {
  return async (t) => {
    for (const [mistake, fails] of [["", []], ...Object.entries(MISTAKES)] as const) {
      const name = mistake
        ? `with the mistake ${mistake} fails ${fails.join(", ")}`
        : "scores full marks";
      await t.step(name, async () => {
        const report = await gradeParser(mistake ? [...command, mistake] : command);
        assert.deepEqual(failed(report), fails);
        assert.equal(report.total, PARSER_CORPUS.length);
        assert.equal(report.score, report.total - fails.length);
        for (const step of report.steps.filter((s) => !s.passed)) {
          const parserCase = PARSER_CORPUS.find((c) => c.name === step.name)!;
          assert.deepEqual(step.why, parserCase.why);
          assert.match(step.why.ko, HANGUL, `${step.name} has no Korean reason`);
          assert.equal(step.expected.length, parserAnswer(parserCase.header).length);
          assert.ok(step.seen.length > 0);
        }
      });
    }
  };
}

toolTest("gradeParser judges the Python parser and each of its mistakes", [
  "python3",
], eachMistake(python));

Deno.test(
  "gradeParser judges the TypeScript parser and each of its mistakes",
  eachMistake(typescript),
);

Deno.test("gradeParser shows a failed case as name: value lines, in both languages", async () => {
  const report = await gradeParser([...typescript, "keep-space-between-words"]);
  const step = report.steps.find((s) => s.name === "adjacent-words")!;
  assert.deepEqual(step.expected, ["Subject: 안녕하세요"]);
  assert.deepEqual(step.seen, ["Subject: 안녕 하세요"]);
  const lines = formatGradeReport(report).split("\n");
  assert.ok(lines.includes("           expected  Subject: 안녕하세요"), lines.join("\n"));
  assert.ok(lines.includes("           seen      Subject: 안녕 하세요"), lines.join("\n"));
  assert.ok(lines.some((l) => /^ {11}why {7}.*RFC 2047 §6\.2/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => l.startsWith("           이유      ") && HANGUL.test(l)));
  assert.equal(lines.at(-1), `score 13/${PARSER_CORPUS.length}`);
});

Deno.test("gradeParser quotes a value whose tab or line end would not show", async () => {
  const report = await gradeParser(evaluated(
    'console.log(JSON.stringify([["Subject", "Lunch menu\\r\\n\\tfor Friday"], ["From", " a "]]))',
  ));
  const step = report.steps.find((s) => s.name === "folded-tab")!;
  assert.deepEqual(step.expected, ['Subject: "Lunch menu\\tfor Friday"', "From: alice@crepes.fr"]);
  assert.deepEqual(step.seen, ['Subject: "Lunch menu\\r\\n\\tfor Friday"', 'From: " a "']);
});

Deno.test("gradeParser fails a program that prints no JSON, or JSON of another shape", async () => {
  const garbage = await gradeParser(evaluated('console.log("Subject: Hello")'));
  assert.equal(garbage.score, 0);
  for (const step of garbage.steps) assert.deepEqual(step.seen, ["not JSON: Subject: Hello"]);
  const silent = await gradeParser(evaluated(""));
  assert.deepEqual(silent.steps[0].seen, ["not JSON: (nothing printed)"]);
  const object = await gradeParser(evaluated('console.log(JSON.stringify({ Subject: "Hello" }))'));
  assert.deepEqual(object.steps[0].seen, [
    'not a JSON array of [name, value] pairs: {"Subject":"Hello"}',
  ]);
});

toolTest("gradeParser fails a program that crashes with its exit code and stderr", [
  "python3",
], async () => {
  const report = await gradeParser([
    "python3",
    "-c",
    "import sys; sys.stdin.read(); raise ValueError('cannot parse the header')",
  ]);
  assert.equal(report.score, 0);
  const seen = report.steps[0].seen;
  assert.equal(seen[0], "exit code 1");
  assert.equal(seen.at(-1), "stderr: ValueError: cannot parse the header");
});

Deno.test("gradeParser stops a program that hangs at the time limit", async () => {
  const report = await gradeParser(evaluated("setInterval(() => {}, 1000)"), { timeLimitMs: 500 });
  assert.equal(report.score, 0);
  for (const step of report.steps) assert.deepEqual(step.seen, ["timed out: stopped after 0.5 s"]);
});

toolTest("gradeParser stops what the program started too, at the time limit", [
  "sh",
  "sleep",
], async () => {
  const started = Date.now();
  const report = await gradeParser(["sh", "-c", "sleep 8; echo late"], { timeLimitMs: 200 });
  assert.equal(report.score, 0);
  assert.deepEqual(report.steps[0].seen, ["timed out: stopped after 0.2 s"]);
  assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
});

Deno.test("gradeParser throws GradeError for a program that cannot be started", async () => {
  await assert.rejects(
    gradeParser(["surely-no-such-program-here"]),
    (error: Error) =>
      error instanceof GradeError &&
      /^Cannot run "surely-no-such-program-here"/.test(error.message),
  );
  await assert.rejects(gradeParser([]), GradeError);
});
