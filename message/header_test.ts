import assert from "node:assert/strict";
import { parseHeaders } from "./header.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("parseHeaders unfolds, trims and keeps repeated fields in order", () => {
  const header = parseHeaders(
    "Received: from a\r\n\tby b\r\nReceived: from c\r\nSubject:   spaced  \r\n\r\n",
  );
  assert.deepEqual(header.getAll("received"), ["from a\tby b", "from c"]);
  assert.equal(header.get("Subject"), "spaced");
  assert.equal(header.fields[0].name, "Received");
  assert.equal(header.has("To"), false);
});

Deno.test("parseHeaders keeps each field's exact bytes", () => {
  const text = "From: a@b.c\r\nSubject: one\r\n two\r\n\r\nbody";
  const header = parseHeaders(text);
  const joined = header.fields.map((f) => decoder.decode(f.raw)).join("");
  assert.equal(joined + "\r\n", text.slice(0, header.bodyOffset));
  assert.equal(decoder.decode(header.bytes), "From: a@b.c\r\nSubject: one\r\n two\r\n\r\n");
});

Deno.test("parseHeaders reads bare LF line ends", () => {
  const header = parseHeaders("From: a@b.c\nSubject: x\n y\n\nbody");
  assert.equal(header.get("subject"), "x y");
  assert.equal(header.bodyOffset, "From: a@b.c\nSubject: x\n y\n\n".length);
});

Deno.test("parseHeaders never reads past the blank line", () => {
  const head = encoder.encode("From: a@b.c\r\nSubject: hi\r\n\r\n");
  const message = new Uint8Array(head.length + 1_000_000).fill(0x3a); // a body full of colons
  message.set(head);
  const header = parseHeaders(message);
  assert.equal(header.bodyOffset, head.length);
  assert.equal(header.fields.length, 2);
  assert.ok(header.fields.every((f) => f.raw.byteOffset + f.raw.length <= head.length));
});

Deno.test("parseHeaders treats a message without a blank line as all header", () => {
  const header = parseHeaders("From: a@b.c\r\nSubject: hi");
  assert.equal(header.get("subject"), "hi");
  assert.equal(header.bodyOffset, header.end);
});

Deno.test("parseHeaders reports a line without a colon with its line and column", () => {
  const header = parseHeaders("From: a@b.c\r\nTo: b@c.d\r\nthis is broken\r\nSubject: ok\r\n\r\n");
  assert.equal(header.get("subject"), "ok");
  assert.equal(header.problems.length, 1);
  const [problem] = header.problems;
  assert.equal(problem.message, 'Cannot parse header line 3: missing colon in "this is broken"');
  assert.equal(problem.line, 3);
  assert.equal(problem.column, 1);
});

Deno.test("parseHeaders reports a continuation line with no field before it", () => {
  const header = parseHeaders(" leading\r\nFrom: a@b.c\r\n\r\n");
  assert.match(header.problems[0].message, /line 1: continuation line without a field/);
  assert.equal(header.get("from"), "a@b.c");
});

Deno.test("parseHeaders skips an mbox From_ line without a problem", () => {
  const header = parseHeaders(
    "From alice@crepes.fr Tue Sep  1 09:00:00 2026\r\nFrom: a@b.c\r\n\r\n",
  );
  assert.equal(header.problems.length, 0);
  assert.equal(header.get("from"), "a@b.c");
});

Deno.test("parseHeaders accepts obsolete space before the colon", () => {
  assert.equal(parseHeaders("Subject : old style\r\n\r\n").get("subject"), "old style");
});

Deno.test("parseHeaders decodes raw UTF-8 header values (RFC 6532)", () => {
  const header = parseHeaders(
    encoder.encode("Subject: 안녕하세요\r\nFrom: 김 <김@메일.한국>\r\n\r\n"),
  );
  assert.equal(header.subject, "안녕하세요");
  assert.deepEqual(header.from, [{ name: "김", address: "김@메일.한국" }]);
});

Deno.test("HeaderBlock decodes the common fields", () => {
  const header = parseHeaders(
    "From: Alice <alice@crepes.fr>\r\nTo: bob@hamburger.edu\r\nTo: carol@x.org\r\n" +
      "Cc: g: d@x.org;\r\nDate: Tue, 1 Sep 2026 18:00:00 +0900\r\nMessage-ID: <1@crepes.fr>\r\n" +
      "In-Reply-To: <0@hamburger.edu>\r\nReferences: <a@x> <0@hamburger.edu>\r\n" +
      "Sender: sec@crepes.fr\r\nReply-To: list@crepes.fr\r\n\r\n",
  );
  assert.equal(header.to.length, 2);
  assert.deepEqual(header.cc, [{ name: "g", group: [{ name: "", address: "d@x.org" }] }]);
  assert.equal(header.date, Date.UTC(2026, 8, 1, 9));
  assert.equal(header.messageId, "<1@crepes.fr>");
  assert.deepEqual(header.inReplyTo, ["<0@hamburger.edu>"]);
  assert.deepEqual(header.references, ["<a@x>", "<0@hamburger.edu>"]);
  assert.equal(header.sender?.address, "sec@crepes.fr");
  assert.deepEqual(header.replyTo, [{ name: "", address: "list@crepes.fr" }]);
  assert.equal(header.subject, undefined);
});
