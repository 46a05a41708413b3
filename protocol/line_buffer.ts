/**
 * CRLF framing with limits, shared by the SMTP and IMAP sessions and clients. Bytes go in as they
 * arrive from a socket; whole lines (or counted byte runs, for IMAP literals and SMTP BDAT) come
 * out. Nothing here touches a socket.
 *
 * @module
 */

/** Returned by {@linkcode LineBuffer.readLine} for a line longer than the limit. */
export const LINE_TOO_LONG: unique symbol = Symbol("line too long");

/** Options of {@linkcode LineBuffer.readLine}. */
export interface ReadLineOptions {
  /**
   * The longest line accepted, counting its line ending. A longer line is discarded up to its
   * end and reported once as {@linkcode LINE_TOO_LONG}, so memory stays bounded.
   * @default 1000
   */
  maxLength?: number;
  /**
   * Whether a bare LF ends a line. True suits commands typed with `nc`; SMTP message text must use
   * false, where only CRLF ends a line and a bare LF stays inside it (RFC 5321 §2.3.8, and the
   * defence against SMTP smuggling).
   * @default false
   */
  bareLf?: boolean;
}

const LF = 10;
const CR = 13;
/** How much of an over-long line is kept: enough for its tag. */
const HEAD = 64;

const NOTHING = new Uint8Array();
// Buffers given back by idle connections, by size, for the next one that speaks.
const spares = new Map<number, Uint8Array[]>();
const MAX_SPARES = 64;

/**
 * A growable byte buffer that hands out lines. Returned lines are views into the buffer, valid
 * until the next {@linkcode LineBuffer.push} (after {@linkcode LineBuffer.lend}, until the next
 * release): copy what you keep.
 *
 * @example Frame a command stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { LINE_TOO_LONG, LineBuffer } from "./line_buffer.ts";
 *
 * const buffer = new LineBuffer();
 * buffer.push(new TextEncoder().encode("HELO crepes.fr\r\nNOOP\nQUI"));
 * const text = (line: Uint8Array | typeof LINE_TOO_LONG | undefined) =>
 *   line instanceof Uint8Array ? new TextDecoder().decode(line) : line;
 * assert.equal(text(buffer.readLine()), "HELO crepes.fr");
 * assert.equal(text(buffer.readLine({ bareLf: true })), "NOOP");
 * assert.equal(buffer.readLine(), undefined); // "QUI" waits for the rest of its line
 * ```
 */
export class LineBuffer {
  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #scanned = 0;
  #discarding = false;
  #lastBareLf = false;
  #tooLongHead = NOTHING;
  #initialSize: number;
  #lent = false; // #buf is the caller's chunk, read in place (lend)

  /**
   * Creates an empty buffer.
   *
   * @param initialSize The first allocation in bytes; it grows as needed.
   */
  constructor(initialSize = 16 * 1024) {
    this.#initialSize = initialSize;
    this.#buf = NOTHING; // taken at the first push: a lent chunk may never need it
  }

  /**
   * Gives the memory back while nothing waits in the buffer (an idle connection holds none); the
   * next {@linkcode LineBuffer.push} takes a buffer again, from those given back when it can.
   * Ends a {@linkcode LineBuffer.lend}: what is left of the lent chunk is copied.
   */
  release(): void {
    if (this.#end !== this.#start) {
      if (this.#lent) this.#own(); // the lender may reuse its chunk now
      return;
    }
    if (this.#lent) this.#lent = false;
    else if (this.#buf.length === this.#initialSize) {
      let kept = spares.get(this.#initialSize);
      if (!kept) spares.set(this.#initialSize, kept = []);
      if (kept.length < MAX_SPARES) kept.push(this.#buf);
    }
    this.#buf = NOTHING;
    this.#start = this.#end = this.#scanned = 0;
  }

  /**
   * Takes bytes without copying them when nothing is buffered (most reads of a dialog start at a
   * line start): lines and views then point into `chunk` itself, which the caller must leave
   * unchanged until it calls {@linkcode LineBuffer.release}; release copies what is left over.
   * With bytes already buffered, the chunk is copied in as by {@linkcode LineBuffer.push}.
   *
   * @param chunk The bytes, read in place until the next release.
   *
   * @example A read served in place, its partial line kept
   * ```ts
   * import assert from "node:assert/strict";
   * import { LineBuffer } from "./line_buffer.ts";
   *
   * const buffer = new LineBuffer();
   * const chunk = new TextEncoder().encode("NOOP\r\nQUI");
   * buffer.lend(chunk);
   * assert.equal(new TextDecoder().decode(buffer.readLine() as Uint8Array), "NOOP");
   * buffer.release(); // "QUI" is copied out of the chunk
   * chunk.fill(0); // the next read, into the same memory
   * buffer.push(new TextEncoder().encode("T\r\n"));
   * assert.equal(new TextDecoder().decode(buffer.readLine() as Uint8Array), "QUIT");
   * ```
   */
  lend(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#end !== this.#start) return this.push(chunk);
    this.release();
    this.#buf = chunk;
    this.#lent = true;
    this.#start = this.#scanned = 0;
    this.#end = chunk.length;
  }

  // Copies what is left of a lent chunk into a buffer of our own.
  #own(): void {
    const rest = this.#buf.subarray(this.#start, this.#end);
    const scanned = this.#scanned - this.#start;
    this.#lent = false;
    this.#buf = NOTHING;
    this.#start = this.#end = this.#scanned = 0;
    this.push(rest);
    this.#scanned = scanned;
  }

  /**
   * The first bytes of the last line reported as {@linkcode LINE_TOO_LONG}, so that a protocol
   * can still answer it by its tag (IMAP).
   */
  get tooLongHead(): Uint8Array {
    return this.#tooLongHead;
  }

  /** Whether the last line {@linkcode LineBuffer.readLine} returned ended with a bare LF. */
  get lastLineBareLf(): boolean {
    return this.#lastBareLf;
  }

  /** How many bytes wait to be read. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * Whether the buffer holds nothing that the next bytes depend on: no bytes wait, and no line
   * over the limit is being skipped. A fresh buffer would then read the next bytes the same.
   */
  get idle(): boolean {
    return this.#end === this.#start && !this.#discarding;
  }

  /**
   * Appends bytes read from the peer.
   *
   * @param chunk The bytes, copied in.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#lent) this.#own();
    if (this.#buf === NOTHING) {
      this.#buf = spares.get(this.#initialSize)?.pop() ?? new Uint8Array(this.#initialSize);
    }
    if (this.#end + chunk.length > this.#buf.length) {
      const live = this.#end - this.#start;
      if (live + chunk.length <= this.#buf.length / 2) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        let size = this.#buf.length * 2;
        while (size < live + chunk.length) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#scanned -= this.#start;
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * Takes the next whole line, without its line ending.
   *
   * @param options The length limit and whether a bare LF ends a line.
   * @returns The line, `undefined` when no whole line is buffered yet, or
   *   {@linkcode LINE_TOO_LONG} once for each line over the limit.
   */
  readLine(options: ReadLineOptions = {}): Uint8Array | typeof LINE_TOO_LONG | undefined {
    const maxLength = options.maxLength ?? 1000;
    const bareLf = options.bareLf ?? false;
    const buf = this.#buf;
    let from = Math.max(this.#scanned, this.#start);
    for (;;) {
      // The first LF from `from` on, wherever: one past the end means none among the bytes.
      const lf = buf.indexOf(LF, from);
      if (lf < 0 || lf >= this.#end) break;
      const crlf = lf > this.#start && buf[lf - 1] === CR;
      if (!crlf && !bareLf) {
        from = lf + 1;
        continue;
      }
      const lineEnd = crlf ? lf - 1 : lf;
      const lineStart = this.#start;
      this.#start = lf + 1;
      this.#scanned = this.#start;
      if (this.#discarding) {
        this.#discarding = false;
        from = this.#start;
        continue;
      }
      if (lf + 1 - lineStart > maxLength) {
        this.#tooLongHead = buf.slice(lineStart, Math.min(lineEnd, lineStart + HEAD));
        return LINE_TOO_LONG;
      }
      this.#lastBareLf = !crlf;
      return buf.subarray(lineStart, lineEnd);
    }
    // No line end yet: remember how far we looked, and drop an over-long partial line.
    if (this.#end - this.#start > maxLength) {
      if (!this.#discarding) this.#tooLongHead = buf.slice(this.#start, this.#start + HEAD);
      const keepCr = buf[this.#end - 1] === CR ? 1 : 0;
      this.#start = this.#end - keepCr;
      this.#scanned = this.#start;
      if (!this.#discarding) {
        this.#discarding = true;
        return LINE_TOO_LONG;
      }
      return undefined;
    }
    this.#scanned = this.#end;
    return undefined;
  }

  /**
   * Everything buffered, as a view valid until the next {@linkcode LineBuffer.push}: for a reader
   * that scans many lines at once and then {@linkcode LineBuffer.skip}s what it used.
   *
   * @returns The buffered bytes.
   */
  peek(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /**
   * Drops `n` bytes from the front, after a {@linkcode LineBuffer.peek}.
   *
   * @param n How many bytes were used.
   */
  skip(n: number): void {
    this.#start += Math.min(n, this.#end - this.#start);
    this.#scanned = Math.max(this.#scanned, this.#start);
    this.#discarding = false;
  }

  /**
   * Takes up to `n` raw bytes, for a counted run such as an IMAP literal or an SMTP BDAT chunk.
   *
   * @param n The most bytes to take.
   * @returns A view of between 0 and `n` bytes.
   */
  read(n: number): Uint8Array {
    const count = Math.min(n, this.#end - this.#start);
    const view = this.#buf.subarray(this.#start, this.#start + count);
    this.#start += count;
    this.#scanned = Math.max(this.#scanned, this.#start);
    return view;
  }
}
