import assert from "node:assert/strict";
import { ManualClock } from "../protocol/clock.ts";
import { buildMessage } from "./build.ts";
import { parseMessage } from "./parse.ts";

const decoder = new TextDecoder();
const clock = new ManualClock(Date.UTC(2026, 8, 1, 9));

function lines(bytes: Uint8Array): string[] {
  return decoder.decode(bytes).split("\r\n");
}

function is7bit(bytes: Uint8Array): boolean {
  return bytes.every((b) => b < 0x80);
}

Deno.test("buildMessage writes CRLF only, lines within 998, and 7-bit by default", () => {
  const bytes = buildMessage({
    from: "김철수 <kim@crepes.fr>",
    to: ["bob@hamburger.edu", { name: "이영희", address: "lee@x.kr" }],
    subject: "한글 제목 ".repeat(20),
    text: "안녕하세요\n".repeat(50) + "x".repeat(2000),
    html: "<p>안녕</p>",
    attachments: [{
      filename: "보고서.pdf",
      contentType: "application/pdf",
      content: new Uint8Array(5000),
    }],
  }, { clock });
  assert.ok(is7bit(bytes));
  const text = decoder.decode(bytes);
  assert.doesNotMatch(text.replace(/\r\n/g, ""), /[\r\n]/);
  assert.ok(lines(bytes).every((line) => line.length <= 998));
  assert.ok(lines(bytes).slice(0, 20).every((line) => line.length <= 78));
});

Deno.test("buildMessage output parses back to the same fields, bodies and files", () => {
  const attachment = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
  const bytes = buildMessage({
    from: { name: "Alice, A.", address: "alice@crepes.fr" },
    to: "bob@hamburger.edu",
    cc: ["carol@x.org", "Dave <dave@x.org>"],
    replyTo: "list@crepes.fr",
    subject: "회의 일정 (meeting)",
    text: "Hello\nBob",
    html: "<p>Hello</p>",
    attachments: [{ filename: "data.bin", content: attachment }, {
      filename: "note.txt",
      contentType: "text/plain",
      content: "café",
    }],
    inReplyTo: "<1@hamburger.edu>",
    references: ["<0@hamburger.edu>", "<1@hamburger.edu>"],
    headers: { "X-Course": "2.3.2" },
  }, { clock, offsetMinutes: 540 });
  const message = parseMessage(bytes);
  assert.deepEqual(message.from, [{ name: "Alice, A.", address: "alice@crepes.fr" }]);
  assert.deepEqual(message.cc.map((a) => "address" in a && a.address), [
    "carol@x.org",
    "dave@x.org",
  ]);
  assert.equal(message.subject, "회의 일정 (meeting)");
  assert.equal(message.date, clock.now());
  assert.match(message.header.get("date")!, /\+0900$/);
  assert.equal(message.text, "Hello\r\nBob");
  assert.equal(message.html, "<p>Hello</p>");
  assert.deepEqual(message.attachments[0].content, attachment);
  assert.equal(decoder.decode(message.attachments[1].content), "café");
  assert.deepEqual(message.inReplyTo, ["<1@hamburger.edu>"]);
  assert.deepEqual(message.references, ["<0@hamburger.edu>", "<1@hamburger.edu>"]);
  assert.equal(message.header.get("x-course"), "2.3.2");
  assert.equal(message.header.get("mime-version"), "1.0");
  assert.equal(message.root.mediaType, "multipart/mixed");
  assert.equal(message.root.find("1")?.mediaType, "multipart/alternative");
  assert.deepEqual(message.problems, []);
});

Deno.test("buildMessage never writes Bcc", () => {
  const bytes = buildMessage({
    from: "a@b.c",
    to: "d@e.f",
    bcc: "secret@x.org",
    headers: [["Bcc", "x@y.z"]],
  });
  assert.doesNotMatch(decoder.decode(bytes), /bcc|secret/i);
});

Deno.test("buildMessage chooses quoted-printable, base64 or 8bit by content", () => {
  const encoding = (text: string, eightBit = false) =>
    parseMessage(buildMessage({ from: "a@b.c", text }, { eightBit })).root.encoding;
  assert.equal(encoding("plain ASCII"), "7bit");
  assert.equal(encoding("Un café, s'il vous plaît"), "quoted-printable");
  assert.equal(encoding("안녕하세요 여러분"), "base64");
  assert.equal(encoding("안녕하세요 여러분", true), "8bit");
  assert.equal(encoding("x".repeat(1200)), "quoted-printable");
});

Deno.test("buildMessage takes the Date from the input, else the clock, else leaves it out", () => {
  const dated = parseMessage(buildMessage({ from: "a@b.c", date: 0 }, { clock }));
  assert.equal(dated.date, 0);
  assert.equal(parseMessage(buildMessage({ from: "a@b.c" }, { clock })).date, clock.now());
  assert.equal(parseMessage(buildMessage({ from: "a@b.c" })).header.has("date"), false);
});

Deno.test("buildMessage generates a Message-ID at the sender's domain or the given one", () => {
  assert.match(parseMessage(buildMessage({ from: "a@crepes.fr" })).messageId!, /@crepes\.fr>$/);
  const other = buildMessage({ from: "a@crepes.fr" }, { domain: "mx.crepes.fr" });
  assert.match(parseMessage(other).messageId!, /@mx\.crepes\.fr>$/);
  assert.equal(
    parseMessage(buildMessage({ from: "a@b.c", messageId: "<x@y>" })).messageId,
    "<x@y>",
  );
});

Deno.test("buildMessage rejects an input that does not fit the schema", () => {
  assert.throws(() => buildMessage({ from: "not an address" }), { name: "ZodError" });
  assert.throws(() => buildMessage({ from: "a@b.c", to: [] }), { name: "ZodError" });
  assert.throws(
    () => buildMessage({ from: "a@b.c", attachments: [{ content: 42 as unknown as string }] }),
    { name: "ZodError" },
  );
});

Deno.test("buildMessage writes internationalised addresses only with utf8 (RFC 6532)", () => {
  const input = { from: "김철수 <철수@우체국.한국>", to: "bob@hamburger.edu", subject: "안녕" };
  assert.throws(() => buildMessage(input), {
    name: "RangeError",
    message:
      'Cannot write address "철수@우체국.한국" in a 7-bit header: set utf8 (SMTPUTF8, RFC 6532)',
  });
  const bytes = buildMessage(input, { utf8: true });
  assert.match(decoder.decode(bytes), /^From: 김철수 <철수@우체국\.한국>\r\n/);
  assert.match(decoder.decode(bytes), /\r\nSubject: 안녕\r\n/);
  const message = parseMessage(bytes);
  assert.deepEqual(message.from, [{ name: "김철수", address: "철수@우체국.한국" }]);
  assert.equal(message.subject, "안녕");
});

Deno.test("buildMessage leaves out empty References", () => {
  const bytes = buildMessage({ from: "a@b.c", references: [] });
  assert.doesNotMatch(decoder.decode(bytes), /References/);
});
