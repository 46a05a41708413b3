import assert from "node:assert/strict";
import { buildMessage } from "./build.ts";
import { generateMessageId, parseMessageIds, replyIdentifiers } from "./message_id.ts";
import { parseMessage } from "./parse.ts";

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

Deno.test("replyIdentifiers starts a thread and falls back to a single In-Reply-To", () => {
  assert.deepEqual(replyIdentifiers({ messageId: "<1@x>", inReplyTo: [], references: [] }), {
    inReplyTo: "<1@x>",
    references: ["<1@x>"],
  });
  assert.deepEqual(replyIdentifiers({ messageId: "<2@x>", inReplyTo: ["<1@x>"], references: [] }), {
    inReplyTo: "<2@x>",
    references: ["<1@x>", "<2@x>"],
  });
  assert.deepEqual(replyIdentifiers({ inReplyTo: ["<a>", "<b>"], references: [] }), {
    references: [],
  });
});

Deno.test("replyIdentifiers reads a parsed message and feeds buildMessage", () => {
  const parent = parseMessage("Message-ID: <p@crepes.fr>\r\nReferences: <o@crepes.fr>\r\n\r\n");
  const reply = parseMessage(
    buildMessage({ from: "bob@hamburger.edu", ...replyIdentifiers(parent) }),
  );
  assert.deepEqual(reply.inReplyTo, ["<p@crepes.fr>"]);
  assert.deepEqual(reply.references, ["<o@crepes.fr>", "<p@crepes.fr>"]);
});
