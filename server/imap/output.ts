/**
 * What a session hands back to whoever drives it: the bytes to send, the same as text, and what
 * to do next.
 *
 * @module
 */
import { concatBytes } from "../../protocol/byte_builder.ts";
import { type ImapData, responseParts } from "../../protocol/imap/response.ts";
import type { Transcript } from "../../protocol/transcript.ts";

const encoder = new TextEncoder();

/** The answer of an {@linkcode ImapSession} to a line, a literal, or a timeout. */
export interface ImapOutput {
  /** The bytes to send, ready for the socket (may be empty). */
  bytes: Uint8Array;
  /** The same responses as text lines; a literal shows as `{n}` and a line `(n bytes)`. */
  lines: string[];
  /**
   * When set, the session waits for a literal of this many bytes: read them and pass them to
   * `receiveLiteral` (after sending `bytes`, which may hold the `+` go-ahead).
   */
  literal?: number;
  /** True when the connection must be closed once `bytes` are sent. */
  close: boolean;
  /** True when a TLS handshake follows once `bytes` are sent (STARTTLS). */
  startTls?: boolean;
}

/** Collects the responses to one input, recording each line into the transcript. */
export class OutputBuffer {
  #chunks: Uint8Array[] = [];
  // Text of the responses since the last literal, encoded when the bytes are taken: one buffer
  // for a thousand FETCH responses, not one each.
  #text = "";
  #size = 0;
  #lines: string[] = [];
  #transcript?: Transcript;
  #now: () => number;

  /**
   * Starts an empty output.
   *
   * @param transcript Where to record `S:` lines, if anywhere.
   * @param now The clock's time, for the transcript.
   */
  constructor(transcript: Transcript | undefined, now: () => number) {
    this.#transcript = transcript;
    this.#now = now;
  }

  /**
   * Adds one response.
   *
   * @param head Such as `* 1 FETCH` or `a1 OK`.
   * @param data Values after the head.
   */
  add(head: string, data: readonly ImapData[] = []): void {
    const out = responseParts(head, data);
    for (const part of out.parts) {
      if (typeof part === "string") {
        this.#text += part;
      } else {
        this.#encodeText();
        this.#chunks.push(part);
      }
      this.#size += part.length;
    }
    for (const line of out.lines) {
      this.#lines.push(line);
      this.#transcript?.server(line, this.#now());
    }
  }

  /** How many bytes are waiting to be sent (text counted in UTF-16 units: ASCII as it is). */
  get size(): number {
    return this.#size;
  }

  /**
   * Hands over the bytes so far, to send ahead of the rest; the lines stay for the output.
   *
   * @returns The bytes added since the last take.
   */
  take(): Uint8Array {
    this.#encodeText();
    const bytes = concatBytes(this.#chunks);
    this.#chunks = [];
    this.#size = 0;
    return bytes;
  }

  /**
   * Finishes the output.
   *
   * @param close Whether the connection must close.
   * @param literal The size of a literal to read next, if any.
   * @returns The output.
   */
  finish(close: boolean, literal?: number): ImapOutput {
    this.#encodeText();
    const output: ImapOutput = { bytes: concatBytes(this.#chunks), lines: this.#lines, close };
    if (literal !== undefined) output.literal = literal;
    return output;
  }

  #encodeText(): void {
    if (this.#text === "") return;
    this.#chunks.push(encoder.encode(this.#text));
    this.#text = "";
  }
}
