/**
 * Listing mailboxes: LIST and LSUB (RFC 3501 §6.3.8, §6.3.9), with LIST-EXTENDED (RFC 5258:
 * selection and return options, several patterns), the CHILDREN attributes (RFC 3348) and the
 * special-use attributes (RFC 6154); and SUBSCRIBE and UNSUBSCRIBE (§6.3.6, §6.3.7), kept apart
 * from which mailboxes exist.
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import { ImapSyntaxError } from "../../../protocol/imap/error.ts";
import type { ImapData } from "../../../protocol/imap/response.ts";
import type { ImapToken } from "../../../protocol/imap/lexer.ts";
import { decodeMailboxName } from "../../../protocol/imap/mutf7.ts";
import type { SessionContext } from "../context.ts";
import { DELIMITER, readMailbox, wireMailbox } from "../names.ts";

/**
 * Turns a LIST pattern into a regular expression: `*` matches anything, `%` anything but the
 * hierarchy delimiter (RFC 3501 §6.3.8).
 *
 * @param pattern The reference and pattern joined.
 * @param ignoreCase Whether case is ignored (only for INBOX).
 * @returns The expression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { patternToRegExp } from "./list.ts";
 *
 * assert.equal(patternToRegExp("Work.%", false).test("Work.Course"), true);
 * assert.equal(patternToRegExp("Work.%", false).test("Work.Course.Notes"), false);
 * assert.equal(patternToRegExp("*es", false).test("Work.Course.Notes"), true);
 * ```
 */
export function patternToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const body = [...pattern].map((c) =>
    c === "*" ? ".*" : c === "%" ? "[^.]*" : c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}$`, ignoreCase ? "i" : "");
}

// A pattern that is not valid modified UTF-7 names no mailbox here: it matches as written.
function patternText(wire: string): string {
  try {
    return decodeMailboxName(wire);
  } catch {
    return wire;
  }
}

const SELECTION = new Set(["SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"]);
const RETURNS = new Set(["SUBSCRIBED", "CHILDREN", "SPECIAL-USE"]);

interface ListRequest {
  selection: Set<string>;
  returns: Set<string>;
  patterns: string[];
  extended: boolean;
}

function atoms(token: ImapToken, allowed: Set<string>, what: string): Set<string> {
  if (token.kind !== "list") throw new ImapSyntaxError(`Expected a list of ${what}`);
  const names = new Set<string>();
  for (const item of token.items) {
    const name = item.kind === "atom" ? item.value.toUpperCase() : "";
    if (!allowed.has(name)) throw new ImapSyntaxError(`Unknown ${what} "${name}"`);
    names.add(name);
  }
  return names;
}

function readRequest(args: Arguments): ListRequest {
  let selection = new Set<string>();
  let extended = false;
  const first = args.any("reference name");
  let reference: ImapToken = first;
  if (first.kind === "list") {
    selection = atoms(first, SELECTION, "selection option");
    if (selection.has("RECURSIVEMATCH") && selection.size === 1) {
      throw new ImapSyntaxError("RECURSIVEMATCH needs another selection option");
    }
    if (
      selection.has("RECURSIVEMATCH") && selection.has("REMOTE") && selection.size === 2
    ) {
      throw new ImapSyntaxError("RECURSIVEMATCH needs SUBSCRIBED or SPECIAL-USE");
    }
    extended = true;
    reference = args.any("reference name");
  }
  if (reference.kind === "list") throw new ImapSyntaxError("Expected a reference name");
  const prefix = patternText(reference.value);
  const patternToken = args.any("mailbox pattern");
  const patterns = patternToken.kind === "list"
    ? patternToken.items.map((t) => (t.kind === "list" ? "" : t.value))
    : [patternToken.value];
  if (patternToken.kind === "list") extended = true;
  let returns = new Set<string>();
  if (args.more) {
    const word = args.atom("RETURN");
    if (word.toUpperCase() !== "RETURN") throw new ImapSyntaxError(`Unexpected "${word}"`);
    returns = atoms(args.any("return options"), RETURNS, "return option");
    extended = true;
  }
  args.end();
  return {
    selection,
    returns,
    patterns: patterns.map((p) => prefix + patternText(p)),
    extended,
  };
}

/** Every name a LIST may show: the mailboxes, their implied parents, and subscribed names. */
interface Names {
  existing: Map<string, string | undefined>; // name to special use
  subscribed: Set<string>;
  all: Set<string>;
}

async function names(session: SessionContext): Promise<Names> {
  const user = session.user!;
  const boxes = await session.store.mailboxes(user);
  const existing = new Map(boxes.map((b) => [b.name, b.specialUse]));
  const subscribed = new Set(await session.store.subscriptions(user));
  const all = new Set([...existing.keys(), ...subscribed]);
  for (const name of [...all]) {
    const parts = name.split(DELIMITER);
    for (let i = 1; i < parts.length; i++) all.add(parts.slice(0, i).join(DELIMITER));
  }
  return { existing, subscribed, all };
}

function matcher(patterns: string[]): (name: string) => boolean {
  const tests = patterns.map((p) => ({
    exact: patternToRegExp(p, false),
    inbox: patternToRegExp(p, true),
  }));
  return (name) => tests.some((t) => (name === "INBOX" ? t.inbox : t.exact).test(name));
}

function sorted(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => a === "INBOX" ? -1 : b === "INBOX" ? 1 : a < b ? -1 : 1);
}

/**
 * LIST [(selection options)] reference pattern(s) [RETURN (options)].
 *
 * @param session The session.
 * @param args The reference, the pattern or patterns, and LIST-EXTENDED's options.
 */
export async function list(session: SessionContext, args: Arguments): Promise<void> {
  const request = readRequest(args);
  if (!request.extended && request.patterns.length === 1 && request.patterns[0] === "") {
    // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
    session.send("* LIST", [["\\Noselect"], { string: DELIMITER }, { string: "" }]);
    return;
  }
  const { existing, subscribed, all } = await names(session);
  const matches = matcher(request.patterns);
  const onlySubscribed = request.selection.has("SUBSCRIBED");
  const onlySpecial = request.selection.has("SPECIAL-USE");
  const recursive = request.selection.has("RECURSIVEMATCH");
  const showSubscribed = onlySubscribed || request.returns.has("SUBSCRIBED");
  const selected = (name: string) =>
    (!onlySubscribed || subscribed.has(name)) && (!onlySpecial || existing.get(name) !== undefined);
  for (const name of sorted(all)) {
    if (!matches(name)) continue;
    const children = [...all].filter((other) => other.startsWith(name + DELIMITER));
    // RFC 5258 §3.5: a parent is shown for its selected children that the patterns do not show.
    const childSelected = recursive && children.some((c) => selected(c) && !matches(c));
    const exists = existing.has(name);
    if (!selected(name)) {
      if (!childSelected) continue;
    } else if (!exists && !onlySubscribed && !children.some((c) => existing.has(c))) {
      continue; // a subscribed name that exists nowhere, in a plain LIST
    }
    const attributes: string[] = [];
    if (!exists) attributes.push(request.extended ? "\\NonExistent" : "\\Noselect");
    const hasChildren = children.some((c) => existing.has(c));
    if (!request.extended || request.returns.has("CHILDREN")) {
      attributes.push(hasChildren ? "\\HasChildren" : "\\HasNoChildren");
    } else if (hasChildren && !exists) {
      attributes.push("\\HasChildren");
    }
    if (showSubscribed && subscribed.has(name)) attributes.push("\\Subscribed");
    const use = existing.get(name);
    if (use) attributes.push(use);
    const data: ImapData[] = [attributes, { string: DELIMITER }, wireMailbox(name)];
    if (childSelected && !selected(name)) {
      data.push([{ string: "CHILDINFO" }, [{ string: "SUBSCRIBED" }]]);
    }
    session.send("* LIST", data);
  }
}

/**
 * LSUB reference pattern: the subscribed names that match; with `%`, a parent of a subscribed
 * name that is not subscribed itself shows as `\Noselect` (RFC 3501 §6.3.9).
 *
 * @param session The session.
 * @param args The reference and the pattern.
 */
export async function lsub(session: SessionContext, args: Arguments): Promise<void> {
  const reference = patternText(args.astring("reference name"));
  const pattern = reference + patternText(args.astring("mailbox pattern"));
  args.end();
  const { existing, subscribed } = await names(session);
  const matches = matcher([pattern]);
  const shown = new Map<string, string[]>();
  for (const name of subscribed) {
    if (matches(name)) {
      shown.set(name, existing.has(name) ? [] : ["\\Noselect"]);
      continue;
    }
    const parts = name.split(DELIMITER);
    for (let i = parts.length - 1; i >= 1; i--) {
      const parent = parts.slice(0, i).join(DELIMITER);
      if (matches(parent) && !subscribed.has(parent)) shown.set(parent, ["\\Noselect"]);
    }
  }
  for (const name of sorted(shown.keys())) {
    session.send("* LSUB", [shown.get(name)!, { string: DELIMITER }, wireMailbox(name)]);
  }
}

/**
 * Makes SUBSCRIBE or UNSUBSCRIBE: a subscription is a name the client wants listed by LSUB,
 * whether the mailbox exists or not.
 *
 * @param subscribed True for SUBSCRIBE.
 * @returns The handler.
 */
export function subscription(
  subscribed: boolean,
): (session: SessionContext, args: Arguments) => Promise<void> {
  return async (session, args) => {
    const name = readMailbox(args);
    args.end();
    await session.store.setSubscribed(session.user!, name, subscribed);
  };
}
