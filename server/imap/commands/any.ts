/**
 * Commands valid in any state (RFC 3501 §6.1) and the small extensions that clients send right
 * after connecting: CAPABILITY, NOOP, CHECK, LOGOUT, ID (RFC 2971), ENABLE (RFC 5161) and
 * NAMESPACE (RFC 2342).
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapSyntaxError } from "../../../protocol/imap/error.ts";
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
 * NOOP and CHECK: do nothing, but report what changed in the selected mailbox (a new delivery
 * shows up as EXISTS), which is how clients without IDLE poll (RFC 3501 §6.1.2).
 *
 * @param session The session.
 * @param args No arguments.
 */
export async function noop(session: SessionContext, args: Arguments): Promise<void> {
  args.end();
  await reportChanges(session);
}

/**
 * Sends EXPUNGE, EXISTS and FETCH FLAGS responses for what changed in the selected mailbox since
 * the client last heard (RFC 3501 §7.3.1, §7.4.1).
 *
 * @param session The session.
 */
export async function reportChanges(session: SessionContext): Promise<void> {
  const box = session.selected;
  if (!box || !session.user) return;
  const changes = await box.sync(session.store, session.user);
  for (const seq of changes.expunged) session.send(`* ${seq} EXPUNGE`);
  if (changes.exists !== undefined) session.send(`* ${changes.exists} EXISTS`);
  for (const { seq, info } of changes.flags) {
    session.send(`* ${seq} FETCH`, [["UID", String(info.uid), "FLAGS", info.flags]]);
  }
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

/**
 * ENABLE: this server has no extensions that need enabling, so it enables none and says so with
 * an empty ENABLED response (RFC 5161 §3.1).
 *
 * @param session The session.
 * @param args One or more capability names.
 */
export function enable(session: SessionContext, args: Arguments): void {
  args.atom("capability name");
  args.rest();
  session.send("* ENABLED");
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
