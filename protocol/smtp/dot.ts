/**
 * Transparency (RFC 5321 §4.5.2): a line of message text that starts with "." gets one more "."
 * in front on the wire, so that it cannot be taken for the end-of-data line. The server removes
 * that dot again, exactly once.
 *
 * @module
 */

const CR = 13;
const LF = 10;
const DOT = 46;

/**
 * Prepares message text for DATA: doubles each leading dot, makes sure the text ends with CRLF,
 * and appends the end-of-data line `.` CRLF. Only CRLF ends a line, as on the server.
 *
 * @param message The message as it should arrive.
 * @returns The bytes to send after the 354 reply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dotStuff } from "./dot.ts";
 *
 * const wire = dotStuff(new TextEncoder().encode(".hidden\r\nDo you like ketchup?"));
 * assert.equal(new TextDecoder().decode(wire), "..hidden\r\nDo you like ketchup?\r\n.\r\n");
 * ```
 */
export function dotStuff(message: Uint8Array): Uint8Array {
  let dots = message[0] === DOT ? 1 : 0;
  for (let i = message.indexOf(LF); i >= 0; i = message.indexOf(LF, i + 1)) {
    if (message[i - 1] === CR && message[i + 1] === DOT) dots++;
  }
  const endsWithCrlf = message.length >= 2 && message[message.length - 2] === CR &&
    message[message.length - 1] === LF;
  const tail = endsWithCrlf || message.length === 0 ? 3 : 5;
  const out = new Uint8Array(message.length + dots + tail);
  let o = 0;
  let from = 0;
  if (message[0] === DOT) out[o++] = DOT;
  for (let i = message.indexOf(LF); i >= 0; i = message.indexOf(LF, i + 1)) {
    if (message[i - 1] === CR && message[i + 1] === DOT) {
      out.set(message.subarray(from, i + 1), o);
      o += i + 1 - from;
      out[o++] = DOT;
      from = i + 1;
    }
  }
  out.set(message.subarray(from), o);
  o += message.length - from;
  if (tail === 5) {
    out[o++] = CR;
    out[o++] = LF;
  }
  out[o++] = DOT;
  out[o++] = CR;
  out[o++] = LF;
  return out;
}
