/**
 * Commands valid in any state (RFC 3501 §6.1) and the small extensions that clients send right
 * after connecting: CAPABILITY, NOOP, CHECK, LOGOUT, IDLE (RFC 2177), ID (RFC 2971), ENABLE
 * (RFC 5161) and NAMESPACE (RFC 2342).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapResponseError, ImapSyntaxError } from "../../../protocol/imap/error.ts";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import type { CommandResult, SessionContext } from "../context.ts";

/**
 * CAPABILITY: lists what this server can do.
 *
 * @param session The session.
 * @param args No arguments.
 */
export function capability(session: SessionContext, args: Arguments): void {
  args.end();
  session.send("* CAPABILITY", session.capabilities());
}

/**
 * NOOP and CHECK: do nothing; what changed in the selected mailbox (a new delivery shows up as
 * EXISTS) is reported after every command anyway, which is how clients without IDLE poll
 * (RFC 3501 §6.1.2).
 *
 * @param _session The session.
 * @param args No arguments.
 */
export function noop(_session: SessionContext, args: Arguments): void {
  args.end();
}

/**
 * IDLE (RFC 2177): the server sends the selected mailbox's news as it happens, until the client
 * says DONE. A mail client's way to see new mail at once without asking every minute.
 *
 * @param _session The session.
 * @param args No arguments.
 * @returns The continuation that waits for DONE.
 */
export function idle(_session: SessionContext, args: Arguments): CommandResult {
  args.end();
  return {
    continuation: {
      prompt: "idling",
      shown: true,
      idle: true,
      then: (line) => {
        if (line.trim().toUpperCase() !== "DONE") {
          return Promise.reject(ImapResponseError.of(RESPONSE.NotDone));
        }
        return Promise.resolve({ response: RESPONSE.IdleDone });
      },
    },
  };
}

/**
 * LOGOUT: says BYE, answers OK and closes (RFC 3501 §6.1.3).
 *
 * @param session The session.
 * @param args No arguments.
 * @returns The next state: logout, closing the connection.
 */
export function logout(session: SessionContext, args: Arguments): CommandResult {
  args.end();
  session.send(formatStatus("*", RESPONSE.LoggingOut(session.domain)));
  return { state: "logout", close: true };
}

/**
 * ID: reads the client's identification (a list or NIL) and names this server (RFC 2971 §3.1).
 *
 * @param session The session.
 * @param args `NIL` or a list of field-value pairs.
 */
export function id(session: SessionContext, args: Arguments): void {
  const token = args.any("ID parameters");
  const nil = token.kind === "atom" && token.value.toUpperCase() === "NIL";
  if (!nil && (token.kind !== "list" || token.items.length % 2 !== 0 || token.items.length > 60)) {
    throw new ImapSyntaxError("ID parameters must be NIL or a list of field-value pairs");
  }
  args.end();
  session.send("* ID", [[
    { string: "name" },
    { string: "mail-toolkit" },
    { string: "vendor" },
    { string: "Internet mail course toolkit" },
    { string: "support-url" },
    { string: "https://www.rfc-editor.org/rfc/rfc3501" },
  ]]);
}

/** The extensions ENABLE can turn on (RFC 5161 §3.1). */
const ENABLEABLE = new Set(["CONDSTORE"]);

/**
 * ENABLE: turns on the extensions named that this server has and that need enabling
 * (CONDSTORE's MODSEQ in every FETCH), and says which in an ENABLED response (RFC 5161 §3.1).
 *
 * @param session The session.
 * @param args One or more capability names.
 * @returns What was enabled.
 */
export function enable(session: SessionContext, args: Arguments): CommandResult {
  const names = [
    args.atom("capability name"),
    ...args.rest().map((t) => t.kind === "atom" ? t.value : ""),
  ].map((n) => n.toUpperCase());
  const turned = [...new Set(names)].filter((n) => ENABLEABLE.has(n) && !session.enabled.has(n));
  session.send("* ENABLED", turned);
  return { enable: turned, response: RESPONSE.Enabled };
}

/**
 * NAMESPACE: one personal namespace with the empty prefix and `.` as delimiter; no shared or
 * other users' namespaces (RFC 2342 §5).
 *
 * @param session The session.
 * @param args No arguments.
 */
export function namespace(session: SessionContext, args: Arguments): void {
  args.end();
  session.send("* NAMESPACE", [[[{ string: "" }, { string: "." }]], null, null]);
}
