import assert from "node:assert/strict";
import { buildMime, chooseEncoding } from "./mime_builder.ts";
import { parseMessage } from "./parse.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("buildMime keeps a message/rfc822 part unencoded (RFC 2046 §5.2.1)", () => {
  const inner = "Subject: 안녕\r\n\r\n본문\r\n";
  const bytes = buildMime({
    contentType: "multipart/mixed",
    parts: [{ contentType: "message/rfc822", body: inner }],
  }, { eightBit: true });
  const part = parseMessage(bytes).root.find("1")!;
  assert.equal(part.encoding, "8bit");
  assert.equal(decoder.decode(part.body), inner);
  assert.equal(part.message?.header.subject, "안녕");
});

Deno.test("buildMime uses the boundary it is given and picks one otherwise", () => {
  const given = buildMime({
    contentType: "multipart/alternative",
    params: { boundary: "fixed" },
    parts: [{ contentType: "text/plain", body: "a" }],
  });
  assert.match(decoder.decode(given), /\r\n--fixed\r\n/);
  const random = decoder.decode(buildMime({ contentType: "multipart/mixed", parts: [] }));
  assert.match(random, /boundary="=_[0-9a-f]{24}"/);
});

Deno.test("buildMime writes inline parts with a Content-ID and file name", () => {
  const bytes = buildMime({
    contentType: "image/png",
    body: new Uint8Array([1, 2, 3]),
    disposition: "inline",
    filename: "dot.png",
    contentId: "<dot@crepes.fr>",
  });
  const message = parseMessage(bytes);
  assert.equal(message.root.id, "<dot@crepes.fr>");
  assert.equal(message.root.disposition?.type, "inline");
  assert.equal(message.root.filename, "dot.png");
  assert.deepEqual(message.root.content(), new Uint8Array([1, 2, 3]));
});

Deno.test("buildMime turns bare LF in text into CRLF", () => {
  const bytes = buildMime({ contentType: "text/plain", body: "a\nb\rc\r\n" });
  assert.match(decoder.decode(bytes), /\r\n\r\na\r\nb\r\nc\r\n$/);
});

Deno.test("chooseEncoding sends binary as base64 and text with NUL as encoded", () => {
  assert.equal(chooseEncoding(encoder.encode("plain"), { text: false }), "base64");
  assert.equal(
    chooseEncoding(encoder.encode("a\0b"), { text: true, eightBit: true }),
    "quoted-printable",
  );
});
