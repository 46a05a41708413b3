/**
 * How an error thrown by a command handler becomes a tagged NO or BAD of the catalogue.
 *
 * @module
 */
import { type ImapFailure, ImapResponseError, ImapSyntaxError } from "../../protocol/imap/error.ts";
import type { ImapStatusResponse } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import {
  AlreadyExistsError,
  InvalidNameError,
  NotFoundError,
  StorageFullError,
} from "../store/store.ts";

/**
 * Maps an error to the response that reports it. Store errors get the codes of RFC 5530; any
 * other error becomes `NO [SERVERBUG]` with no detail, so a bug never crashes the connection nor
 * leaks internals.
 *
 * @param error What a handler threw.
 * @returns The failure to report.
 *
 * @example A store's "not found" becomes NONEXISTENT, a bug SERVERBUG
 * ```ts
 * import assert from "node:assert/strict";
 * import { RESPONSE } from "../../protocol/imap/responses.ts";
 * import { NotFoundError, StorageFullError } from "../store/store.ts";
 * import { failureOf } from "./failures.ts";
 *
 * const message = 'No such mailbox "Work"';
 * assert.deepEqual(failureOf(new NotFoundError(message)), RESPONSE.Nonexistent(message));
 * assert.deepEqual(failureOf(new TypeError("x is undefined")), RESPONSE.ServerBug);
 * assert.deepEqual(failureOf(new StorageFullError("disk full")), RESPONSE.OverQuota);
 * ```
 */
export function failureOf(error: unknown): ImapStatusResponse<ImapFailure> {
  if (error instanceof ImapResponseError) return error.response;
  if (error instanceof ImapSyntaxError) return RESPONSE.Syntax(error.message);
  if (error instanceof NotFoundError) return RESPONSE.Nonexistent(error.message);
  if (error instanceof InvalidNameError) return RESPONSE.Cannot(error.message);
  if (error instanceof AlreadyExistsError) return RESPONSE.AlreadyExists(error.message);
  if (error instanceof StorageFullError) return RESPONSE.OverQuota;
  return RESPONSE.ServerBug;
}
