// judgeSmtpClient over hand-made captures: no lab, no program, no socket. Each capture is the
// dialog as the course prints it, with the proxy's times, so the timing rules can be tried too.
import assert from "node:assert/strict";
import { type CaptureChunk, readDialog, type SmtpCapture } from "../../lab/grade_dialog.ts";
import { judgeSmtpClient } from "../../lab/grade_judge.ts";
import { WHY } from "../../lab/grade_why.ts";

const ASSIGNMENT = {
  from: "alice@crepes.fr",
  to: "bob@hamburger.edu",
  subject: "Hi",
  body: "Do you like ketchup?\n.dot\n",
  timeLimitMs: 30_000,
};
const TEXT = "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Hi\r\n\r\n" +
  "Do you like ketchup?\r\n..dot\r\n.\r\n";
const STORED = new TextEncoder().encode(
  "Received: from crepes.fr by hamburger.edu\r\n" + TEXT.slice(0, -3).replace("..dot", ".dot"),
);

/** A capture from `C:`/`S:` parts, 10 ms apart; each part is one chunk, line ends included. */
function capture(parts: string[], extra: Partial<SmtpCapture> = {}): SmtpCapture {
  const chunks: CaptureChunk[] = parts.map((part, i) => ({
    from: part.startsWith("C:") ? "client" : "server",
    at: 1000 + 10 * i,
    bytes: new TextEncoder().encode(part.slice(3)),
  }));
  return {
    connected: true,
    chunks,
    clientClosedAt: 1000 + 10 * parts.length,
    stored: STORED,
    exit: { code: 0, timedOut: false, stderr: "" },
    ...extra,
  };
}

const failed = (c: SmtpCapture) =>
  judgeSmtpClient(c, ASSIGNMENT).steps.filter((s) => !s.passed).map((s) => [s.name, s.why.en]);

const EHLO = "S: 250-hamburger.edu\r\n250-PIPELINING\r\n250 HELP\r\n";
const END = ["S: 250 OK\r\n", "C: QUIT\r\n", "S: 221 Bye\r\n"];

Deno.test("judgeSmtpClient lets an EHLO client pipeline RCPT and DATA when PIPELINING is offered", () => {
  const c = capture([
    "S: 220 hamburger.edu\r\n",
    "C: EHLO crepes.fr\r\n",
    EHLO,
    "C: MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\n",
    "S: 250 OK\r\n250 OK\r\n354 Go on\r\n",
    "C: " + TEXT,
    ...END,
  ]);
  assert.deepEqual(failed(c), []);
});

Deno.test("judgeSmtpClient fails RCPT sent before MAIL's reply after HELO (no PIPELINING offered)", () => {
  const c = capture([
    "S: 220 hamburger.edu\r\n",
    "C: HELO crepes.fr\r\n",
    "S: 250 Hello\r\n",
    "C: MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\n",
    "S: 250 OK\r\n250 OK\r\n",
    "C: DATA\r\n",
    "S: 354 Go on\r\n",
    "C: " + TEXT,
    ...END,
  ]);
  assert.deepEqual(failed(c), [["rcpt-to", WHY.noWait.en]]);
});

Deno.test("judgeSmtpClient fails MAIL in the same group as EHLO even with PIPELINING", () => {
  const c = capture([
    "S: 220 hamburger.edu\r\n",
    "C: EHLO crepes.fr\r\nMAIL FROM:<alice@crepes.fr>\r\n",
    EHLO + "250 OK\r\n",
    "C: RCPT TO:<bob@hamburger.edu>\r\n",
    "S: 250 OK\r\n",
    "C: DATA\r\n",
    "S: 354 Go on\r\n",
    "C: " + TEXT,
    ...END,
  ]);
  assert.deepEqual(failed(c), [["mail-from", WHY.noWait.en]]);
});

Deno.test("judgeSmtpClient names the first line with a bare CR", () => {
  const c = capture([
    "S: 220 hamburger.edu\r\n",
    "C: HELO crepes.fr\r\r\n",
    "S: 250 Hello\r\n",
    "C: MAIL FROM:<alice@crepes.fr>\r\n",
    "S: 250 OK\r\n",
    "C: RCPT TO:<bob@hamburger.edu>\r\n",
    "S: 250 OK\r\n",
    "C: DATA\r\n",
    "S: 354 Go on\r\n",
    "C: " + TEXT,
    ...END,
  ]);
  const crlf = judgeSmtpClient(c, ASSIGNMENT).steps.find((s) => s.name === "crlf")!;
  assert.equal(crlf.passed, false);
  assert.deepEqual(crlf.seen, ["C: HELO crepes.fr\\r   (line 1 the client sent)"]);
  assert.equal(crlf.why, WHY.bareLineEnd);
});

Deno.test("judgeSmtpClient fails the header step when Subject: is missing", () => {
  const c = capture([
    "S: 220 hamburger.edu\r\n",
    "C: HELO crepes.fr\r\n",
    "S: 250 Hello\r\n",
    "C: MAIL FROM:<alice@crepes.fr>\r\n",
    "S: 250 OK\r\n",
    "C: RCPT TO:<bob@hamburger.edu>\r\n",
    "S: 250 OK\r\n",
    "C: DATA\r\n",
    "S: 354 Go on\r\n",
    "C: " + TEXT.replace("Subject: Hi\r\n", ""),
    ...END,
  ]);
  assert.deepEqual(failed(c), [["headers", WHY.headers.en]]);
});

Deno.test("judgeSmtpClient fails every step but the time limit when the program never connected", () => {
  const report = judgeSmtpClient(
    capture([], { connected: false, clientClosedAt: undefined }),
    ASSIGNMENT,
  );
  assert.equal(report.score, 1);
  assert.deepEqual(report.steps.filter((s) => s.passed).map((s) => s.name), ["time-limit"]);
  assert.ok(report.steps.slice(0, -1).every((s) => s.why === WHY.notConnected));
});

Deno.test("judgeSmtpClient fails the close and the time limit of a program that hung", () => {
  const c = capture(["S: 220 hamburger.edu\r\n", "C: HELO crepes.fr\n"], {
    clientClosedAt: undefined,
    stored: undefined,
    exit: { code: 137, timedOut: true, stderr: "" },
  });
  const steps = judgeSmtpClient(c, ASSIGNMENT).steps;
  const step = (name: string) => steps.find((s) => s.name === name)!;
  assert.equal(step("close").why, WHY.notClosed);
  assert.equal(step("time-limit").why, WHY.timedOut);
  assert.deepEqual(step("time-limit").seen, ["(stopped after 30 s)"]);
  assert.deepEqual(step("crlf").seen, ["C: HELO crepes.fr\\n   (line 1 the client sent)"]);
});

Deno.test("readDialog takes the lines after a refused DATA as commands when no '.' follows", () => {
  const dialog = readDialog(capture([
    "S: 220 hamburger.edu\r\n",
    "C: DATA\r\n",
    "S: 503 Bad sequence of commands\r\n",
    "C: QUIT\r\n",
    "S: 221 Bye\r\n",
  ]));
  assert.deepEqual(dialog.text?.lines, []);
  assert.deepEqual(dialog.commands.map((e) => [e.line.text, e.reply?.code]), [["DATA", 503], [
    "QUIT",
    221,
  ]]);
});
