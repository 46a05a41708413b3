/**
 * Modified UTF-7 (RFC 3501 §5.1.3): how IMAP4rev1 writes mailbox names that are not plain
 * ASCII. Printable ASCII stands for itself, `&` is written `&-`, and any other run of characters
 * is `&`, their UTF-16 in base64 (with `,` for `/` and no padding), then `-`. A folder called
 * `Brouillons é` travels as `Brouillons &AOk-`.
 *
 * @module
 */
import { ImapSyntaxError } from "./error.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/**
 * Writes a mailbox name in modified UTF-7.
 *
 * @param name The name as text.
 * @returns The name as IMAP4rev1 sends it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeMailboxName } from "./mutf7.ts";
 *
 * assert.equal(encodeMailboxName("päivä"), "p&AOQ-iv&AOQ-");
 * assert.equal(encodeMailboxName("Tom & Jerry"), "Tom &- Jerry");
 * assert.equal(encodeMailboxName("받은편지함"), "&vBvHQNO4ycDVaA-");
 * ```
 */
export function encodeMailboxName(name: string): string {
  let out = "";
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    let bits = 0;
    let value = 0;
    out += "&";
    for (const unit of run) {
      value = (value << 16) | unit;
      bits += 16;
      while (bits >= 6) {
        bits -= 6;
        out += ALPHABET[(value >> bits) & 0x3f];
      }
    }
    if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 0x3f];
    out += "-";
    run = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (isDirect(code)) {
      flush();
      out += code === 0x26 ? "&-" : name[i];
    } else {
      run.push(code);
    }
  }
  flush();
  return out;
}

/**
 * Reads a mailbox name written in modified UTF-7, strictly: a client that sends anything else
 * (raw 8-bit text, a bad base64 run, a run that encodes plain ASCII) gets an error, not a guess.
 *
 * @param wire The name as the client sent it.
 * @returns The name as text.
 * @throws {ImapSyntaxError} When it is not valid modified UTF-7.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMailboxName } from "./mutf7.ts";
 *
 * assert.equal(decodeMailboxName("p&AOQA5A-"), "pää");
 * assert.equal(decodeMailboxName("Tom &- Jerry"), "Tom & Jerry");
 * assert.throws(() => decodeMailboxName("p&AOQ"), { name: "ImapSyntaxError" });
 * assert.throws(() => decodeMailboxName("päivä"), { name: "ImapSyntaxError" });
 * ```
 */
export function decodeMailboxName(wire: string): string {
  const bad = (why: string) => new ImapSyntaxError(`Invalid mailbox name "${wire}": ${why}`);
  let out = "";
  for (let i = 0; i < wire.length; i++) {
    const code = wire.charCodeAt(i);
    if (!isDirect(code)) throw bad("not modified UTF-7 (RFC 3501 §5.1.3)");
    if (wire[i] !== "&") {
      out += wire[i];
      continue;
    }
    const end = wire.indexOf("-", i + 1);
    if (end < 0) throw bad("an & run without its closing -");
    if (end === i + 1) {
      out += "&";
      i = end;
      continue;
    }
    let bits = 0;
    let value = 0;
    const units: number[] = [];
    for (const c of wire.slice(i + 1, end)) {
      const digit = ALPHABET.indexOf(c);
      if (digit < 0) throw bad(`"${c}" in an & run`);
      value = ((value << 6) | digit) & 0xffffff;
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        units.push((value >> bits) & 0xffff);
      }
    }
    if (bits >= 6 || (value & ((1 << bits) - 1)) !== 0) throw bad("a badly padded & run");
    if (units.some(isDirect)) throw bad("an & run that encodes plain ASCII");
    out += String.fromCharCode(...units);
    i = end;
  }
  return out;
}
