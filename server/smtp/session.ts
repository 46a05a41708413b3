/**
 * The server side of one SMTP connection as a state machine with no socket in it. The connection
 * engine feeds it bytes ({@linkcode SmtpSession.receive}); a notebook or a test can hold the
 * dialog by hand, line by line ({@linkcode SmtpSession.receiveLine}). Both paths run the same
 * commands and replies.
 *
 * @module
 */
import { LineBuffer } from "../../protocol/line_buffer.ts";
import { splitCommand } from "../../protocol/smtp/command.ts";
import { REPLY } from "../../protocol/smtp/replies.ts";
import { formatReply, type SmtpReply } from "../../protocol/smtp/reply.ts";
import type { TlsInfo } from "../../runtime/tls.ts";
import type { ProtocolSession, SessionOutput } from "../engine/protocol_session.ts";
import {
  type AuthStep,
  type CommandContext,
  commandContext,
  type CommandOutcome,
  type CommandResult,
  type NextInput,
  outcomeOf,
} from "./context.ts";
import {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SmtpSessionOptions,
} from "./options.ts";
import { commandFor } from "./commands/table.ts";
import { dataReply } from "./commands/hook.ts";
import { maskAuth } from "./commands/auth.ts";
import { ErrorLimits } from "./error_limits.ts";
import { MessageIntake } from "./message_intake.ts";
import { frame, type PendingReply } from "./framing.ts";
import type { Envelope, SmtpClientInfo, SmtpInput, SmtpState } from "./types.ts";

export type { SmtpSessionOptions } from "./options.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * One SMTP conversation, server side (RFC 5321). By hand, feed it lines without their CRLF; each
 * call returns the reply to send, or `undefined` while message text is arriving.
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
export class SmtpSession implements ProtocolSession {
  /** What is known of the client. */
  readonly client: SmtpClientInfo;
  #options: ResolvedSessionOptions;
  #state: SmtpState = "fresh";
  #input: SmtpInput = "command";
  #envelope: Envelope | undefined;
  #auth: AuthStep | undefined;
  #intake: MessageIntake | undefined; // made at the first message
  #lines: LineBuffer | undefined; // made at the first bytes
  #limits: ErrorLimits | undefined; // made at the first error
  #typedWithLf = false;
  // The last reply the transcript recorded, and its wire text, until wire() sends it.
  #recorded: SmtpReply | undefined;
  #recordedText = "";
  #recordedEnhanced = false;
  /** How the session's first command line ended: a typist's `nc` (bare LF) or a program (CRLF). */
  #lineEnds: "lf" | "crlf" | undefined;
  #accepted = 0;
  #lastActivity: number;
  #readAt: number | undefined; // when the bytes being framed arrived, while framing runs at once
  #startedAt: number;
  #context: CommandContext;

  /** Creates a session for a new connection. @param options Domain, hooks, limits, TLS, transcript. */
  constructor(options: SmtpSessionOptions) {
    this.#options = resolveSessionOptions(options);
    this.client = {
      remote: options.remote ?? "",
      helo: "",
      esmtp: false,
      submission: this.#options.submission,
    };
    this.#lastActivity = this.#startedAt = this.#options.clock.now();
    this.#context = commandContext(this, this.#options);
  }

  /** Where the session is in the dialog. */
  get state(): SmtpState {
    return this.#state;
  }

  /** What the next input is: a command, message text, a BDAT chunk, or an AUTH answer. */
  get input(): SmtpInput {
    return this.#input;
  }

  /** Whether the session has ended (after QUIT or a 421): the connection closes. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** The message under way, if any. */
  get envelope(): Envelope | undefined {
    return this.#envelope;
  }

  /** Whether BDAT chunks of the message under way have already arrived (DATA may not follow). */
  get chunking(): boolean {
    return this.#intake?.chunked ?? false;
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
   * When it times out: `idleTimeoutMs` without a whole command (bytes that trickle in do not
   * count), `maxDataTimeMs` into a message's text, or `maxSessionTimeMs` after it began.
   */
  get deadline(): number {
    const idle = this.#lastActivity + this.#options.idleTimeoutMs;
    const whole = this.#startedAt + this.#options.maxSessionTimeMs;
    const text = this.#intake?.since;
    const limit = Math.min(idle, whole);
    return text === undefined ? limit : Math.min(limit, text + this.#options.maxDataTimeMs);
  }

  /** Formats a reply as this session sends it (enhanced codes after EHLO). @param reply The reply. @returns Its wire text. */
  wire(reply: SmtpReply): string {
    const enhanced = this.enhancedCodes;
    if (reply === this.#recorded && enhanced === this.#recordedEnhanced) {
      const text = this.#recordedText;
      this.#recorded = undefined;
      this.#recordedText = "";
      return text;
    }
    return formatReply(reply, enhanced);
  }

  /** The greeting that opens the connection (RFC 5321 §4.3.1). @returns `220 <domain>`. */
  greeting(): SmtpReply {
    return this.#reply(REPLY.Greeting(this.#options.domain));
  }

  /** The connection engine's start: the greeting, as wire text. @returns The greeting. */
  start(): SessionOutput | Promise<SessionOutput> {
    this.#lastActivity = this.#options.clock.now();
    return this.#paced({ data: this.wire(this.greeting()) });
  }

  /**
   * Takes bytes as they arrive and answers every whole command among them (a pipelining client
   * sends several at once, RFC 2920); a partial line waits for the next bytes.
   *
   * @param bytes The bytes, read in place: leave them unchanged until the answer is given (the
   *   connection engine reads again only after it); what is left over is copied then.
   * @returns The replies as wire text, and whether to close or start TLS.
   *
   * @example Three pipelined commands in one read, as the connection engine feeds them
   * ```ts
   * import assert from "node:assert/strict";
   * import { SmtpSession } from "./session.ts";
   *
   * const session = new SmtpSession({ domain: "hamburger.edu" });
   * const out = await session.receive(new TextEncoder().encode("EHLO crepes.fr\r\nNOOP\r\nQUIT\r\n"));
   * assert.match(String(out.data), /250 2\.0\.0 OK\r\n221 2\.0\.0 hamburger\.edu closing/);
   * assert.equal(out.close, true);
   * ```
   */
  receive(bytes: Uint8Array): SessionOutput | Promise<SessionOutput> {
    const lines = this.#lines ??= new LineBuffer(1024);
    lines.lend(bytes); // no copy: most reads start at a line start
    // The lines of one read arrived together: one reading of the clock for them all. Lines framed
    // after a reply that had to wait read it again.
    this.#readAt = this.#options.clock.now();
    let data;
    try {
      data = frame(this, lines, this.#options.maxCommandLine);
    } finally {
      this.#readAt = undefined;
    }
    if (data instanceof Promise) {
      return data.then((d) => {
        this.#release(lines);
        return this.#paced(this.#output(d));
      });
    }
    this.#release(lines);
    return this.#paced(this.#output(data));
  }

  // Ends the read lent to `lines`; a buffer that holds nothing the next bytes depend on goes too,
  // so that an idle connection holds none.
  #release(lines: LineBuffer): void {
    lines.release();
    if (lines.idle && this.#lines === lines) this.#lines = undefined;
  }

  // Answers wait for the handler's pace, when it sets one (the lab's slow fault).
  #paced(out: SessionOutput): SessionOutput | Promise<SessionOutput> {
    const pace = this.#options.handler?.pace;
    if (!pace || !out.data) return out;
    const wait = pace(this.client);
    return wait ? wait.then(() => out) : out;
  }

  #output(data: string): SessionOutput {
    if (this.#input !== "tls") return { data, close: this.closed };
    // RFC 3207 §4.2 and CVE-2011-0411: what the client sent after STARTTLS is never run.
    this.#lines = undefined;
    return { data, startTls: true };
  }

  /**
   * Takes one line from the client, by hand.
   *
   * @param line The line without its CRLF, as bytes or text.
   * @param bareLf Whether a command line ended in a bare LF, as `nc` without `-C` sends: the
   *   message text of such a typist may end its lines with bare LF too, stored as CRLF.
   *   Clients that speak CRLF keep the strict rule (no SMTP smuggling).
   * @returns The reply to send, or `undefined` while message text is arriving.
   */
  receiveLine(line: Uint8Array | string, bareLf = false): PendingReply {
    if (this.#input === "data") {
      // By hand, one line at a time (a notebook): the same path as bulk text, with its CRLF.
      const bytes = typeof line === "string" ? encoder.encode(line) : line;
      return this.receiveText(Uint8Array.of(...bytes, 13, 10)).reply;
    }
    const text = typeof line === "string" ? line : decoder.decode(line);
    // Only a whole line counts as activity: a client that sends a byte now and then is idle.
    this.#lastActivity = this.#now();
    if (this.#input === "auth") return this.#authLine(text);
    // The typist's leniency is decided once, by the first command: a session that began in CRLF
    // never gets it, even for a DATA line that ends in a bare LF (that would let "\n.\n" end the
    // text and smuggle a second message past a CRLF relay).
    this.#lineEnds ??= bareLf ? "lf" : "crlf";
    this.#typedWithLf = bareLf && this.#lineEnds === "lf";
    return this.#command(text);
  }

  /**
   * A TLS handshake finished (after STARTTLS, or on an implicit-TLS port). RFC 3207 §4.2: the
   * server forgets everything it learnt from the client before, the EHLO name first.
   *
   * @param info The protocol version and cipher.
   */
  secured(info: TlsInfo): void {
    this.client.tls = info;
    this.client.helo = "";
    this.client.esmtp = false;
    delete this.client.user;
    this.#state = "fresh";
    this.#input = "command";
    this.#envelope = undefined;
    this.#intake?.reset();
    this.#auth = undefined;
    this.#typedWithLf = false;
    this.#lineEnds = undefined;
  }

  /** Ends an idle or too slow session. @param now The clock's time. @returns The 421, or nothing yet. */
  tick(now: number): SessionOutput | undefined {
    if (this.closed || now < this.deadline) return undefined;
    if (now >= this.#startedAt + this.#options.maxSessionTimeMs) {
      return this.#goodbye(REPLY.SessionTooLong);
    }
    const idle = now >= this.#lastActivity + this.#options.idleTimeoutMs;
    const reply = idle && this.#intake?.since === undefined ? REPLY.IdleTimeout : REPLY.DataTimeout;
    return this.#goodbye(reply);
  }

  /** Ends the session because the server is shutting down. @returns The 421 to send. */
  shutdown(): SessionOutput {
    return this.#goodbye(REPLY.ShuttingDown);
  }

  /** Ends the session after the server failed itself (the client retries). @returns The 421. */
  fail(): SessionOutput {
    return this.#goodbye(REPLY.InternalError(this.#options.domain));
  }

  #goodbye(reply: SmtpReply): SessionOutput {
    this.#state = "closed";
    this.#input = "command";
    return { data: this.wire(this.#reply(reply)), close: true };
  }

  /** Hears from the framing that a command line over the limit was dropped. @returns The reply. */
  lineTooLong(): SmtpReply {
    this.#record("C", "(line too long, dropped)");
    this.#input = "command";
    this.#auth = undefined;
    return this.#error(REPLY.LineTooLong);
  }

  #now(): number {
    return this.#readAt ?? this.#options.clock.now();
  }

  #record(side: "C" | "S" | "*", text: string): void {
    this.#options.transcript?.record(side, text, this.#now());
  }

  #reply(reply: SmtpReply): SmtpReply {
    // RFC 5321 §3.8: a 421, whoever decided it, ends the session.
    if (reply.code === 421) {
      this.#state = "closed";
      this.#input = "command";
    }
    const transcript = this.#options.transcript;
    if (transcript) {
      // Recorded as it will go on the wire, and formatted once: the framing's wire() takes this.
      const enhanced = this.enhancedCodes, text = formatReply(reply, enhanced);
      transcript.recordLines("S", text, this.#now());
      this.#recorded = reply;
      this.#recordedText = text;
      this.#recordedEnhanced = enhanced;
    }
    return reply;
  }

  // Made when first needed: an idle connection holds neither.
  #errors(): ErrorLimits {
    return this.#limits ??= new ErrorLimits(this.#options);
  }

  #message(): MessageIntake {
    return this.#intake ??= new MessageIntake(this.#options);
  }

  #error(reply: SmtpReply): SmtpReply {
    return this.#reply(this.#errors().error(reply));
  }

  #command(text: string): PendingReply {
    const { verb, args } = splitCommand(text);
    this.#record("C", verb === "AUTH" ? maskAuth(text) : text);
    const command = commandFor(text, { verb, state: this.#state });
    return "run" in command ? this.#settle(command.run(this.#context, args)) : this.#error(command);
  }

  #settle(result: CommandResult | Promise<CommandResult>): PendingReply {
    if (result instanceof Promise) return result.then((r) => this.#settle(r));
    const outcome = this.#apply(outcomeOf(result));
    if (!outcome.reply) {
      // BDAT: the reply comes after the chunk, at once for an empty one.
      return this.#message().chunkRemaining === 0 ? this.receiveChunk(new Uint8Array()) : undefined;
    }
    // Replies below 500 never count as errors (ErrorLimits.account): no limits needed for them.
    const reply = outcome.reply.code < 500 ? outcome.reply : this.#errors().account(outcome.reply);
    return reply instanceof Promise ? reply.then((r) => this.#reply(r)) : this.#reply(reply);
  }

  #apply(outcome: CommandOutcome): CommandOutcome {
    if (outcome.client) {
      Object.assign(this.client, outcome.client);
      const name = outcome.client.helo;
      if (name !== undefined && this.#options.transcript) {
        this.#options.transcript.clientName = name;
      }
    }
    if (outcome.envelope !== undefined) {
      this.#envelope = outcome.envelope ?? undefined;
      if (!outcome.envelope) this.#intake?.reset();
    }
    if (outcome.state) this.#state = outcome.state;
    if (outcome.next) this.#begin(outcome.next);
    return outcome;
  }

  #begin(next: NextInput): void {
    switch (next.input) {
      case "data":
        this.#input = "data";
        this.#message().beginData(this.#typedWithLf);
        break;
      case "chunk":
        this.#message().beginChunk(next);
        this.#input = "chunk";
        break;
      case "auth":
        this.#auth = next.step;
        this.#input = "auth";
        break;
      case "tls":
        this.#input = "tls";
        break;
    }
  }

  #authLine(text: string): PendingReply {
    this.#record("C", "****");
    const step = this.#auth!;
    this.#auth = undefined;
    this.#input = "command";
    return this.#settle(step(text.trim()));
  }

  /**
   * Takes message text after DATA in bulk: as many whole lines as `view` holds, up to the
   * end-of-data line. The framing skips `consumed` bytes and keeps the rest for later.
   *
   * @param view Buffered bytes from the client, starting at a line start.
   * @returns The bytes used, and the reply once the end-of-data line was among them.
   */
  receiveText(view: Uint8Array): { consumed: number; reply?: SmtpReply | Promise<SmtpReply> } {
    const now = this.#now();
    const { consumed, ended } = this.#message().text(view, now);
    // Text under way counts (maxDataTimeMs bounds a message's text as a whole).
    if (consumed > 0) this.#lastActivity = now;
    if (!ended) return { consumed };
    this.#input = "command";
    return { consumed, reply: this.#endOfMessage() };
  }

  /** How many bytes of the current BDAT chunk are still to come. */
  get chunkRemaining(): number {
    return this.#intake?.chunkRemaining ?? 0;
  }

  /**
   * Takes bytes of a BDAT chunk: at most {@linkcode SmtpSession.chunkRemaining} of them.
   *
   * @param bytes Raw bytes of the chunk.
   * @returns The reply once the chunk is complete, otherwise `undefined`.
   */
  receiveChunk(bytes: Uint8Array): PendingReply {
    if (bytes.length > 0) this.#lastActivity = this.#now();
    const chunk = this.#message().chunk(bytes);
    if (!chunk) return undefined;
    this.#input = "command";
    if (chunk.refusal) return this.#error(chunk.refusal);
    if (chunk.last) return this.#endOfMessage();
    return this.#reply(this.#message().problem ?? REPLY.ChunkOk(chunk.size));
  }

  // At once when the data hook answers at once (a sink, a test); else when its promise settles.
  #endOfMessage(): SmtpReply | Promise<SmtpReply> {
    this.#state = "greeted";
    const envelope = this.#envelope!;
    this.#envelope = undefined;
    const { message, problem } = this.#message().finish();
    if (problem) return this.#reply(problem);
    const reply = dataReply(this.#options.handler, { envelope, message, client: this.client });
    return reply instanceof Promise ? reply.then((r) => this.#answered(r)) : this.#answered(reply);
  }

  #answered(reply: SmtpReply): SmtpReply {
    if (reply.code < 400) this.#accepted++;
    return this.#reply(reply);
  }
}
