/**
 * How an error thrown by a command handler becomes a tagged NO or BAD.
 *
 * @module
 */
import { ImapResponseError, ImapSyntaxError } from "../../protocol/imap/error.ts";
import { AlreadyExistsError, InvalidNameError, NotFoundError } from "../store/store.ts";

/** The parts of a failed command's tagged response. */
export interface Failure {
  /** NO or BAD. */
  status: "NO" | "BAD";
  /** The response code without brackets, when there is one. */
  code?: string;
  /** The text. */
  text: string;
}

/**
 * Maps an error to the response that reports it. Store errors get the codes of RFC 5530; any
 * other error becomes `NO [SERVERBUG]` with no detail, so a bug never crashes the connection nor
 * leaks internals.
 *
 * @param error What a handler threw.
 * @returns The failure to report.
 *
 * @example A store's "not found" becomes NONEXISTENT
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../store/store.ts";
 * import { failureOf } from "./failures.ts";
 *
 * assert.deepEqual(failureOf(new NotFoundError('No such mailbox "Work"')), {
 *   status: "NO",
 *   code: "NONEXISTENT",
 *   text: 'No such mailbox "Work"',
 * });
 * ```
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof ImapResponseError) {
    return { status: error.status, code: error.code, text: error.text };
  }
  if (error instanceof ImapSyntaxError) return { status: "BAD", text: error.message };
  if (error instanceof NotFoundError) {
    return { status: "NO", code: "NONEXISTENT", text: error.message };
  }
  if (error instanceof InvalidNameError) {
    return { status: "NO", code: "CANNOT", text: error.message };
  }
  if (error instanceof AlreadyExistsError) {
    return { status: "NO", code: "ALREADYEXISTS", text: error.message };
  }
  return { status: "NO", code: "SERVERBUG", text: "Internal server error" };
}
