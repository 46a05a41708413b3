import assert from "node:assert/strict";
import { type ImapToken, TokenReader } from "./lexer.ts";
import { parseSearch, parseSort } from "./search_keys.ts";

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
    right: { op: "not", key: { op: "header", field: "x-spam", value: "yes" } },
  });
});

Deno.test("parseSearch reads CHARSET, sets, sizes and keywords", () => {
  const query = parseSearch(tokens("CHARSET utf-8 1:3,5 UID 7:* LARGER 100 KEYWORD $Label"));
  assert.equal(query.charset, "UTF-8");
  assert.equal(query.returns, undefined);
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

Deno.test("parseSearch tells address keys from HEADER and reads the session flags", () => {
  const query = parseSearch(tokens('FROM alice TO "Bob K" cc x BCC y SUBJECT hi HEADER From z'));
  assert.deepEqual(query.key, {
    op: "and",
    keys: [
      { op: "address", field: "from", value: "alice" },
      { op: "address", field: "to", value: "Bob K" },
      { op: "address", field: "cc", value: "x" },
      { op: "address", field: "bcc", value: "y" },
      { op: "header", field: "subject", value: "hi" },
      { op: "header", field: "from", value: "z" },
    ],
  });
  assert.deepEqual(parseSearch(tokens("NEW")).key, {
    op: "and",
    keys: [
      { op: "flag", flag: "\\Recent", present: true },
      { op: "flag", flag: "\\Seen", present: false },
    ],
  });
  assert.deepEqual(parseSearch(tokens("OLD")).key, {
    op: "flag",
    flag: "\\Recent",
    present: false,
  });
});

Deno.test("parseSearch reads the date keys as days", () => {
  const query = parseSearch(tokens("SENTBEFORE 2-Mar-2007 ON 1-Feb-1994"));
  assert.deepEqual(query.key, {
    op: "and",
    keys: [
      { op: "date", compare: "before", sent: true, day: Date.UTC(2007, 2, 2) },
      { op: "date", compare: "on", sent: false, day: Date.UTC(1994, 1, 1) },
    ],
  });
});

Deno.test("parseSearch reads ESEARCH RETURN options, an empty list as ALL", () => {
  assert.deepEqual(parseSearch(tokens("RETURN (MIN max COUNT min) ALL")).returns, [
    "MIN",
    "MAX",
    "COUNT",
  ]);
  assert.deepEqual(parseSearch(tokens("RETURN () CHARSET UTF-8 SEEN")), {
    returns: ["ALL"],
    charset: "UTF-8",
    key: { op: "flag", flag: "\\Seen", present: true },
  });
  assert.throws(() => parseSearch(tokens("RETURN (SAVE) ALL")), /Unknown search return option/);
  assert.throws(() => parseSearch(tokens("RETURN ALL")), /Missing search return options/);
});

Deno.test("parseSearch reads MODSEQ with and without an entry", () => {
  assert.deepEqual(parseSearch(tokens("MODSEQ 620162338")).key, {
    op: "modseq",
    modseq: 620162338,
  });
  assert.deepEqual(parseSearch(tokens('1:3 MODSEQ "/flags/\\\\seen" all 1')).key, {
    op: "and",
    keys: [{ op: "seq", set: [{ from: 1, to: 3 }] }, { op: "modseq", modseq: 1 }],
  });
  assert.throws(() => parseSearch(tokens('MODSEQ "/flags/\\\\seen" every 1')), /entry type/);
  assert.throws(() => parseSearch(tokens("MODSEQ x")), /Invalid mod-sequence "x"/);
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
      "MODSEQ",
      "CHARSET UTF-8",
    ]
  ) {
    assert.throws(() => parseSearch(tokens(text)), { name: "ImapSyntaxError" }, text);
  }
  assert.throws(() => parseSearch([]), /Missing search criteria/);
});

Deno.test("parseSort reads criteria with REVERSE, the charset and the search", () => {
  const query = parseSort(tokens("(reverse arrival SUBJECT DISPLAYFROM) us-ascii UNSEEN 1:5"));
  assert.deepEqual(query, {
    criteria: [
      { key: "ARRIVAL", reverse: true },
      { key: "SUBJECT", reverse: false },
      { key: "DISPLAYFROM", reverse: false },
    ],
    charset: "US-ASCII",
    key: {
      op: "and",
      keys: [
        { op: "flag", flag: "\\Seen", present: false },
        { op: "seq", set: [{ from: 1, to: 5 }] },
      ],
    },
  });
});

Deno.test("parseSort refuses bad criteria, a missing charset and a missing search", () => {
  for (
    const text of [
      "DATE UTF-8 ALL",
      "() UTF-8 ALL",
      "(REVERSE) UTF-8 ALL",
      "(REVERSE REVERSE DATE) UTF-8 ALL",
      "(COLOR) UTF-8 ALL",
      "(DATE)",
      "(DATE) UTF-8",
    ]
  ) {
    assert.throws(() => parseSort(tokens(text)), { name: "ImapSyntaxError" }, text);
  }
});
