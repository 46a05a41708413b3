/**
 * The IMAP client's side of the wire: tagged commands out, with their literals, and responses
 * in, parsed literals and all, each read with a deadline; both recorded in the transcript. What
 * `ImapClient` says is decided there; how it travels is decided here.
 *
 * @module
 */
import type { Clock, Timer } from "../protocol/clock.ts";
import { ImapResponseError } from "../protocol/imap/error.ts";
import { type CommandReply, tokenText } from "../protocol/imap/response_data.ts";
import { formatAstring } from "../protocol/imap/response.ts";
import { type ImapResponse, ResponseParser } from "../protocol/imap/response_parser.ts";
import type { Transcript } from "../protocol/transcript.ts";
import { systemClock } from "../runtime/system_clock.ts";
import { LineConnection, TimeoutError } from "./line_connection.ts";

/**
 * A command argument: raw text (an atom, a set, a list), `{ string }` to quote or send as a
 * literal as the text needs, or `{ literal }` for bytes that always go as a literal (APPEND's
 * message).
 */
export type CommandArg = string | { string: string } | { literal: Uint8Array };

/** Options of {@linkcode ImapWire.open}. */
export interface ImapWireOptions {
  /** The server's address. @default "127.0.0.1" */
  hostname?: string;
  /** The server's port. @default 143 */
  port?: number;
  /** Where to record the dialog (passwords masked). @default undefined (no record) */
  transcript?: Transcript;
  /** How long to wait for any read before giving up and closing. @default 10000 */
  timeoutMs?: number;
  /** Times the reads. @default systemClock */
  clock?: Clock;
  /**
   * Called with every untagged response as it arrives, during any command or IDLE: the way to
   * hear of the EXISTS, EXPUNGE and FETCH news that a method's result leaves out.
   * @default undefined (none)
   */
  onUntagged?: (response: ImapResponse) => void;
}

const encoder = new TextEncoder();
const MAX_LITERAL = 64 * 1024 * 1024;

/** The bytes an argument sends as a literal, or undefined when it goes inline. */
function literalOf(arg: CommandArg): Uint8Array | undefined {
  if (typeof arg === "string") return undefined;
  if ("literal" in arg) return arg.literal;
  return formatAstring(arg.string) === undefined ? encoder.encode(arg.string) : undefined;
}

function inline(arg: CommandArg): string {
  return typeof arg === "string" ? arg : "string" in arg ? formatAstring(arg.string) ?? "" : "";
}

// RFC 3501 §9: flag = "\\" atom / atom; an atom is 7-bit, without atom-specials.
// deno-lint-ignore no-control-regex -- control characters are what an atom may not hold
const FLAG = /^\\?[^\s(){%*"\\\]\x00-\x1f\x7f-\uffff]+$/;

/**
 * Writes flags as a parenthesised list, refusing what is no flag (a keyword is one atom).
 *
 * @param flags Such as `["\\Seen", "$Important"]`.
 * @returns Such as `(\Seen $Important)`.
 * @throws {TypeError} For a flag with a space, a parenthesis or another atom-special.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatFlagList } from "./imap_wire.ts";
 *
 * assert.equal(formatFlagList(["\\Seen", "$Important"]), "(\\Seen $Important)");
 * assert.throws(() => formatFlagList(["to do"]), TypeError);
 * ```
 */
export function formatFlagList(flags: readonly string[]): string {
  const bad = flags.find((flag) => !FLAG.test(flag));
  if (bad !== undefined) throw new TypeError(`Invalid flag "${bad}": a keyword is one atom`);
  return `(${flags.join(" ")})`;
}

/**
 * The error a tagged NO or BAD stands for.
 *
 * @param response The tagged status response.
 * @returns The error, carrying the server's code and the tag.
 */
function refusal(response: Extract<ImapResponse, { kind: "status" }>): ImapResponseError {
  const status = response.status === "BAD" ? "BAD" : "NO";
  return new ImapResponseError(status, response.text, { code: response.code, tag: response.tag });
}

/**
 * One IMAP client connection's bytes: it tags and writes commands, sends literals the way the
 * server allows (RFC 7888 `{n+}` when it announces LITERAL+, else after its `+` go-ahead,
 * RFC 3501 §7.5), reads responses with deadlines and keeps the capabilities the server last
 * announced.
 *
 * @example Read the greeting and say NOOP
 * ```ts
 * import assert from "node:assert/strict";
 * import { ImapServer } from "../server/imap/server.ts";
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { ImapWire } from "./imap_wire.ts";
 *
 * await using server = new ImapServer({ store: new MemoryStore() });
 * const wire = await ImapWire.open({ port: server.port });
 * const greeting = await wire.readResponse();
 * assert.equal(greeting.kind === "status" && greeting.status, "OK");
 * assert.ok(wire.capabilities.includes("IDLE"));
 * assert.equal((await wire.command("NOOP", [])).text, "NOOP completed");
 * wire.close();
 * ```
 */
export class ImapWire {
  /** How long a read may wait, in milliseconds. */
  readonly timeoutMs: number;
  /** Times the reads. */
  readonly clock: Clock;
  #line: LineConnection;
  #transcript?: Transcript;
  #onUntagged?: (response: ImapResponse) => void;
  #tag = 0;
  #bye?: string;
  #expired?: number;
  #capabilities: string[] = [];

  private constructor(conn: Deno.Conn, options: ImapWireOptions) {
    this.#transcript = options.transcript;
    this.#onUntagged = options.onUntagged;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.#line = new LineConnection(conn, { clock: this.clock, maxLineLength: 1024 * 1024 });
  }

  /**
   * Opens the TCP connection (the greeting is not read yet).
   *
   * @param options Where to connect, the deadline, the clock and the transcript.
   * @returns The connection.
   */
  static async open(options: ImapWireOptions = {}): Promise<ImapWire> {
    const hostname = options.hostname ?? "127.0.0.1";
    const port = options.port ?? 143;
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true); // a command is one write; waiting for an ACK only adds latency
    const wire = new ImapWire(conn, options);
    wire.note(`connected to ${hostname}:${port}`);
    return wire;
  }

  /** The capabilities the server announced last (greeting, CAPABILITY, or a CAPABILITY code). */
  get capabilities(): readonly string[] {
    return this.#capabilities;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#line.closed;
  }

  /**
   * Sends one command and reads its responses up to the tagged one.
   *
   * @param name The command name, such as `NOOP` or `UID FETCH`.
   * @param args Its arguments.
   * @returns The untagged responses and the tagged OK.
   * @throws {ImapResponseError} When the server answers NO or BAD.
   */
  async command(name: string, args: readonly CommandArg[]): Promise<CommandReply> {
    const { tag, untagged } = await this.send(name, args);
    return await this.finish(tag, untagged);
  }

  /**
   * Writes a command with a fresh tag, waiting for the go-ahead before each literal unless the
   * server has LITERAL+.
   *
   * @param name The command name.
   * @param args Its arguments.
   * @returns The command's tag, and the untagged responses that came meanwhile.
   * @throws {ImapResponseError} When the server refuses a literal with a tagged NO or BAD.
   */
  async send(
    name: string,
    args: readonly CommandArg[],
  ): Promise<{ tag: string; untagged: ImapResponse[] }> {
    const tag = `a${++this.#tag}`;
    const untagged: ImapResponse[] = [];
    const nonSync = this.#capabilities.includes("LITERAL+");
    const secret = name === "LOGIN";
    let line = `${tag} ${name}`;
    // The transcript shows LOGIN's user name only; nothing after it, literals included.
    let shown = secret ? `${tag} LOGIN ${inline(args[0] ?? "") || "{...}"} ****` : undefined;
    for (const arg of args) {
      const literal = literalOf(arg);
      if (!literal) {
        line += ` ${inline(arg)}`;
        continue;
      }
      line += ` {${literal.length}${nonSync ? "+" : ""}}`;
      await this.#write(encoder.encode(`${line}\r\n`), shown ?? line);
      if (secret) shown = "";
      if (!nonSync) await this.goAhead(tag, untagged);
      await this.#write(literal, secret ? "****" : `(${literal.length} bytes)`);
      line = "";
    }
    await this.#write(encoder.encode(`${line}\r\n`), shown ?? line);
    return { tag, untagged };
  }

  /**
   * Reads up to the server's `+` continuation.
   *
   * @param tag The command's tag.
   * @param untagged Where untagged responses that come first go.
   * @throws {ImapResponseError} When the server answers the command NO or BAD instead.
   */
  async goAhead(tag: string, untagged: ImapResponse[]): Promise<void> {
    for (;;) {
      const response = await this.readResponse();
      if (response.kind === "continuation") return;
      if (response.kind === "status" && response.tag === tag) throw refusal(response);
      untagged.push(response);
    }
  }

  /**
   * Reads responses up to the command's tagged one.
   *
   * @param tag The command's tag.
   * @param untagged Where the untagged responses go.
   * @param options How long each read may wait (default: the connection's timeout), and what to
   * call with each untagged response once it is in `untagged`.
   * @returns The reply.
   * @throws {ImapResponseError} When the server answers NO or BAD.
   */
  async finish(
    tag: string,
    untagged: ImapResponse[],
    options: { timeoutMs?: number; onResponse?: (response: ImapResponse) => void } = {},
  ): Promise<CommandReply> {
    for (;;) {
      const response = await this.readResponse(options.timeoutMs);
      if (response.kind === "status" && response.tag === tag) {
        if (response.status !== "OK") throw refusal(response);
        return { untagged, code: response.code, text: response.text };
      }
      untagged.push(response);
      options.onResponse?.(response);
    }
  }

  /**
   * Reads one response, with its literals, and notes the capabilities it announces.
   *
   * @param timeoutMs How long each read may wait. @default the connection's timeout
   * @returns The response.
   * @throws {Deno.errors.TimedOut} When the server is silent too long (the connection closes).
   * @throws {Deno.errors.ConnectionReset} When the server closes the connection.
   */
  async readResponse(timeoutMs: number = this.timeoutMs): Promise<ImapResponse> {
    const parser = new ResponseParser();
    for (;;) {
      const line = await this.#io(
        timeoutMs,
        () => this.#line.readLine(timeoutMs, "an IMAP response"),
      );
      this.#transcript?.server(line, this.clock.now());
      const progress = parser.pushLine(line);
      if (progress.done) {
        this.#observe(progress.response);
        return progress.response;
      }
      const size = progress.literal.size;
      if (size > MAX_LITERAL) {
        this.close();
        throw new ImapResponseError("BAD", `Server literal too large: ${size} bytes`);
      }
      const bytes = await this.#io(timeoutMs, () => this.#line.readBytes(size, timeoutMs));
      this.#transcript?.server(`(${bytes.length} bytes)`, this.clock.now());
      parser.pushLiteral(bytes);
    }
  }

  /**
   * Writes one line that is no command, such as IDLE's `DONE`.
   *
   * @param line The line without CRLF.
   */
  async writeLine(line: string): Promise<void> {
    await this.#write(encoder.encode(`${line}\r\n`), line);
  }

  /**
   * Gives the server `ms` to answer: unless cancelled in time, the connection closes and the read
   * under way fails with `TimedOut`. For a read that started with a longer wait (IDLE's).
   *
   * @param ms How long the server has.
   * @returns The timer, to cancel once the answer came.
   */
  deadline(ms: number): Timer {
    return this.clock.setTimer(ms, () => {
      this.#expired = ms;
      this.#line.close();
    });
  }

  /**
   * Notes an event in the transcript.
   *
   * @param text What happened.
   */
  note(text: string): void {
    this.#transcript?.note(text, this.clock.now());
  }

  /** Closes the connection, noting it in the transcript; safe to call twice. */
  close(): void {
    if (this.#line.closed) return;
    this.#line.close();
    this.note("connection closed");
  }

  #observe(response: ImapResponse): void {
    if (response.kind === "data" && response.name === "CAPABILITY") {
      this.#capabilities = response.args.map(tokenText);
    }
    if (response.kind === "status" && /^CAPABILITY /i.test(response.code ?? "")) {
      this.#capabilities = response.code!.split(" ").slice(1);
    }
    if (response.kind === "status" && response.status === "BYE") this.#bye = response.text;
    const untagged = response.kind === "data" ||
      (response.kind === "status" && response.tag === "*");
    if (untagged) this.#onUntagged?.(response);
  }

  async #write(bytes: Uint8Array, shown: string): Promise<void> {
    if (shown !== "") this.#transcript?.client(shown, this.clock.now());
    await this.#line.write(bytes);
  }

  /** Reads with a deadline; a timeout or a close ends the connection. */
  async #io<T>(timeoutMs: number, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.close();
      if (error instanceof TimeoutError || this.#expired !== undefined) {
        const ms = this.#expired ?? timeoutMs;
        throw new Deno.errors.TimedOut(`No answer from the IMAP server within ${ms} ms`);
      }
      const why = this.#bye !== undefined ? `after BYE: ${this.#bye}` : "unexpectedly";
      throw new Deno.errors.ConnectionReset(`The IMAP server closed the connection ${why}`, {
        cause: error,
      });
    }
  }
}
