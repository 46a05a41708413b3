/**
 * Saving messages in an mbox file, the format that mutt, Thunderbird and Python's `mailbox` read
 * (RFC 4155), written the mboxrd way: each message begins with a `From sender date` line and
 * ends with an empty line; a line of the message that reads `From ` after any number of `>` gets
 * one more `>`, so that reading takes exactly one off and gives back the message unchanged.
 * Lines end with LF in the file, as on Unix; reading gives back CRLF, as mail is sent.
 *
 * ```
 * From alice@crepes.fr Tue Sep  1 09:00:00 2026
 * Subject: Lunch?
 *
 * >From the kitchen: ketchup.
 *
 * ```
 *
 * @module
 */
import { parseMessage } from "../message/parse.ts";
import { returnPathOf } from "./reading.ts";

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM_ = new TextEncoder().encode("From ");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Options of {@linkcode mboxEntry}. */
export interface MboxEntryOptions {
  /**
   * The envelope sender for the `From ` line.
   * @default the message's Return-Path, else its From, else `MAILER-DAEMON`
   */
  sender?: string;
  /**
   * When the message arrived, in milliseconds since the epoch (IMAP's INTERNALDATE).
   * @default the message's Date field, else the epoch
   */
  date?: number;
}

/** One message read back from an mbox file. */
export interface MboxMessage {
  /** The sender of its `From ` line. */
  sender: string;
  /** The date of its `From ` line, as written (asctime, UTC). */
  date: string;
  /** The message, with CRLF line ends and its `From ` lines unquoted. */
  message: Uint8Array;
}

/** The `From ` line's date: C's asctime, in UTC, such as `Tue Sep  1 09:00:00 2026`. */
function asctime(ms: number): string {
  const d = new Date(ms);
  const [weekday, , month] = d.toUTCString().split(" ");
  const day = String(d.getUTCDate()).padStart(2, " ");
  const time = d.toISOString().slice(11, 19);
  return `${weekday.slice(0, 3)} ${month} ${day} ${time} ${d.getUTCFullYear()}`;
}

/** Whether a line reads `>*From `: the lines mboxrd quotes. */
function isFromLine(line: Uint8Array): boolean {
  let i = 0;
  while (line[i] === GT) i++;
  return FROM_.every((byte, k) => line[i + k] === byte);
}

/** The lines of some bytes, without their LF or CRLF; a last line without one counts. */
function lines(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== LF) continue;
    if (i === bytes.length && start === i) break;
    const end = i > start && bytes[i - 1] === CR ? i - 1 : i;
    out.push(bytes.subarray(start, end));
    start = i + 1;
  }
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The envelope sender a message carries: its Return-Path, else its first From. */
function senderOf(message: Uint8Array): string {
  const parsed = parseMessage(message);
  return returnPathOf(parsed) ?? parsed.from[0]?.address ?? "";
}

/**
 * One message as an mbox entry (mboxrd): the `From ` line, the message with LF line ends and its
 * `From ` lines quoted, and the empty line that ends it. Append it to a file to save it there.
 *
 * @param message The message, as stored.
 * @param options The sender and date of the `From ` line.
 * @returns The entry's bytes.
 *
 * @example A line that starts with "From " is quoted, and reading gives it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { mboxEntry, parseMbox } from "./mbox.ts";
 *
 * const message = new TextEncoder().encode("Subject: Lunch?\r\n\r\nFrom the kitchen\r\n>From me\r\n");
 * const entry = mboxEntry(message, { sender: "alice@crepes.fr", date: Date.UTC(2026, 8, 1, 9) });
 * assert.equal(
 *   new TextDecoder().decode(entry),
 *   "From alice@crepes.fr Tue Sep  1 09:00:00 2026\nSubject: Lunch?\n\n>From the kitchen\n>>From me\n\n",
 * );
 * const [back] = parseMbox(entry);
 * assert.deepEqual(back.message, message);
 * assert.equal(back.sender, "alice@crepes.fr");
 * ```
 */
export function mboxEntry(message: Uint8Array, options: MboxEntryOptions = {}): Uint8Array {
  const sender = (options.sender ?? senderOf(message)).replace(/\s/g, "") || "MAILER-DAEMON";
  const date = options.date ?? parseMessage(message).date ?? 0;
  const parts: Uint8Array[] = [encoder.encode(`From ${sender} ${asctime(date)}\n`)];
  const quoted = new Uint8Array([GT]);
  const newline = new Uint8Array([LF]);
  for (const line of lines(message)) {
    if (isFromLine(line)) parts.push(quoted);
    parts.push(line, newline);
  }
  parts.push(newline);
  return join(parts);
}

/**
 * Reads an mbox file (mboxrd): a `From ` line begins each message; the empty line before the
 * next one ends it; one `>` comes off each quoted `From ` line.
 *
 * @param mbox The file's bytes.
 * @returns The messages, in order.
 *
 * @example Two messages in one file
 * ```ts
 * import assert from "node:assert/strict";
 * import { mboxEntry, parseMbox } from "./mbox.ts";
 *
 * const one = new TextEncoder().encode("Subject: one\r\n\r\n1\r\n");
 * const two = new TextEncoder().encode("Subject: two\r\n\r\n2\r\n");
 * const file = new Uint8Array([...mboxEntry(one, { date: 0 }), ...mboxEntry(two, { date: 0 })]);
 * assert.deepEqual(parseMbox(file).map((m) => m.message), [one, two]);
 * assert.equal(parseMbox(file)[0].date, "Thu Jan  1 00:00:00 1970");
 * ```
 */
export function parseMbox(mbox: Uint8Array): MboxMessage[] {
  const found: { header: string; lines: Uint8Array[] }[] = [];
  for (const line of lines(mbox)) {
    if (FROM_.every((byte, k) => line[k] === byte)) {
      found.push({ header: decoder.decode(line.subarray(FROM_.length)), lines: [] });
    } else if (found.length > 0) {
      found.at(-1)!.lines.push(isFromLine(line) ? line.subarray(1) : line);
    }
  }
  const crlf = new Uint8Array([CR, LF]);
  return found.map(({ header, lines }) => {
    if (lines.at(-1)?.length === 0) lines.pop();
    const space = header.indexOf(" ");
    return {
      sender: space < 0 ? header : header.slice(0, space),
      date: space < 0 ? "" : header.slice(space + 1).trim(),
      message: join(lines.flatMap((line) => [line, crlf])),
    };
  });
}
