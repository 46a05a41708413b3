/**
 * The grader's view of one recorded SMTP connection: the client's raw bytes cut into lines (with
 * the line end each really had), the server's replies, and which reply answered which line, as
 * the server itself paired them. Pure: it reads a capture and does no I/O.
 *
 * @module
 */
import { ReplyReader, type SmtpReply } from "../protocol/smtp/reply.ts";

/** Bytes that crossed the grader's proxy in one read, with the time they crossed. */
export interface CaptureChunk {
  /** Who sent them. */
  from: "client" | "server";
  /** When, in milliseconds since the client connected. A server chunk's time is when the proxy passed it on to the client. */
  at: number;
  /** The bytes, exactly as sent. */
  bytes: Uint8Array;
}

/** What the grader recorded of one run of a student's client. */
export interface SmtpCapture {
  /** Whether the client connected at all. */
  connected: boolean;
  /** Every chunk, both ways, in the order the proxy saw them. */
  chunks: CaptureChunk[];
  /** When the client closed its side of the connection, if it did. */
  clientClosedAt?: number;
  /** The message the recipient's mailbox holds afterwards, trace fields included. */
  stored?: Uint8Array;
  /** How the program ended: its exit code, whether the time limit killed it, its last error lines. */
  exit: { code: number; timedOut: boolean; stderr: string };
}

/** One line the client sent, with the end it really had. */
export interface ClientLine {
  /** The text without its line end (a bare CR inside stays in it). */
  text: string;
  /** `crlf`, a bare `lf`, or `none` for bytes that no LF ended. */
  end: "crlf" | "lf" | "none";
  /** When its first byte arrived. */
  at: number;
}

/** A reply of the server, with the time the client could first read all of it. */
export interface TimedReply extends SmtpReply {
  /** When its last line went to the client. */
  at: number;
  /** The wire lines, for showing. */
  wire: string[];
}

/** A client line that the server answered (or should have), and its answer. */
export interface Exchange {
  /** What the client sent. */
  line: ClientLine;
  /** What the server answered, if it did. */
  reply?: TimedReply;
}

/** The message text as the client meant it: the lines after DATA up to the line ".". */
export interface SentText {
  /** The DATA command and its answer. */
  data: Exchange;
  /** The text lines, dot-stuffing still on. */
  lines: ClientLine[];
  /** The line "." and its answer, when the client sent one. */
  end?: Exchange;
}

/** A connection read back as an SMTP dialog. */
export interface Dialog {
  /** Every line the client sent. */
  lines: ClientLine[];
  /** The server's greeting. */
  greeting?: TimedReply;
  /** Each command the server read as one, with its reply, in order. */
  commands: Exchange[];
  /** The message text, when the client sent DATA. */
  text?: SentText;
}

/**
 * Reads a capture back as a dialog. The server reads a line after a 354 as text and every other
 * line as a command that gets one reply, so the replies are paired with lines in that order;
 * where the client went on talking past a refused DATA, its text lines are paired as commands
 * too, as the server took them.
 *
 * @param capture What the proxy recorded.
 * @returns The dialog.
 *
 * @example The greeting and a QUIT
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDialog } from "./grade_dialog.ts";
 *
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * const dialog = readDialog({
 *   connected: true,
 *   chunks: [
 *     { from: "server", at: 1000, bytes: bytes("220 hamburger.edu\r\n") },
 *     { from: "client", at: 1001, bytes: bytes("QUIT\n") },
 *     { from: "server", at: 1002, bytes: bytes("221 Bye\r\n") },
 *   ],
 *   exit: { code: 0, timedOut: false, stderr: "" },
 * });
 * assert.equal(dialog.greeting?.code, 220);
 * assert.deepEqual(dialog.commands.map((c) => [c.line.text, c.line.end, c.reply?.code]), [["QUIT", "lf", 221]]);
 * ```
 */
export function readDialog(capture: SmtpCapture): Dialog {
  const lines = clientLines(capture.chunks);
  const replies = serverReplies(capture.chunks);
  const greeting = replies.shift();
  const commands: Exchange[] = [];
  let text: SentText | undefined;
  let accepted = false;
  for (const line of lines) {
    if (text && !text.end) {
      const exchange: Exchange = accepted ? { line } : { line, reply: replies.shift() };
      if (line.text === ".") {
        if (accepted) exchange.reply = replies.shift();
        text.end = exchange;
      } else {
        text.lines.push(line);
      }
      if (!accepted || line.text === ".") commands.push(exchange);
      continue;
    }
    const exchange = { line, reply: replies.shift() };
    commands.push(exchange);
    if (!text && /^DATA\s*$/i.test(line.text)) {
      text = { data: exchange, lines: [] };
      accepted = exchange.reply?.code === 354;
    }
  }
  // Past a refused DATA, lines with no "." after them were commands, not text.
  if (text && !accepted && !text.end) text.lines = [];
  return { lines, greeting, commands, text };
}

/**
 * The line as the course prints it, `C: HELO crepes.fr`, with a line end other than CRLF shown
 * as `\n` (and a bare CR as `\r`), so the reader sees what was really sent.
 *
 * @param line A client line.
 * @returns One transcript line.
 *
 * @example A bare LF shows
 * ```ts
 * import assert from "node:assert/strict";
 * import { showLine } from "./grade_dialog.ts";
 *
 * assert.equal(showLine({ text: "HELO crepes.fr", end: "lf", at: 0 }), "C: HELO crepes.fr\\n");
 * ```
 */
export function showLine(line: ClientLine): string {
  const text = line.text.replaceAll("\r", "\\r");
  return `C: ${text}${line.end === "lf" ? "\\n" : line.end === "none" ? " (no line end)" : ""}`;
}

/**
 * A reply as the course prints it: one `S:` line per wire line.
 *
 * @param reply A reply, or nothing.
 * @returns Transcript lines; `(no reply)` when there is none.
 */
export function showReply(reply: TimedReply | undefined): string[] {
  return reply ? reply.wire.map((w) => `S: ${w}`) : ["S: (no reply)"];
}

function clientLines(chunks: readonly CaptureChunk[]): ClientLine[] {
  const lines: ClientLine[] = [];
  let text = "";
  let at = 0;
  for (const chunk of chunks) {
    if (chunk.from !== "client") continue;
    for (const byte of chunk.bytes) {
      if (text === "") at = chunk.at;
      if (byte !== 0x0a) {
        text += String.fromCharCode(byte);
        continue;
      }
      const crlf = text.endsWith("\r");
      lines.push({ text: crlf ? text.slice(0, -1) : text, end: crlf ? "crlf" : "lf", at });
      text = "";
    }
  }
  if (text !== "") lines.push({ text, end: "none", at });
  return lines;
}

function serverReplies(chunks: readonly CaptureChunk[]): TimedReply[] {
  const replies: TimedReply[] = [];
  const reader = new ReplyReader();
  let wire: string[] = [];
  let text = "";
  for (const chunk of chunks) {
    if (chunk.from !== "server") continue;
    for (const byte of chunk.bytes) text += String.fromCharCode(byte);
    let end: number;
    while ((end = text.indexOf("\r\n")) >= 0) {
      const line = text.slice(0, end);
      text = text.slice(end + 2);
      wire.push(line);
      let reply: SmtpReply | undefined;
      try {
        reply = reader.push(line);
      } catch {
        reply = { code: 0, lines: [line] };
      }
      if (reply) {
        replies.push({ ...reply, at: chunk.at, wire });
        wire = [];
      }
    }
  }
  return replies;
}
