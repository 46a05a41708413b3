/**
 * How client input appears in a transcript: passwords masked, control characters escaped, long
 * or binary literals summarised.
 *
 * @module
 */

// deno-lint-ignore no-control-regex -- control characters are shown escaped in transcripts
const CONTROL = /[\x00-\x1f\x7f]/g;
const SECRET = /^\S+ (LOGIN|AUTHENTICATE)(?: |$)/i;
const LOGIN = /^(\S+ LOGIN )("(?:[^"\\]|\\.)*"|[^\s"{]+)/i;
const AUTHENTICATE = /^(\S+ AUTHENTICATE \S+)( .*)?$/i;

/**
 * Shows the first line of a command for a transcript. LOGIN keeps its user name and hides the
 * password; AUTHENTICATE hides its initial response.
 *
 * @param line The line as received.
 * @returns The text to record, and whether the rest of the command is secret too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskCommandLine } from "./masking.ts";
 *
 * assert.deepEqual(maskCommandLine("a1 LOGIN bob pickles"), { text: "a1 LOGIN bob ****", secret: true });
 * assert.deepEqual(maskCommandLine("a2 AUTHENTICATE PLAIN AGJvYgBwaWNrbGVz"), {
 *   text: "a2 AUTHENTICATE PLAIN ****",
 *   secret: true,
 * });
 * assert.deepEqual(maskCommandLine("a3 NOOP\x00"), { text: "a3 NOOP\\x00", secret: false });
 * ```
 */
export function maskCommandLine(line: string): { text: string; secret: boolean } {
  if (!SECRET.test(line)) return { text: escapeControls(line), secret: false };
  const login = LOGIN.exec(line);
  const auth = AUTHENTICATE.exec(line);
  const text = login
    ? `${login[1]}${login[2]} ****`
    : auth
    ? `${auth[1]}${auth[2] ? " ****" : ""}`
    : `${line.split(" ").slice(0, 2).join(" ")} ****`;
  return { text: escapeControls(text), secret: true };
}

/**
 * Shows a literal for a transcript: short printable text as itself, anything else as its size.
 *
 * @param bytes The literal.
 * @param secret Whether it belongs to a secret command.
 * @returns Such as `INBOX`, `(1234 bytes)` or `****`.
 */
export function showLiteral(bytes: Uint8Array, secret: boolean): string {
  if (secret) return "****";
  const printable = bytes.length <= 80 && bytes.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? new TextDecoder().decode(bytes) : `(${bytes.length} bytes)`;
}

/**
 * Escapes control characters as `\xNN`, so a transcript line stays one printable line.
 *
 * @param text Any text.
 * @returns The text with control characters escaped.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
