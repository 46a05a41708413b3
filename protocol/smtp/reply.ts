/**
 * SMTP replies (RFC 5321 §4.2): a three-digit code, an optional enhanced status code
 * (RFC 3463, RFC 2034) and one or more lines of text. Formatting for servers, parsing for clients.
 *
 * @module
 */

/** One SMTP reply. */
export interface SmtpReply {
  /** The three-digit reply code: 2xx done, 3xx go on, 4xx try later, 5xx failed. */
  code: number;
  /** The RFC 3463 enhanced status code such as `2.1.0`, when the reply has one. */
  enhanced?: string;
  /** The text: one string per line. */
  lines: string[];
}

// A reply line is one line: a client's CR or NUL echoed in a text (an address in a refusal, a
// From: field's mailbox) would break it or forge the replies after it. Control characters are
// written as \xHH instead; the test comes first, so a clean text costs no copy.
// deno-lint-ignore no-control-regex -- control characters are exactly what is replaced
const CONTROL = /[\x00-\x1f\x7f]/;
// deno-lint-ignore no-control-regex -- the same characters, to replace them all
const CONTROL_ALL = /[\x00-\x1f\x7f]/g;
const escapeControl = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;

// The wire text of a fixed reply (the catalogue's constants), plain and with enhanced codes, made
// once: the same few replies answer most commands.
const WIRE = Symbol("wire text");
type Fixed = SmtpReply & { readonly [WIRE]?: readonly [string, string] };

/**
 * Formats a reply for the wire: `250-first`, ..., `250 last`, each ending in CRLF. The enhanced
 * code goes in front of every line's text when `enhanced` is true (RFC 2034 §3). Control
 * characters in a text (C0 and DEL: a CR or LF would end the line) are written as `\xHH`.
 *
 * ```
 * reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
 * textstring = 1*(%d09 / %d32-126)
 * ```
 *
 * @param reply The reply.
 * @param enhanced Whether to prefix enhanced status codes.
 * @returns The wire text.
 *
 * @example A multi-line reply
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatReply } from "./reply.ts";
 *
 * const text = formatReply({ code: 250, lines: ["hamburger.edu", "PIPELINING"] });
 * assert.equal(text, "250-hamburger.edu\r\n250 PIPELINING\r\n");
 * assert.equal(
 *   formatReply({ code: 550, enhanced: "5.1.1", lines: ["No such user"] }, true),
 *   "550 5.1.1 No such user\r\n",
 * );
 * // An echoed CR, LF or NUL never breaks the line.
 * assert.equal(
 *   formatReply({ code: 550, lines: ["<a\r\n250 OK\0>: no such user"] }),
 *   "550 <a\\x0d\\x0a250 OK\\x00>: no such user\r\n",
 * );
 * ```
 */
export function formatReply(reply: SmtpReply, enhanced = false): string {
  const wire = (reply as Fixed)[WIRE];
  if (wire) return enhanced ? wire[1] : wire[0];
  return format(reply, enhanced);
}

/**
 * Makes a reply that never changes, such as one a server sends on every connection: frozen, and
 * its wire text (plain and enhanced) made once, for {@linkcode formatReply} to send as it is.
 *
 * @param reply The reply; it is frozen in place.
 * @returns The same reply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fixedReply, formatReply } from "./reply.ts";
 *
 * const busy = fixedReply({ code: 451, enhanced: "4.3.2", lines: ["Try again later"] });
 * assert.equal(formatReply(busy, true), "451 4.3.2 Try again later\r\n");
 * assert.equal(Object.isFrozen(busy), true);
 * ```
 */
export function fixedReply(reply: SmtpReply): SmtpReply {
  const wire = [format(reply, false), format(reply, true)] as const;
  Object.defineProperty(reply, WIRE, { value: wire });
  Object.freeze(reply.lines);
  return Object.freeze(reply);
}

function format(reply: SmtpReply, enhanced: boolean): string {
  const prefix = enhanced && reply.enhanced ? `${reply.enhanced} ` : "";
  const lines = reply.lines.length > 0 ? reply.lines : [""];
  let out = "";
  for (let i = 0; i < lines.length; i++) {
    const sep = i === lines.length - 1 ? " " : "-";
    let text = prefix + lines[i];
    if (CONTROL.test(text)) text = text.replace(CONTROL_ALL, escapeControl);
    out += text ? `${reply.code}${sep}${text}\r\n` : `${reply.code}${sep === " " ? "" : "-"}\r\n`;
  }
  return out;
}

/** A reply line that does not follow RFC 5321 §4.2. */
export class ReplySyntaxError extends SyntaxError {
  /** The offending line. */
  readonly line: string;
  /**
   * Creates the error.
   *
   * @param line The offending line.
   */
  constructor(line: string) {
    super(`Cannot parse SMTP reply line "${line.slice(0, 80)}"`);
    this.name = "ReplySyntaxError";
    this.line = line;
  }
}

/**
 * Collects reply lines from a server until a reply is complete. Feed it each line (without its
 * CRLF); it returns the reply at its last line.
 *
 * @example Parse a multi-line EHLO reply
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReplyReader } from "./reply.ts";
 *
 * const reader = new ReplyReader();
 * assert.equal(reader.push("250-hamburger.edu"), undefined);
 * const reply = reader.push("250 2.0.0 SIZE 10485760");
 * assert.deepEqual(reply, { code: 250, enhanced: "2.0.0", lines: ["hamburger.edu", "SIZE 10485760"] });
 * ```
 */
export class ReplyReader {
  #lines: string[] = [];
  #code = 0;

  /**
   * Takes one reply line.
   *
   * @param line The line without CRLF.
   * @returns The complete reply at its last line, otherwise `undefined`.
   * @throws {ReplySyntaxError} When the line is not a reply line or changes code mid-reply.
   */
  push(line: string): SmtpReply | undefined {
    const match = /^([2-5]\d\d)([ -]|$)(.*)$/.exec(line);
    if (!match) throw new ReplySyntaxError(line);
    const code = Number(match[1]);
    if (this.#lines.length > 0 && code !== this.#code) throw new ReplySyntaxError(line);
    this.#code = code;
    this.#lines.push(match[3]);
    if (match[2] === "-") return undefined;
    const lines = this.#lines;
    this.#lines = [];
    return splitEnhanced(code, lines);
  }
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

function splitEnhanced(code: number, lines: string[]): SmtpReply {
  const last = ENHANCED.exec(lines[lines.length - 1]);
  if (!last || last[1] !== String(code)[0]) return { code, lines };
  const enhanced = `${last[1]}.${last[2]}.${last[3]}`;
  return {
    code,
    enhanced,
    lines: lines.map((l) => l.startsWith(enhanced) ? l.slice(enhanced.length).trimStart() : l),
  };
}

/**
 * A reply read as an error: a client throws it when the server refused, and a server hook throws
 * it to refuse with this exact reply. `temporary` is true for 4xx.
 *
 * @example Refuse a recipient from a hook
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpReplyError } from "./reply.ts";
 *
 * const error = new SmtpReplyError({ code: 452, enhanced: "4.2.2", lines: ["Mailbox full"] });
 * assert.equal(error.temporary, true);
 * assert.equal(error.message, "452 4.2.2 Mailbox full");
 * ```
 */
export class SmtpReplyError extends Error {
  /** The reply. */
  readonly reply: SmtpReply;

  /**
   * Creates the error.
   *
   * @param reply The reply that failed or that should be sent.
   * @param options The error's cause, if any.
   */
  constructor(reply: SmtpReply, options?: ErrorOptions) {
    const enhanced = reply.enhanced ? ` ${reply.enhanced}` : "";
    super(`${reply.code}${enhanced} ${reply.lines.join(" ")}`, options);
    this.name = "SmtpReplyError";
    this.reply = reply;
  }

  /** The reply's code. */
  get code(): number {
    return this.reply.code;
  }

  /** Whether the failure is temporary (4xx): the sender should try again later. */
  get temporary(): boolean {
    return this.reply.code >= 400 && this.reply.code < 500;
  }
}
