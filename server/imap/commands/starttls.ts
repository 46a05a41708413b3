/**
 * STARTTLS (RFC 3501 §6.2.1): the client asks to turn the connection into a TLS one before it
 * logs in. After the tagged OK the handshake runs; the session stays not authenticated, and the
 * client asks for the capabilities again, since they change (no STARTTLS, LOGIN allowed). Commands
 * the client sent before the handshake are discarded, never run.
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapResponseError } from "../../../protocol/imap/error.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import type { CommandResult, SessionContext } from "../context.ts";

/**
 * STARTTLS.
 *
 * @param session The session.
 * @param args No arguments.
 * @returns The tagged OK, after which TLS starts.
 */
export function starttls(session: SessionContext, args: Arguments): CommandResult {
  args.end();
  if (session.tls) throw ImapResponseError.of(RESPONSE.TlsActive);
  if (!session.starttls) throw ImapResponseError.of(RESPONSE.TlsNotOffered);
  return { response: RESPONSE.BeginTls, startTls: true };
}
