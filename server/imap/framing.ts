/**
 * IMAP framing: how the bytes a client sends become the session's units of input, as the session
 * says what it expects: a command line (RFC 3501 §2.2), or the bytes of a literal `{n}` the last
 * line announced (§4.3), however many reads they take.
 *
 * @module
 */
import { concatBytes } from "../../protocol/byte_builder.ts";
import { LineBuffer } from "../../protocol/line_buffer.ts";
import type { ImapExpectation } from "./options.ts";
import type { ImapOutput } from "./output.ts";

/** The session as the framing feeds it: an `ImapSession`. */
export interface FramedImapSession {
  /** What the session waits for. */
  readonly expecting: ImapExpectation;
  /** The longest command line. */
  readonly limits: { readonly maxLineLength: number };
  /** Takes one line, or the line buffer's word that it was too long (with its first bytes). */
  receiveLine(line: Uint8Array | string | symbol, head?: Uint8Array): Promise<ImapOutput>;
  /** Takes the whole literal it asked for. */
  receiveLiteral(bytes: Uint8Array): Promise<ImapOutput>;
}

/** What one batch of input produced. */
export interface FramedOutput {
  /** Every response, in order. */
  data: Uint8Array;
  /** Close once `data` is sent. */
  close: boolean;
  /** Start TLS once `data` is sent; the input that followed STARTTLS was dropped. */
  startTls: boolean;
}

/**
 * One connection's unread input.
 *
 * @example A literal that arrives in two reads
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { ImapFraming } from "./framing.ts";
 * import { ImapSession } from "./session.ts";
 *
 * const session = new ImapSession({ store: new MemoryStore() });
 * session.greeting();
 * const framing = new ImapFraming();
 * const text = (out: { data: Uint8Array }) => new TextDecoder().decode(out.data);
 * assert.equal(text(await framing.feed(session, new TextEncoder().encode("a1 ID ({4}\r\n"))), "+ Ready for literal data\r\n");
 * const out = await framing.feed(session, new TextEncoder().encode("name \"me\")\r\n"));
 * assert.match(text(out), /a1 OK ID completed/);
 * ```
 */
export class ImapFraming {
  #lines = new LineBuffer(2048);
  #literal: { bytes: Uint8Array; got: number } | undefined;

  /**
   * Adds bytes that arrived and feeds the session every whole line and literal they complete.
   *
   * @param session The session.
   * @param bytes The bytes, copied in.
   * @returns What the session answered.
   */
  async feed(session: FramedImapSession, bytes: Uint8Array): Promise<FramedOutput> {
    this.#lines.push(bytes);
    const out: Uint8Array[] = [];
    const done = (close: boolean, startTls: boolean) => ({
      data: concatBytes(out),
      close,
      startTls,
    });
    for (;;) {
      const expecting = session.expecting;
      if (expecting.kind === "closed") return done(true, false);
      let output: ImapOutput;
      if (expecting.kind === "literal") {
        const literal = this.#literal ??= { bytes: new Uint8Array(expecting.size), got: 0 };
        const part = this.#lines.read(expecting.size - literal.got);
        literal.bytes.set(part, literal.got);
        literal.got += part.length;
        if (literal.got < expecting.size) break;
        this.#literal = undefined;
        output = await session.receiveLiteral(literal.bytes);
      } else {
        const maxLength = session.limits.maxLineLength;
        const line = this.#lines.readLine({ maxLength, bareLf: true });
        if (line === undefined) break;
        output = await session.receiveLine(line, this.#lines.tooLongHead);
      }
      if (output.bytes.length > 0) out.push(output.bytes);
      if (output.close) return done(true, false);
      if (output.startTls) {
        // RFC 3501 §6.2.1: nothing the client sent before the handshake is run after it.
        this.#lines = new LineBuffer(2048);
        return done(false, true);
      }
    }
    return done(false, false);
  }
}
