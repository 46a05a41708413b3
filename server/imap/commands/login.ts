/**
 * Logging in: LOGIN (RFC 3501 §6.2.3) and AUTHENTICATE PLAIN (RFC 4616), with the initial
 * response on the command line when the client has it (SASL-IR, RFC 4959).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapResponseError } from "../../../protocol/imap/error.ts";
import type { CommandResult, SessionContext } from "../context.ts";

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
  return await finishLogin(session, user, password);
}

/**
 * AUTHENTICATE PLAIN [initial-response].
 *
 * @param session The session.
 * @param args The mechanism and, with SASL-IR, the base64 initial response (`=` for empty).
 * @returns The tagged OK, or nothing while it waits for the client's response.
 */
export async function authenticate(
  session: SessionContext,
  args: Arguments,
): Promise<CommandResult | void> {
  const mechanism = args.atom("mechanism").toUpperCase();
  const initial = args.more ? args.atom("initial response") : undefined;
  args.end();
  if (mechanism !== "PLAIN") {
    throw new ImapResponseError("NO", `Unsupported mechanism "${mechanism}"`, { code: "CANNOT" });
  }
  if (initial !== undefined) return await plain(session, initial === "=" ? "" : initial);
  session.continueWith("", (line) => plain(session, line));
}

async function plain(session: SessionContext, response: string): Promise<CommandResult> {
  if (response === "*") throw new ImapResponseError("BAD", "Authentication cancelled");
  let text: string;
  try {
    const binary = atob(response);
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw new ImapResponseError("BAD", "Invalid base64 in PLAIN response");
  }
  const parts = text.split("\0");
  if (parts.length !== 3) throw new ImapResponseError("BAD", "Invalid PLAIN response");
  const [authzid, authcid, password] = parts;
  if (authzid !== "" && authzid !== authcid) {
    throw new ImapResponseError("NO", "Cannot act as another user", {
      code: "AUTHORIZATIONFAILED",
    });
  }
  return await finishLogin(session, authcid, password);
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
  session.user = name;
  session.state = "authenticated";
  return { code: `CAPABILITY ${session.capabilities().join(" ")}`, text: "Logged in" };
}
