/**
 * How each step of the SMTP-client assignment is judged: one function per step, each taking the
 * dialog read back from the capture and returning its evidence as the course's `C:`/`S:` lines,
 * and a reason when the step failed. Pure.
 *
 * @module
 */
import {
  type ClientLine,
  type Dialog,
  type Exchange,
  showLine,
  showReply,
  type SmtpCapture,
  type TimedReply,
} from "./grade_dialog.ts";
import { WHY, type Why } from "./grade_why.ts";

/** What the student's client was asked to send. */
export interface SmtpAssignment {
  /** The envelope sender and From: address (`MAIL_FROM`). */
  from: string;
  /** The envelope recipient and To: address (`RCPT_TO`). */
  to: string;
  /** The Subject: (`SUBJECT`). */
  subject: string;
  /** The body, as `BODY_FILE` holds it. */
  body: string;
  /** How long the program may run, in milliseconds. */
  timeLimitMs: number;
}

/** What a step judges from: the dialog, the assignment and the rest of the capture. */
export interface StepContext {
  /** The dialog read back from the capture. */
  d: Dialog;
  /** What the client was asked to send. */
  a: SmtpAssignment;
  /** The capture itself: the stored message, the close, how the program ended. */
  capture: SmtpCapture;
  /** Whether the client said EHLO and the server offered PIPELINING (RFC 2920). */
  pipelining: boolean;
}

/** A step's finding: the evidence, and a reason when it failed. */
export interface Finding {
  /** What was seen, as transcript lines. */
  seen: string[];
  /** Why the step failed; absent when it passed. */
  why?: Why;
}

/**
 * One step of an assignment: its name, what it asks, and how it is judged. `A` is the
 * assignment, `C` what a step judges from (the SMTP assignment's by default).
 */
export interface Step<A = SmtpAssignment, C = StepContext> {
  /** A short stable name. */
  name: string;
  /** What the step asks, in one line. */
  title: (a: A) => string;
  /** What was expected, as transcript lines or sentences. */
  expected: (a: A) => string[];
  /** Judges the step. */
  judge: (c: C) => Finding;
}

const ok = (verb: string) => ["C: " + verb, "S: 250 ..."];

/** The steps, in the order the dialog takes them; the time limit last. */
export const STEPS: readonly Step[] = [
  {
    name: "greeting",
    title: () => "waits for the 220 greeting before speaking",
    expected: () => ["S: 220 hamburger.edu ...", "then, and only then, C: HELO or EHLO"],
    judge: greeting,
  },
  {
    name: "helo",
    title: () => "says HELO or EHLO with its domain",
    expected: () => ok("HELO <client's domain> (or EHLO)"),
    judge: helo,
  },
  {
    name: "mail-from",
    title: (a) => `MAIL FROM:<${a.from}>`,
    expected: (a) => ok(`MAIL FROM:<${a.from}>`),
    judge: (c) => envelope(c, "MAIL", c.a.from),
  },
  {
    name: "rcpt-to",
    title: (a) => `RCPT TO:<${a.to}>`,
    expected: (a) => ok(`RCPT TO:<${a.to}>`),
    judge: (c) => envelope(c, "RCPT", c.a.to),
  },
  {
    name: "data",
    title: () => "DATA, then waits for 354 before the text",
    expected: () => ["C: DATA", "S: 354 ...", "then the text"],
    judge: data,
  },
  {
    name: "headers",
    title: () => "header lines From:, To:, Subject:, then a blank line",
    expected: (a) => [`C: From: ${a.from}`, `C: To: ${a.to}`, `C: Subject: ${a.subject}`, "C: "],
    judge: headers,
  },
  {
    name: "crlf",
    title: () => "every line ends with CRLF",
    expected: () => ['every line the client sends ends with "\\r\\n"'],
    judge: crlf,
  },
  {
    name: "dot-stuffing",
    title: () => 'a body line starting with "." is sent with one more "."',
    expected: (a) => dotLines(a).map((l) => `C: .${l}`),
    judge: dotStuffing,
  },
  {
    name: "body",
    title: () => "the stored message's body is BODY_FILE's text",
    expected: () => ["the recipient's INBOX holds the message, its body equal to BODY_FILE"],
    judge: body,
  },
  {
    name: "end-of-data",
    title: () => "ends the text with CRLF.CRLF and waits for 250",
    expected: () => ["C: .", "S: 250 ...", "then, and only then, C: QUIT"],
    judge: endOfData,
  },
  {
    name: "quit",
    title: () => "QUIT, then waits for 221",
    expected: () => ["C: QUIT", "S: 221 ...", "then the client closes"],
    judge: quit,
  },
  {
    name: "close",
    title: () => "closes the connection",
    expected: () => ["the client closes the TCP connection after 221"],
    judge: close,
  },
  {
    name: "time-limit",
    title: (a) => `ends by itself within ${a.timeLimitMs / 1000} s`,
    expected: (a) => [`the program exits within ${a.timeLimitMs / 1000} s`],
    judge: timeLimit,
  },
];

/** The body's lines that start with ".", which the client must stuff. */
function dotLines(a: SmtpAssignment): string[] {
  return a.body.split(/\r?\n/).filter((l) => l.startsWith("."));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

/** An exchange as transcript lines, each side with the time it crossed. */
function shown(exchange: Exchange | undefined, timed = false): string[] {
  if (!exchange) return [];
  const at = (ms: number) => timed ? `   [${seconds(ms)}]` : "";
  const reply = showReply(exchange.reply);
  if (exchange.reply) reply[reply.length - 1] += at(exchange.reply.at);
  return [showLine(exchange.line) + at(exchange.line.at), ...reply];
}

/** Whether a line came after a reply had reached the client. */
const waited = (line: ClientLine, reply: TimedReply | undefined) => !!reply && line.at >= reply.at;

const verbOf = (line: ClientLine) => line.text.split(/[\s:]/)[0].toUpperCase();

function greeting({ d }: StepContext): Finding {
  const greeted = d.greeting ? showReply(d.greeting)[0] + `   [${seconds(d.greeting.at)}]` : "";
  const first = d.lines[0];
  if (!first) return { seen: [greeted, "(the client sent nothing)"], why: WHY.silent };
  const spoke = showLine(first) + `   [${seconds(first.at)}]`;
  if (!waited(first, d.greeting)) {
    return { seen: [spoke, greeted || "S: (no greeting yet)"], why: WHY.spokeFirst };
  }
  return { seen: [greeted, spoke] };
}

function helo({ d }: StepContext): Finding {
  const first = d.commands[0];
  if (!first) return { seen: ["(no command)"], why: WHY.noHelo };
  const seen = shown(first);
  if (!/^(HELO|EHLO) +\S/i.test(first.line.text)) return { seen, why: WHY.noHelo };
  if (first.reply?.code !== 250) return { seen, why: WHY.refused };
  return { seen };
}

/** MAIL FROM or RCPT TO: the address, the wait for the reply before, and a 250. */
function envelope(c: StepContext, verb: "MAIL" | "RCPT", address: string): Finding {
  const keyword = verb === "MAIL" ? "FROM" : "TO";
  const index = c.d.commands.findIndex((e) => verbOf(e.line) === verb);
  if (index < 0) return { seen: ["(no " + verb + " command)"], why: WHY.missing };
  const all = c.d.commands.filter((e) => verbOf(e.line) === verb);
  const pattern = new RegExp(`^${verb} ${keyword}: ?<([^>]*)>`, "i");
  const wrong = all.find((e) => pattern.exec(e.line.text)?.[1].toLowerCase() !== address);
  if (wrong) {
    return { seen: shown(wrong), why: verb === "MAIL" ? WHY.wrongSender : WHY.wrongRecipient };
  }
  const exchange = c.d.commands[index];
  const before = c.d.commands[index - 1];
  // RFC 2920 §3.1: MAIL may not share a group with EHLO; RCPT may follow MAIL unanswered.
  const mayPipeline = c.pipelining && verb === "RCPT";
  if (before && !mayPipeline && !waited(exchange.line, before.reply)) {
    return { seen: [...shown(before, true), ...shown(exchange, true)], why: WHY.noWait };
  }
  const refused = all.find((e) => e.reply?.code !== 250);
  if (refused) return { seen: shown(refused), why: WHY.refused };
  return { seen: all.flatMap((e) => shown(e)) };
}

function data(c: StepContext): Finding {
  const text = c.d.text;
  if (!text) return { seen: ["(no DATA command)"], why: WHY.missing };
  const index = c.d.commands.indexOf(text.data);
  const before = c.d.commands[index - 1];
  if (before && !c.pipelining && !waited(text.data.line, before.reply)) {
    return { seen: [...shown(before, true), ...shown(text.data, true)], why: WHY.noWait };
  }
  if (text.data.reply?.code !== 354) return { seen: shown(text.data), why: WHY.refused };
  const next = text.lines[0] ?? text.end?.line;
  if (next && !waited(next, text.data.reply)) {
    return {
      seen: [
        showLine(text.data.line),
        `${showLine(next)}   [${seconds(next.at)}]`,
        ...shown(text.data, true).slice(1),
      ],
      why: WHY.textBefore354,
    };
  }
  return { seen: next ? [...shown(text.data), showLine(next)] : shown(text.data) };
}

function headers({ d, a }: StepContext): Finding {
  const lines = d.text?.lines ?? [];
  if (lines.length === 0) return { seen: ["(no message text)"], why: WHY.noText };
  const blank = lines.findIndex((l) => l.text === "");
  const head = blank < 0 ? lines : lines.slice(0, blank + 1);
  const seen = head.map(showLine);
  const fields = new Map<string, string>();
  for (const line of head) {
    const field = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line.text);
    if (field) fields.set(field[1].toLowerCase(), field[2].trim());
  }
  const right = fields.get("from")?.toLowerCase().includes(a.from) &&
    fields.get("to")?.toLowerCase().includes(a.to) && fields.get("subject") === a.subject;
  if (!right || blank < 0) {
    return { seen: blank < 0 ? [...seen, "(no blank line)"] : seen, why: WHY.headers };
  }
  return { seen };
}

function crlf({ d }: StepContext): Finding {
  const index = d.lines.findIndex((l) => l.end !== "crlf" || l.text.includes("\r"));
  if (index < 0) return { seen: [`${d.lines.length} lines, each ending in CRLF`] };
  const before = d.lines[index - 1];
  const context = before ? [showLine(before)] : [];
  return {
    seen: [...context, `${showLine(d.lines[index])}   (line ${index + 1} the client sent)`],
    why: WHY.bareLineEnd,
  };
}

function dotStuffing({ d, a }: StepContext): Finding {
  const lines = d.text?.lines ?? [];
  if (lines.length === 0) return { seen: ["(no message text)"], why: WHY.noText };
  const sent = new Set(lines.map((l) => l.text));
  const seen: string[] = [];
  let why: Why | undefined;
  for (const line of dotLines(a)) {
    const stuffed = lines.find((l) => l.text === "." + line);
    const plain = lines.find((l) => l.text === line);
    seen.push(stuffed ? showLine(stuffed) : plain ? showLine(plain) : `(no line "${line}" sent)`);
    if (!sent.has("." + line)) why = WHY.dotStuffing;
  }
  return { seen, why };
}

function body({ capture, a }: StepContext): Finding {
  if (!capture.stored) {
    return { seen: ["(no message in the recipient's INBOX)"], why: WHY.notStored };
  }
  let stored = "";
  for (const byte of capture.stored) stored += String.fromCharCode(byte);
  const split = stored.indexOf("\r\n\r\n");
  const lines = (text: string) =>
    text.replace(/\r?\n/g, "\r\n").replace(/(\r\n)+$/, "").split("\r\n");
  const want = lines(a.body);
  const got = split < 0 ? [] : lines(stored.slice(split + 4));
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] === got[i]) continue;
    const show = (l: string | undefined) => l === undefined ? "(none)" : JSON.stringify(l);
    return {
      seen: [
        `body line ${i + 1}: expected ${show(want[i])}`,
        `body line ${i + 1}: stored   ${show(got[i])}`,
      ],
      why: WHY.bodyDiffers,
    };
  }
  return { seen: [`${got.length} body lines, as in BODY_FILE`] };
}

function endOfData({ d, capture }: StepContext): Finding {
  const text = d.text;
  if (!text || !text.end) {
    return {
      seen: [...text?.lines.slice(-1).map(showLine) ?? [], '(no line ".")'],
      why: WHY.noEnd,
    };
  }
  const last = text.lines.at(-1);
  const seen = [...(last ? [showLine(last)] : []), ...shown(text.end, true)];
  if (text.end.line.end !== "crlf" || (last && last.end !== "crlf")) {
    return { seen, why: WHY.bareLineEnd };
  }
  const next = d.commands[d.commands.indexOf(text.end) + 1];
  const closedEarly = capture.clientClosedAt !== undefined && !text.end.reply;
  if (closedEarly) {
    return { seen: [...seen, "(the client closed the connection)"], why: WHY.noWait250 };
  }
  if (text.end.reply?.code !== 250) return { seen, why: WHY.refused };
  if (next && !waited(next.line, text.end.reply)) {
    return {
      seen: [...seen, `${showLine(next.line)}   [${seconds(next.line.at)}]`],
      why: WHY.noWait250,
    };
  }
  return { seen: shown(text.end) };
}

function quit({ d, capture }: StepContext): Finding {
  const exchange = d.commands.find((e) => /^QUIT\s*$/i.test(e.line.text));
  const closed = capture.clientClosedAt === undefined
    ? []
    : [`(the client closed the connection)   [${seconds(capture.clientClosedAt)}]`];
  if (!exchange) {
    return {
      seen: [...d.commands.slice(-1).flatMap((e) => shown(e, true)), ...closed],
      why: WHY.noQuit,
    };
  }
  const seen = [...shown(exchange, true), ...closed];
  if (exchange.reply?.code !== 221) return { seen, why: exchange.reply ? WHY.refused : WHY.noQuit };
  if (capture.clientClosedAt !== undefined && capture.clientClosedAt < exchange.reply.at) {
    return { seen, why: WHY.noQuit };
  }
  return { seen };
}

function close({ capture }: StepContext): Finding {
  if (capture.clientClosedAt === undefined) {
    return {
      seen: ["(the connection was still open when the program was stopped)"],
      why: WHY.notClosed,
    };
  }
  return { seen: [`(the client closed the connection)   [${seconds(capture.clientClosedAt)}]`] };
}

function timeLimit({ capture, a }: StepContext): Finding {
  return timeLimitFinding(capture.exit, a.timeLimitMs, WHY.timedOut);
}

/**
 * Every assignment's last step: the program ended by itself, with its exit code, else the time
 * limit stopped it; its last lines on stderr are shown when it failed or was stopped.
 *
 * @param exit How the program ended.
 * @param timeLimitMs Its time limit.
 * @param timedOut Why being stopped fails the step, in the assignment's words.
 * @returns The finding.
 */
export function timeLimitFinding(
  exit: { code: number; timedOut: boolean; stderr: string },
  timeLimitMs: number,
  timedOut: Why,
): Finding {
  const stderr = exit.stderr.trimEnd().split("\n").filter((l) => l).slice(-3);
  const errors = stderr.map((l) => `stderr: ${l}`);
  if (exit.timedOut) {
    return { seen: [`(stopped after ${timeLimitMs / 1000} s)`, ...errors], why: timedOut };
  }
  return { seen: [`exit code ${exit.code}`, ...(exit.code === 0 ? [] : errors)] };
}
