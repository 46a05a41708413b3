/**
 * The tokens of IMAP (RFC 3501 §4, §9): atoms, quoted strings, literals and parenthesised lists,
 * read from the lines and literal bytes of one command or response. Both sides use it: the server
 * for commands, the client for responses.
 *
 * ```
 * atom      = 1*ATOM-CHAR
 * quoted    = DQUOTE *QUOTED-CHAR DQUOTE
 * literal   = "{" number ["+"] "}" CRLF *CHAR8    ; "+" is LITERAL+ (RFC 7888)
 * list      = "(" [token *(SP token)] ")"
 * ```
 *
 * The reader is lenient where real peers differ and strict where safety needs it: it keeps the
 * `[...]` section of `BODY`, `BODY.PEEK` and `BINARY` whole inside its atom (so
 * `BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>` is one atom, as are flags like `\Seen` and
 * wildcards like `*`), but refuses NUL and other control characters, bad escapes, unterminated
 * quotes and lists nested too deep. Elsewhere `[` is an atom's character like any other: the
 * keyword `$Label[1` ends at the space after it, not at a `]` further on the line.
 *
 * @module
 */
import { ImapSyntaxError } from "./error.ts";

/** An atom, also NIL, a number, a flag, a sequence set or a fetch item such as `BODY[]<0>`. */
export interface ImapAtom {
  /** Discriminant. */
  kind: "atom";
  /** The atom's characters as sent. */
  value: string;
}

/** A quoted string or a literal. */
export interface ImapString {
  /** Discriminant. */
  kind: "string";
  /** The string decoded as UTF-8. */
  value: string;
  /** The exact bytes (a literal's octets, or a quoted string's UTF-8). */
  bytes: Uint8Array;
  /** Whether it came as a literal. */
  literal: boolean;
}

/** A parenthesised list. */
export interface ImapList {
  /** Discriminant. */
  kind: "list";
  /** The list's tokens. */
  items: ImapToken[];
}

/** One token of a command or response. */
export type ImapToken = ImapAtom | ImapString | ImapList;

/** A literal that the line announced: its size and whether it is LITERAL+ (`{n+}`). */
export interface LiteralRequest {
  /** The number of bytes that follow the line. */
  size: number;
  /** True for `{n+}`: the sender does not wait for a `+` continuation (RFC 7888). */
  nonSync: boolean;
}

/** What a line or literal did: completed the tokens, or announced a literal to read next. */
export type TokenProgress =
  | { done: true; tokens: ImapToken[] }
  | { done: false; literal: LiteralRequest };

/** Options of {@linkcode TokenReader}. */
export interface TokenReaderOptions {
  /** How deep lists may nest. @default 16 */
  maxDepth?: number;
  /** How many tokens one command or response may hold. @default 10000 */
  maxTokens?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const LITERAL = /^\{(\d{1,10})(\+?)\}$/;
const ATOM_END = new Set([" ", "(", ")", '"']);
// The atoms a section follows (RFC 3501 §9 fetch-att and msg-att, RFC 3516 BINARY).
const SECTIONED = /^(?:BODY(?:\.PEEK)?|BINARY(?:\.PEEK|\.SIZE)?)$/i;

/**
 * Collects the tokens of one command or response, line by line and literal by literal.
 *
 * @example Read a LOGIN command whose password is a literal
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenReader } from "./lexer.ts";
 *
 * const reader = new TokenReader();
 * assert.deepEqual(reader.pushLine("a1 LOGIN bob {7}"), {
 *   done: false,
 *   literal: { size: 7, nonSync: false },
 * });
 * reader.pushLiteral(new TextEncoder().encode("pickles"));
 * const progress = reader.pushLine("");
 * assert.ok(progress.done);
 * assert.deepEqual(progress.tokens.map((t) => t.kind === "list" ? "(...)" : t.value), [
 *   "a1",
 *   "LOGIN",
 *   "bob",
 *   "pickles",
 * ]);
 * ```
 */
export class TokenReader {
  #stack: ImapToken[][] = [[]];
  #count = 0;
  #waiting = false;
  #maxDepth: number;
  #maxTokens: number;

  /**
   * Creates a reader for one command or response.
   *
   * @param options Nesting and size limits.
   */
  constructor(options: TokenReaderOptions = {}) {
    this.#maxDepth = options.maxDepth ?? 16;
    this.#maxTokens = options.maxTokens ?? 10_000;
  }

  /** The tokens read so far at the top level (useful to find a command's tag after an error). */
  get tokens(): readonly ImapToken[] {
    return this.#stack[0];
  }

  /**
   * Reads one line (without its CRLF): the first line, or the rest after a literal.
   *
   * @param line The line's text.
   * @returns The tokens when the line ends the command, or the literal it announces.
   * @throws {ImapSyntaxError} When the line breaks the grammar.
   */
  pushLine(line: string): TokenProgress {
    if (this.#waiting) throw new ImapSyntaxError("Expected literal bytes, not a line");
    let i = 0;
    while (i < line.length) {
      const c = line[i];
      if (c === " ") {
        i++;
      } else if (c === "(") {
        if (this.#stack.length > this.#maxDepth) {
          throw new ImapSyntaxError("Lists nested too deep", { column: i + 1 });
        }
        const list: ImapList = { kind: "list", items: [] };
        this.#add(list, i);
        this.#stack.push(list.items);
        i++;
      } else if (c === ")") {
        if (this.#stack.length === 1) {
          throw new ImapSyntaxError('Unexpected ")"', { column: i + 1 });
        }
        this.#stack.pop();
        i++;
      } else if (c === '"') {
        i = this.#quoted(line, i);
      } else if (c === "{") {
        const match = LITERAL.exec(line.slice(i));
        if (!match) throw new ImapSyntaxError("Invalid literal", { column: i + 1 });
        this.#waiting = true;
        return { done: false, literal: { size: Number(match[1]), nonSync: match[2] === "+" } };
      } else {
        i = this.#atom(line, i);
      }
    }
    if (this.#stack.length > 1) throw new ImapSyntaxError('Missing ")"', { column: line.length });
    return { done: true, tokens: this.#stack[0] };
  }

  /**
   * Takes the bytes of the literal the last line announced.
   *
   * @param bytes Exactly the announced number of bytes (kept, not copied).
   * @throws {ImapSyntaxError} When no literal was announced.
   */
  pushLiteral(bytes: Uint8Array): void {
    if (!this.#waiting) throw new ImapSyntaxError("Unexpected literal");
    this.#waiting = false;
    this.#add({ kind: "string", value: decoder.decode(bytes), bytes, literal: true }, 0);
  }

  #add(token: ImapToken, at: number): void {
    if (++this.#count > this.#maxTokens) {
      throw new ImapSyntaxError("Too many tokens", { column: at + 1 });
    }
    this.#stack[this.#stack.length - 1].push(token);
  }

  #quoted(line: string, start: number): number {
    let value = "";
    for (let i = start + 1; i < line.length; i++) {
      const c = line[i];
      if (c === '"') {
        this.#add({ kind: "string", value, bytes: encoder.encode(value), literal: false }, start);
        return i + 1;
      }
      if (c === "\\") {
        const next = line[++i];
        if (next !== '"' && next !== "\\") {
          throw new ImapSyntaxError("Invalid escape in quoted string", { column: i });
        }
        value += next;
      } else if (c === "\0") {
        throw new ImapSyntaxError("NUL in quoted string", { column: i + 1 });
      } else {
        value += c;
      }
    }
    throw new ImapSyntaxError("Unterminated quoted string", { column: start + 1 });
  }

  #atom(line: string, start: number): number {
    let i = start;
    while (i < line.length && !ATOM_END.has(line[i])) {
      const code = line.charCodeAt(i);
      if (code < 0x20 || code === 0x7f) {
        throw new ImapSyntaxError("Control character in atom", { column: i + 1 });
      }
      if (line[i] === "[" && SECTIONED.test(line.slice(start, i))) {
        // A section such as [HEADER.FIELDS (FROM TO)] belongs to its atom, spaces and all.
        const close = line.indexOf("]", i);
        if (close > 0) {
          const inner = line.slice(i, close);
          // deno-lint-ignore no-control-regex -- control characters are what is refused
          if (/[\x00-\x1f\x7f]/.test(inner)) {
            throw new ImapSyntaxError("Control character in atom", { column: i + 1 });
          }
          i = close;
        }
      }
      i++;
    }
    this.#add({ kind: "atom", value: line.slice(start, i) }, start);
    return i;
  }
}
