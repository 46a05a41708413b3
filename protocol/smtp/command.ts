/**
 * SMTP command lines (RFC 5321 §4.1): the verb, and the paths and parameters of MAIL and RCPT.
 *
 * @module
 */

/** A command line split into its verb and the rest. */
export interface SmtpCommandLine {
  /** The verb in upper case (`MAIL`). */
  verb: string;
  /** Everything after the verb and its space, as sent. */
  args: string;
}

/**
 * Splits a command line into verb and arguments. Verbs are case-insensitive (RFC 5321 §2.4).
 *
 * @param line The line without CRLF.
 * @returns The verb in upper case and the rest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitCommand } from "./command.ts";
 *
 * assert.deepEqual(splitCommand("mail FROM: <alice@crepes.fr>"), {
 *   verb: "MAIL",
 *   args: "FROM: <alice@crepes.fr>",
 * });
 * ```
 */
export function splitCommand(line: string): SmtpCommandLine {
  const space = line.indexOf(" ");
  if (space < 0) return { verb: line.toUpperCase(), args: "" };
  return { verb: line.slice(0, space).toUpperCase(), args: line.slice(space + 1).trim() };
}

/** The path and parameters of a MAIL FROM or RCPT TO command. */
export interface SmtpPath {
  /** The address without angle brackets; `""` for the null reverse-path `<>`. */
  address: string;
  /** ESMTP parameters (`SIZE=1000`, `BODY=8BITMIME`, `SMTPUTF8`), keys in upper case. */
  params: Record<string, string | true>;
}

/** A MAIL or RCPT argument that does not follow RFC 5321 §4.1.2. */
export class PathSyntaxError extends SyntaxError {
  /**
   * Creates the error.
   *
   * @param message What is wrong, quoting the value.
   */
  constructor(message: string) {
    super(message);
    this.name = "PathSyntaxError";
  }
}

/**
 * ```
 * atext      = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" /
 *              "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"        (RFC 5322 §3.2.3)
 * Dot-string = Atom *("."  Atom)
 * Local-part = Dot-string / Quoted-string
 * Domain     = sub-domain *("." sub-domain)
 * sub-domain = Let-dig [Ldh-str]
 * ```
 * RFC 6531 (SMTPUTF8) widens atext and sub-domains to any UTF-8 beyond ASCII.
 */
const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uFFFF]+";
const DOT_STRING = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uffff]|\\[\x20-\x7e])*"$/;
const LABEL =
  "[A-Za-z0-9\\u0080-\\uFFFF](?:[A-Za-z0-9\\-\\u0080-\\uFFFF]*[A-Za-z0-9\\u0080-\\uFFFF])?";
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const ADDRESS_LITERAL = /^\[(?:\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\]$/;

/**
 * Checks a mailbox address (`local@domain`, or `postmaster` alone, which RFC 5321 §4.1.1.3 lets
 * every server receive).
 *
 * @param address The address without angle brackets.
 * @returns Why it is wrong, or `undefined` when it is fine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addressProblem } from "./command.ts";
 *
 * assert.equal(addressProblem("bob@hamburger.edu"), undefined);
 * assert.equal(addressProblem("bob"), "missing @domain");
 * assert.equal(addressProblem("bob@ham burger.edu"), 'bad domain "ham burger.edu"');
 * ```
 */
export function addressProblem(address: string): string | undefined {
  const at = address.lastIndexOf("@");
  if (at < 0) return address.toLowerCase() === "postmaster" ? undefined : "missing @domain";
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length === 0) return "empty local part";
  if (local.length > 64 && !local.startsWith('"')) return "local part over 64 octets";
  if (!DOT_STRING.test(local) && !QUOTED.test(local)) return `bad local part "${local}"`;
  if (domain.length === 0) return "empty domain";
  if (domain.length > 255) return "domain over 255 octets";
  if (!DOMAIN.test(domain) && !ADDRESS_LITERAL.test(domain)) return `bad domain "${domain}"`;
  return undefined;
}

/**
 * Parses the argument of MAIL or RCPT: `FROM:<path> [params]` or `TO:<path> [params]`.
 * Lenient where people type by hand, as the course does: a space after the colon
 * (`MAIL FROM: <alice@crepes.fr>`) and a missing pair of angle brackets are accepted.
 *
 * ```
 * mail = "MAIL FROM:" Reverse-path [SP Mail-parameters]
 * rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
 *        [SP Rcpt-parameters]
 * esmtp-param = esmtp-keyword ["=" esmtp-value]
 * ```
 *
 * @param args The text after the verb.
 * @param keyword `"FROM"` or `"TO"`.
 * @returns The address and parameters.
 * @throws {PathSyntaxError} When the argument does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePath } from "./command.ts";
 *
 * assert.deepEqual(parsePath("FROM: <alice@crepes.fr> SIZE=120 BODY=8BITMIME", "FROM"), {
 *   address: "alice@crepes.fr",
 *   params: { SIZE: "120", BODY: "8BITMIME" },
 * });
 * assert.equal(parsePath("FROM:<>", "FROM").address, "");
 * ```
 */
export function parsePath(args: string, keyword: "FROM" | "TO"): SmtpPath {
  const head = args.slice(0, keyword.length + 1).toUpperCase();
  if (head !== `${keyword}:`) throw new PathSyntaxError(`Expected "${keyword}:"`);
  const rest = args.slice(keyword.length + 1).trimStart();
  let address: string;
  let tail: string;
  if (rest.startsWith("<")) {
    const close = closingBracket(rest);
    if (close < 0) throw new PathSyntaxError(`Missing ">" in "${rest}"`);
    address = rest.slice(1, close);
    tail = rest.slice(close + 1);
    // RFC 5321 §4.1.2: an obsolete source route "@a,@b:user@c" is accepted and ignored.
    const route = /^@[^:]*:/.exec(address);
    if (route) address = address.slice(route[0].length);
  } else {
    const space = rest.indexOf(" ");
    address = space < 0 ? rest : rest.slice(0, space);
    tail = space < 0 ? "" : rest.slice(space);
    if (address === "") throw new PathSyntaxError("Missing address");
  }
  if (tail !== "" && !tail.startsWith(" ")) {
    throw new PathSyntaxError(`Unexpected text after the address: "${tail}"`);
  }
  if (address === "" && keyword === "TO") throw new PathSyntaxError("Empty recipient <>");
  return { address, params: parseParams(tail.trim()) };
}

function closingBracket(text: string): number {
  // The usual case: no quoted local part before the first ">", which is then the closing one.
  const first = text.indexOf(">", 1), quote = text.indexOf('"', 1);
  if (quote < 0 || (first >= 0 && first < quote)) return first;
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ">" && !quoted) return i;
  }
  return -1;
}

function parseParams(text: string): Record<string, string | true> {
  const params: Record<string, string | true> = {};
  if (text === "") return params;
  for (const word of text.split(/ +/)) {
    const eq = word.indexOf("=");
    const key = (eq < 0 ? word : word.slice(0, eq)).toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(key)) throw new PathSyntaxError(`Bad parameter "${word}"`);
    params[key] = eq < 0 ? true : word.slice(eq + 1);
  }
  return params;
}

/**
 * The domain of an address, in lower case.
 *
 * @param address `local@domain`.
 * @returns The domain, or `""` when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { domainOf } from "./command.ts";
 *
 * assert.equal(domainOf("Bob@Hamburger.EDU"), "hamburger.edu");
 * ```
 */
export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? "" : address.slice(at + 1).toLowerCase();
}

/**
 * The local part of an address.
 *
 * @param address `local@domain`.
 * @returns The part before the last `@`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localPartOf } from "./command.ts";
 *
 * assert.equal(localPartOf("bob@hamburger.edu"), "bob");
 * ```
 */
export function localPartOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : address.slice(0, at);
}
