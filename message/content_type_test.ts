import assert from "node:assert/strict";
import { formatParams, parseContentDisposition, parseContentType } from "./content_type.ts";

Deno.test("parseContentType lowers the type and keeps parameter values", () => {
  const type = parseContentType('TEXT/HTML; Charset="UTF-8"; format=flowed');
  assert.equal(type.mediaType, "text/html");
  assert.deepEqual(type.params, { charset: "UTF-8", format: "flowed" });
});

Deno.test("parseContentType falls back to text/plain for a broken value", () => {
  assert.equal(parseContentType("garbage").mediaType, "text/plain");
  assert.equal(parseContentType("").mediaType, "text/plain");
  assert.equal(parseContentType(undefined, "message/rfc822").mediaType, "message/rfc822");
});

Deno.test("parseContentType joins RFC 2231 continuations in order", () => {
  const type = parseContentType(
    "application/pdf; name*1*=%EC%84%9C.pdf; name*0*=UTF-8''%EB%B3%B4%EA%B3%A0",
  );
  assert.equal(type.params.name, "보고서.pdf");
  const plain = parseContentType('message/external-body; url*0="ftp://a/"; url*1="b.txt"');
  assert.equal(plain.params.url, "ftp://a/b.txt");
});

Deno.test("parseContentType decodes an RFC 2231 value in a legacy charset", () => {
  assert.equal(parseContentType("text/plain; name*=euc-kr'ko'%C7%D1.txt").params.name, "한.txt");
});

Deno.test("parseContentType decodes encoded words in quoted names, as readers do", () => {
  assert.equal(parseContentType('image/png; name="=?UTF-8?B?7ZWc?=.png"').params.name, "한.png");
});

Deno.test("parseContentType keeps escaped quotes and semicolons inside quotes", () => {
  assert.equal(parseContentType('text/plain; name="a\\"b;c.txt"').params.name, 'a"b;c.txt');
});

Deno.test("parseContentDisposition reads the type and file name", () => {
  const d = parseContentDisposition("INLINE; filename=logo.png; size=120");
  assert.deepEqual(d, { type: "inline", params: { filename: "logo.png", size: "120" } });
});

Deno.test("formatParams output parses back", () => {
  const params = { boundary: "=_x y", name: "보고서.pdf", charset: "utf-8" };
  const parsed = parseContentType(formatParams("multipart/mixed", params));
  assert.deepEqual(parsed.params, params);
});
