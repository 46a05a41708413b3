/**
 * SMTP framing: how the bytes a client sends become the session's units of input, as the
 * session's input mode says: command lines (a bare LF ends one, for `nc` typists), DATA text (only
 * CRLF ends a line there), BDAT chunks counted in bytes, and AUTH answers (longer lines allowed).
 *
 * @module
 */
import { LINE_TOO_LONG, type LineBuffer } from "../../protocol/line_buffer.ts";
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import type { SmtpInput } from "./types.ts";

/** RFC 4954 §4: an AUTH answer line may be longer than a command. */
const AUTH_LINE_LIMIT = 12288;

/** A reply, none yet, or one on its way. */
export type PendingReply = SmtpReply | undefined | Promise<SmtpReply | undefined>;

/** The session as the framing feeds it: an `SmtpSession`. */
export interface FramedSession {
  /** What the next input is. */
  readonly input: SmtpInput;
  /** How many bytes of the current BDAT chunk are still to come. */
  readonly chunkRemaining: number;
  /** Whether the session has ended. */
  readonly closed: boolean;
  /** Takes one command line (or AUTH answer) without its line end. */
  receiveLine(line: Uint8Array, bareLf: boolean): PendingReply;
  /** Takes DATA text in bulk; says how many bytes it used. */
  receiveText(view: Uint8Array): { consumed: number; reply?: SmtpReply | Promise<SmtpReply> };
  /** Takes bytes of the current BDAT chunk. */
  receiveChunk(bytes: Uint8Array): PendingReply;
  /** Hears that a command line over the limit was dropped. */
  lineTooLong(): SmtpReply;
  /** Formats a reply for the wire. */
  wire(reply: SmtpReply): string;
}

/**
 * Feeds a session every whole unit that `lines` holds and collects the replies, until the
 * buffer runs dry, the session ends, or it waits for a TLS handshake.
 *
 * @param session The session.
 * @param lines The bytes received and not yet used.
 * @param maxCommandLine The longest command line, CRLF included.
 * @returns The replies as wire text.
 *
 * @example Three pipelined commands in one read
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineBuffer } from "../../protocol/line_buffer.ts";
 * import { frame } from "./framing.ts";
 * import { SmtpSession } from "./session.ts";
 *
 * const session = new SmtpSession({ domain: "hamburger.edu" });
 * const lines = new LineBuffer();
 * lines.push(new TextEncoder().encode("HELO crepes.fr\r\nNOOP\r\nQUI"));
 * assert.equal(await frame(session, lines, 512), "250 Hello crepes.fr, pleased to meet you\r\n250 OK\r\n");
 * assert.equal(lines.buffered, 3); // "QUI" waits for the rest of its line
 * ```
 */
export function frame(
  session: FramedSession,
  lines: LineBuffer,
  maxCommandLine: number,
): string | Promise<string> {
  return more(session, lines, maxCommandLine, "");
}

// Synchronous while the replies are; a reply still on its way continues the loop once it comes.
function more(
  session: FramedSession,
  lines: LineBuffer,
  maxCommandLine: number,
  out: string,
): string | Promise<string> {
  while (!session.closed && session.input !== "tls") {
    let reply: PendingReply;
    const input = session.input;
    if (input === "chunk") {
      if (lines.buffered === 0) break;
      reply = session.receiveChunk(lines.read(session.chunkRemaining));
    } else if (input === "data") {
      if (lines.buffered === 0) break;
      const text = session.receiveText(lines.peek());
      lines.skip(text.consumed);
      if (!text.reply && text.consumed === 0) break;
      reply = text.reply;
    } else {
      const maxLength = input === "auth" ? AUTH_LINE_LIMIT : maxCommandLine;
      const line = lines.readLine({ maxLength, bareLf: true });
      if (line === undefined) break;
      reply = line === LINE_TOO_LONG
        ? session.lineTooLong()
        : session.receiveLine(line, lines.lastLineBareLf);
    }
    if (reply instanceof Promise) {
      return reply.then((r) =>
        more(session, lines, maxCommandLine, r ? out + session.wire(r) : out)
      );
    }
    if (reply) out += session.wire(reply);
  }
  return out;
}
