/**
 * Server responses on the wire (RFC 3501 §7): untagged data, status responses with codes, and
 * the strings inside them, quoted when they can be and sent as literals when they cannot.
 *
 * ```
 * response-data   = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data /
 *                   capability-data) CRLF
 * response-tagged = tag SP resp-cond-state CRLF
 * resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
 * resp-cond-bye   = "BYE" SP resp-text
 * resp-text       = ["[" resp-text-code "]" SP] text
 * string        = quoted / literal
 * literal       = "{" number "}" CRLF *CHAR8
 * ```
 *
 * @module
 */
import { concatBytes } from "../byte_builder.ts";

/** Text that goes out as an IMAP string: quoted when it can be, a literal when it cannot. */
export interface ImapStringData {
  /** The text. */
  string: string;
}

/**
 * One value of a response: a string is written raw (an atom, a number, a flag, a label such as
 * `BODY[]`); `{ string }` is quoted or sent as a literal; bytes always go as a literal (a NUL in
 * them as 0x80); `null` is NIL; an array is a parenthesised list.
 */
export type ImapData = string | ImapStringData | Uint8Array | null | readonly ImapData[];

/** A response ready for the socket, and its lines for a transcript. */
export interface FormattedResponse {
  /** The bytes to send, CRLF included. */
  bytes: Uint8Array;
  /**
   * The response as transcript lines: a literal ends its line with `{n}`, and a line
   * `(n bytes)` stands for its content.
   */
  lines: string[];
}

/** The status of a status response the server sends: OK, NO, BAD or BYE (RFC 3501 §7.1). */
export type ImapStatusName = "OK" | "NO" | "BAD" | "BYE";

/**
 * A status response without its tag (RFC 3501 §7.1): the status, an optional response code and
 * a text for people. The catalogue `RESPONSE` holds every one the server sends.
 */
export interface ImapStatusResponse<S extends ImapStatusName = ImapStatusName> {
  /** OK, NO, BAD or BYE. */
  readonly status: S;
  /** The response code without brackets, such as `TRYCREATE` or `UIDNEXT 5`. */
  readonly code?: string;
  /** The human-readable text after the code. */
  readonly text: string;
}

const encoder = new TextEncoder();

/**
 * Formats a status response as one line without its CRLF: `tag STATUS [CODE] text`, with `*` as
 * the tag of an untagged response (BYE is always untagged).
 *
 * @param tag The command's tag, or `*`.
 * @param response The status, code and text.
 * @returns The line.
 *
 * @example A tagged NO with a code, and an untagged BYE
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatStatus } from "./response.ts";
 *
 * const refused = { status: "NO", code: "TRYCREATE", text: 'No mailbox "Sent"' } as const;
 * assert.equal(formatStatus("a3", refused), 'a3 NO [TRYCREATE] No mailbox "Sent"');
 * const bye = { status: "BYE", text: "Server shutting down" } as const;
 * assert.equal(formatStatus("*", bye), "* BYE Server shutting down");
 * // A text never breaks the line: control characters show as \xHH, 8-bit ones as \uHHHH.
 * const forged = { status: "NO", text: 'No mailbox "x\r\n* 9 EXISTS"' } as const;
 * assert.equal(formatStatus("a4", forged), 'a4 NO No mailbox "x\\x0d\\x0a* 9 EXISTS"');
 * const eightBit = { status: "NO", text: 'No mailbox "Caf\u00e9"' } as const;
 * assert.equal(formatStatus("a5", eightBit), 'a5 NO No mailbox "Caf\\u00e9"');
 * ```
 */
export function formatStatus(tag: string, response: ImapStatusResponse): string {
  const code = response.code ? ` [${shown(response.code)}]` : "";
  return `${tag} ${response.status}${code} ${shown(response.text)}`;
}

// A status line is one line: a client's CR, LF or NUL echoed in a text (a mailbox name in an
// error) would end it early and let the client forge the lines after it, `* 99 EXISTS` or a
// tagged OK. Control characters are written as \xHH instead, and 8-bit characters, which a
// text may not hold either (RFC 3501 §9: TEXT-CHAR is 7-bit), as \uHHHH.
// deno-lint-ignore no-control-regex -- control characters are exactly what is replaced
const UNSHOWN = /[\x00-\x1f\x7f-\uffff]/;
// deno-lint-ignore no-control-regex -- the same characters, to replace them all
const UNSHOWN_ALL = /[\x00-\x1f\x7f-\uffff]/g;
function shown(text: string): string {
  if (!UNSHOWN.test(text)) return text;
  return text.replace(UNSHOWN_ALL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Formats one response: a head such as `* 1 FETCH` followed by data values.
 *
 * @param head The start of the response, written raw.
 * @param data The values after it, separated by spaces.
 * @returns The bytes and the transcript lines.
 *
 * @example A FETCH response with a literal
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatResponse } from "./response.ts";
 *
 * const body = new TextEncoder().encode("Hi\r\n");
 * const out = formatResponse("* 1 FETCH", [["UID", "7", "BODY[]", body]]);
 * assert.equal(new TextDecoder().decode(out.bytes), "* 1 FETCH (UID 7 BODY[] {4}\r\nHi\r\n)\r\n");
 * assert.deepEqual(out.lines, ["* 1 FETCH (UID 7 BODY[] {4}", "(4 bytes)", ")"]);
 * // No string holds NUL (RFC 3501 §4.3.1): a text's shows as U+FFFD, a message's as 0x80.
 * const nul = formatResponse("*", [{ string: "a\0b" }, new Uint8Array([0x61, 0])]);
 * assert.deepEqual([...nul.bytes.subarray(-10)], [...new TextEncoder().encode(" {2}\r\na"), 0x80, 13, 10]);
 * assert.match(new TextDecoder().decode(nul.bytes), /^\* \{5\}\r\na\ufffdb /);
 * ```
 */
export function formatResponse(head: string, data: readonly ImapData[] = []): FormattedResponse {
  const { parts, lines } = responseParts(head, data);
  const bytes = parts.map((part) => typeof part === "string" ? encoder.encode(part) : part);
  return { bytes: concatBytes(bytes), lines }; // one part (no literal): its bytes, not a copy
}

/** A response as its wire parts, for an output that encodes many at once. */
export interface ResponseParts {
  /**
   * In order: text (CRLFs included; ASCII but for what a caller wrote raw) and the bytes of each
   * literal. A response without literals is one text.
   */
  parts: (string | Uint8Array)[];
  /** The transcript lines, as in {@linkcode FormattedResponse}. */
  lines: string[];
}

/**
 * Formats one response as {@linkcode formatResponse} does, leaving its text unencoded: an output
 * that collects thousands of responses (a FETCH of a whole mailbox) encodes their text in one
 * go instead of making a buffer for each.
 *
 * @param head The start of the response, written raw.
 * @param data The values after it, separated by spaces.
 * @returns The text and literals, and the transcript lines.
 *
 * @example A literal splits the text
 * ```ts
 * import assert from "node:assert/strict";
 * import { responseParts } from "./response.ts";
 *
 * const body = new TextEncoder().encode("Hi\r\n");
 * const { parts } = responseParts("* 1 FETCH", [["UID", "7", "BODY[]", body]]);
 * assert.deepEqual(parts, ["* 1 FETCH (UID 7 BODY[] {4}\r\n", body, ")\r\n"]);
 * assert.deepEqual(responseParts("* 2 EXISTS").parts, ["* 2 EXISTS\r\n"]);
 * ```
 */
export function responseParts(head: string, data: readonly ImapData[] = []): ResponseParts {
  const out = new ResponseText(head);
  for (const value of data) {
    out.text(" ");
    write(out, value);
  }
  return out.finish();
}

/**
 * Quotes text as an IMAP quoted string, or returns undefined when it must be a literal
 * (CR, LF, NUL or 8-bit characters).
 *
 * @param text Any text.
 * @returns The quoted string with `"` and `\` escaped, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quote } from "./response.ts";
 *
 * assert.equal(quote('say "hi"'), '"say \\"hi\\""');
 * assert.equal(quote("two\r\nlines"), undefined);
 * ```
 */
export function quote(text: string): string | undefined {
  // deno-lint-ignore no-control-regex -- these characters cannot live in a quoted string
  if (/[\x00\r\n\x80-\uffff]/.test(text) || text.length > 1000) return undefined;
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const ATOM = /^[A-Za-z0-9!#$&'+,\-./:;<=>?@^_`|~]+$/;

/**
 * Writes text as an astring: an atom when it can be one, otherwise quoted. Used by clients for
 * command arguments; returns undefined when only a literal would do.
 *
 * @param text Such as a user name or mailbox name.
 * @returns The wire form, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatAstring } from "./response.ts";
 *
 * assert.equal(formatAstring("INBOX"), "INBOX");
 * assert.equal(formatAstring("my box"), '"my box"');
 * assert.equal(formatAstring(""), '""');
 * ```
 */
export function formatAstring(text: string): string | undefined {
  return ATOM.test(text) && text.toUpperCase() !== "NIL" ? text : quote(text);
}

// RFC 3501 §9: flag-keyword = atom, flag-extension = "\" atom; an atom is CHARs but
// atom-specials: ( ) { SP CTL % * " \ ]
const FLAG = /^\\?[\x21\x23\x24\x26\x27\x2b-\x5b\x5e-\x7a\x7c-\x7e]+$/;

/**
 * Whether text can be sent as a flag: a system flag or keyword that is an IMAP atom (RFC 3501
 * §9). A flag cannot be quoted, so one that is not an atom (8-bit characters, which a store may
 * keep) cannot be shown at all.
 *
 * @param text A flag or keyword.
 * @returns True when it is `\` and an atom, or an atom.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFlag } from "./response.ts";
 *
 * assert.equal(isFlag("\\Seen"), true);
 * assert.equal(isFlag("$Label[1"), true);
 * assert.equal(isFlag("caf\u00e9"), false);
 * assert.equal(isFlag("a]b"), false);
 * ```
 */
export function isFlag(text: string): boolean {
  return FLAG.test(text);
}

/**
 * The flags of a list that can be sent (see {@linkcode isFlag}): the list itself when all can.
 *
 * @param flags Flags and keywords.
 * @returns Those that are atoms, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendableFlags } from "./response.ts";
 *
 * const flags = ["\\Seen", "$Junk"];
 * assert.equal(sendableFlags(flags), flags);
 * assert.deepEqual(sendableFlags(["\\Seen", "na\u00efve", "$Junk"]), ["\\Seen", "$Junk"]);
 * ```
 */
export function sendableFlags(flags: string[]): string[] {
  return flags.every(isFlag) ? flags : flags.filter(isFlag);
}

// RFC 3501 §4.3.1: a string with NUL is a binary string, which IMAP4rev1 does not permit, not
// even as a literal (CHAR8 is %x01-ff). A message's NUL goes out as 0x80, as Dovecot sends it,
// so sizes and offsets stay true; a text's as U+FFFD.
function withoutNul(bytes: Uint8Array): Uint8Array {
  return bytes.indexOf(0) < 0 ? bytes : bytes.map((b) => b === 0 ? 0x80 : b);
}

function write(out: ResponseText, value: ImapData): void {
  if (value === null) {
    out.text("NIL");
  } else if (typeof value === "string") {
    out.text(value);
  } else if (value instanceof Uint8Array) {
    out.literal(withoutNul(value));
  } else if (Array.isArray(value)) {
    out.text("(");
    value.forEach((item, i) => {
      if (i > 0) out.text(" ");
      write(out, item);
    });
    out.text(")");
  } else {
    const text = (value as ImapStringData).string;
    const quoted = quote(text);
    if (quoted !== undefined) out.text(quoted);
    else out.literal(encoder.encode(text.replaceAll("\0", "\ufffd")));
  }
}

class ResponseText {
  #parts: (string | Uint8Array)[] = [];
  #pending = "";
  #lines: string[] = [];
  #line = "";

  constructor(head: string) {
    this.text(head);
  }

  text(text: string): void {
    this.#pending += text;
    this.#line += text;
  }

  literal(bytes: Uint8Array): void {
    this.text(`{${bytes.length}}`);
    this.#parts.push(this.#pending + "\r\n", bytes);
    this.#pending = "";
    this.#lines.push(this.#line, `(${bytes.length} bytes)`);
    this.#line = "";
  }

  finish(): ResponseParts {
    this.#parts.push(this.#pending + "\r\n");
    if (this.#line !== "" || this.#lines.length === 0) this.#lines.push(this.#line);
    return { parts: this.#parts, lines: this.#lines };
  }
}
