/**
 * The text of the message under way in an SMTP session: DATA lines up to the lone ".", or BDAT
 * chunks (RFC 3030), checked as they arrive by {@linkcode MessageText}, the first lines recorded
 * in the transcript. The session decides what to answer; this keeps the bytes.
 *
 * @module
 */
import { ByteBuilder } from "../../protocol/byte_builder.ts";
import type { Clock } from "../../protocol/clock.ts";
import { MessageText } from "../../protocol/smtp/message_text.ts";
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import type { Transcript } from "../../protocol/transcript.ts";

/** Options of {@linkcode MessageIntake}. */
export interface MessageIntakeOptions {
  /** The largest message in bytes. */
  maxMessageSize: number;
  /** Refuse bytes over 127. */
  sevenBitOnly: boolean;
  /** The longest text line, CRLF included. */
  maxTextLine: number;
  /** Text lines per message that the transcript keeps. */
  maxDataLinesRecorded: number;
  /** Stamps transcript lines and the start of a message. */
  clock: Clock;
  /** Where the first lines go. @default nowhere */
  transcript?: Transcript;
}

/** A BDAT chunk that has arrived whole. */
export interface ChunkEnd {
  /** Its size in octets. */
  size: number;
  /** Whether it was the LAST one. */
  last: boolean;
  /** Why the BDAT command was refused (its bytes were read and dropped). */
  refusal?: SmtpReply;
}

const decoder = new TextDecoder();

/**
 * One session's intake of message text. Its buffer is made at the first message, so idle
 * clients hold none, and reused for every message after.
 *
 * @example Take a DATA message in two reads
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { MessageIntake } from "./message_intake.ts";
 *
 * const intake = new MessageIntake({
 *   maxMessageSize: 1000, sevenBitOnly: false, maxTextLine: 1000, maxDataLinesRecorded: 20, clock: new ManualClock(),
 * });
 * intake.beginData(false);
 * const bytes = new TextEncoder().encode("Hi\r\n..dot\r\n.\r\n");
 * assert.deepEqual(intake.text(bytes.subarray(0, 6)), { consumed: 4, ended: false });
 * assert.deepEqual(intake.text(bytes.subarray(4)), { consumed: 10, ended: true });
 * assert.equal(new TextDecoder().decode(intake.finish().message), "Hi\r\n.dot\r\n");
 * ```
 */
export class MessageIntake {
  #options: MessageIntakeOptions;
  #builder: ByteBuilder | undefined;
  #text: MessageText | undefined;
  #chunk: (ChunkEnd & { remaining: number }) | undefined;
  #since: number | undefined;
  #dataMode = false;

  /**
   * Creates an idle intake.
   *
   * @param options The limits, the clock and the transcript.
   */
  constructor(options: MessageIntakeOptions) {
    this.#options = options;
  }

  /** When the message under way began (DATA, or its first BDAT chunk); `undefined` when none is. */
  get since(): number | undefined {
    return this.#since;
  }

  /** Whether BDAT chunks of the message under way have already arrived. */
  get chunked(): boolean {
    return this.#text !== undefined && !this.#dataMode;
  }

  /** How many bytes of the current BDAT chunk are still to come. */
  get chunkRemaining(): number {
    return this.#chunk?.remaining ?? 0;
  }

  #start(bareLf: boolean): void {
    this.#since ??= this.#options.clock.now();
    this.#text ??= new MessageText({
      maxSize: this.#options.maxMessageSize,
      sevenBit: this.#options.sevenBitOnly,
      builder: this.#builder ??= new ByteBuilder(),
      bareLfEndsLine: bareLf,
    });
  }

  /**
   * Begins a message sent with DATA.
   *
   * @param bareLf Whether a bare LF may end a line (a typist's `nc`, never a relaying server).
   */
  beginData(bareLf: boolean): void {
    this.#dataMode = true;
    this.#start(bareLf);
  }

  /**
   * Begins one BDAT chunk of `size` bytes; a refused one is read and dropped.
   *
   * @param chunk The chunk's size, whether it is the last, and the refusal if any.
   */
  beginChunk(chunk: ChunkEnd): void {
    if (!chunk.refusal) this.#start(false);
    this.#chunk = { ...chunk, remaining: chunk.size };
  }

  /**
   * Takes DATA text: as many whole lines as `view` holds, up to the end-of-data line.
   *
   * @param view Buffered bytes from the client, starting at a line start.
   * @param at When they arrived, for the transcript. @default the clock's time
   * @returns The bytes used, and whether the end-of-data line was among them.
   */
  text(view: Uint8Array, at = this.#options.clock.now()): { consumed: number; ended: boolean } {
    const text = this.#text!;
    const { transcript, maxDataLinesRecorded: limit } = this.#options;
    const record = transcript && text.lines < limit
      ? (line: Uint8Array) => {
        transcript.client(decoder.decode(line), at);
        return text.lines < limit;
      }
      : undefined;
    const scanned = text.scan(view, this.#options.maxTextLine, record);
    if (scanned.ended) {
      const hidden = text.lines - limit;
      if (hidden > 0) transcript?.note(`(${hidden} more lines of message text)`, at);
      transcript?.client(".", at);
    }
    return scanned;
  }

  /**
   * Takes bytes of the current BDAT chunk: at most {@linkcode MessageIntake.chunkRemaining}.
   *
   * @param bytes Raw bytes.
   * @returns The chunk once it is whole, otherwise `undefined`.
   */
  chunk(bytes: Uint8Array): ChunkEnd | undefined {
    const chunk = this.#chunk!;
    const part = bytes.subarray(0, chunk.remaining);
    if (!chunk.refusal) this.#text!.chunk(part);
    chunk.remaining -= part.length;
    if (chunk.remaining > 0) return undefined;
    this.#chunk = undefined;
    this.#options.transcript?.client(
      `(${chunk.size} octets of message text)`,
      this.#options.clock.now(),
    );
    const { size, last, refusal } = chunk;
    return { size, last, refusal };
  }

  /** The first problem with the message's text so far, which its end will answer with. */
  get problem(): SmtpReply | undefined {
    return this.#text?.problem;
  }

  /**
   * Ends the message and makes the intake idle again.
   *
   * @returns The message's bytes (empty when there was a problem), and the problem.
   */
  finish(): { message: Uint8Array; problem?: SmtpReply } {
    const text = this.#text!;
    const message = text.finish();
    const problem = text.problem;
    this.reset();
    return problem ? { message, problem } : { message };
  }

  /** Forgets the message under way (RSET, HELO, STARTTLS). */
  reset(): void {
    this.#text = undefined;
    this.#chunk = undefined;
    this.#since = undefined;
    this.#dataMode = false;
  }
}
