/**
 * A tiny but real Internet mail system for learning how mail works (Kurose & Ross, section 2.3):
 * an SMTP server and relay client with a retry queue, an RFC 5322 message parser and builder, an
 * IMAP-lite server and reader, a user agent, and the two-domain lab (crepes.fr and hamburger.edu)
 * that runs them against one another.
 *
 * @example Parse a reply the way a client does
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReplyReader } from "./mod.ts";
 *
 * const reply = new ReplyReader().push("250 Hello crepes.fr, pleased to meet you");
 * assert.equal(reply?.code, 250);
 * ```
 *
 * @module
 */
export * from "./protocol/mod.ts";
export * from "./message/mod.ts";
export * from "./server/mod.ts";
export * from "./client/mod.ts";
export * from "./ua/mod.ts";
export * from "./lab/mod.ts";
