/**
 * The IMAP-lite server (RFC 3501): the session state machine, its command table, and the TCP
 * server that runs it.
 *
 * @example Run a session by hand, without a socket
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { ImapSession } from "./mod.ts";
 *
 * const session = new ImapSession({ store: new MemoryStore() });
 * session.greeting();
 * const out = await session.receiveLine("a1 NOOP");
 * assert.deepEqual(out.lines, ["a1 OK NOOP completed"]);
 * ```
 *
 * @module
 */
export { type ImapExpectation, type ImapLimits, type ImapSessionOptions } from "./options.ts";
export { ImapSession } from "./session.ts";
export { type ImapOutput } from "./output.ts";
export { type ImapState } from "./context.ts";
export { COMMANDS, type ImapCommandName } from "./commands/table.ts";
export { ImapServer, type ImapServerLimits, type ImapServerOptions } from "./server.ts";
