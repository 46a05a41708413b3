import assert from "node:assert/strict";
import { REPLY } from "./replies.ts";
import { formatReply, type SmtpReply } from "./reply.ts";

Deno.test("a catalogue reply reads the same, plain or enhanced, however often it is sent", () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(formatReply(REPLY.Accepted, true), "250 2.0.0 Message accepted for delivery\r\n");
    assert.equal(formatReply(REPLY.Accepted), "250 Message accepted for delivery\r\n");
  }
});

Deno.test("the catalogue's replies cannot be changed by one session for all the others", () => {
  assert.throws(() => {
    (REPLY.Ok as { code: number }).code = 550;
  }, TypeError);
  assert.throws(() => (REPLY.Ok.lines as string[]).push("injected"), TypeError);
  assert.equal(formatReply(REPLY.Ok, true), "250 2.0.0 OK\r\n");
});

Deno.test("a reply a handler builds and changes goes out as it is now", () => {
  const reply: SmtpReply = { code: 250, lines: ["Queued as 1"] };
  assert.equal(formatReply(reply), "250 Queued as 1\r\n");
  reply.lines[0] = "Queued as 2";
  assert.equal(formatReply(reply), "250 Queued as 2\r\n");
});
