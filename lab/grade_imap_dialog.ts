/**
 * The grader's view of one recorded IMAP connection: the client's bytes cut into tagged commands
 * (literals folded back in, with the line end each really had), the server's lines, and which
 * tagged answer completed which command. Pure: it reads recorded chunks and does no I/O.
 *
 * @module
 */
import type { CaptureChunk } from "./grade_dialog.ts";

/** One line as it crossed, literals folded in as quoted strings. */
export interface WireLine {
  /** The text without its line end. */
  text: string;
  /** `crlf`, a bare `lf`, or `none` for bytes that no LF ended. */
  end: "crlf" | "lf" | "none";
  /** When its first byte crossed. */
  at: number;
}

/** A tagged command of the client, and what the server said until it completed it. */
export interface ImapCommand {
  /** The command's tag, such as `a1`. */
  tag: string;
  /** The command in upper case, `UID` joined to what follows: `LOGIN`, `UID FETCH`. */
  verb: string;
  /** What follows the verb. */
  args: string;
  /** The line as sent (a LOGIN's password is hidden in {@linkcode showImap}). */
  line: WireLine;
  /** Lines the client sent within the command: an AUTHENTICATE answer, IDLE's DONE. */
  more: WireLine[];
  /** Untagged and continuation lines the server sent while the command ran. */
  untagged: WireLine[];
  /** The tagged answer, once it came. */
  done?: WireLine & { status: "OK" | "NO" | "BAD" };
}

/** A connection read back as an IMAP dialog. */
export interface ImapDialog {
  /** The server's greeting line. */
  greeting?: WireLine;
  /** Every line the client sent, in order. */
  clientLines: WireLine[];
  /** The client's commands, in the order it sent them. */
  commands: ImapCommand[];
}

/**
 * Reads recorded chunks as an IMAP dialog.
 *
 * @param chunks Both directions, in the order they crossed.
 * @returns The greeting, the client's lines and its commands with their answers.
 *
 * @example A LOGIN and its answer
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImapDialog } from "./grade_imap_dialog.ts";
 *
 * const said = (from: "client" | "server", text: string, at: number) =>
 *   ({ from, at, bytes: new TextEncoder().encode(text) });
 * const d = readImapDialog([
 *   said("server", "* OK IMAP4rev1 ready\r\n", 1),
 *   said("client", "a1 LOGIN bob {7}\r\n", 2),
 *   said("server", "+ go on\r\n", 3),
 *   said("client", "pickles\r\n", 4),
 *   said("server", "a1 OK LOGIN completed\r\n", 5),
 * ]);
 * assert.equal(d.greeting?.text, "* OK IMAP4rev1 ready");
 * assert.equal(d.commands[0].verb, "LOGIN");
 * assert.equal(d.commands[0].args, 'bob "pickles"');
 * assert.equal(d.commands[0].done?.status, "OK");
 * ```
 */
export function readImapDialog(chunks: readonly CaptureChunk[]): ImapDialog {
  const clientLines = lines(chunks.filter((c) => c.from === "client"));
  const serverLines = lines(chunks.filter((c) => c.from === "server"));
  const events = [
    ...clientLines.map((line) => ({ from: "client" as const, line })),
    ...serverLines.map((line) => ({ from: "server" as const, line })),
  ].sort((a, b) => a.line.at - b.line.at || (a.from === "server" ? -1 : 1));
  const commands: ImapCommand[] = [];
  const pending: ImapCommand[] = [];
  let greeting: WireLine | undefined;
  for (const { from, line } of events) {
    if (from === "server") {
      if (!greeting && commands.length === 0 && line.text.startsWith("* ")) {
        greeting = line;
        continue;
      }
      const tagged = /^(\S+) (OK|NO|BAD)\b/i.exec(line.text);
      const owner = tagged && tagged[1] !== "*" && tagged[1] !== "+"
        ? pending.findIndex((c) => c.tag === tagged[1])
        : -1;
      if (owner >= 0) {
        const [command] = pending.splice(owner, 1);
        command.done = { ...line, status: tagged![2].toUpperCase() as "OK" | "NO" | "BAD" };
      } else if (pending[0]) {
        pending[0].untagged.push(line);
      }
      continue;
    }
    // A line inside a running AUTHENTICATE or IDLE answers the server; it is no new command.
    const inside = pending.at(-1);
    if (inside && /^(AUTHENTICATE|IDLE)$/.test(inside.verb) && inside.untagged.length > 0) {
      inside.more.push(line);
      continue;
    }
    const command = parseCommand(line);
    commands.push(command);
    pending.push(command);
  }
  return { greeting, clientLines, commands };
}

function parseCommand(line: WireLine): ImapCommand {
  const match = /^(\S*) ?(\S*) ?(.*)$/.exec(line.text)!;
  let verb = match[2].toUpperCase();
  let args = match[3];
  if (verb === "UID") {
    const inner = /^(\S*) ?(.*)$/.exec(args)!;
    verb = `UID ${inner[1].toUpperCase()}`;
    args = inner[2];
  }
  return { tag: match[1], verb, args, line, more: [], untagged: [] };
}

/** Cuts one direction's bytes into lines; a `{n}` literal is folded into its line, quoted. */
function lines(chunks: readonly CaptureChunk[]): WireLine[] {
  const out: WireLine[] = [];
  const bytes: number[] = [];
  const times: number[] = [];
  for (const chunk of chunks) {
    for (const byte of chunk.bytes) {
      bytes.push(byte);
      times.push(chunk.at);
    }
  }
  const text = (from: number, to: number) =>
    new TextDecoder().decode(new Uint8Array(bytes.slice(from, to)));
  let pos = 0;
  while (pos < bytes.length) {
    const at = times[pos];
    let line = "";
    let end: WireLine["end"] = "none";
    for (;;) {
      const lf = bytes.indexOf(10, pos);
      const stop = lf < 0 ? bytes.length : lf;
      const crlf = lf > 0 && bytes[lf - 1] === 13 && lf - 1 >= pos;
      line += text(pos, crlf ? stop - 1 : stop);
      end = lf < 0 ? "none" : crlf ? "crlf" : "lf";
      pos = lf < 0 ? bytes.length : lf + 1;
      const literal = /\{(\d+)\+?\}$/.exec(line);
      if (!literal || lf < 0) break;
      const size = Math.min(Number(literal[1]), bytes.length - pos);
      const content = text(pos, pos + size);
      pos += size;
      line = line.slice(0, literal.index) + JSON.stringify(content);
    }
    out.push({ text: line, end, at });
  }
  return out;
}

/**
 * A client or server line as the course writes it, `C:` or `S:` before it, with a LOGIN's
 * password and an AUTHENTICATE's answer hidden.
 *
 * @param who Who sent it.
 * @param line The line.
 * @returns The line to show.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { showImap } from "./grade_imap_dialog.ts";
 *
 * assert.equal(showImap("client", { text: "a1 LOGIN bob pickles", end: "crlf", at: 0 }), "C: a1 LOGIN bob ******");
 * ```
 */
export function showImap(who: "client" | "server", line: WireLine): string {
  let text = line.text.replace(/^(\S+ LOGIN (?:"(?:[^"\\]|\\.)*"|\S+) ).*$/i, "$1******")
    .replace(/^(\S+ AUTHENTICATE \S+ ).+$/i, "$1******");
  if (text.length > 120) text = text.slice(0, 117) + "...";
  const ending = line.end === "lf" ? "   (ends in a bare LF)" : "";
  return `${who === "client" ? "C" : "S"}: ${text}${ending}`;
}
