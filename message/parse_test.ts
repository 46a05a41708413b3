import assert from "node:assert/strict";
import { MessageSyntaxError } from "./errors.ts";
import { parseMessage } from "./parse.ts";

const CRLF = "\r\n";

Deno.test("parseMessage decodes an EUC-KR subject and body", () => {
  const message = parseMessage(
    "Subject: =?EUC-KR?B?x9Gx2yDBprjx?=\r\nContent-Type: text/plain; charset=euc-kr\r\n" +
      "Content-Transfer-Encoding: base64\r\n\r\nx9Gx2w==\r\n",
  );
  assert.equal(message.subject, "한글 제목");
  assert.equal(message.text, "한글");
});

Deno.test("parseMessage reads a raw 8-bit EUC-KR body through its charset", () => {
  const head = new TextEncoder().encode("Content-Type: text/plain; charset=euc-kr\r\n\r\n");
  const bytes = new Uint8Array([...head, 0xc7, 0xd1, 0xb1, 0xdb]);
  assert.equal(parseMessage(bytes).text, "한글");
});

Deno.test("parseMessage picks text and HTML from multipart/alternative", () => {
  const message = parseMessage(
    [
      'Content-Type: multipart/alternative; boundary="a"',
      "",
      "--a",
      "Content-Type: text/plain",
      "",
      "plain",
      "--a",
      "Content-Type: text/html",
      "",
      "<b>html</b>",
      "--a--",
    ].join(CRLF),
  );
  assert.equal(message.text, "plain");
  assert.equal(message.html, "<b>html</b>");
  assert.deepEqual(message.attachments, []);
});

Deno.test("parseMessage lists attachments and inline images with decoded bytes", () => {
  const message = parseMessage(
    [
      'Content-Type: multipart/mixed; boundary="m"',
      "",
      "--m",
      "",
      "see attached",
      "--m",
      'Content-Type: image/png; name="dot.png"',
      "Content-Transfer-Encoding: base64",
      "Content-Disposition: inline",
      "Content-ID: <dot@crepes.fr>",
      "",
      "iVBORw==",
      "--m",
      "Content-Type: text/plain",
      "Content-Disposition: attachment; filename=notes.txt",
      "",
      "a note",
      "--m--",
    ].join(CRLF),
  );
  assert.equal(message.text, "see attached");
  assert.deepEqual(
    message.attachments.map((
      a,
    ) => [a.filename, a.contentType, a.disposition, a.contentId, a.content.length]),
    [
      ["dot.png", "image/png", "inline", "<dot@crepes.fr>", 4],
      ["notes.txt", "text/plain", "attachment", undefined, 6],
    ],
  );
  assert.equal(message.attachments[1].part.section, "3");
});

Deno.test("parseMessage collects problems and throws the first with strict", () => {
  const text = "From: a@b.c\r\nbroken line\r\n\r\nbody";
  assert.equal(parseMessage(text).problems.length, 1);
  assert.throws(() => parseMessage(text, { strict: true }), (error: unknown) => {
    assert.ok(error instanceof MessageSyntaxError);
    assert.equal(error.line, 2);
    return true;
  });
});

Deno.test("parseMessage returns a result for empty and header-less input", () => {
  assert.equal(parseMessage("").text, "");
  assert.equal(parseMessage("\r\nonly a body").text, "only a body");
  assert.equal(parseMessage("\r\nonly a body").header.fields.length, 0);
});

Deno.test("parseMessage keeps the bytes: a message that is only read is never rewritten", () => {
  const text = "From: a@b.c\r\nSubject: =?UTF-8?Q?caf=C3=A9?=\r\n  folded\r\n\r\nbody\r\n";
  const bytes = new TextEncoder().encode(text);
  const message = parseMessage(bytes);
  assert.equal(message.bytes, bytes);
  assert.equal(
    new TextDecoder().decode(message.header.fields[1].raw),
    "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n  folded\r\n",
  );
  assert.equal(message.subject, "café  folded");
});

Deno.test("parseMessage reads a raw EUC-KR subject through the charset of Content-Type", () => {
  const head = new TextEncoder().encode("Subject: ");
  const rest = new TextEncoder().encode("\r\nContent-Type: text/plain; charset=euc-kr\r\n\r\nbody");
  const bytes = new Uint8Array([...head, 0xc7, 0xd1, 0xb1, 0xdb, ...rest]);
  const message = parseMessage(bytes);
  assert.equal(message.subject, "한글");
  assert.equal(message.header.get("subject"), "ÇÑ±Û"); // the raw value, one character per byte
});

Deno.test("RFC 2183 §2: a text part named by Content-Type: name= is the body where it stands for it", () => {
  // Without Content-Disposition the reader chooses; `name` suggests a file name for saving
  // (RFC 2046 §4.5.1 deprecates it for `filename`). Where the part is the message's body, it is
  // shown as the body, as postal-mime and mailparser do; a later named part stays a file.
  const single = parseMessage(
    'Content-Type: text/plain; charset=utf-8; name="note.txt"\r\n\r\nbody text\r\n',
  );
  assert.equal(single.text, "body text\r\n");
  assert.deepEqual(single.attachments, []);
  const mixed = parseMessage(
    [
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      'Content-Type: multipart/alternative; boundary="a"',
      "",
      "--a",
      'Content-Type: text/plain; name="body.txt"',
      "",
      "first",
      "--a",
      'Content-Type: text/html; name="body.html"',
      "",
      "<p>first</p>",
      "--a--",
      "--b",
      'Content-Type: text/plain; name="second.txt"',
      "",
      "second",
      "--b",
      "Content-Type: text/plain",
      'Content-Disposition: attachment; filename="third.txt"',
      "",
      "third",
      "--b--",
    ].join(CRLF),
  );
  assert.equal(mixed.text, "first");
  assert.equal(mixed.html, "<p>first</p>");
  assert.deepEqual(mixed.attachments.map((a) => [a.filename, a.disposition]), [
    ["second.txt", "attachment"],
    ["third.txt", "attachment"],
  ]);
});

Deno.test("RFC 2183 §2.8: a text part with an unknown disposition is an attachment", () => {
  const message = parseMessage(
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\nbody\r\n--b\r\n' +
      "Content-Disposition: inline; filename=shown.txt\r\n\r\nshown\r\n--b\r\n" +
      "Content-Disposition: x-unknown\r\n\r\nkept aside\r\n--b--\r\n",
  );
  assert.equal(message.text, "body\nshown");
  assert.deepEqual(message.attachments.map((a) => a.contentType), ["text/plain"]);
  assert.equal(new TextDecoder().decode(message.attachments[0].content), "kept aside");
});
