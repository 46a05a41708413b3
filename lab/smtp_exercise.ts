/**
 * Chapter 02's exercise, "be the SMTP client", judged the way the grader judges a program: not
 * only "did a message arrive" but the envelope, the text, the final "." and QUIT, with a hint
 * that reads the reply the student actually got.
 *
 * @module
 */
import type { Hint } from "./checks.ts";
import type { Transcript } from "../protocol/transcript.ts";

/** What the student was asked to send. */
export interface SmtpExerciseTask {
  /** The envelope sender. */
  from: string;
  /** The envelope recipient. */
  to: string;
  /** The one line of text the message must hold. */
  text: string;
}

/**
 * Finds the first thing wrong with a typed SMTP dialog.
 *
 * @param dialog What `telnet` recorded.
 * @param stored The message the recipient's mailbox gained, if any.
 * @param task What was asked.
 * @returns A hint in English and Korean, or `undefined` when everything was right.
 *
 * @example A dialog that forgets the final "."
 * ```ts
 * import assert from "node:assert/strict";
 * import { Transcript } from "../protocol/transcript.ts";
 * import { smtpExerciseProblem } from "./smtp_exercise.ts";
 *
 * const t = new Transcript();
 * for (const [side, text] of [["S", "220 hamburger.edu"], ["C", "HELO crepes.fr"], ["S", "250 Hello"],
 *   ["C", "MAIL FROM: <alice@crepes.fr>"], ["S", "250 OK"], ["C", "RCPT TO: <bob@hamburger.edu>"],
 *   ["S", "250 OK"], ["C", "DATA"], ["S", "354 Go ahead"], ["C", "Hello"], ["C", "QUIT"]] as const) {
 *   side === "S" ? t.server(text) : t.client(text);
 * }
 * const task = { from: "alice@crepes.fr", to: "bob@hamburger.edu", text: "Hello" };
 * assert.match(smtpExerciseProblem(t, undefined, task)?.en ?? "", /still waiting.*"\."/);
 * ```
 */
export function smtpExerciseProblem(
  dialog: Transcript,
  stored: Uint8Array | undefined,
  task: SmtpExerciseTask,
): Hint | undefined {
  const sent = dialog.lines("C");
  const replies = dialog.lines("S").filter((l) => !/^\d{3}-/.test(l));
  const last = replies.at(-1) ?? "";
  const verb = (line: string) => line.split(/[\s:]/)[0].toUpperCase();
  const address = (line: string) => /<([^>]*)>/.exec(line)?.[1].toLowerCase();
  if (!/^(HELO|EHLO) +\S/i.test(sent[0] ?? "")) {
    return {
      en: "Start by greeting the server: HELO (or EHLO) and your domain, crepes.fr.",
      ko: "먼저 서버에 인사하세요: HELO(또는 EHLO)와 도메인 crepes.fr.",
    };
  }
  const mail = sent.find((l) => verb(l) === "MAIL");
  if (!mail || address(mail) !== task.from) {
    return {
      en: `The envelope's sender comes next: MAIL FROM: <${task.from}>.`,
      ko: `다음은 봉투의 보내는 사람입니다: MAIL FROM: <${task.from}>.`,
    };
  }
  const rcpt = sent.find((l) => verb(l) === "RCPT");
  if (!rcpt || address(rcpt) !== task.to) {
    return {
      en: `Then the envelope's recipient: RCPT TO: <${task.to}>.`,
      ko: `그다음은 봉투의 받는 사람입니다: RCPT TO: <${task.to}>.`,
    };
  }
  const bad = replies.find((l) => /^5(03|01|00)/.test(l));
  if (bad) {
    return {
      en:
        `The server answered "${bad}": 503 means a step is missing or out of order, 501 a mistake in a command's argument.`,
      ko:
        `서버가 "${bad}"라고 답했습니다. 503은 빠졌거나 순서가 틀린 단계, 501은 명령 인자의 실수입니다.`,
    };
  }
  if (!replies.some((l) => l.startsWith("354"))) {
    return {
      en: "Ask to send the text with DATA, and wait for 354.",
      ko: "DATA로 본문을 보내겠다고 하고 354를 기다리세요.",
    };
  }
  if (!sent.includes(".")) {
    return {
      en:
        `The server is still waiting for the text to end (its last reply was "${last}"): a line holding only "." ends it.`,
      ko:
        `서버는 아직 본문이 끝나기를 기다립니다(마지막 응답 "${last}"). "."만 있는 줄이 본문을 끝냅니다.`,
    };
  }
  const text = stored && new TextDecoder().decode(stored);
  if (!text || !text.split("\r\n").includes(task.text)) {
    return {
      en: `The message must hold your line of text exactly: "${task.text}".`,
      ko: `메시지에 주어진 문장이 그대로 있어야 합니다: "${task.text}".`,
    };
  }
  if (sent.at(-1)?.toUpperCase() !== "QUIT" || !last.startsWith("221")) {
    return {
      en: "The message arrived; now say goodbye: QUIT, and the server answers 221 and closes.",
      ko: "메시지는 도착했습니다. 이제 QUIT으로 작별하면 서버가 221로 답하고 연결을 닫습니다.",
    };
  }
  return undefined;
}
