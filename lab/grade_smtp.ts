/**
 * The grader of the course's SMTP-client assignment (the textbook's socket SMTP lab): it starts a
 * fresh lab, runs the student's program (any language) against hamburger.edu's MX through a
 * recording proxy, and judges the dialog step by step, in English and Korean.
 *
 * The program finds what to do in its environment: `SMTP_HOST`, `SMTP_PORT`, `MAIL_FROM`,
 * `RCPT_TO`, `SUBJECT`, and `BODY_FILE` (a file holding the exact body to send, one line of
 * which starts with ".", so dot-stuffing matters).
 *
 * @module
 */
import { Lab } from "./lab.ts";
import { RecordingProxy } from "./grade_proxy.ts";
import type { SmtpCapture } from "./grade_dialog.ts";
import { type GradeReport, judgeSmtpClient, type SmtpAssignment } from "./grade_judge.ts";
import type { MailServer } from "../server/mail_server.ts";
import { variantFor } from "./variant.ts";

export { GradeError } from "./grade_run.ts";

export type { CaptureChunk, SmtpCapture } from "./grade_dialog.ts";
export {
  type GradeReport,
  type GradeStep,
  judgeSmtpClient,
  type SmtpAssignment,
} from "./grade_judge.ts";
export type { Why } from "./grade_why.ts";

/** The body the student's client is given to send: a blank line, and a line that starts with ".". */
export const ASSIGNMENT_BODY = [
  "Hello Bob,",
  "",
  "Do you like ketchup?",
  "How about pickles?",
  '.hidden: this line starts with a dot, so the client sends it as "..hidden".',
  "Alice",
  "",
].join("\n");

const SUBJECTS = ["Grading the SMTP lab", "Ketchup or mustard?", "Pickles for the party"];
const DOT_LINES = [
  '.hidden: this line starts with a dot, so the client sends it as "..hidden".',
  "...and a line of three dots, sent as four.",
  ".signature follows, and the client doubles its dot.",
];

/**
 * The subject and body a student sends: the same for the same name, different across names (the
 * default, for `""`, is {@linkcode ASSIGNMENT_BODY}).
 *
 * @param student The student's name, or `""`.
 * @returns The subject and the body, with its line that starts with ".".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ASSIGNMENT_BODY, smtpAssignmentText } from "./grade_smtp.ts";
 *
 * assert.equal(smtpAssignmentText("").body, ASSIGNMENT_BODY);
 * assert.match(smtpAssignmentText("Kim Minji").body, /^\./m);
 * ```
 */
export function smtpAssignmentText(student: string): { subject: string; body: string } {
  const variant = variantFor(student);
  const subject = variant.pick(SUBJECTS);
  const lines = ASSIGNMENT_BODY.split("\n");
  lines[4] = variant.pick(DOT_LINES);
  if (variant.seed) lines[2] = variant.pick(["Do you like ketchup?", "Do you like mustard?"]);
  return { subject, body: lines.join("\n") };
}

/** Options of {@linkcode gradeSmtpClient}. */
export interface GradeOptions {
  /** The student's name: it picks the subject and the body (see {@linkcode smtpAssignmentText}). */
  student?: string;
  /** The Subject: the client is asked to send. @default the student's */
  subject?: string;
  /** The body, written to `BODY_FILE` with LF line ends. @default the student's */
  body?: string;
  /** How long the program may run before it is killed. @default 30000 */
  timeLimitMs?: number;
  /** How long the server's greeting is held back. @default 1000 */
  greetingDelayMs?: number;
  /** How long each later reply is held back. @default 100 */
  replyDelayMs?: number;
  /** The program's working directory. @default the grader's */
  cwd?: string;
}

/**
 * Grades one student's SMTP client: a fresh lab in memory on free ports, the proxy in front of
 * hamburger.edu's MX, the program run with the assignment in its environment and a time limit,
 * then {@linkcode judgeSmtpClient} over what was recorded and what bob's INBOX holds.
 *
 * @param command The program and its arguments, such as `["python3", "client.py"]`.
 * @param options The assignment's subject and body, the time limit and the hold times.
 * @returns The report.
 * @throws {GradeError} When the program cannot be started.
 *
 * @example A client written in TypeScript, run with Deno
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradeSmtpClient } from "./grade_smtp.ts";
 *
 * const client = `
 *   const env = (name) => Deno.env.get(name);
 *   const conn = await Deno.connect({ hostname: env("SMTP_HOST"), port: Number(env("SMTP_PORT")) });
 *   const buffer = new Uint8Array(4096);
 *   const reply = async () => new TextDecoder().decode(buffer.subarray(0, await conn.read(buffer)));
 *   const send = (text) => conn.write(new TextEncoder().encode(text));
 *   const body = Deno.readTextFileSync(env("BODY_FILE")).replace(/\\n$/, "").split("\\n")
 *     .map((l) => (l.startsWith(".") ? "." + l : l) + "\\r\\n").join("");
 *   await reply();
 *   for (const line of ["HELO crepes.fr", "MAIL FROM:<" + env("MAIL_FROM") + ">", "RCPT TO:<" + env("RCPT_TO") + ">", "DATA"]) {
 *     await send(line + "\\r\\n");
 *     await reply();
 *   }
 *   await send("From: " + env("MAIL_FROM") + "\\r\\nTo: " + env("RCPT_TO") + "\\r\\nSubject: " + env("SUBJECT") + "\\r\\n\\r\\n" + body + ".\\r\\n");
 *   await reply();
 *   await send("QUIT\\r\\n");
 *   await reply();
 *   conn.close();
 * `;
 * const report = await gradeSmtpClient([Deno.execPath(), "eval", client], { greetingDelayMs: 200 });
 * assert.deepEqual(report.steps.filter((s) => !s.passed).map((s) => s.name), []);
 * assert.equal(report.score, report.total);
 * ```
 */
export async function gradeSmtpClient(
  command: readonly string[],
  options: GradeOptions = {},
): Promise<GradeReport> {
  const text = smtpAssignmentText(options.student ?? "");
  const assignment: SmtpAssignment = {
    from: "alice@crepes.fr",
    to: "bob@hamburger.edu",
    subject: options.subject ?? text.subject,
    body: options.body ?? text.body,
    timeLimitMs: options.timeLimitMs ?? 30_000,
  };
  await using lab = await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const mx = lab.server("hamburger.edu");
  await using proxy = new RecordingProxy({
    upstream: { hostname: "127.0.0.1", port: mx.ports.smtp },
    greetingDelayMs: options.greetingDelayMs,
    replyDelayMs: options.replyDelayMs,
  });
  const bodyFile = await Deno.makeTempFile({ prefix: "smtp-lab-body-", suffix: ".txt" });
  try {
    await Deno.writeTextFile(bodyFile, assignment.body);
    const env = {
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(proxy.port),
      MAIL_FROM: assignment.from,
      RCPT_TO: assignment.to,
      SUBJECT: assignment.subject,
      BODY_FILE: bodyFile,
    };
    const recorded = await proxy.run(command, {
      env,
      cwd: options.cwd,
      timeLimitMs: assignment.timeLimitMs,
    });
    const capture: SmtpCapture = { ...recorded, stored: await storedMessage(mx, assignment.to) };
    return judgeSmtpClient(capture, assignment);
  } finally {
    await Deno.remove(bodyFile);
  }
}

/**
 * The report as text: one line per step, and for a failed step what was expected, what was seen
 * and why, in English and Korean; then `score N/M`.
 *
 * @param report A report of {@linkcode judgeSmtpClient} or {@linkcode gradeSmtpClient}.
 * @returns The text, without a final newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatGradeReport } from "./grade_smtp.ts";
 *
 * const text = formatGradeReport({
 *   steps: [{
 *     name: "quit", title: "QUIT, then waits for 221", passed: false,
 *     expected: ["C: QUIT"], seen: ["C: ."], why: { en: "Say QUIT", ko: "QUIT라고 하세요" },
 *   }],
 *   score: 0,
 *   total: 1,
 * });
 * assert.equal(text, [
 *   " 1 FAILED  quit  QUIT, then waits for 221",
 *   "           expected  C: QUIT",
 *   "           seen      C: .",
 *   "           why       Say QUIT",
 *   "           이유      QUIT라고 하세요",
 *   "score 0/1",
 * ].join("\n"));
 * ```
 */
export function formatGradeReport(report: GradeReport): string {
  const width = Math.max(...report.steps.map((s) => s.name.length));
  const out: string[] = [];
  const indent = " ".repeat(11);
  const block = (label: string, lines: string[]) =>
    lines.forEach((line, i) => out.push(`${indent}${i === 0 ? label : ""}`.padEnd(21) + line));
  report.steps.forEach((step, i) => {
    const mark = step.passed ? "passed" : "FAILED";
    out.push(`${String(i + 1).padStart(2)} ${mark}  ${step.name.padEnd(width)}  ${step.title}`);
    if (step.passed) return;
    block("expected", step.expected);
    block("seen", step.seen);
    block("why", [step.why.en]);
    out.push(`${indent}이유      ${step.why.ko}`);
  });
  out.push(`score ${report.score}/${report.total}`);
  return out.join("\n");
}

async function storedMessage(mx: MailServer, address: string): Promise<Uint8Array | undefined> {
  const user = address.slice(0, address.lastIndexOf("@"));
  const messages = await mx.store.list(user, "INBOX");
  const last = messages.at(-1);
  return last && await mx.store.read(user, "INBOX", last.uid);
}
