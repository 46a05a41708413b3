/**
 * The SASL pieces that SMTP AUTH (RFC 4954) and IMAP AUTHENTICATE (RFC 3501 §6.2.2) share: base64
 * of UTF-8 text, and the PLAIN mechanism's message (RFC 4616), for both the server and the client.
 *
 * @module
 */

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes text as base64 of its UTF-8 bytes, as SASL exchanges carry it.
 *
 * @param text Any text.
 * @returns The base64 text, without line breaks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toBase64Utf8 } from "./sasl.ts";
 *
 * assert.equal(toBase64Utf8("Password:"), "UGFzc3dvcmQ6");
 * assert.equal(toBase64Utf8("밥"), "67Cl");
 * ```
 */
export function toBase64Utf8(text: string): string {
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Decodes base64 that must hold UTF-8 text.
 *
 * @param base64 The client's answer; `=` stands for an empty one (RFC 4954 §4).
 * @returns The text, or `undefined` when it is not base64 of UTF-8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromBase64Utf8 } from "./sasl.ts";
 *
 * assert.equal(fromBase64Utf8("67Cl"), "밥");
 * assert.equal(fromBase64Utf8("="), "");
 * assert.equal(fromBase64Utf8("not base64!"), undefined);
 * ```
 */
export function fromBase64Utf8(base64: string): string | undefined {
  if (base64 === "=") return "";
  try {
    return strict.decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** The three fields of a PLAIN message (RFC 4616 §2). */
export interface PlainCredentials {
  /** Who to act as; `""` for the same as `user`. */
  authzid: string;
  /** Who logs in. */
  user: string;
  /** The password. */
  password: string;
}

/**
 * Reads a PLAIN message: base64 of `authzid NUL user NUL password`.
 *
 * @param base64 The client's answer.
 * @returns The fields, or `undefined` when the answer is not a PLAIN message with a user name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePlain, encodePlain } from "./sasl.ts";
 *
 * assert.deepEqual(decodePlain(encodePlain("bob", "pickles")), { authzid: "", user: "bob", password: "pickles" });
 * assert.equal(decodePlain("Ym9i"), undefined); // "bob": no NUL separators
 * ```
 */
export function decodePlain(base64: string): PlainCredentials | undefined {
  const fields = fromBase64Utf8(base64)?.split("\0");
  if (!fields || fields.length !== 3 || fields[1] === "") return undefined;
  const [authzid, user, password] = fields;
  return { authzid, user, password };
}

/**
 * Writes a PLAIN message for a client, with an empty authzid.
 *
 * @param user Who logs in.
 * @param password The password.
 * @returns The base64 answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePlain } from "./sasl.ts";
 *
 * assert.equal(encodePlain("alice", "ketchup"), "AGFsaWNlAGtldGNodXA=");
 * ```
 */
export function encodePlain(user: string, password: string): string {
  return toBase64Utf8(`\0${user}\0${password}`);
}
