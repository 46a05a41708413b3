/**
 * Server responses as a client reads them (RFC 3501 §7): continuation requests, status responses
 * with their codes, and untagged data, assembled from lines and literals.
 *
 * ```
 * response      = *(continue-req / response-data) response-done
 * continue-req  = "+" SP (resp-text / base64) CRLF
 * resp-cond     = ("OK" / "NO" / "BAD" / "BYE" / "PREAUTH") SP resp-text
 * resp-text     = ["[" resp-text-code "]" SP] text
 * message-data  = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
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

/** The status of a status response. */
export type ImapStatus = "OK" | "NO" | "BAD" | "BYE" | "PREAUTH";

/** One server response. */
export type ImapResponse =
  | {
    /** A `+` line: the server waits for more (a literal, or a SASL answer). */
    kind: "continuation";
    /** The text after `+ `. */
    text: string;
  }
  | {
    /** A status response, tagged or untagged (`tag` is `*`). */
    kind: "status";
    /** The command's tag, or `*`. */
    tag: string;
    /** OK, NO, BAD, BYE or PREAUTH. */
    status: ImapStatus;
    /** The response code without brackets, such as `UIDNEXT 5`. */
    code?: string;
    /** The human-readable text. */
    text: string;
  }
  | {
    /** Untagged data such as CAPABILITY, LIST, SEARCH, EXISTS or FETCH. */
    kind: "data";
    /** Its name in upper case. */
    name: string;
    /** The number in front for EXISTS, RECENT, EXPUNGE and FETCH. */
    number?: number;
    /** The tokens after the name. */
    args: ImapToken[];
  };

/** What a line or literal did: completed a response, or announced a literal to read next. */
export type ResponseProgress =
  | { done: true; response: ImapResponse }
  | { done: false; literal: LiteralRequest };

const STATUS = /^(\S+) (OK|NO|BAD|BYE|PREAUTH)(?: \[([^\]]*)\])? ?(.*)$/i;

/**
 * Assembles one response. Feed it lines (without CRLF) and literal bytes as it asks; use a fresh
 * parser for each response.
 *
 * @example Read a FETCH response with a literal
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 *
 * const parser = new ResponseParser();
 * const first = parser.pushLine("* 1 FETCH (UID 7 BODY[] {4}");
 * assert.deepEqual(first, { done: false, literal: { size: 4, nonSync: false } });
 * parser.pushLiteral(new TextEncoder().encode("Hi\r\n"));
 * const last = parser.pushLine(")");
 * assert.ok(last.done && last.response.kind === "data");
 * assert.equal(last.response.name, "FETCH");
 * assert.equal(last.response.number, 1);
 * ```
 *
 * @example Read a tagged status with a code
 * ```ts
 * import assert from "node:assert/strict";
 * import { ResponseParser } from "./response_parser.ts";
 *
 * assert.deepEqual(new ResponseParser().pushLine("a2 OK [READ-WRITE] SELECT completed"), {
 *   done: true,
 *   response: { kind: "status", tag: "a2", status: "OK", code: "READ-WRITE", text: "SELECT completed" },
 * });
 * ```
 */
export class ResponseParser {
  #tokens: TokenReader;
  #started = false;

  /**
   * Creates a parser for one response.
   *
   * @param options Nesting and size limits of the tokens.
   */
  constructor(options: TokenReaderOptions = {}) {
    this.#tokens = new TokenReader(options);
  }

  /**
   * Reads one line (without its CRLF).
   *
   * @param line The line's text.
   * @returns The response, or the literal that the line announces.
   * @throws {ImapSyntaxError} When the line is no response.
   */
  pushLine(line: string): ResponseProgress {
    if (!this.#started) {
      this.#started = true;
      if (line === "+" || line.startsWith("+ ")) {
        return { done: true, response: { kind: "continuation", text: line.slice(2) } };
      }
      const status = STATUS.exec(line);
      if (status) {
        const response: ImapResponse = {
          kind: "status",
          tag: status[1],
          status: status[2].toUpperCase() as ImapStatus,
          text: status[4],
        };
        if (status[3] !== undefined) response.code = status[3];
        return { done: true, response };
      }
      if (!line.startsWith("* ")) {
        throw new ImapSyntaxError(`Cannot parse IMAP response "${line.slice(0, 80)}"`);
      }
    }
    const progress = this.#tokens.pushLine(line);
    if (!progress.done) return progress;
    return { done: true, response: data(progress.tokens, line) };
  }

  /**
   * Takes the bytes of the literal the last line announced.
   *
   * @param bytes The literal's bytes.
   */
  pushLiteral(bytes: Uint8Array): void {
    this.#tokens.pushLiteral(bytes);
  }
}

function data(tokens: ImapToken[], line: string): ImapResponse {
  const [, first, second] = tokens;
  const fail = () => new ImapSyntaxError(`Cannot parse IMAP response "${line.slice(0, 80)}"`);
  if (first?.kind !== "atom") throw fail();
  if (/^\d+$/.test(first.value)) {
    if (second?.kind !== "atom") throw fail();
    return {
      kind: "data",
      name: second.value.toUpperCase(),
      number: Number(first.value),
      args: tokens.slice(3),
    };
  }
  return { kind: "data", name: first.value.toUpperCase(), args: tokens.slice(2) };
}
