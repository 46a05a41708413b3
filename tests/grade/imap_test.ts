// `deno task grade imap-client` against real student programs: raw sockets in Python and in
// TypeScript, and Python's imaplib. The correct ones pass every step; each mistake fails the step
// that names it, with the reason in Korean too. The runs go in parallel.
import assert from "node:assert/strict";
import { toolTest } from "../_tools.ts";
import { imapAssignment } from "../../lab/grade_imap.ts";

const cli = new URL("../../lab/grade_cli.ts", import.meta.url).pathname;
const clients = new URL("./clients/", import.meta.url).pathname;
const python = ["python3", `${clients}imap_client.py`];
const typescript = [Deno.execPath(), "run", "-A", `${clients}imap_client.ts`];
const HANGUL = /[\uac00-\ud7a3]/;

interface Step {
  name: string;
  passed: boolean;
  expected: string[];
  seen: string[];
  why: { en: string; ko: string };
}

/** Each program, and the steps it must fail (exactly those). */
const CASES: Record<string, { client: string[]; fails: string[] }> = {
  "a correct Python client on sockets": { client: python, fails: [] },
  "a correct Python client on imaplib (COPY, \\Deleted, EXPUNGE)": {
    client: ["python3", `${clients}imap_imaplib.py`],
    fails: [],
  },
  "a correct TypeScript client (UID commands, MOVE)": { client: typescript, fails: [] },
  "a client that copies and never removes the original": {
    client: [...python, "copy-only"],
    fails: ["moved"],
  },
  "a client that flags \\Deleted but never expunges": {
    client: [...python, "no-expunge"],
    fails: ["moved"],
  },
  "a client that reads every message with BODY[]": {
    client: [...python, "fetch-body"],
    fails: ["others"],
  },
  "a client that works on message 1 without looking": {
    client: [...python, "hard-coded"],
    fails: ["find", "seen", "moved", "others"],
  },
  "a client that gives every command the same tag": {
    client: [...python, "same-tag"],
    fails: ["tags"],
  },
  "a client that opens INBOX with EXAMINE": {
    client: [...python, "examine"],
    fails: ["select", "seen", "moved"],
  },
  "a client that never logs out": { client: [...python, "no-logout"], fails: ["logout"] },
  "a client that ends its lines with a bare LF": {
    client: [...typescript, "bare-lf"],
    fails: ["crlf"],
  },
  "a client that speaks before the greeting": {
    client: [...typescript, "speak-first"],
    fails: ["greeting"],
  },
};

async function grade(args: string[]): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "imap-client", "--time-limit", "10", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

toolTest("deno task grade imap-client judges each student program by its steps", [
  "python3",
], async (t) => {
  const names = Object.keys(CASES);
  const runs = await Promise.all(
    names.map((name) => grade(["--json", "--", ...CASES[name].client])),
  );
  for (const [i, name] of names.entries()) {
    const { client, fails } = CASES[name];
    await t.step(`${name} (${client.at(-1)})`, () => {
      const { code, stdout } = runs[i];
      const report = JSON.parse(stdout) as { steps: Step[]; score: number; total: number };
      const failed = report.steps.filter((s) => !s.passed).map((s) => s.name);
      assert.deepEqual(failed, fails);
      assert.equal(report.total, 11);
      assert.equal(report.score, 11 - failed.length);
      assert.equal(code, fails.length === 0 ? 0 : 1);
      for (const step of report.steps.filter((s) => !s.passed)) {
        assert.match(step.why.ko, HANGUL, `${step.name} has no Korean reason`);
        assert.ok(step.why.en && step.expected.length && step.seen.length);
      }
    });
  }
});

toolTest("each student gets a task of their own, and the grader holds them to it", [
  "python3",
], async () => {
  const names = ["Kim Minji", "Lee Jiwoo", "Park Seoyeon", "Choi Yuna", "Jung Hana"];
  const tasks = names.map((n) => imapAssignment(n));
  const distinct = new Set(
    tasks.map((t) =>
      `${t.subject}/${t.folder}/${t.messages.findIndex((m) => m.subject === t.subject)}`
    ),
  );
  assert.ok(distinct.size >= 3, `only ${distinct.size} variants among five students`);
  assert.deepEqual(imapAssignment("Kim Minji"), tasks[0]); // the same name, the same task
  // A program that does someone else's task (the default one) fails this student's.
  const copied = `import imaplib, os
imap = imaplib.IMAP4(os.environ["IMAP_HOST"], int(os.environ["IMAP_PORT"]))
imap.login("bob", "pickles"); imap.select("INBOX")
imap.store("3", "+FLAGS", "(\\\\Seen)"); imap.copy("3", "Recipes"); imap.logout()`;
  const student = names.find((_, i) => tasks[i].subject !== "Ketchup recipe")!;
  const { code, stdout } = await grade([
    "--json",
    "--student",
    student,
    "--",
    "python3",
    "-c",
    copied,
  ]);
  const report = JSON.parse(stdout) as { steps: Step[] };
  assert.equal(code, 1);
  assert.ok(report.steps.find((s) => s.name === "find" && !s.passed), stdout);
});

Deno.test("the IMAP grader hides the password and prints the score", async () => {
  const { code, stdout } = await grade(["--", ...typescript, "bare-lf"]);
  assert.equal(code, 1);
  assert.ok(!stdout.includes("pickles"), "the password is printed");
  const lines = stdout.trimEnd().split("\n");
  assert.ok(lines.includes(" 2 passed  login       logs in as bob"), stdout);
  assert.ok(
    lines.some((l) => /seen {6}C: t1 LOGIN bob \*{6} {3}\(ends in a bare LF\)$/.test(l)),
    stdout,
  );
  assert.equal(lines.at(-1), "score 10/11");
});
