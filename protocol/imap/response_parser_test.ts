import assert from "node:assert/strict";
import { ResponseParser } from "./response_parser.ts";

function parse(line: string) {
  const progress = new ResponseParser().pushLine(line);
  assert.ok(progress.done);
  return progress.response;
}

Deno.test("ResponseParser reads continuations, untagged statuses and data with numbers", () => {
  assert.deepEqual(parse("+ Ready for literal data"), {
    kind: "continuation",
    text: "Ready for literal data",
  });
  assert.deepEqual(parse("+"), { kind: "continuation", text: "" });
  assert.deepEqual(parse("* OK [PERMANENTFLAGS (\\Seen \\*)] Limited"), {
    kind: "status",
    tag: "*",
    status: "OK",
    code: "PERMANENTFLAGS (\\Seen \\*)",
    text: "Limited",
  });
  assert.deepEqual(parse("* BYE"), { kind: "status", tag: "*", status: "BYE", text: "" });
  assert.deepEqual(parse("* 3 EXISTS"), { kind: "data", name: "EXISTS", number: 3, args: [] });
  const search = parse("* SEARCH 2 4");
  assert.ok(search.kind === "data");
  assert.deepEqual(search.args.map((a) => a.kind === "atom" && a.value), ["2", "4"]);
});

Deno.test("ResponseParser reads a LIST whose mailbox name is a literal", () => {
  const parser = new ResponseParser();
  assert.deepEqual(parser.pushLine('* LIST () "." {5}'), {
    done: false,
    literal: { size: 5, nonSync: false },
  });
  parser.pushLiteral(new TextEncoder().encode("Caf\u00e9"));
  const progress = parser.pushLine("");
  assert.ok(progress.done && progress.response.kind === "data");
  const name = progress.response.args[2];
  assert.ok(name.kind === "string");
  assert.equal(name.value, "Café");
});

Deno.test("ResponseParser refuses a line that is no response", () => {
  assert.throws(() => new ResponseParser().pushLine("hello"), { name: "ImapSyntaxError" });
  assert.throws(() => new ResponseParser().pushLine("* (x"), { name: "ImapSyntaxError" });
});
