/**
 * The server side of one SMTP connection as a state machine with no socket in it: give it the
 * client's lines, get back the replies. The listener feeds it from TCP; a notebook or a test can
 * drive it by hand.
 *
 * @module
 */
import { ByteBuilder } from "../../protocol/byte_builder.ts";
import { splitCommand } from "../../protocol/smtp/command.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { formatReply, type SmtpReply } from "../../protocol/smtp/reply.ts";
import type { AuthStep, CommandContext } from "./context.ts";
import {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SmtpSessionOptions,
} from "./options.ts";
import { COMMANDS, extensionsFor, isVerb } from "./commands/table.ts";
import { refusalOf } from "./commands/hook.ts";
import { LoginThrottle, maskAuth } from "./commands/auth.ts";
import { MessageText } from "../../protocol/smtp/message_text.ts";
import type { Envelope, SmtpClientInfo, SmtpInput, SmtpState } from "./types.ts";

export type { SmtpSessionOptions } from "./options.ts";

const decoder = new TextDecoder();
// deno-lint-ignore no-control-regex -- control characters are what a command may not hold
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * One SMTP conversation, server side (RFC 5321). Feed it lines without their CRLF; each call
 * returns the reply to send, or `undefined` while message text is arriving.
 *
 * @example The course's dialog, by hand
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpSession } from "./session.ts";
 *
 * const stored: string[] = [];
 * const session = new SmtpSession({
 *   domain: "hamburger.edu",
 *   handler: { data: (_envelope, message) => void stored.push(new TextDecoder().decode(message)) },
 * });
 * const codes = [session.greeting().code];
 * const lines = ["HELO crepes.fr", "MAIL FROM: <alice@crepes.fr>", "RCPT TO: <bob@hamburger.edu>",
 *   "DATA", "Do you like ketchup?", "How about pickles?", ".", "QUIT"];
 * for (const line of lines) {
 *   const reply = await session.receiveLine(line);
 *   if (reply) codes.push(reply.code);
 * }
 * assert.deepEqual(codes, [220, 250, 250, 250, 354, 250, 221]);
 * assert.equal(stored[0], "Do you like ketchup?\r\nHow about pickles?\r\n");
 * assert.equal(session.closed, true);
 * ```
 */
export class SmtpSession {
  /** What is known of the client. */
  readonly client: SmtpClientInfo;
  #options: ResolvedSessionOptions;
  #state: SmtpState = "fresh";
  #input: SmtpInput = "command";
  #envelope: Envelope | undefined;
  #auth: AuthStep | undefined;
  #text: MessageText | undefined;
  #builder: ByteBuilder | undefined; // made at the first message: idle clients hold none
  #chunk: { remaining: number; size: number; last: boolean; refusal?: SmtpReply } | undefined;
  #errors = 0;
  #logins: LoginThrottle;
  #typedWithLf = false;
  #accepted = 0;
  #context: CommandContext;

  /**
   * Creates a session for a new connection.
   *
   * @param options The domain, hooks, limits and transcript.
   */
  constructor(options: SmtpSessionOptions) {
    this.#options = resolveSessionOptions(options);
    this.#logins = new LoginThrottle(this.#options);
    this.client = {
      remote: options.remote ?? "",
      helo: "",
      esmtp: false,
      submission: this.#options.submission,
    };
    this.#context = this.#makeContext();
  }

  #makeContext(): CommandContext {
    // deno-lint-ignore no-this-alias -- the context is a view of this session's private state
    const session = this;
    return {
      options: this.#options,
      client: this.client,
      get state() {
        return session.#state;
      },
      set state(state: SmtpState) {
        session.#state = state;
      },
      get envelope() {
        return session.#envelope;
      },
      set envelope(envelope: Envelope | undefined) {
        session.#envelope = envelope;
        if (!envelope) session.#text = undefined;
      },
      beginData: () => {
        this.#state = "data";
        this.#input = "data";
        this.#text = this.#newText();
      },
      beginChunk: (size, last, refusal) => {
        if (!refusal) this.#text ??= this.#newText();
        this.#chunk = { remaining: size, size, last, refusal };
        this.#input = "chunk";
      },
      get chunking() {
        return session.#text !== undefined && session.#state !== "data";
      },
      continueAuth: (step) => {
        this.#auth = step;
        this.#input = "auth";
      },
      named: (name) => {
        if (this.#options.transcript) this.#options.transcript.clientName = name;
      },
      extensions: () => extensionsFor(this.#options),
      verbs: () => Object.keys(COMMANDS),
      syntaxOf: (verb) => isVerb(verb) ? COMMANDS[verb].syntax : undefined,
    };
  }

  /** Where the session is in the dialog. */
  get state(): SmtpState {
    return this.#state;
  }

  /** What the next input is: a command, message text, a BDAT chunk, or an AUTH answer. */
  get input(): SmtpInput {
    return this.#input;
  }

  /** How many bytes of the current BDAT chunk are still to come. */
  get chunkRemaining(): number {
    return this.#chunk?.remaining ?? 0;
  }

  /** Whether the session has ended (after QUIT or a 421): the listener closes the connection. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** The message under way, if any. */
  get envelope(): Envelope | undefined {
    return this.#envelope;
  }

  /** How many messages this connection delivered (the course's persistent connection). */
  get messagesAccepted(): number {
    return this.#accepted;
  }

  /** Whether replies carry RFC 3463 enhanced codes: after EHLO, never after HELO. */
  get enhancedCodes(): boolean {
    return this.client.esmtp;
  }

  /**
   * Formats a reply as this session sends it (with enhanced codes after EHLO).
   *
   * @param reply A reply from this session.
   * @returns The wire text, CRLF included.
   */
  wire(reply: SmtpReply): string {
    return formatReply(reply, this.enhancedCodes);
  }

  /**
   * The greeting that opens the connection (RFC 5321 §4.3.1).
   *
   * @returns `220 <domain>`.
   */
  greeting(): SmtpReply {
    return this.#reply(REPLY.Greeting(this.#options.domain));
  }

  /**
   * Takes one line from the client.
   *
   * @param line The line without its CRLF, as bytes or text.
   * @param bareLf Whether a command line ended in a bare LF, as `nc` without `-C` sends: the
   *   message text of such a typist may end its lines with bare LF too, stored as CRLF.
   *   Clients that speak CRLF keep the strict rule (no SMTP smuggling).
   * @returns The reply to send, or `undefined` while message text is arriving.
   */
  receiveLine(
    line: Uint8Array | string,
    bareLf = false,
  ): SmtpReply | undefined | Promise<SmtpReply | undefined> {
    if (this.#input === "data") {
      // By hand, one line at a time (a notebook): the same path as bulk text, with its CRLF.
      const bytes = typeof line === "string" ? new TextEncoder().encode(line) : line;
      return this.receiveText(Uint8Array.of(...bytes, 13, 10)).reply;
    }
    const text = typeof line === "string" ? line : decoder.decode(line);
    if (this.#input === "auth") return this.#authLine(text);
    this.#typedWithLf = bareLf;
    return this.#command(text);
  }

  /**
   * Takes message text after DATA in bulk: as many whole lines as `view` holds, up to the
   * end-of-data line. The listener skips `consumed` bytes and keeps the rest for later.
   *
   * @param view Buffered bytes from the client, starting at a line start.
   * @returns The bytes used, and the reply once the end-of-data line was among them.
   */
  receiveText(view: Uint8Array): { consumed: number; reply?: Promise<SmtpReply> } {
    const text = this.#text!;
    const transcript = this.#options.transcript;
    const limit = this.#options.maxDataLinesRecorded;
    const record = transcript && text.lines < limit
      ? (line: Uint8Array) => {
        transcript.client(decoder.decode(line), this.#options.clock.now());
        return text.lines < limit;
      }
      : undefined;
    const { consumed, ended } = text.scan(view, this.#options.maxTextLine, record);
    return ended ? { consumed, reply: this.#endOfData() } : { consumed };
  }

  /**
   * Takes bytes of a BDAT chunk: at most {@linkcode SmtpSession.chunkRemaining} of them.
   *
   * @param bytes Raw bytes of the chunk.
   * @returns The reply once the chunk is complete, otherwise `undefined`.
   */
  receiveChunk(bytes: Uint8Array): SmtpReply | undefined | Promise<SmtpReply> {
    const chunk = this.#chunk;
    if (!chunk) throw new Error("No BDAT chunk is expected");
    const part = bytes.subarray(0, chunk.remaining);
    if (!chunk.refusal) this.#text!.chunk(part);
    chunk.remaining -= part.length;
    return chunk.remaining === 0 ? this.#endOfChunk() : undefined;
  }

  /**
   * Tells the session that the client sent a command line over the limit, which the listener
   * dropped. (Message text has its own limit, checked by {@linkcode SmtpSession.receiveText}.)
   *
   * @returns The reply to send.
   */
  lineTooLong(): SmtpReply {
    this.#record("C", "(line too long, dropped)");
    this.#input = "command";
    this.#auth = undefined;
    return this.#error(REPLY.LineTooLong);
  }

  /**
   * Ends the session because the client was idle too long.
   *
   * @returns The 421 reply to send before closing.
   */
  timeout(): SmtpReply {
    return this.#close(
      this.#input === "data" || this.#input === "chunk" ? REPLY.DataTimeout : REPLY.IdleTimeout,
    );
  }

  /**
   * Ends the session because the server is shutting down.
   *
   * @returns The 421 reply to send before closing.
   */
  shutdown(): SmtpReply {
    return this.#close(REPLY.ShuttingDown);
  }

  #close(reply: SmtpReply): SmtpReply {
    this.#state = "closed";
    this.#input = "command";
    return this.#reply(reply);
  }

  #newText(): MessageText {
    return new MessageText({
      maxSize: this.#options.maxMessageSize,
      sevenBit: this.#options.sevenBitOnly,
      builder: this.#builder ??= new ByteBuilder(),
      bareLfEndsLine: this.#typedWithLf,
    });
  }

  #record(side: "C" | "S" | "*", text: string): void {
    this.#options.transcript?.record(side, text, this.#options.clock.now());
  }

  #reply(reply: SmtpReply): SmtpReply {
    // RFC 5321 §3.8: a 421, whoever decided it, ends the session.
    if (reply.code === 421) {
      this.#state = "closed";
      this.#input = "command";
    }
    if (this.#options.transcript) {
      const at = this.#options.clock.now();
      for (const line of this.wire(reply).split("\r\n")) {
        if (line !== "") this.#options.transcript.server(line, at);
      }
    }
    return reply;
  }

  #error(reply: SmtpReply): SmtpReply {
    if (++this.#errors >= this.#options.maxErrors) return this.#close(REPLY.TooManyErrors);
    return this.#reply(reply);
  }

  async #finish(reply: SmtpReply): Promise<SmtpReply> {
    if (reply.code === 535 && !(await this.#logins.failed())) {
      return this.#close(REPLY.TooManyAuthFailures);
    }
    return this.#account(reply);
  }

  /** Records a command's reply; most 5xx count towards the error limit (not refusals of a user or relay). */
  #account(reply: SmtpReply): SmtpReply {
    const counts = reply.code >= 500 && reply.code !== 550 && reply.code !== 554;
    return counts ? this.#error(reply) : this.#reply(reply);
  }

  #command(text: string): SmtpReply | undefined | Promise<SmtpReply | undefined> {
    const { verb, args } = splitCommand(text);
    this.#record("C", verb === "AUTH" ? maskAuth(text) : text);
    if (CONTROL.test(text)) return this.#error(REPLY.BadCharacters);
    if (!isVerb(verb)) return this.#error(REPLY.Unrecognized(verb.slice(0, 40)));
    const command = COMMANDS[verb];
    if (!command.states.includes(this.#state)) {
      const reply = this.#state === "fresh"
        ? REPLY.NeedHello
        : command.outOfOrder?.(this.#state) ?? REPLY.NeedHello;
      return this.#error(reply);
    }
    const reply = command.run(this.#context, args);
    if (reply === undefined) {
      // BDAT: the reply comes after the chunk, at once for an empty one.
      return this.#chunk?.remaining === 0 ? this.#endOfChunk() : undefined;
    }
    return reply instanceof Promise ? reply.then((r) => this.#finish(r)) : this.#finishSync(reply);
  }

  #finishSync(reply: SmtpReply): SmtpReply | Promise<SmtpReply> {
    return reply.code === 535 ? this.#finish(reply) : this.#account(reply);
  }

  async #authLine(text: string): Promise<SmtpReply> {
    this.#record("C", "****");
    const step = this.#auth!;
    this.#auth = undefined;
    this.#input = "command";
    return await this.#finish(await step(text.trim()));
  }

  #endOfData(): Promise<SmtpReply> {
    const hidden = this.#text!.lines - this.#options.maxDataLinesRecorded;
    if (hidden > 0) this.#record("*", `(${hidden} more lines of message text)`);
    this.#record("C", ".");
    this.#input = "command";
    return this.#endOfMessage();
  }

  #endOfChunk(): SmtpReply | Promise<SmtpReply> {
    const chunk = this.#chunk!;
    this.#chunk = undefined;
    this.#input = "command";
    this.#record("C", `(${chunk.size} octets of message text)`);
    if (chunk.refusal) return this.#error(chunk.refusal);
    if (chunk.last) return this.#endOfMessage();
    const problem = this.#text!.problem;
    return this.#reply(problem ?? REPLY.ChunkOk(chunk.size));
  }

  async #endOfMessage(): Promise<SmtpReply> {
    const text = this.#text!;
    this.#text = undefined;
    this.#state = "greeted";
    const envelope = this.#envelope!;
    this.#envelope = undefined;
    const message = text.finish();
    if (text.problem) return this.#reply(text.problem);
    let custom: SmtpReply | void = undefined;
    const refusal = await refusalOf(async () => {
      custom = await this.#options.handler.data?.(envelope, message, this.client);
    });
    if (!refusal) this.#accepted++;
    return this.#reply(refusal ?? custom ?? REPLY.Accepted);
  }
}
