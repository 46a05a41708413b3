/**
 * Judging the SMTP-client assignment over a recorded capture, step by step: the course's dialog
 * (220, HELO, MAIL, RCPT, DATA, 354, text, 250, QUIT, 221), the message format, CRLF, dot-stuffing
 * and what the recipient's mailbox holds. Pure: the same capture always gets the same report.
 *
 * @module
 */
import { readDialog, type SmtpCapture } from "./grade_dialog.ts";
import { type Finding, type SmtpAssignment, type Step, STEPS } from "./grade_steps.ts";
import { WHY, type Why } from "./grade_why.ts";

export type { SmtpAssignment } from "./grade_steps.ts";

/** One graded step. */
export interface GradeStep {
  /** A short stable name: `greeting`, `helo`, ..., `time-limit`. */
  name: string;
  /** What the step asks, in one line. */
  title: string;
  /** Whether the client did it. */
  passed: boolean;
  /** What was expected, as transcript lines or sentences. */
  expected: string[];
  /** What was seen, as the course's `C:`/`S:` lines. */
  seen: string[];
  /** Why it matters, when the step failed (empty strings when it passed). */
  why: Why;
}

/** The whole grade. */
export interface GradeReport {
  /** Every step, in order. */
  steps: GradeStep[];
  /** How many passed. */
  score: number;
  /** How many there are. */
  total: number;
}

/**
 * Judges one recorded run of a student's SMTP client. Every step is judged, even after a
 * failure, each on the evidence it needs.
 *
 * @param capture What the grader's proxy recorded, the stored message and how the program ended.
 * @param assignment What the client was asked to send.
 * @returns One step per line of the assignment, and the score.
 *
 * @example A client that forgets QUIT
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeSmtpClient } from "./grade_judge.ts";
 *
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * let at = 1000;
 * const said = (from: "client" | "server", text: string) => ({ from, at: at++, bytes: bytes(text) });
 * const report = judgeSmtpClient({
 *   connected: true,
 *   chunks: [
 *     said("server", "220 hamburger.edu\r\n"), said("client", "HELO crepes.fr\r\n"),
 *     said("server", "250 Hello\r\n"), said("client", "MAIL FROM:<alice@crepes.fr>\r\n"),
 *     said("server", "250 OK\r\n"), said("client", "RCPT TO:<bob@hamburger.edu>\r\n"),
 *     said("server", "250 OK\r\n"), said("client", "DATA\r\n"), said("server", "354 Go on\r\n"),
 *     said("client", "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Hi\r\n\r\n..dot\r\n.\r\n"),
 *     said("server", "250 OK\r\n"),
 *   ],
 *   clientClosedAt: at++,
 *   stored: bytes("Received: by hamburger.edu\r\nSubject: Hi\r\n\r\n.dot\r\n"),
 *   exit: { code: 0, timedOut: false, stderr: "" },
 * }, { from: "alice@crepes.fr", to: "bob@hamburger.edu", subject: "Hi", body: ".dot\n", timeLimitMs: 30000 });
 * assert.deepEqual(report.steps.filter((s) => !s.passed).map((s) => s.name), ["quit"]);
 * assert.equal(`${report.score}/${report.total}`, "12/13");
 * ```
 */
export function judgeSmtpClient(capture: SmtpCapture, assignment: SmtpAssignment): GradeReport {
  const d = readDialog(capture);
  const first = d.commands[0];
  const pipelining = /^EHLO\b/i.test(first?.line.text ?? "") &&
    (first.reply?.lines.some((l) => /^PIPELINING\b/i.test(l)) ?? false);
  const context = { d, a: assignment, capture, pipelining };
  return judgeSteps(STEPS, context, assignment, capture.connected, WHY.notConnected);
}

/**
 * Judges every step of an assignment, even after a failure; without a connection only the time
 * limit can be judged, and every other step fails with `notConnected`.
 *
 * @param steps The assignment's steps, `time-limit` among them.
 * @param context What the steps judge from.
 * @param assignment What was asked.
 * @param connected Whether the program connected.
 * @param notConnected Why a step fails when it did not.
 * @returns One graded step per step, and the score.
 */
export function judgeSteps<A, C>(
  steps: readonly Step<A, C>[],
  context: C,
  assignment: A,
  connected: boolean,
  notConnected: Why,
): GradeReport {
  const graded = steps.map((step): GradeStep => {
    const finding: Finding = connected || step.name === "time-limit"
      ? step.judge(context)
      : { seen: ["(no connection)"], why: notConnected };
    return {
      name: step.name,
      title: step.title(assignment),
      passed: !finding.why,
      expected: step.expected(assignment),
      seen: finding.seen,
      why: finding.why ?? { en: "", ko: "" },
    };
  });
  const score = graded.filter((s) => s.passed).length;
  return { steps: graded, score, total: graded.length };
}
