/**
 * Logging in: LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE PLAIN (RFC 4616), with the initial
 * response on the command line when the client has it (SASL-IR, RFC 4959). With `requireTls`,
 * both wait for STARTTLS (LOGINDISABLED, RFC 3501 §6.2.3 and §7.2.1).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapResponseError } from "../../../protocol/imap/error.ts";
import { decodePlain, fromBase64Utf8 } from "../../../protocol/sasl.ts";
import type { CommandResult, SessionContext } from "../context.ts";

function refuseWithoutTls(session: SessionContext): void {
  if (session.loginDisabled) {
    throw new ImapResponseError("NO", "Logging in needs TLS first: use STARTTLS", {
      code: "PRIVACYREQUIRED",
    });
  }
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
    throw new ImapResponseError("NO", `Unsupported mechanism "${mechanism}"`, { code: "CANNOT" });
  }
  refuseWithoutTls(session);
  if (initial !== undefined) return await plain(session, initial);
  return { continuation: { prompt: "", then: (line) => plain(session, line) } };
}

async function plain(session: SessionContext, response: string): Promise<CommandResult> {
  if (response === "*") throw new ImapResponseError("BAD", "Authentication cancelled");
  if (fromBase64Utf8(response) === undefined) {
    throw new ImapResponseError("BAD", "Invalid base64 in PLAIN response");
  }
  const credentials = decodePlain(response);
  if (!credentials) throw new ImapResponseError("BAD", "Invalid PLAIN response");
  const { authzid, user, password } = credentials;
  if (authzid !== "" && authzid !== user) {
    throw new ImapResponseError("NO", "Cannot act as another user", {
      code: "AUTHORIZATIONFAILED",
    });
  }
  return await finishLogin(session, user, password);
}

async function finishLogin(
  session: SessionContext,
  user: string,
  password: string,
): Promise<CommandResult> {
  const name = await session.authenticate(user, password);
  if (name === undefined) {
    throw new ImapResponseError("NO", "Invalid user name or password", {
      code: "AUTHENTICATIONFAILED",
    });
  }
  await session.store.ensureUser(name);
  return {
    code: `CAPABILITY ${session.capabilities("authenticated").join(" ")}`,
    text: "Logged in",
    state: "authenticated",
    user: name,
  };
}
