/**
 * Validation of a parsed message against a chosen rule. The course (Kurose & Ross §2.3.2) says a
 * message needs `From:` and `To:`; RFC 5322 §3.6 says `From:` and `Date:` (and at most one of
 * each of the single fields). The rule is an option so a notebook can show both.
 *
 * @module
 */

import { parseDate } from "./date.ts";
import { MessageSyntaxError } from "./errors.ts";
import type { HeaderField } from "./header.ts";
import type { ParsedMessage } from "./parse.ts";
import { parseMailboxes } from "./address.ts";

/** Options of {@linkcode validateMessage}. */
export interface ValidateOptions {
  /**
   * `course`: From and To are required. `rfc5322`: From and Date are required, single fields
   * occur at most once, and every problem of the lenient parse counts.
   * @default "rfc5322"
   */
  rule?: "course" | "rfc5322";
}

const SINGLE = [
  "date",
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "message-id",
  "in-reply-to",
  "references",
  "subject",
];

/**
 * Checks a parsed message and throws the first failure, with the line and column where it was
 * found (for a missing field: the blank line that ends the header).
 *
 * @param message The parsed message.
 * @param options Which rule to enforce.
 * @throws {MessageSyntaxError} When the message breaks the rule.
 *
 * @example The course's rule and RFC 5322's disagree on a message without Date
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "./parse.ts";
 * import { validateMessage } from "./validate.ts";
 *
 * const message = parseMessage("From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\n\r\nHi\r\n");
 * validateMessage(message, { rule: "course" });
 * assert.throws(() => validateMessage(message, { rule: "rfc5322" }), {
 *   name: "MessageSyntaxError",
 *   message: 'Missing required header field "Date" (RFC 5322 §3.6)',
 *   line: 3,
 * });
 * ```
 */
export function validateMessage(message: ParsedMessage, options: ValidateOptions = {}): void {
  const rule = options.rule ?? "rfc5322";
  const header = message.header;
  const at = (offset: number) => header.position(offset);
  const required = rule === "course" ? ["From", "To"] : ["From", "Date"];
  const source = rule === "course" ? "the course's rule" : "RFC 5322 §3.6";
  for (const name of required) {
    if (!header.has(name)) {
      throw new MessageSyntaxError(
        `Missing required header field "${name}" (${source})`,
        at(header.end),
      );
    }
  }
  const valueAt = (field: HeaderField) => {
    const position = at(field.offset);
    return { line: position.line, column: position.column + field.name.length + 1 };
  };
  for (const field of header.fields) {
    if ((field.key === "from" || field.key === "to") && rule === "course" || field.key === "from") {
      const mailboxes = parseMailboxes(field.value);
      const bad = mailboxes.find((m) => !/^[^@\s]+@[^@\s]+$/.test(m.address));
      if (mailboxes.length === 0 && field.key === "from" || bad) {
        throw new MessageSyntaxError(
          `Cannot parse address in "${field.name}": "${field.value.slice(0, 80)}"`,
          valueAt(field),
        );
      }
    }
    if (field.key === "date" && parseDate(field.value) === undefined) {
      throw new MessageSyntaxError(
        `Cannot parse date "${field.value.slice(0, 80)}"`,
        valueAt(field),
      );
    }
  }
  if (rule !== "rfc5322") return;
  for (const key of SINGLE) {
    const fields = header.fields.filter((f) => f.key === key);
    if (fields.length > 1) {
      throw new MessageSyntaxError(
        `Header field "${fields[1].name}" occurs more than once (RFC 5322 §3.6)`,
        at(fields[1].offset),
      );
    }
  }
  if (message.problems.length > 0) throw message.problems[0];
}
