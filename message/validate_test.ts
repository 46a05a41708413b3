import assert from "node:assert/strict";
import { MessageSyntaxError } from "./errors.ts";
import { parseMessage } from "./parse.ts";
import { validateMessage } from "./validate.ts";

function failure(text: string, rule: "course" | "rfc5322"): MessageSyntaxError {
  try {
    validateMessage(parseMessage(text), { rule });
  } catch (error) {
    assert.ok(error instanceof MessageSyntaxError);
    return error;
  }
  throw new Error("validateMessage accepted the message");
}

const GOOD =
  "Date: Tue, 1 Sep 2026 09:00:00 +0000\r\nFrom: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\n\r\nHi\r\n";

Deno.test("validateMessage accepts a message that follows both rules", () => {
  validateMessage(parseMessage(GOOD), { rule: "course" });
  validateMessage(parseMessage(GOOD), { rule: "rfc5322" });
});

Deno.test("validateMessage with the course rule requires To but not Date", () => {
  const noTo = "Date: Tue, 1 Sep 2026 09:00:00 +0000\r\nFrom: alice@crepes.fr\r\n\r\nHi\r\n";
  const error = failure(noTo, "course");
  assert.equal(error.message, `Missing required header field "To" (the course's rule)`);
  assert.deepEqual([error.line, error.column], [3, 1]);
  validateMessage(parseMessage(noTo), { rule: "rfc5322" });
});

Deno.test("validateMessage points at the value of an unreadable date", () => {
  const error = failure("From: a@b.c\r\nDate: someday\r\n\r\n", "rfc5322");
  assert.equal(error.message, 'Cannot parse date "someday"');
  assert.deepEqual([error.line, error.column], [2, 6]);
});

Deno.test("validateMessage rejects a From without an address", () => {
  const error = failure("Date: Tue, 1 Sep 2026 09:00:00 +0000\r\nFrom: Alice\r\n\r\n", "rfc5322");
  assert.match(error.message, /Cannot parse address in "From": "Alice"/);
  assert.equal(error.line, 2);
});

Deno.test("validateMessage with RFC 5322 rejects a repeated single field", () => {
  const error = failure(
    GOOD.replace("\r\n\r\n", "\r\nSubject: a\r\nSubject: b\r\n\r\n"),
    "rfc5322",
  );
  assert.equal(error.message, 'Header field "Subject" occurs more than once (RFC 5322 §3.6)');
  assert.equal(error.line, 5);
});

Deno.test("validateMessage with RFC 5322 throws the parser's problems", () => {
  const error = failure(GOOD.replace("To:", "broken\r\nTo:"), "rfc5322");
  assert.match(error.message, /Cannot parse header line 3: missing colon/);
});
