/**
 * IMAP commands as the server reads them (RFC 3501 §6, §9): a tag, a command name and its
 * arguments, assembled from a first line, any literals and the lines that follow them.
 *
 * ```
 * command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
 * tag     = 1*<any ASTRING-CHAR except "+">
 * ```
 *
 * @module
 */
import { ImapSyntaxError } from "./error.ts";
import {
  type ImapToken,
  type LiteralRequest,
  TokenReader,
  type TokenReaderOptions,
} from "./lexer.ts";

/** One parsed command. */
export interface ImapCommand {
  /** The client's tag, echoed in the tagged response. */
  tag: string;
  /** The command name in upper case; `UID FETCH`, `UID STORE` and so on for UID commands. */
  name: string;
  /** The arguments after the name. */
  args: ImapToken[];
}

/** What a line or literal did: completed the command, or announced a literal to read next. */
export type CommandProgress =
  | { done: true; command: ImapCommand }
  | { done: false; literal: LiteralRequest };

// ATOM-CHAR is 7-bit: a tag with an 8-bit character would be echoed in the tagged response,
// where no 8-bit byte may be (RFC 3501 §9).
// deno-lint-ignore no-control-regex -- control characters are what a tag may not hold
const TAG = /^[^\s(){%*"\\\]+\x00-\x1f\x7f-\uffff]+$/;
const NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

/**
 * Assembles one command. Feed it the first line, then each literal and the line after it, until it
 * says the command is done. Use a fresh reader for each command.
 *
 * @example Read a UID FETCH with a section
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandReader } from "./command.ts";
 *
 * const progress = new CommandReader().pushLine("a7 uid fetch 1:* (FLAGS BODY.PEEK[HEADER])");
 * assert.ok(progress.done);
 * assert.equal(progress.command.tag, "a7");
 * assert.equal(progress.command.name, "UID FETCH");
 * assert.equal(progress.command.args.length, 2);
 * ```
 */
export class CommandReader {
  #tokens: TokenReader;
  #tag?: string;

  /**
   * Creates a reader for one command.
   *
   * @param options Nesting and size limits of the tokens.
   */
  constructor(options: TokenReaderOptions = {}) {
    this.#tokens = new TokenReader(options);
  }

  /** The command's tag once the first line has shown it. */
  get tag(): string | undefined {
    return this.#tag;
  }

  /**
   * Reads one line (without its CRLF).
   *
   * @param line The line's text.
   * @returns The command, or the literal that the line announces.
   * @throws {ImapSyntaxError} When the line breaks the grammar; `tag` is set when known.
   */
  pushLine(line: string): CommandProgress {
    if (this.#tag === undefined) {
      const space = line.indexOf(" ");
      const tag = space < 0 ? line : line.slice(0, space);
      if (!TAG.test(tag)) throw new ImapSyntaxError("Invalid tag", { column: 1 });
      this.#tag = tag;
    }
    try {
      const progress = this.#tokens.pushLine(line);
      if (!progress.done) return progress;
      return { done: true, command: this.#command(progress.tokens) };
    } catch (error) {
      if (error instanceof ImapSyntaxError) error.tag = this.#tag;
      throw error;
    }
  }

  /**
   * Takes the bytes of the literal that the last line announced.
   *
   * @param bytes The literal's bytes.
   */
  pushLiteral(bytes: Uint8Array): void {
    this.#tokens.pushLiteral(bytes);
  }

  #command(tokens: ImapToken[]): ImapCommand {
    const [, first, second] = tokens;
    if (first?.kind !== "atom" || !NAME.test(first.value)) {
      throw new ImapSyntaxError("Missing command name", { tag: this.#tag });
    }
    let name = first.value.toUpperCase();
    let rest = 2;
    if (name === "UID" && second?.kind === "atom" && NAME.test(second.value)) {
      name = `UID ${second.value.toUpperCase()}`;
      rest = 3;
    }
    return { tag: this.#tag!, name, args: tokens.slice(rest) };
  }
}

/**
 * Reads a command's arguments one by one with the checks of RFC 3501 §9, throwing
 * {@linkcode ImapSyntaxError} (answered with BAD) when one is missing or of the wrong kind.
 *
 * @example Read LOGIN's two astrings
 * ```ts
 * import assert from "node:assert/strict";
 * import { Arguments } from "./command.ts";
 *
 * const args = new Arguments([
 *   { kind: "atom", value: "bob" },
 *   { kind: "string", value: "pickles", bytes: new Uint8Array(), literal: false },
 * ]);
 * assert.equal(args.astring("user name"), "bob");
 * assert.equal(args.astring("password"), "pickles");
 * args.end();
 * ```
 */
export class Arguments {
  #tokens: readonly ImapToken[];
  #next = 0;

  /**
   * Wraps a command's arguments.
   *
   * @param tokens The arguments, as in {@linkcode ImapCommand.args}.
   */
  constructor(tokens: readonly ImapToken[]) {
    this.#tokens = tokens;
  }

  /** Whether arguments remain. */
  get more(): boolean {
    return this.#next < this.#tokens.length;
  }

  /**
   * Takes the next token, whatever it is.
   *
   * @param what Its name, for the error text.
   * @returns The token.
   */
  any(what: string): ImapToken {
    const token = this.#tokens[this.#next];
    if (!token) throw new ImapSyntaxError(`Missing ${what}`);
    this.#next++;
    return token;
  }

  /**
   * Takes an atom, a quoted string or a literal as text.
   *
   * @param what Its name, for the error text.
   * @returns The text.
   */
  astring(what: string): string {
    const token = this.any(what);
    if (token.kind === "list") throw new ImapSyntaxError(`Expected ${what}, not a list`);
    return token.value;
  }

  /**
   * Takes an atom.
   *
   * @param what Its name, for the error text.
   * @returns The atom's text.
   */
  atom(what: string): string {
    const token = this.any(what);
    if (token.kind !== "atom") throw new ImapSyntaxError(`Expected ${what} as an atom`);
    return token.value;
  }

  /**
   * Takes a parenthesised list.
   *
   * @param what Its name, for the error text.
   * @returns The list's tokens.
   */
  list(what: string): ImapToken[] {
    const token = this.any(what);
    if (token.kind !== "list") throw new ImapSyntaxError(`Expected ${what} as a list`);
    return token.items;
  }

  /**
   * Takes every remaining token.
   *
   * @returns The tokens.
   */
  rest(): ImapToken[] {
    const rest = this.#tokens.slice(this.#next);
    this.#next = this.#tokens.length;
    return rest;
  }

  /** Checks that no argument is left over. */
  end(): void {
    if (this.more) throw new ImapSyntaxError("Too many arguments");
  }
}
