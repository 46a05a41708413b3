/**
 * The command table: every command this server knows, the states that allow it (RFC 3501 §6) and
 * its syntax, which BAD responses quote.
 *
 * @module
 */
import type { ImapStatusResponse } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import type { CommandSpec, ImapState } from "../context.ts";
import { append, copy } from "./append.ts";
import { capability, enable, id, logout, namespace, noop } from "./any.ts";
import { close, expunge, unselect } from "./expunge.ts";
import { fetch } from "./fetch.ts";
import { listCommand, subscribe } from "./list.ts";
import { authenticate, login } from "./login.ts";
import { create, selectCommand, status } from "./mailbox.ts";
import { search } from "./search.ts";
import { store } from "./store.ts";
import { starttls } from "./starttls.ts";

const ANY: readonly ImapState[] = ["notAuthenticated", "authenticated", "selected"];
const NOT_AUTHENTICATED: readonly ImapState[] = ["notAuthenticated"];
const AUTHENTICATED: readonly ImapState[] = ["authenticated", "selected"];
const SELECTED: readonly ImapState[] = ["selected"];

/** Every command, keyed by its upper-case name (`UID FETCH` for UID commands). */
export const COMMANDS = {
  CAPABILITY: { states: ANY, syntax: "CAPABILITY", run: capability },
  NOOP: { states: ANY, syntax: "NOOP", run: noop },
  LOGOUT: { states: ANY, syntax: "LOGOUT", run: logout },
  ID: { states: ANY, syntax: "ID (field value ...) or ID NIL", run: id },
  LOGIN: { states: NOT_AUTHENTICATED, syntax: "LOGIN user password", secret: true, run: login },
  AUTHENTICATE: {
    states: NOT_AUTHENTICATED,
    syntax: "AUTHENTICATE PLAIN [initial-response]",
    secret: true,
    run: authenticate,
  },
  STARTTLS: { states: NOT_AUTHENTICATED, syntax: "STARTTLS", run: starttls },
  ENABLE: { states: AUTHENTICATED, syntax: "ENABLE capability ...", run: enable },
  NAMESPACE: { states: AUTHENTICATED, syntax: "NAMESPACE", run: namespace },
  LIST: { states: AUTHENTICATED, syntax: "LIST reference pattern", run: listCommand("LIST") },
  LSUB: { states: AUTHENTICATED, syntax: "LSUB reference pattern", run: listCommand("LSUB") },
  SUBSCRIBE: { states: AUTHENTICATED, syntax: "SUBSCRIBE mailbox", run: subscribe },
  UNSUBSCRIBE: { states: AUTHENTICATED, syntax: "UNSUBSCRIBE mailbox", run: subscribe },
  STATUS: { states: AUTHENTICATED, syntax: "STATUS mailbox (item ...)", run: status },
  SELECT: {
    states: AUTHENTICATED,
    syntax: "SELECT mailbox",
    deselects: true,
    run: selectCommand(false),
  },
  EXAMINE: {
    states: AUTHENTICATED,
    syntax: "EXAMINE mailbox",
    deselects: true,
    run: selectCommand(true),
  },
  CREATE: { states: AUTHENTICATED, syntax: "CREATE mailbox", run: create },
  APPEND: {
    states: AUTHENTICATED,
    syntax: "APPEND mailbox [(flags)] [date-time] {size}",
    run: append,
  },
  CHECK: { states: SELECTED, syntax: "CHECK", run: noop },
  CLOSE: { states: SELECTED, syntax: "CLOSE", run: close },
  UNSELECT: { states: SELECTED, syntax: "UNSELECT", run: unselect },
  EXPUNGE: { states: SELECTED, syntax: "EXPUNGE", run: expunge },
  FETCH: { states: SELECTED, syntax: "FETCH sequence-set items", run: fetch },
  "UID FETCH": { states: SELECTED, syntax: "UID FETCH uid-set items", run: fetch },
  STORE: { states: SELECTED, syntax: "STORE sequence-set [+|-]FLAGS[.SILENT] (flags)", run: store },
  "UID STORE": {
    states: SELECTED,
    syntax: "UID STORE uid-set [+|-]FLAGS[.SILENT] (flags)",
    run: store,
  },
  COPY: { states: SELECTED, syntax: "COPY sequence-set mailbox", run: copy },
  "UID COPY": { states: SELECTED, syntax: "UID COPY uid-set mailbox", run: copy },
  SEARCH: { states: SELECTED, syntax: "SEARCH [CHARSET name] criteria", run: search },
  "UID SEARCH": { states: SELECTED, syntax: "UID SEARCH [CHARSET name] criteria", run: search },
} satisfies Record<string, CommandSpec>;

/** A command name of the table. */
export type ImapCommandName = keyof typeof COMMANDS;

/**
 * The BAD sent for a command given in a state that does not allow it (RFC 3501 §3).
 *
 * @param name The command name, one of the table.
 * @param state The current state, which the command does not allow.
 * @returns The catalogue's NeedLogin, AlreadyLoggedIn or NeedSelected.
 *
 * @example FETCH before SELECT, and STARTTLS after LOGIN
 * ```ts
 * import assert from "node:assert/strict";
 * import { RESPONSE } from "../../../protocol/imap/responses.ts";
 * import { stateError } from "./table.ts";
 *
 * assert.deepEqual(stateError("FETCH", "authenticated"), RESPONSE.NeedSelected("FETCH"));
 * assert.deepEqual(stateError("STARTTLS", "selected"), RESPONSE.AlreadyLoggedIn("STARTTLS"));
 * assert.equal(RESPONSE.NeedSelected("FETCH").text, 'Command "FETCH" needs a selected mailbox');
 * ```
 */
export function stateError(name: ImapCommandName, state: ImapState): ImapStatusResponse<"BAD"> {
  if (state === "notAuthenticated") return RESPONSE.NeedLogin(name);
  const states: readonly ImapState[] = COMMANDS[name].states;
  if (states.includes("notAuthenticated")) return RESPONSE.AlreadyLoggedIn(name);
  return RESPONSE.NeedSelected(name);
}
