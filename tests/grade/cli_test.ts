// `deno task grade smtp-client` against real student programs, in Python and in TypeScript: the
// correct client passes every step; each mistake fails its step, with the reason in Korean too.
// The runs go in parallel, since each waits about 1 s for the held-back greeting.
import assert from "node:assert/strict";
import { toolTest } from "../_tools.ts";

const cli = new URL("../../lab/grade_cli.ts", import.meta.url).pathname;
const clients = new URL("./clients/", import.meta.url).pathname;
const python = ["python3", `${clients}smtp_client.py`];
const typescript = [Deno.execPath(), "run", "-A", `${clients}smtp_client.ts`];
const HANGUL = /[\uac00-\ud7a3]/;

interface Case {
  client: string[];
  /** The steps that must fail; `[]` for the correct client. */
  fails: string[];
  /** Whether only those steps fail, or at least those. */
  only: boolean;
}

const CASES: Record<string, Case> = {
  "a correct Python client": { client: python, fails: [], only: true },
  "a correct TypeScript client": { client: typescript, fails: [], only: true },
  "a client that forgets QUIT": { client: [...python, "forget-quit"], fails: ["quit"], only: true },
  "a client that does not wait for 354": {
    client: [...python, "no-wait-354"],
    fails: ["data"],
    only: true,
  },
  "a client that does not dot-stuff": {
    client: [...python, "no-dot-stuff"],
    fails: ["dot-stuffing", "body"],
    only: true,
  },
  "a client that sends to the wrong recipient": {
    client: [...python, "wrong-recipient"],
    fails: ["rcpt-to"],
    only: false,
  },
  "a client that sends bare LF": {
    client: [...typescript, "bare-lf"],
    fails: ["crlf", "end-of-data", "time-limit"],
    only: false,
  },
  "a client that speaks before the greeting": {
    client: [...typescript, "speak-first"],
    fails: ["greeting"],
    only: true,
  },
};

interface Step {
  name: string;
  passed: boolean;
  expected: string[];
  seen: string[];
  why: { en: string; ko: string };
}

async function grade(args: string[]): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "smtp-client", "--time-limit", "5", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

toolTest("deno task grade smtp-client judges each student program by its steps", [
  "python3",
], async (t) => {
  const names = Object.keys(CASES);
  const runs = await Promise.all(
    names.map((name) => grade(["--json", "--", ...CASES[name].client])),
  );
  for (const [i, name] of names.entries()) {
    const { client, fails, only } = CASES[name];
    await t.step(`${name} (${client.at(-1)})`, () => {
      const { code, stdout } = runs[i];
      const report = JSON.parse(stdout) as { steps: Step[]; score: number; total: number };
      const failed = report.steps.filter((s) => !s.passed).map((s) => s.name);
      if (only) assert.deepEqual(failed, fails);
      else for (const step of fails) assert.ok(failed.includes(step), `${step} not in ${failed}`);
      assert.equal(report.total, 13);
      assert.equal(report.score, 13 - failed.length);
      assert.equal(code, fails.length === 0 ? 0 : 1);
      for (const step of report.steps.filter((s) => !s.passed)) {
        assert.match(step.why.ko, HANGUL, `${step.name} has no Korean reason`);
        assert.ok(step.why.en && step.expected.length && step.seen.length);
      }
    });
  }
});

Deno.test("deno task grade prints a failed step with what was seen and why, then the score", async () => {
  const { code, stdout } = await grade(["--", ...typescript, "speak-first"]);
  assert.equal(code, 1);
  const lines = stdout.trimEnd().split("\n");
  assert.match(lines[0], /^ 1 FAILED {2}greeting {6}waits for the 220 greeting before speaking$/);
  assert.ok(lines.some((l) => /seen {6}C: HELO crepes\.fr {3}\[0\.\d+ s\]$/.test(l)), stdout);
  assert.ok(lines.some((l) => l.includes("이유") && HANGUL.test(l)), stdout);
  assert.ok(lines.includes(" 2 passed  helo          says HELO or EHLO with its domain"), stdout);
  assert.equal(lines.at(-1), "score 12/13");
});

Deno.test("deno task grade refuses an unknown assignment and a program that does not exist", async () => {
  const unknown = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "pop3-client", "--", "true"],
    stderr: "piped",
  }).output();
  assert.equal(unknown.code, 2);
  assert.match(new TextDecoder().decode(unknown.stderr), /^Unknown assignment "pop3-client"/);
  const missing = await grade(["--", "surely-no-such-program-here"]);
  assert.equal(missing.code, 2);
});

toolTest("each student sends a text of their own, and a correct client passes any of them", [
  "python3",
], async () => {
  const { smtpAssignmentText } = await import("../../lab/grade_smtp.ts");
  const names = ["Kim Minji", "Lee Jiwoo", "Park Seoyeon", "Choi Yuna"];
  const texts = new Set(names.map((n) => JSON.stringify(smtpAssignmentText(n))));
  assert.ok(texts.size >= 3, `only ${texts.size} variants among four students`);
  const { code, stdout } = await grade(["--student", "Lee Jiwoo", "--", ...python]);
  assert.equal(code, 0, stdout);
});

toolTest(
  "the time limit stops what the program started too, and a background child does not stall the grader",
  [
    "python3",
    "sh",
  ],
  async () => {
    const marker = `grader-test-${crypto.randomUUID()}`;
    const hang = `python3 -c 'import time; time.sleep(60)' ${marker} & wait`;
    const hung = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        cli,
        "smtp-client",
        "--time-limit",
        "2",
        "--json",
        "--",
        "sh",
        "-c",
        hang,
      ],
      stdout: "piped",
    }).output();
    const report = JSON.parse(new TextDecoder().decode(hung.stdout)) as { steps: Step[] };
    assert.equal(report.steps.find((s) => s.name === "time-limit")?.passed, false);
    const left = await new Deno.Command("pgrep", { args: ["-f", marker], stdout: "piped" })
      .output();
    assert.equal(new TextDecoder().decode(left.stdout).trim(), "", "the grandchild still runs");
    // A correct client that leaves a sleeper behind still ends the grade when it exits (a stall
    // would run into the time limit and fail that step).
    const background = `sleep 60 & exec ${python.join(" ")}`;
    const { code, stdout } = await grade(["--", "sh", "-c", background]);
    assert.equal(code, 0, stdout);
  },
);

Deno.test("deno task grade parser grades a header parser case by case, and exits 0 only when all pass", async () => {
  const run = (mistake: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        cli,
        "parser",
        "--time-limit",
        "20",
        "--",
        Deno.execPath(),
        "run",
        `${clients}parse_headers.ts`,
        ...mistake,
      ],
      stdout: "piped",
    }).output();
  const [right, wrong] = await Promise.all([run([]), run(["no-decode"])]);
  assert.equal(right.code, 0);
  assert.equal(new TextDecoder().decode(right.stdout).trimEnd().split("\n").at(-1), "score 14/14");
  assert.equal(wrong.code, 1);
  assert.match(new TextDecoder().decode(wrong.stdout), /FAILED {2}b-korean/);
});
