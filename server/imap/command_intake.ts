/**
 * Reading one IMAP command that may span several lines, joined by literals (RFC 3501 §4.3): the
 * literal budget of a command, and what the transcript shows of it (passwords masked, control
 * characters escaped, long literals summarised).
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { CommandReader, type ImapCommand } from "../../protocol/imap/command.ts";
import type { LiteralRequest } from "../../protocol/imap/lexer.ts";
import type { Transcript } from "../../protocol/transcript.ts";
import { escapeControls, maskCommandLine, showLiteral } from "./masking.ts";

/** Options of {@linkcode CommandIntake}. */
export interface CommandIntakeOptions {
  /** The most literal bytes one command may carry. */
  maxLiteralSize: number;
  /** Stamps transcript lines. */
  clock: Clock;
  /** Where the client's lines go. @default nowhere */
  transcript?: Transcript;
}

/** A literal a line announced, before the rest of its command. */
export interface LiteralStep {
  /** Its size, and whether the client waits for `+` (synchronising) or not (LITERAL+). */
  literal: LiteralRequest;
  /** Whether it is past the command's budget: the command is then dropped. */
  tooLarge: boolean;
  /** The command's tag. */
  tag: string;
}

/** What a line gave: a whole command, or the literal that must come before the rest of it. */
export type IntakeStep = { command: ImapCommand } | LiteralStep;

/**
 * The command being read.
 *
 * @example A command with a literal
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { CommandIntake } from "./command_intake.ts";
 *
 * const intake = new CommandIntake({ maxLiteralSize: 100, clock: new ManualClock() });
 * const first = intake.line("a1 LOGIN {3}");
 * assert.deepEqual(first, { literal: { size: 3, nonSync: false }, tooLarge: false, tag: "a1" });
 * intake.literal(new TextEncoder().encode("bob"));
 * const done = intake.line(" pickles");
 * assert.ok("command" in done && done.command.name === "LOGIN");
 * ```
 */
export class CommandIntake {
  #options: CommandIntakeOptions;
  #reader: CommandReader | undefined;
  #secret = false;
  #total = 0;
  #expected: number | undefined;

  /**
   * Starts with no command under way.
   *
   * @param options The literal budget, the clock and the transcript.
   */
  constructor(options: CommandIntakeOptions) {
    this.#options = options;
  }

  /** The tag of the command under way, once its first line came. */
  get tag(): string | undefined {
    return this.#reader?.tag;
  }

  /** The size of the literal awaited now, if one is. */
  get expected(): number | undefined {
    return this.#expected;
  }

  /**
   * Takes a line of the command.
   *
   * @param line The line without its CRLF.
   * @returns The whole command, or the literal it announces (`tooLarge` past the budget: the
   *   command is then dropped).
   * @throws {ImapSyntaxError} When the line does not parse; the command is dropped.
   */
  line(line: string): IntakeStep {
    this.#record(line);
    this.#reader ??= new CommandReader();
    let progress;
    try {
      progress = this.#reader.pushLine(line);
    } catch (error) {
      this.reset();
      throw error;
    }
    if (progress.done) {
      this.reset();
      return { command: progress.command };
    }
    const request = progress.literal;
    const tag = this.#reader.tag ?? "*";
    if (this.#total + request.size > this.#options.maxLiteralSize) {
      this.reset();
      return { literal: request, tooLarge: true, tag };
    }
    this.#total += request.size;
    this.#expected = request.size;
    return { literal: request, tooLarge: false, tag };
  }

  /**
   * Takes the literal's bytes.
   *
   * @param bytes Exactly {@linkcode CommandIntake.expected} bytes.
   * @throws {TypeError} When no literal, or one of another size, was awaited.
   */
  literal(bytes: Uint8Array): void {
    if (this.#expected !== bytes.length || !this.#reader) {
      throw new TypeError(`Expected no literal of ${bytes.length} bytes`);
    }
    this.#expected = undefined;
    this.#options.transcript?.client(showLiteral(bytes, this.#secret), this.#options.clock.now());
    this.#reader.pushLiteral(bytes);
  }

  /** Drops the command under way. */
  reset(): void {
    this.#reader = undefined;
    this.#secret = false;
    this.#total = 0;
    this.#expected = undefined;
  }

  #record(line: string): void {
    const transcript = this.#options.transcript;
    if (!transcript || (this.#reader && line === "")) return;
    let text = "****";
    if (!this.#reader) ({ text, secret: this.#secret } = maskCommandLine(line));
    else if (!this.#secret) text = escapeControls(line);
    transcript.client(text, this.#options.clock.now());
  }
}
