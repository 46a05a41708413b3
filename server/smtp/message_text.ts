/**
 * The message text of one transaction as it arrives: DATA lines (dot-stuffing undone exactly
 * once) or BDAT chunks (RFC 3030), checked against the limits and the rules of the wire on the way
 * in, so a bad message is refused at its end without holding more than the size limit in memory.
 *
 * @module
 */
import { ByteBuilder } from "../../protocol/byte_builder.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import type { SmtpReply } from "../../protocol/smtp/reply.ts";

/** Options of {@linkcode MessageText}. */
export interface MessageTextOptions {
  /** The largest message in bytes. */
  maxSize: number;
  /** Refuse bytes over 127 (the message was not declared `BODY=8BITMIME`, or the server is 7-bit only). */
  sevenBit: boolean;
}

const DOT = 46;
const CR = 13;
const LF = 10;
const CRLF = new Uint8Array([CR, LF]);

function hasEightBit(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 127) return true;
  return false;
}

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
 * text.line(enc.encode("..leading dot"));
 * assert.equal(new TextDecoder().decode(text.finish()), ".leading dot\r\n");
 *
 * const bad = new MessageText({ maxSize: 1000, sevenBit: false });
 * bad.line(enc.encode("smuggled\n.\nMAIL FROM:<x@y>"));
 * assert.equal(bad.problem?.code, 550);
 * ```
 */
export class MessageText {
  #options: MessageTextOptions;
  #bytes = new ByteBuilder();
  #problem: SmtpReply | undefined;
  #lines = 0;
  #lastWasCr = false;

  /**
   * Starts an empty message.
   *
   * @param options The size limit and whether 8-bit bytes are refused.
   */
  constructor(options: MessageTextOptions) {
    this.#options = options;
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

  #checkBytes(bytes: Uint8Array, lineBreaksAllowed: boolean): void {
    if (bytes.includes(0)) return this.fail(REPLY.NulInText);
    if (!lineBreaksAllowed && (bytes.includes(LF) || bytes.includes(CR))) {
      return this.fail(REPLY.BareLineBreak);
    }
    if (this.#options.sevenBit && hasEightBit(bytes)) this.fail(REPLY.EightBitNotDeclared);
  }

  /**
   * Takes one DATA line (its CRLF removed by the framer). A line starting with a dot lost one dot
   * to transparency (RFC 5321 §4.5.2). A CR or LF left inside the line is a bare one.
   *
   * @param line The line.
   */
  line(line: Uint8Array): void {
    this.#lines++;
    if (this.#problem) return;
    const text = line[0] === DOT ? line.subarray(1) : line;
    this.#checkBytes(text, false);
    if (this.#problem || !this.#fits(text.length + 2)) return;
    this.#bytes.append(text);
    this.#bytes.append(CRLF);
  }

  /**
   * Takes part of a BDAT chunk: raw bytes, no dot-stuffing. Line breaks must still be CRLF,
   * also across chunk boundaries.
   *
   * @param bytes The bytes.
   */
  chunk(bytes: Uint8Array): void {
    if (this.#problem || !this.#fits(bytes.length)) return;
    this.#checkBytes(bytes, true);
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
    return this.#problem ? new Uint8Array() : this.#bytes.bytes();
  }
}
