import assert from "node:assert/strict";
import type { FetchSection } from "../../protocol/imap/fetch_items.ts";
import { findPart, partialBytes, sectionBytes, splitMessage } from "./message_sections.ts";
import { summarize } from "./summary.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// imaptest's fetch-body-message-rfc822-mime: a message/rfc822 message holding a digest, whose
// parts are messages (the digest's default type) after MIME headers, one of them empty.
const DIGEST = "From: user@domain.org\r\nContent-Type: message/rfc822\r\n\r\n" +
  'From: sub@domain.org\r\nContent-Type: multipart/digest; boundary="foo"\r\n\r\n' +
  "prologue\r\n\r\n--foo \r\n\r\nFrom: m1@example.com\r\n\r\nm1 body\r\n\r\n" +
  "--foo \r\nX-Mime: m2 header\r\n\r\nFrom: m2@example.com\r\n\r\nm2 body\r\n\r\n--foo--\r\n\r\nepilogue\r\n";

function section(spec: string): FetchSection {
  const [, numbers, text] = /^([\d.]*?)\.?(HEADER|TEXT|MIME)?$/.exec(spec)!;
  const part = numbers ? numbers.split(".").map(Number) : [];
  return {
    kind: "section",
    peek: true,
    part,
    text: (text ?? "") as FetchSection["text"],
    fields: [],
  };
}

Deno.test("sectionBytes numbers the parts below a message/rfc822 message", () => {
  const bytes = encoder.encode(DIGEST);
  const summary = summarize(bytes);
  const get = (spec: string) => decoder.decode(sectionBytes(bytes, section(spec), summary));
  const inner = DIGEST.slice(DIGEST.indexOf("From: sub"));
  assert.equal(get("1"), inner);
  assert.equal(get("TEXT"), inner);
  assert.equal(
    get("1.HEADER"),
    'From: sub@domain.org\r\nContent-Type: multipart/digest; boundary="foo"\r\n\r\n',
  );
  assert.equal(get("1.TEXT"), inner.slice(inner.indexOf("prologue")));
  assert.equal(get("1.1"), "From: m1@example.com\r\n\r\nm1 body\r\n");
  assert.equal(get("1.1.MIME"), "\r\n");
  assert.equal(get("1.1.HEADER"), "From: m1@example.com\r\n\r\n");
  assert.equal(get("1.1.TEXT"), "m1 body\r\n");
  assert.equal(get("1.2.MIME"), "X-Mime: m2 header\r\n\r\n");
  assert.equal(get("1.2.TEXT"), "m2 body\r\n");
  assert.equal(get("1.1.1"), "m1 body\r\n");
  assert.equal(get("1.3"), "");
  assert.equal(findPart(summary, [1, 2, 1, 1]), undefined);
});

Deno.test("sectionBytes picks header fields of the message and of an enclosed one", () => {
  const bytes = encoder.encode(DIGEST);
  const summary = summarize(bytes);
  const fields = (part: number[], text: "HEADER.FIELDS" | "HEADER.FIELDS.NOT", names: string[]) =>
    decoder.decode(sectionBytes(bytes, { ...section(""), part, text, fields: names }, summary));
  assert.equal(fields([], "HEADER.FIELDS", ["FROM"]), "From: user@domain.org\r\n\r\n");
  assert.equal(
    fields([1], "HEADER.FIELDS.NOT", ["from"]),
    'Content-Type: multipart/digest; boundary="foo"\r\n\r\n',
  );
  assert.equal(fields([1, 2], "HEADER.FIELDS", ["From", "X-Mime"]), "From: m2@example.com\r\n\r\n");
  // Without a part number no summary is needed.
  assert.equal(
    decoder.decode(sectionBytes(bytes, section("HEADER"))),
    decoder.decode(splitMessage(bytes).header),
  );
});

Deno.test("partialBytes cuts a range and gives nothing past the end", () => {
  const bytes = encoder.encode("body1\r\n");
  assert.equal(decoder.decode(partialBytes(bytes, 0, 3)), "bod");
  assert.equal(decoder.decode(partialBytes(bytes, 5, 10)), "\r\n");
  assert.equal(partialBytes(bytes, 7, 1).length, 0);
  assert.equal(partialBytes(bytes, 100, 1).length, 0);
});
