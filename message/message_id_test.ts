import assert from "node:assert/strict";
import { generateMessageId, parseMessageIds } from "./message_id.ts";

Deno.test("generateMessageId gives distinct identifiers at the domain", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => generateMessageId("hamburger.edu")));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^<[0-9a-z]{26}@hamburger\.edu>$/);
});

Deno.test("parseMessageIds reads folded lists and ignores comments", () => {
  assert.deepEqual(parseMessageIds(" <a@x>\r\n\t<b@y> (old) <c@z>"), ["<a@x>", "<b@y>", "<c@z>"]);
  assert.deepEqual(parseMessageIds(""), []);
  assert.deepEqual(parseMessageIds("two words"), []);
});
