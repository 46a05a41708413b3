/**
 * Logging in: LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE PLAIN (RFC 4616), with the initial
 * response on the command line when the client has it (SASL-IR, RFC 4959). With `requireTls`,
 * both wait for STARTTLS (LOGINDISABLED, RFC 3501 §6.2.3 and §7.2.1).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapResponseError } from "../../../protocol/imap/error.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { decodePlain, fromBase64Utf8 } from "../../../protocol/sasl.ts";
import type { CommandResult, SessionContext } from "../context.ts";

function refuseWithoutTls(session: SessionContext): void {
  if (session.loginDisabled) throw ImapResponseError.of(RESPONSE.PrivacyRequired);
}

/**
 * LOGIN user password.
 *
 * @param session The session.
 * @param args The user name and the password, as astrings.
 * @returns The tagged OK with the capabilities of the authenticated state.
 */
export async function login(session: SessionContext, args: Arguments): Promise<CommandResult> {
  const user = args.astring("user name");
  const password = args.astring("password");
  args.end();
  refuseWithoutTls(session);
  return await finishLogin(session, user, password);
}

/**
 * AUTHENTICATE PLAIN [initial-response].
 *
 * @param session The session.
 * @param args The mechanism and, with SASL-IR, the base64 initial response (`=` for empty).
 * @returns The tagged OK, or a continuation that waits for the client's response.
 */
export async function authenticate(
  session: SessionContext,
  args: Arguments,
): Promise<CommandResult> {
  const mechanism = args.atom("mechanism").toUpperCase();
  const initial = args.more ? args.atom("initial response") : undefined;
  args.end();
  if (mechanism !== "PLAIN") {
    throw ImapResponseError.of(RESPONSE.UnsupportedMechanism(mechanism));
  }
  refuseWithoutTls(session);
  if (initial !== undefined) return await plain(session, initial);
  return { continuation: { prompt: "", then: (line) => plain(session, line) } };
}

async function plain(session: SessionContext, response: string): Promise<CommandResult> {
  if (response === "*") throw ImapResponseError.of(RESPONSE.AuthCancelled);
  if (fromBase64Utf8(response) === undefined) throw ImapResponseError.of(RESPONSE.BadBase64);
  const credentials = decodePlain(response);
  if (!credentials) throw ImapResponseError.of(RESPONSE.BadPlain);
  const { authzid, user, password } = credentials;
  if (authzid !== "" && authzid !== user) throw ImapResponseError.of(RESPONSE.AuthorizationFailed);
  return await finishLogin(session, user, password);
}

async function finishLogin(
  session: SessionContext,
  user: string,
  password: string,
): Promise<CommandResult> {
  const name = await session.authenticate(user, password);
  if (name === undefined) throw ImapResponseError.of(RESPONSE.LoginFailed);
  await session.store.ensureUser(name);
  return {
    response: RESPONSE.LoggedIn(session.capabilities("authenticated")),
    state: "authenticated",
    user: name,
  };
}
