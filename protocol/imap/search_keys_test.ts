import assert from "node:assert/strict";
import { type ImapToken, TokenReader } from "./lexer.ts";
import { parseSearch } from "./search_keys.ts";

function tokens(text: string): ImapToken[] {
  const progress = new TokenReader().pushLine(text);
  assert.ok(progress.done);
  return progress.tokens;
}

Deno.test("parseSearch nests OR, NOT and parenthesised keys", () => {
  assert.deepEqual(parseSearch(tokens('OR (SEEN FLAGGED) NOT HEADER X-Spam "yes"')).key, {
    op: "or",
    left: {
      op: "and",
      keys: [{ op: "flag", flag: "\\Seen", present: true }, {
        op: "flag",
        flag: "\\Flagged",
        present: true,
      }],
    },
    right: { op: "not", key: { op: "header", field: "X-SPAM", value: "yes" } },
  });
});

Deno.test("parseSearch reads CHARSET, sets, sizes and keywords", () => {
  const query = parseSearch(tokens("CHARSET utf-8 1:3,5 UID 7:* LARGER 100 KEYWORD $Label"));
  assert.equal(query.charset, "UTF-8");
  assert.deepEqual(query.key, {
    op: "and",
    keys: [
      { op: "seq", set: [{ from: 1, to: 3 }, { from: 5, to: 5 }] },
      { op: "uid", set: [{ from: 7, to: Infinity }] },
      { op: "size", compare: "larger", size: 100 },
      { op: "flag", flag: "$Label", present: true },
    ],
  });
});

Deno.test("parseSearch refuses unknown keys and missing arguments", () => {
  for (
    const text of [
      "FROB",
      "FROM",
      "SINCE 31-Foo-2026",
      "LARGER big",
      "OR SEEN",
      "()",
      '"ALL"',
      "UID x",
    ]
  ) {
    assert.throws(() => parseSearch(tokens(text)), { name: "ImapSyntaxError" }, text);
  }
  assert.throws(() => parseSearch([]), /Missing search criteria/);
});
