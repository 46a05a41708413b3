/**
 * Calls a server hook and turns its outcome into a reply: a refusal it throws as an
 * `SmtpReplyError` is sent as is; a full disk (a `StorageFullError`, or the system's ENOSPC from
 * a spool) becomes 452 4.3.1, any other error 451 4.3.0, so the client retries later.
 *
 * @module
 */
import { REPLY } from "../../../protocol/smtp/replies.ts";
import { type SmtpReply, SmtpReplyError } from "../../../protocol/smtp/reply.ts";
import type { Envelope, SmtpClientInfo, SmtpHandler } from "../types.ts";
import { StorageFullError } from "../../store/store.ts";

/**
 * Runs `hook` and returns `undefined` when it accepted, or the reply that refuses. A hook that
 * answers at once (no promise) is answered at once, without a turn of the event loop.
 *
 * @param hook The hook call.
 * @returns The refusal, or `undefined`; a promise of it when the hook returned one.
 */
export function refusalOf(
  hook: () => unknown | Promise<unknown>,
): SmtpReply | undefined | Promise<SmtpReply | undefined> {
  try {
    const outcome = hook();
    return outcome instanceof Promise ? outcome.then(() => undefined, refusalFor) : undefined;
  } catch (error) {
    return refusalFor(error);
  }
}

function refusalFor(error: unknown): SmtpReply {
  if (error instanceof SmtpReplyError) return error.reply;
  return StorageFullError.from(error) ? REPLY.InsufficientStorage : REPLY.LocalError;
}

/**
 * Hands a whole message to the `data` hook and says what to answer: 250, the hook's own reply,
 * or its refusal.
 *
 * @param handler The server's hooks.
 * @param message The envelope, the message's bytes and the client.
 * @returns The reply to the end of the message's text.
 *
 * @example A hook that fails unexpectedly makes the client try again later
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataReply } from "./hook.ts";
 *
 * const message = {
 *   envelope: { from: "alice@crepes.fr", to: ["bob@hamburger.edu"], params: { body: "7BIT" as const, smtputf8: false } },
 *   message: new Uint8Array(),
 *   client: { remote: "", helo: "crepes.fr", esmtp: true, submission: false },
 * };
 * assert.equal((await dataReply({}, message)).code, 250);
 * assert.equal((await dataReply({ data: () => { throw new Error("disk full"); } }, message)).code, 451);
 * ```
 *
 * @example A full disk answers 452 4.3.1
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataReply } from "./hook.ts";
 * import { REPLY } from "../../../protocol/smtp/replies.ts";
 * import { StorageFullError } from "../../store/store.ts";
 *
 * const message = {
 *   envelope: { from: "alice@crepes.fr", to: ["bob@hamburger.edu"], params: { body: "7BIT" as const, smtputf8: false } },
 *   message: new Uint8Array(),
 *   client: { remote: "", helo: "crepes.fr", esmtp: true, submission: false },
 * };
 * const full = () => { throw new StorageFullError("Cannot write: no space left on device"); };
 * assert.deepEqual(await dataReply({ data: full }, message), REPLY.InsufficientStorage);
 * ```
 */
export function dataReply(
  handler: SmtpHandler,
  message: { envelope: Envelope; message: Uint8Array; client: SmtpClientInfo },
): SmtpReply | Promise<SmtpReply> {
  try {
    const answer = handler.data?.(message.envelope, message.message, message.client);
    if (answer instanceof Promise) {
      return answer.then((reply) => reply ?? REPLY.Accepted, refusalFor);
    }
    return answer ?? REPLY.Accepted;
  } catch (error) {
    return refusalFor(error);
  }
}
