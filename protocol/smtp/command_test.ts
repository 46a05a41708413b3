import assert from "node:assert/strict";
import { parsePath, PathSyntaxError } from "./command.ts";

Deno.test('a ">" inside a quoted local part does not end the path (RFC 5321 §4.1.2 Quoted-string)', () => {
  assert.equal(
    parsePath('TO:<"bob>smith"@hamburger.edu>', "TO").address,
    '"bob>smith"@hamburger.edu',
  );
  const escaped = parsePath('TO:<"a\\"b>c"@hamburger.edu> NOTIFY=NEVER', "TO");
  assert.equal(escaped.address, '"a\\"b>c"@hamburger.edu');
  assert.deepEqual(escaped.params, { NOTIFY: "NEVER" });
});

Deno.test("a plain path ends at its first >, parameters after it", () => {
  const path = parsePath("FROM:<alice@crepes.fr> BODY=8BITMIME", "FROM");
  assert.deepEqual(path, { address: "alice@crepes.fr", params: { BODY: "8BITMIME" } });
  // A quote after the closing ">" belongs to the text after the path, which is refused.
  assert.throws(() => parsePath('FROM:<alice@crepes.fr>"x"', "FROM"), PathSyntaxError);
});

Deno.test("a path with no closing > is refused, quoted or not", () => {
  assert.throws(() => parsePath("TO:<bob@hamburger.edu", "TO"), /Missing ">"/);
  assert.throws(() => parsePath('TO:<"bob>@hamburger.edu', "TO"), /Missing ">"/);
});
