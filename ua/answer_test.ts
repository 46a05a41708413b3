import assert from "node:assert/strict";
import { parseMessage } from "../message/parse.ts";
import { forwardDraft, replyDraft, replyTarget } from "./answer.ts";
import { NoReplyAddressError } from "./errors.ts";

const message = (lines: string[]) => parseMessage(lines.join("\r\n") + "\r\n\r\nHi\r\n");

Deno.test("replyTarget prefers Reply-To, then From, then Return-Path, skipping what is not an address", () => {
  const all = [
    "Return-Path: <bounce@crepes.fr>",
    "From: alice@crepes.fr",
    "Reply-To: list@crepes.fr",
  ];
  assert.equal(replyTarget(message(all))?.field, "Reply-To");
  assert.equal(replyTarget(message(all.slice(0, 2)))?.field, "From");
  assert.deepEqual(replyTarget(message(["Return-Path: <bounce@crepes.fr>", "From: alice@"])), {
    to: [{ name: "", address: "bounce@crepes.fr" }],
    field: "Return-Path",
  });
  assert.equal(replyTarget(message(["From: undisclosed:;"])), undefined);
});

Deno.test("replyDraft to all copies From when Reply-To points elsewhere, and never the sender", () => {
  const original = message([
    "From: Alice <alice@crepes.fr>",
    "Reply-To: picnic@crepes.fr",
    "To: bob@hamburger.edu, Carol <carol@hamburger.edu>",
    "Cc: ALICE@crepes.fr, dave@crepes.fr",
    "Subject: Re: Re: Picnic",
  ]);
  const draft = replyDraft(original, { text: "Yes", all: true, self: "Bob@Hamburger.edu" });
  assert.deepEqual(draft.to, [{ name: "", address: "picnic@crepes.fr" }]);
  assert.deepEqual(
    (draft.cc as { address: string }[]).map((m) => m.address),
    ["alice@crepes.fr", "carol@hamburger.edu", "dave@crepes.fr"],
  );
  assert.equal(draft.subject, "Re: Picnic");
  assert.equal(draft.inReplyTo, undefined);
  assert.equal(draft.references, undefined);
});

Deno.test("replyDraft to one's own message (in Sent) answers whom it went to", () => {
  const sent = message(["From: bob@hamburger.edu", "To: alice@crepes.fr", "Message-ID: <1@h.edu>"]);
  const draft = replyDraft(sent, { text: "And also", self: "bob@hamburger.edu" });
  assert.deepEqual(draft.to, [{ name: "", address: "alice@crepes.fr" }]);
  assert.deepEqual(draft.references, ["<1@h.edu>"]);
});

Deno.test("replyDraft refuses a message that names no one", () => {
  assert.throws(
    () => replyDraft(message(["Subject: lost"]), { text: "?", self: "bob@hamburger.edu" }),
    NoReplyAddressError,
  );
});

Deno.test("forwardDraft inline quotes an HTML-only message as text, under its header", () => {
  const original = new TextEncoder().encode(
    "From: alice@crepes.fr\r\nSubject: Fwd: Menu\r\nContent-Type: text/html\r\n\r\n" +
      "<p>Soup &amp; bread</p>\r\n",
  );
  const draft = forwardDraft(original, { to: "bob@hamburger.edu" });
  assert.equal(draft.subject, "Fwd: Menu");
  assert.equal(
    draft.text,
    "---------- Forwarded message ----------\nFrom: alice@crepes.fr\nDate: (no date)\n" +
      "Subject: Fwd: Menu\n\n> Soup & bread\n",
  );
});
