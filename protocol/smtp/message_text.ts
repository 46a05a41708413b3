/**
 * The message text of one transaction as it arrives: DATA lines (dot-stuffing undone exactly
 * once) or BDAT chunks (RFC 3030), checked against the limits and the rules of the wire on the way
 * in, so a bad message is refused at its end without holding more than the size limit in memory.
 *
 * @module
 */
import { ByteBuilder } from "../byte_builder.ts";
import { hasEightBit } from "../../message/eight_bit.ts";
import { REPLY } from "./replies.ts";
import type { SmtpReply } from "./reply.ts";

/** Options of {@linkcode MessageText}. */
export interface MessageTextOptions {
  /** The largest message in bytes. */
  maxSize: number;
  /** Refuse bytes over 127 (the message was not declared `BODY=8BITMIME`, or the server is 7-bit only). */
  sevenBit: boolean;
  /** Where to collect the bytes; a session passes the same one for every message, so its room is reused. @default a new one */
  builder?: ByteBuilder;
  /**
   * Let a bare LF end a line, stored as CRLF: for a person typing with `nc`, whose commands
   * already ended in bare LF. Never for a relaying server (that would allow SMTP smuggling).
   * @default false
   */
  bareLfEndsLine?: boolean;
}

const DOT = 46;
const CR = 13;
const LF = 10;
const NO_WORDS = new Uint32Array(0);
const CRLF = new Uint8Array([CR, LF]);

/**
 * Collects one message's text and remembers the first problem with it.
 *
 * @example Undo dot-stuffing and refuse a bare LF
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageText } from "./message_text.ts";
 *
 * const enc = new TextEncoder();
 * const text = new MessageText({ maxSize: 1000, sevenBit: false });
 * assert.deepEqual(text.scan(enc.encode("..leading dot\r\n.\r\nQUIT\r\n"), 1000), {
 *   consumed: 18,
 *   ended: true,
 * });
 * assert.equal(new TextDecoder().decode(text.finish()), ".leading dot\r\n");
 *
 * const bad = new MessageText({ maxSize: 1000, sevenBit: false });
 * bad.scan(enc.encode("smuggled\n.\nMAIL FROM:<x@y>\r\n"), 1000);
 * assert.equal(bad.problem?.code, 550);
 * ```
 */
export class MessageText {
  #options: MessageTextOptions;
  #bytes: ByteBuilder;
  #problem: SmtpReply | undefined;
  #lines = 0;
  #lastWasCr = false;
  #dropping = false;

  /**
   * Starts an empty message.
   *
   * @param options The size limit and whether 8-bit bytes are refused.
   */
  constructor(options: MessageTextOptions) {
    this.#options = options;
    this.#bytes = options.builder ?? new ByteBuilder();
    this.#bytes.clear();
  }

  /** The first problem found, which the end of the message will answer with. */
  get problem(): SmtpReply | undefined {
    return this.#problem;
  }

  /** How many bytes were kept so far. */
  get size(): number {
    return this.#bytes.length;
  }

  /** How many DATA lines arrived (the end-of-data line not counted). */
  get lines(): number {
    return this.#lines;
  }

  /**
   * Records a problem found outside this class (a text line over the limit); the first one wins.
   *
   * @param reply The reply the end of the message will give.
   */
  fail(reply: SmtpReply): void {
    this.#problem ??= reply;
    this.#bytes.clear();
  }

  #fits(extra: number): boolean {
    if (this.#bytes.length + extra <= this.#options.maxSize) return true;
    this.fail(REPLY.TooBig(this.#options.maxSize));
    return false;
  }

  /**
   * Takes as many whole DATA lines as `view` holds, up to and including the end-of-data line
   * (a lone "."), in one pass: only CRLF ends a line, a leading dot loses one dot (RFC 5321
   * §4.5.2), and runs of lines are copied at once. A line over `maxLine` octets is dropped as it
   * arrives, so memory stays bounded whatever the client sends.
   *
   * @param view Buffered bytes, starting at a line start (or inside a line being dropped).
   * @param maxLine The longest line, CRLF included (RFC 5321 §4.5.3.1.6 says 1000).
   * @param onLine Called with each line's text while the caller records a transcript.
   * @returns How many bytes were used, and whether the end-of-data line was among them.
   */
  scan(
    view: Uint8Array,
    maxLine: number,
    onLine?: (line: Uint8Array) => boolean,
  ): { consumed: number; ended: boolean } {
    if (this.#options.bareLfEndsLine) return this.#scanTyped(view, maxLine, onLine);
    let lineStart = 0;
    let runStart = 0;
    let recording = onLine !== undefined;
    let problem = -1; // where the first NUL, bare CR or bare LF is
    // One pass in plain JavaScript, four bytes at a time where the view is aligned: a word with
    // no byte below 14 (no NUL, CR or LF) is skipped whole. This beats a native indexOf call per
    // line for mail's short lines.
    const n = view.length;
    const first = (4 - (view.byteOffset & 3)) & 3;
    const count = n > first ? (n - first) >> 2 : 0;
    const words = count > 0
      ? new Uint32Array(view.buffer, view.byteOffset + first, count)
      : NO_WORDS;
    for (let i = 0; i < n; i++) {
      if (i >= first && ((i - first) & 3) === 0) {
        // Skip whole words in a tight loop; stop at the first one holding a byte below 14.
        let j = (i - first) >> 2;
        while (j < count) {
          const w = words[j];
          if (((w - 0x0e0e0e0e) & ~w & 0x80808080) !== 0) break;
          j++;
        }
        i = first + j * 4;
        if (i >= n) break;
      }
      const byte = view[i];
      if (byte > CR) continue;
      if (byte === 0) {
        if (problem < 0) problem = i;
      } else if (byte === CR) {
        if (i + 1 < view.length && view[i + 1] !== LF && problem < 0) problem = i;
      } else if (byte === LF) {
        if (i === lineStart || view[i - 1] !== CR) {
          if (problem < 0) problem = i; // a bare LF: part of the line, and a reason to refuse
          continue;
        }
        if (this.#dropping) {
          this.#dropping = false;
          runStart = i + 1;
        } else {
          const length = i + 1 - lineStart;
          if (length === 3 && view[lineStart] === DOT) {
            this.#copy(view, runStart, lineStart);
            this.#settle(view, i + 1, problem);
            return { consumed: i + 1, ended: true };
          }
          this.#lines++;
          if (recording) recording = onLine!(view.subarray(lineStart, i - 1));
          if (length > maxLine) this.fail(REPLY.TextLineTooLong);
          if (view[lineStart] === DOT) {
            this.#copy(view, runStart, lineStart);
            runStart = lineStart + 1;
          }
        }
        lineStart = i + 1;
      }
    }
    let consumed = lineStart;
    if (!this.#dropping) this.#copy(view, runStart, lineStart);
    if (view.length - lineStart > maxLine || (this.#dropping && view.length > lineStart)) {
      // An over-long line with no end in sight: drop what arrived, keep a final CR for its LF.
      if (!this.#dropping) this.fail(REPLY.TextLineTooLong);
      this.#dropping = true;
      consumed = view[view.length - 1] === CR ? view.length - 1 : view.length;
    }
    this.#settle(view, consumed, problem);
    return { consumed, ended: false };
  }

  /** Names the problem a scan saw in the bytes it used, and checks 8-bit bytes if asked to. */
  #settle(view: Uint8Array, consumed: number, problem: number): void {
    if (problem >= 0 && problem < consumed) {
      this.fail(view[problem] === 0 ? REPLY.NulInText : REPLY.BareLineBreak);
    }
    if (!this.#problem && this.#options.sevenBit && hasEightBit(view.subarray(0, consumed))) {
      this.fail(REPLY.EightBitNotDeclared);
    }
  }

  /** The typist's path: line by line, any LF ends a line, and each is stored with CRLF. */
  #scanTyped(
    view: Uint8Array,
    maxLine: number,
    onLine?: (line: Uint8Array) => boolean,
  ): { consumed: number; ended: boolean } {
    let lineStart = 0;
    for (let lf = view.indexOf(LF); lf >= 0; lf = view.indexOf(LF, lineStart)) {
      const end = lf > lineStart && view[lf - 1] === CR ? lf - 1 : lf;
      const line = view.subarray(lineStart, end);
      lineStart = lf + 1;
      if (line.length === 1 && line[0] === DOT) {
        this.#settle(view, lineStart, -1);
        return { consumed: lineStart, ended: true };
      }
      this.#lines++;
      onLine?.(line);
      if (line.length + 2 > maxLine) this.fail(REPLY.TextLineTooLong);
      const text = line[0] === DOT ? line.subarray(1) : line;
      if (text.includes(CR)) this.fail(REPLY.BareLineBreak);
      if (!this.#problem && this.#fits(text.length + 2)) {
        this.#bytes.append(text);
        this.#bytes.append(CRLF);
      }
    }
    if (view.length - lineStart > maxLine) {
      this.fail(REPLY.TextLineTooLong);
      return { consumed: view.length, ended: false };
    }
    this.#settle(view, lineStart, -1);
    return { consumed: lineStart, ended: false };
  }

  #copy(view: Uint8Array, from: number, to: number): void {
    if (this.#problem || to <= from || !this.#fits(to - from)) return;
    this.#bytes.append(view.subarray(from, to));
  }

  #checkRun(bytes: Uint8Array): void {
    if (this.#problem) return;
    if (bytes.includes(0)) this.fail(REPLY.NulInText);
    else if (this.#options.sevenBit && hasEightBit(bytes)) this.fail(REPLY.EightBitNotDeclared);
  }

  /**
   * Takes part of a BDAT chunk: raw bytes, no dot-stuffing. Line breaks must still be CRLF,
   * also across chunk boundaries.
   *
   * @param bytes The bytes.
   */
  chunk(bytes: Uint8Array): void {
    if (this.#problem || !this.#fits(bytes.length)) return;
    this.#checkRun(bytes);
    for (let i = bytes.indexOf(LF); i >= 0 && !this.#problem; i = bytes.indexOf(LF, i + 1)) {
      const before = i > 0 ? bytes[i - 1] === CR : this.#lastWasCr;
      if (!before) this.fail(REPLY.BareLineBreak);
    }
    for (let i = bytes.indexOf(CR); i >= 0 && !this.#problem; i = bytes.indexOf(CR, i + 1)) {
      if (i + 1 < bytes.length && bytes[i + 1] !== LF) this.fail(REPLY.BareLineBreak);
    }
    if (this.#problem) return;
    this.#lastWasCr = bytes.length > 0 ? bytes[bytes.length - 1] === CR : this.#lastWasCr;
    this.#bytes.append(bytes);
  }

  /**
   * Ends the message.
   *
   * @returns The message's bytes, or empty bytes when there was a problem (see `problem`).
   */
  finish(): Uint8Array {
    if (!this.#problem && this.#lastWasCr) this.fail(REPLY.BareLineBreak);
    const bytes = this.#problem ? new Uint8Array() : this.#bytes.bytes();
    this.#bytes.clear();
    return bytes;
  }
}
