import assert from "node:assert/strict";
import { decodeWords, encodeWords } from "./encoded_words.ts";

Deno.test("decodeWords decodes B and Q in several charsets", () => {
  assert.equal(decodeWords("=?UTF-8?B?7ZWc6riA?="), "한글");
  assert.equal(decodeWords("=?euc-kr?B?x9Gx2w==?="), "한글");
  assert.equal(decodeWords("=?ks_c_5601-1987?Q?=C7=D1=B1=DB?="), "한글");
  assert.equal(decodeWords("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="), "日本語");
  assert.equal(decodeWords("=?iso-8859-1?q?caf=E9?="), "café");
  assert.equal(decodeWords("=?windows-1251?B?z/Do4uXy?="), "Привет");
  assert.equal(decodeWords("=?UTF-8*ko?B?7ZWc6riA?="), "한글");
});

Deno.test("decodeWords drops whitespace only between adjacent encoded words", () => {
  assert.equal(decodeWords("=?UTF-8?Q?a?= =?UTF-8?Q?b?="), "ab");
  assert.equal(decodeWords("=?UTF-8?Q?a?=\t\t=?UTF-8?Q?b?= c"), "ab c");
  assert.equal(decodeWords("x =?UTF-8?Q?a?= y"), "x a y");
});

Deno.test("decodeWords joins a character split across two words", () => {
  // "한" is ED 95 9C in UTF-8; split after its first byte.
  assert.equal(decodeWords("=?UTF-8?Q?=ED?= =?UTF-8?Q?=95=9C?="), "한");
});

Deno.test("decodeWords leaves broken or foreign text alone", () => {
  assert.equal(decodeWords("=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=");
  assert.equal(decodeWords("plain text"), "plain text");
  assert.equal(decodeWords("=?unknown-charset?Q?hi?="), "hi");
  assert.equal(decodeWords("=?UTF-8?B?!!!?="), "");
});

Deno.test("encodeWords keeps words within 75 characters and never splits a character", () => {
  const subject = "회의 일정 안내: ".repeat(12);
  const encoded = encodeWords(subject);
  for (const word of encoded.split(" ")) assert.ok(word.length <= 75, word);
  assert.equal(decodeWords(encoded), subject);
});

Deno.test("encodeWords chooses Q for mostly-ASCII text and can be told B", () => {
  assert.equal(encodeWords("naïve"), "=?UTF-8?Q?na=C3=AFve?=");
  assert.equal(encodeWords("naïve", { encoding: "B" }), "=?UTF-8?B?bmHDr3Zl?=");
  assert.equal(encodeWords("a_b=c ü", { encoding: "Q" }), "a_b=c =?UTF-8?Q?=C3=BC?=");
  assert.equal(encodeWords("ü_= x", { encoding: "Q" }), "=?UTF-8?Q?=C3=BC=5F=3D?= x");
});

Deno.test("encodeWords encodes text that would look like an encoded word", () => {
  const tricky = "=?UTF-8?Q?x?=";
  assert.notEqual(encodeWords(tricky), tricky);
  assert.equal(decodeWords(encodeWords(tricky)), tricky);
});

Deno.test("encodeWords keeps spaces around the encoded run", () => {
  const text = "Re: [crepes] 안녕 Bob and 김 too";
  assert.equal(decodeWords(encodeWords(text)), text);
  assert.match(encodeWords(text), /^Re: \[crepes\] =\?UTF-8\?/);
});

Deno.test("decodeWords decodes adjacent ISO-2022-JP words one by one", () => {
  assert.equal(
    decodeWords("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= =?iso-2022-jp?B?GyRCJE4lYSE8JWsbKEI=?="),
    "日本語のメール",
  );
});
