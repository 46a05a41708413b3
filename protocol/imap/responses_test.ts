import assert from "node:assert/strict";
import { ImapResponseError } from "./error.ts";
import { formatStatus, type ImapStatusResponse } from "./response.ts";
import { RESPONSE } from "./responses.ts";

const fixed = Object.entries(RESPONSE).filter(
  (entry): entry is [string, ImapStatusResponse] => typeof entry[1] !== "function",
);

Deno.test("RESPONSE texts start with a capital and have no final period", () => {
  const made = [
    RESPONSE.TryCreate("Sent"),
    RESPONSE.BadSequenceNumber(3, 1),
    RESPONSE.HighestModseq(12),
    RESPONSE.UnsupportedMechanism("CRAM-MD5"),
  ];
  for (const response of [...fixed.map(([, r]) => r), ...made]) {
    assert.match(response.text, /^[A-Z]/, response.text);
    assert.doesNotMatch(response.text, /\.$/, response.text);
  }
  assert.equal(
    RESPONSE.BadSequenceNumber(3, 1).text,
    "Invalid sequence number 3: the mailbox has 1 message",
  );
});

Deno.test("ImapResponseError.of carries a NO or BAD entry and gives it back unchanged", () => {
  for (const [name, response] of fixed) {
    if (response.status !== "NO" && response.status !== "BAD") continue;
    const error = ImapResponseError.of({ ...response, status: response.status }, { tag: "a1" });
    assert.deepEqual(error.response, response, name);
    assert.equal(error.tag, "a1");
    assert.equal(`a1 ${error.message}`, formatStatus("a1", response));
  }
});

Deno.test("formatStatus writes the code in brackets only when there is one", () => {
  assert.equal(formatStatus("*", RESPONSE.IdleTimeout), "* BYE Autologout: idle for too long");
  assert.equal(
    formatStatus("*", RESPONSE.TooManyConnections),
    "* BYE [UNAVAILABLE] Too many connections, try again later",
  );
  assert.equal(
    formatStatus("a1", RESPONSE.BadCharset("KOI8-R", ["US-ASCII", "UTF-8"])),
    'a1 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset "KOI8-R"',
  );
});
