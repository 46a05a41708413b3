import assert from "node:assert/strict";
import { foldHeader } from "./fold.ts";
import { parseHeaders } from "./header.ts";

Deno.test("foldHeader leaves a short field on one line", () => {
  assert.equal(foldHeader("Subject", "Hello"), "Subject: Hello");
  assert.equal(foldHeader("Subject", ""), "Subject: ");
});

Deno.test("foldHeader folds at spaces within 78 characters and unfolds back", () => {
  const value = Array.from({ length: 40 }, (_, i) => `addr${i}@crepes.fr,`).join(" ");
  const folded = foldHeader("To", value);
  const lines = folded.split("\r\n");
  assert.ok(lines.length > 5);
  assert.ok(lines.every((line) => line.length <= 78), "every line within 78");
  assert.ok(
    lines.slice(1).every((line) => line.startsWith(" ")),
    "continuations start with a space",
  );
  assert.equal(parseHeaders(folded + "\r\n\r\n").get("to"), value);
});

Deno.test("foldHeader breaks a run without spaces only past 998 characters", () => {
  const long = "x".repeat(1500);
  const lines = foldHeader("X-Long", long).split("\r\n");
  assert.ok(lines.every((line) => line.length <= 998));
  const short = foldHeader("X-Token", "y".repeat(200));
  assert.equal(short.split("\r\n").length, 1);
});

Deno.test("foldHeader turns stray line breaks in the value into spaces", () => {
  assert.equal(foldHeader("Subject", "one\r\ntwo"), "Subject: one two");
});
