import assert from "node:assert/strict";
import { decodeCharset } from "./charset.ts";

Deno.test("decodeCharset reads the charsets Korean and Japanese mail uses", () => {
  assert.equal(decodeCharset(new Uint8Array([0xc7, 0xd1]), "cp949"), "한");
  assert.equal(decodeCharset(new Uint8Array([0xc7, 0xd1]), "KS_C_5601-1987"), "한");
  const jis = new Uint8Array([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x1b, 0x28, 0x42]);
  assert.equal(decodeCharset(jis, "iso-2022-jp"), "日");
  assert.equal(decodeCharset(new Uint8Array([0x82, 0xa0]), "Shift_JIS"), "あ");
});

Deno.test("decodeCharset reads ISO-8859 and windows-125x", () => {
  assert.equal(decodeCharset(new Uint8Array([0xe9]), "iso-8859-1"), "é");
  assert.equal(decodeCharset(new Uint8Array([0xa4]), "iso-8859-15"), "€");
  assert.equal(decodeCharset(new Uint8Array([0x80]), "windows-1252"), "€");
  assert.equal(decodeCharset(new Uint8Array([0xcf]), "cp1251"), "П");
});

Deno.test("decodeCharset falls back to utf-8 for unknown and ASCII labels", () => {
  const bytes = new TextEncoder().encode("한");
  assert.equal(decodeCharset(bytes, "x-made-up"), "한");
  assert.equal(decodeCharset(bytes, "us-ascii"), "한");
  assert.equal(decodeCharset(bytes), "한");
});
