/**
 * The errors of IMAP: a tagged NO or BAD as an error value, and a syntax error for text that does
 * not follow the grammar of RFC 3501 §9.
 *
 * @module
 */
import type { ImapStatusResponse } from "./response.ts";

/** The status of a failed command: NO (the command failed) or BAD (it was not understood). */
export type ImapFailure = "NO" | "BAD";

/** Options of {@linkcode ImapResponseError}. */
export interface ImapResponseErrorOptions extends ErrorOptions {
  /**
   * The response code without brackets, such as `TRYCREATE` or `UIDVALIDITY 7`
   * (RFC 3501 §7.1).
   * @default undefined (no code)
   */
  code?: string;
  /** The tag of the command that failed. @default undefined */
  tag?: string;
}

/**
 * A command that failed: a server's handler throws it to answer `tag NO [CODE] text` or
 * `tag BAD [CODE] text`, and the client throws it when the server answered so. A server throws
 * an entry of the catalogue: `ImapResponseError.of(RESPONSE.LoginFailed)`.
 *
 * @example Refuse a SELECT of a missing mailbox
 * ```ts
 * import assert from "node:assert/strict";
 * import { ImapResponseError } from "./error.ts";
 *
 * const error = new ImapResponseError("NO", 'No mailbox "Work"', { code: "NONEXISTENT" });
 * assert.equal(error.status, "NO");
 * assert.equal(error.code, "NONEXISTENT");
 * assert.equal(error.message, 'NO [NONEXISTENT] No mailbox "Work"');
 * ```
 */
export class ImapResponseError extends Error {
  /** NO or BAD. */
  readonly status: ImapFailure;
  /** The response code without brackets, when there is one. */
  readonly code?: string;
  /** The human-readable text of the response. */
  readonly text: string;
  /** The tag of the failed command, when known. */
  readonly tag?: string;

  /**
   * Creates the error.
   *
   * @param status NO or BAD.
   * @param text The text that follows the status and code.
   * @param options The response code, the tag and a cause.
   */
  constructor(status: ImapFailure, text: string, options: ImapResponseErrorOptions = {}) {
    super(`${status}${options.code ? ` [${options.code}]` : ""} ${text}`, options);
    this.name = "ImapResponseError";
    this.status = status;
    this.code = options.code;
    this.text = text;
    this.tag = options.tag;
  }

  /**
   * Makes the error that answers with a catalogue entry.
   *
   * @param response A NO or BAD response, such as `RESPONSE.LoginFailed`.
   * @param options The tag and a cause.
   * @returns The error.
   *
   * @example Throw a catalogue entry and read it back
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapResponseError } from "./error.ts";
   * import { RESPONSE } from "./responses.ts";
   *
   * const error = ImapResponseError.of(RESPONSE.TryCreate("Sent"));
   * assert.equal(error.message, 'NO [TRYCREATE] No mailbox "Sent"');
   * assert.deepEqual(error.response, RESPONSE.TryCreate("Sent"));
   * ```
   */
  static of(
    response: ImapStatusResponse<ImapFailure>,
    options: Omit<ImapResponseErrorOptions, "code"> = {},
  ): ImapResponseError {
    return new ImapResponseError(response.status, response.text, {
      ...options,
      code: response.code,
    });
  }

  /** The status response the error stands for, without its tag. */
  get response(): ImapStatusResponse<ImapFailure> {
    const { status, code, text } = this;
    return code ? { status, code, text } : { status, text };
  }
}

/** Options of {@linkcode ImapSyntaxError}. */
export interface ImapSyntaxErrorOptions {
  /** Where in the line the problem was found, from 1. @default 0 (unknown) */
  column?: number;
  /** The tag of the command, when it could be read. @default undefined */
  tag?: string;
}

/**
 * Text that does not follow the IMAP grammar. `column` counts characters from 1 in the line where
 * the problem was found; `tag` is the command's tag when it could be read, so a server can answer
 * `tag BAD` rather than `* BAD`.
 *
 * @example The error of an unterminated quoted string
 * ```ts
 * import assert from "node:assert/strict";
 * import { ImapSyntaxError } from "./error.ts";
 *
 * const error = new ImapSyntaxError("Unterminated quoted string", { column: 12, tag: "a1" });
 * assert.ok(error instanceof SyntaxError);
 * assert.equal(error.message, "Unterminated quoted string at column 12");
 * ```
 */
export class ImapSyntaxError extends SyntaxError {
  /** Where in the line, from 1; 0 when unknown. */
  readonly column: number;
  /** The tag of the command, when it could be read. */
  tag?: string;

  /**
   * Creates the error.
   *
   * @param reason What is wrong, in sentence case.
   * @param options Where, and the tag when known.
   */
  constructor(reason: string, options: ImapSyntaxErrorOptions = {}) {
    super(options.column ? `${reason} at column ${options.column}` : reason);
    this.name = "ImapSyntaxError";
    this.column = options.column ?? 0;
    this.tag = options.tag;
  }
}
