/**
 * LIST and LSUB (RFC 3501 §6.3.8, §6.3.9): mailbox names matching a pattern, where `*` matches
 * anything and `%` anything but the hierarchy delimiter `.`.
 *
 * @module
 */
import type { Arguments } from "../../../protocol/imap/command.ts";
import type { SessionContext } from "../context.ts";

/** The hierarchy delimiter of this server's mailbox names. */
export const DELIMITER = ".";

/**
 * Turns a LIST pattern into a regular expression.
 *
 * @param pattern Such as `Work.%` or `*`.
 * @param ignoreCase Whether to ignore case (for INBOX, whose name is case-insensitive).
 * @returns The expression, anchored at both ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { patternToRegExp } from "./list.ts";
 *
 * assert.equal(patternToRegExp("Work.%", false).test("Work.Course"), true);
 * assert.equal(patternToRegExp("Work.%", false).test("Work.Course.Notes"), false);
 * assert.equal(patternToRegExp("*", false).test("Work.Course.Notes"), true);
 * ```
 */
export function patternToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const body = [...pattern].map((c) =>
    c === "*" ? ".*" : c === "%" ? "[^.]*" : c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}$`, ignoreCase ? "i" : "");
}

/**
 * Makes the LIST or LSUB command; this server treats every mailbox as subscribed.
 *
 * @param name `LIST` or `LSUB`.
 * @returns The handler.
 */
export function listCommand(
  name: "LIST" | "LSUB",
): (session: SessionContext, args: Arguments) => Promise<void> {
  return async (session, args) => {
    const reference = args.astring("reference name");
    const pattern = args.astring("mailbox pattern");
    args.end();
    if (pattern === "") {
      // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
      if (name === "LIST") {
        session.send("* LIST", [["\\Noselect"], { string: DELIMITER }, { string: "" }]);
      }
      return;
    }
    const existing = await session.store.mailboxes(session.user!);
    const all = new Set(existing);
    for (const box of existing) {
      const parts = box.split(DELIMITER);
      for (let i = 1; i < parts.length; i++) all.add(parts.slice(0, i).join(DELIMITER));
    }
    const full = reference + pattern;
    const exact = patternToRegExp(full, false);
    const inbox = patternToRegExp(full, true);
    for (
      const box of [...all].sort((a, b) => a === "INBOX" ? -1 : b === "INBOX" ? 1 : a < b ? -1 : 1)
    ) {
      if (!(box === "INBOX" ? inbox : exact).test(box)) continue;
      const children = [...all].some((other) => other.startsWith(box + DELIMITER));
      const attributes = [children ? "\\HasChildren" : "\\HasNoChildren"];
      if (!existing.includes(box)) attributes.unshift("\\Noselect");
      session.send(`* ${name}`, [attributes, { string: DELIMITER }, { string: box }]);
    }
  };
}

/**
 * SUBSCRIBE and UNSUBSCRIBE: accepted for existing mailboxes; every mailbox counts as subscribed.
 *
 * @param session The session.
 * @param args The mailbox name.
 */
export async function subscribe(session: SessionContext, args: Arguments): Promise<void> {
  const mailbox = args.astring("mailbox name");
  args.end();
  await session.store.status(session.user!, mailbox);
}
