/**
 * Calls a server hook and turns its outcome into a reply: a refusal it throws as an
 * `SmtpReplyError` is sent as is; any other error becomes 451, so the client retries later.
 *
 * @module
 */
import { REPLY } from "../../../protocol/smtp/replies.ts";
import { type SmtpReply, SmtpReplyError } from "../../../protocol/smtp/reply.ts";

/**
 * Runs `hook` and returns `undefined` when it accepted, or the reply that refuses.
 *
 * @param hook The hook call.
 * @returns The refusal, or `undefined`.
 */
export async function refusalOf(
  hook: () => unknown | Promise<unknown>,
): Promise<SmtpReply | undefined> {
  try {
    await hook();
    return undefined;
  } catch (error) {
    return error instanceof SmtpReplyError ? error.reply : REPLY.LocalError;
  }
}
