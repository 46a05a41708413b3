import assert from "node:assert/strict";
import {
  decodeBase64,
  decodeQuotedPrintable,
  encodeBase64,
  encodeQuotedPrintable,
} from "./transfer_encoding.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("encodeBase64 and decodeBase64 round-trip every byte value", () => {
  for (const size of [0, 1, 2, 3, 57, 58, 1000]) {
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
    assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  }
});

Deno.test("encodeBase64 writes 76-character lines ending in CRLF", () => {
  const lines = encodeBase64(new Uint8Array(200)).split("\r\n");
  assert.equal(lines.at(-1), "");
  assert.ok(lines.slice(0, -2).every((line) => line.length === 76));
});

Deno.test("decodeBase64 tolerates missing padding, junk and the URL-safe alphabet", () => {
  assert.equal(text(decodeBase64("aGVsbG8")), "hello");
  assert.equal(text(decodeBase64("aGV sbG8=\r\n garbage after = sign")), "hello");
  assert.deepEqual(decodeBase64("-_-_"), decodeBase64("+/+/"));
  assert.deepEqual(decodeBase64(""), new Uint8Array());
});

Deno.test("encodeQuotedPrintable encodes trailing spaces and keeps lines within 76", () => {
  assert.equal(encodeQuotedPrintable("end \nnext\t\n"), "end=20\r\nnext=09\r\n");
  const long = encodeQuotedPrintable("é".repeat(100));
  assert.ok(long.split("\r\n").every((line) => line.length <= 76));
  assert.equal(text(decodeQuotedPrintable(long)), "é".repeat(100));
});

Deno.test("encodeQuotedPrintable never splits an escape across a soft break", () => {
  const encoded = encodeQuotedPrintable("a".repeat(74) + "é");
  for (const line of encoded.split("\r\n")) assert.doesNotMatch(line, /=[0-9A-F]?=$/);
  assert.equal(text(decodeQuotedPrintable(encoded)), "a".repeat(74) + "é");
});

Deno.test("decodeQuotedPrintable handles soft breaks with LF, lower-case hex and raw 8-bit", () => {
  assert.equal(text(decodeQuotedPrintable("a=\nb=c3=a9")), "abé");
  assert.deepEqual(
    decodeQuotedPrintable(new Uint8Array([0x61, 0xe9])),
    new Uint8Array([0x61, 0xe9]),
  );
  assert.equal(text(decodeQuotedPrintable("x= \r\ny")), "xy");
  assert.equal(text(decodeQuotedPrintable("trailing=")), "trailing");
});
