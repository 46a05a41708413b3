import assert from "node:assert/strict";
import { formatResponse } from "./response.ts";

Deno.test("formatResponse writes NIL, nested lists and quoted strings", () => {
  const out = formatResponse("* ID", [[{ string: 'a "b"' }, null, ["x", []]]]);
  assert.deepEqual(out.lines, ['* ID ("a \\"b\\"" NIL (x ()))']);
  assert.equal(new TextDecoder().decode(out.bytes), '* ID ("a \\"b\\"" NIL (x ()))\r\n');
});

Deno.test("formatResponse sends 8-bit and multi-line strings as literals", () => {
  const out = formatResponse("* LIST", [[], { string: "." }, { string: "Caf\u00e9" }]);
  assert.equal(new TextDecoder().decode(out.bytes), '* LIST () "." {5}\r\nCaf\u00e9\r\n');
  assert.deepEqual(out.lines, ['* LIST () "." {5}', "(5 bytes)"]);
});
