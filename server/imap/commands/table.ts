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
import { capability, enable, id, idle, logout, namespace, noop } from "./any.ts";
import { close, expunge, unselect } from "./expunge.ts";
import { fetch } from "./fetch.ts";
import { list, lsub, subscription } from "./list.ts";
import { authenticate, login } from "./login.ts";
import { create, deleteMailbox, rename, selectCommand, status } from "./mailbox.ts";
import { search } from "./search.ts";
import { sort } from "./sort.ts";
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
  IDLE: { states: AUTHENTICATED, syntax: "IDLE, then DONE", run: idle },
  LIST: {
    states: AUTHENTICATED,
    syntax: "LIST [(options)] reference pattern [RETURN (options)]",
    run: list,
  },
  LSUB: { states: AUTHENTICATED, syntax: "LSUB reference pattern", run: lsub },
  SUBSCRIBE: { states: AUTHENTICATED, syntax: "SUBSCRIBE mailbox", run: subscription(true) },
  UNSUBSCRIBE: { states: AUTHENTICATED, syntax: "UNSUBSCRIBE mailbox", run: subscription(false) },
  STATUS: { states: AUTHENTICATED, syntax: "STATUS mailbox (item ...)", run: status },
  SELECT: {
    states: AUTHENTICATED,
    syntax: "SELECT mailbox [(CONDSTORE)]",
    deselects: true,
    run: selectCommand(false),
  },
  EXAMINE: {
    states: AUTHENTICATED,
    syntax: "EXAMINE mailbox [(CONDSTORE)]",
    deselects: true,
    run: selectCommand(true),
  },
  CREATE: { states: AUTHENTICATED, syntax: "CREATE mailbox [(USE (\\Sent))]", run: create },
  DELETE: { states: AUTHENTICATED, syntax: "DELETE mailbox", run: deleteMailbox },
  RENAME: { states: AUTHENTICATED, syntax: "RENAME mailbox new-name", run: rename },
  APPEND: {
    states: AUTHENTICATED,
    syntax: "APPEND mailbox [(flags)] [date-time] {size} [...]",
    run: append,
  },
  CHECK: { states: SELECTED, syntax: "CHECK", run: noop },
  CLOSE: { states: SELECTED, syntax: "CLOSE", run: close },
  UNSELECT: { states: SELECTED, syntax: "UNSELECT", run: unselect },
  EXPUNGE: { states: SELECTED, syntax: "EXPUNGE", run: expunge },
  "UID EXPUNGE": { states: SELECTED, syntax: "UID EXPUNGE uid-set", run: expunge },
  FETCH: {
    states: SELECTED,
    syntax: "FETCH sequence-set items [(CHANGEDSINCE modseq)]",
    noExpunge: true,
    run: fetch,
  },
  "UID FETCH": {
    states: SELECTED,
    syntax: "UID FETCH uid-set items [(CHANGEDSINCE modseq)]",
    noExpunge: true,
    run: fetch,
  },
  STORE: {
    states: SELECTED,
    syntax: "STORE sequence-set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flags)",
    noExpunge: true,
    run: store,
  },
  "UID STORE": {
    states: SELECTED,
    syntax: "UID STORE uid-set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] (flags)",
    noExpunge: true,
    run: store,
  },
  COPY: { states: SELECTED, syntax: "COPY sequence-set mailbox", run: copy },
  "UID COPY": { states: SELECTED, syntax: "UID COPY uid-set mailbox", run: copy },
  MOVE: { states: SELECTED, syntax: "MOVE sequence-set mailbox", run: copy },
  "UID MOVE": { states: SELECTED, syntax: "UID MOVE uid-set mailbox", run: copy },
  SEARCH: {
    states: SELECTED,
    syntax: "SEARCH [RETURN (options)] [CHARSET name] criteria",
    noExpunge: true,
    run: search,
  },
  "UID SEARCH": {
    states: SELECTED,
    syntax: "UID SEARCH [RETURN (options)] [CHARSET name] criteria",
    noExpunge: true,
    run: search,
  },
  SORT: {
    states: SELECTED,
    syntax: "SORT (criteria) charset search-criteria",
    noExpunge: true,
    run: sort,
  },
  "UID SORT": {
    states: SELECTED,
    syntax: "UID SORT (criteria) charset search-criteria",
    noExpunge: true,
    run: sort,
  },
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
