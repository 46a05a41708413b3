import assert from "node:assert/strict";
import { type ImapToken, TokenReader } from "./lexer.ts";

function show(tokens: readonly ImapToken[]): unknown[] {
  return tokens.map((t) =>
    t.kind === "list" ? show(t.items) : t.kind === "string" ? `"${t.value}"` : t.value
  );
}

function read(line: string) {
  const progress = new TokenReader().pushLine(line);
  assert.ok(progress.done);
  return show(progress.tokens);
}

Deno.test("TokenReader reads atoms, quoted strings with escapes and nested lists", () => {
  assert.deepEqual(read('a1 LIST "" "a \\"b\\" \\\\c" (x (y z) ())'), [
    "a1",
    "LIST",
    '""',
    '"a "b" \\c"',
    ["x", ["y", "z"], []],
  ]);
});

Deno.test("TokenReader keeps a [section] with spaces and parentheses inside one atom", () => {
  assert.deepEqual(read("a FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> \\Seen *)"), [
    "a",
    "FETCH",
    "1",
    ["BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>", "\\Seen", "*"],
  ]);
});

Deno.test("TokenReader ends a keyword with [ at its space, not at a later section's ]", () => {
  assert.deepEqual(read("* 1 FETCH (FLAGS ($Label[1 \\Seen) BODY[HEADER.FIELDS (TO)] NIL)"), [
    "*",
    "1",
    "FETCH",
    ["FLAGS", ["$Label[1", "\\Seen"], "BODY[HEADER.FIELDS (TO)]", "NIL"],
  ]);
});

Deno.test("TokenReader asks for literals and reads the line after them", () => {
  const reader = new TokenReader();
  assert.deepEqual(reader.pushLine("a (x {3+}"), {
    done: false,
    literal: { size: 3, nonSync: true },
  });
  assert.throws(() => reader.pushLine("y"), { name: "ImapSyntaxError" });
  reader.pushLiteral(new Uint8Array([0, 13, 10]));
  const progress = reader.pushLine(" y)");
  assert.ok(progress.done);
  const list = progress.tokens[1];
  assert.ok(list.kind === "list" && list.items[1].kind === "string");
  assert.deepEqual(list.items[1].bytes, new Uint8Array([0, 13, 10]));
  assert.equal(list.items[1].literal, true);
});

Deno.test("TokenReader refuses malformed input with a column", () => {
  const fails = (line: string, message: RegExp) =>
    assert.throws(() => new TokenReader().pushLine(line), { name: "ImapSyntaxError", message });
  fails('a "x\\y"', /^Invalid escape in quoted string at column 5$/);
  fails('a "x\0"', /^NUL in quoted string at column 5$/);
  fails('a "open', /^Unterminated quoted string at column 3$/);
  fails("a )", /^Unexpected "\)" at column 3$/);
  fails("a (b", /^Missing "\)"/);
  fails("a {12", /^Invalid literal at column 3$/);
  fails("a {3} b", /^Invalid literal at column 3$/);
  fails("a b\x01c", /^Control character in atom at column 4$/);
  fails(`a ${"(".repeat(40)}`, /^Lists nested too deep/);
  assert.throws(() => new TokenReader({ maxTokens: 5 }).pushLine("a b c d e f"), /Too many tokens/);
});
