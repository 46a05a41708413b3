/**
 * The one error type of the message layer: a syntax problem with the line and column where it
 * was found, so a student can open the message and point at the byte.
 *
 * @module
 */

/** Where a problem was found. Lines and columns count from 1. */
export interface SourcePosition {
  /** The 1-based line. */
  line: number;
  /** The 1-based column, in bytes from the start of the line. */
  column: number;
}

/**
 * A message, header field, address or date that does not follow its grammar. The lenient parser
 * collects these as problems and goes on; the strict path and `validateMessage` throw them.
 *
 * @example Throw and catch one
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageSyntaxError } from "./errors.ts";
 *
 * const error = new MessageSyntaxError("Cannot parse header line 3: missing colon", {
 *   line: 3,
 *   column: 1,
 * });
 * assert.ok(error instanceof SyntaxError);
 * assert.equal(error.line, 3);
 * assert.equal(error.name, "MessageSyntaxError");
 * ```
 */
export class MessageSyntaxError extends SyntaxError {
  /** The 1-based line of the problem. */
  readonly line: number;
  /** The 1-based column of the problem. */
  readonly column: number;

  /**
   * Creates the error.
   *
   * @param message What failed, in sentence case, with the value quoted and no final period.
   * @param position Where it failed.
   */
  constructor(message: string, position: SourcePosition = { line: 1, column: 1 }) {
    super(message);
    this.name = "MessageSyntaxError";
    this.line = position.line;
    this.column = position.column;
  }
}
