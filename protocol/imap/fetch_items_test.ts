import assert from "node:assert/strict";
import {
  type FetchItem,
  parseFetchItems,
  parseFetchModifiers,
  sectionLabel,
} from "./fetch_items.ts";

const atom = (value: string) => ({ kind: "atom" as const, value });

Deno.test("parseFetchItems expands macros and reads single items", () => {
  assert.deepEqual(parseFetchItems(atom("fast")).map((i) => i.kind === "attribute" && i.name), [
    "FLAGS",
    "INTERNALDATE",
    "RFC822.SIZE",
  ]);
  assert.deepEqual(parseFetchItems(atom("rfc822.header")), [{
    kind: "attribute",
    name: "RFC822.HEADER",
  }]);
});

Deno.test("parseFetchItems reads every section form and sectionLabel names its answer", () => {
  const cases: [string, string][] = [
    ["BODY[]", "BODY[]"],
    ["body.peek[header]", "BODY[HEADER]"],
    ["BODY[TEXT]<10.20>", "BODY[TEXT]<10>"],
    ["BODY[1.2]", "BODY[1.2]"],
    ["BODY[2.MIME]", "BODY[2.MIME]"],
    ["BODY[3.HEADER.FIELDS (Subject)]", "BODY[3.HEADER.FIELDS (Subject)]"],
    ["BODY.PEEK[HEADER.FIELDS.NOT (From To)]", "BODY[HEADER.FIELDS.NOT (From To)]"],
  ];
  for (const [text, label] of cases) {
    const [item] = parseFetchItems(atom(text));
    assert.equal(item.kind, "section", text);
    assert.equal(sectionLabel(item as FetchItem & { kind: "section" }), label);
  }
  const [peek] = parseFetchItems(atom("BODY.PEEK[1.TEXT]<0.5>"));
  assert.deepEqual(peek, {
    kind: "section",
    peek: true,
    part: [1],
    text: "TEXT",
    fields: [],
    partial: { start: 0, count: 5 },
  });
});

Deno.test("parseFetchItems refuses unknown and malformed items", () => {
  for (
    const text of [
      "ENVELOPES",
      "BODY[FOO]",
      "BODY[HEADER.FIELDS]",
      "BODY[HEADER (X)]",
      "BODY[MIME]",
      "BODY[]<5>",
      "BODY[]<1.0>",
    ]
  ) {
    assert.throws(() => parseFetchItems(atom(text)), { name: "ImapSyntaxError" }, text);
  }
  assert.throws(() => parseFetchItems({ kind: "list", items: [] }), /Empty fetch item list/);
});

Deno.test("parseFetchItems reads MODSEQ, and parseFetchModifiers reads CHANGEDSINCE", () => {
  const items = parseFetchItems({ kind: "list", items: [atom("uid"), atom("modseq")] });
  assert.deepEqual(items, [{ kind: "attribute", name: "UID" }, {
    kind: "attribute",
    name: "MODSEQ",
  }]);
  const list = (...values: string[]) => ({ kind: "list" as const, items: values.map(atom) });
  assert.deepEqual(parseFetchModifiers(list("CHANGEDSINCE", "12345678901")), {
    changedSince: 12345678901,
  });
  assert.deepEqual(parseFetchModifiers(list("changedsince", "0")), { changedSince: 0 });
  for (
    const [token, message] of [
      [atom("CHANGEDSINCE"), /Expected fetch modifiers/],
      [list(), /Expected fetch modifiers/],
      [list("CHANGEDSINCE"), /CHANGEDSINCE needs a number/],
      [list("CHANGEDSINCE", "-1"), /CHANGEDSINCE needs a number/],
      [list("VANISHED"), /Unknown fetch modifier "VANISHED"/],
    ] as const
  ) {
    assert.throws(() => parseFetchModifiers(token), { name: "ImapSyntaxError", message });
  }
});
