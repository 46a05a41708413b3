import assert from "node:assert/strict";
import { parseSequenceSet, sequenceSetHas, sequenceSetMax } from "./sequence_set.ts";

Deno.test("sequenceSetHas reads backwards ranges and * as the largest number", () => {
  const set = parseSequenceSet("5:2,*");
  assert.deepEqual([1, 2, 5, 6, 9].map((n) => sequenceSetHas(set, n, 9)), [
    false,
    true,
    true,
    false,
    true,
  ]);
  assert.equal(sequenceSetHas(parseSequenceSet("10:*"), 4, 4), true);
  assert.equal(sequenceSetHas(parseSequenceSet("*"), 1, 0), false);
  assert.equal(sequenceSetMax(parseSequenceSet("3,7:*")), 7);
});

Deno.test("parseSequenceSet refuses zero, empty parts and huge numbers", () => {
  for (const text of ["0", "1,", ":", "1:2:3", "a", "4294967296", "-1", ""]) {
    assert.throws(() => parseSequenceSet(text), { name: "ImapSyntaxError" }, text);
  }
  assert.deepEqual(parseSequenceSet("4294967295"), [{ from: 4294967295, to: 4294967295 }]);
});
