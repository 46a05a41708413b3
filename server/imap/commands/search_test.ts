import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { done, selected } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

Deno.test("ImapSession SEARCH matches flags, sets, dates, sizes and header substrings", async () => {
  const { send } = await selected();
  const search = async (criteria: string) => (await send(`s SEARCH ${criteria}`))[0];
  assert.equal(await search("ALL"), "* SEARCH 1 2");
  assert.equal(await search("UNSEEN"), "* SEARCH 1");
  assert.equal(await search("SEEN FLAGGED"), "* SEARCH 2");
  assert.equal(await search("NOT SEEN"), "* SEARCH 1");
  assert.equal(await search("OR ANSWERED FLAGGED"), "* SEARCH 2");
  assert.equal(await search("DELETED"), "* SEARCH");
  assert.equal(await search("UID 2:*"), "* SEARCH 2");
  assert.equal(await search("2"), "* SEARCH 2");
  assert.equal(await search("SINCE 1-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("BEFORE 1-Sep-2026"), "* SEARCH 2");
  assert.equal(await search("ON 15-Aug-2026"), "* SEARCH 2");
  assert.equal(await search("SENTON 1-Sep-2026"), "* SEARCH 1");
  assert.equal(await search("LARGER 100"), "* SEARCH 1");
  assert.equal(await search("SMALLER 100"), "* SEARCH 2");
  assert.equal(await search('FROM "ALICE@"'), "* SEARCH 1");
  assert.equal(await search("SUBJECT second"), "* SEARCH 2");
  assert.equal(await search("TO hamburger"), "* SEARCH 1");
  assert.equal(await search("HEADER Date 2026"), "* SEARCH 1");
  assert.equal(await search("BODY pickles"), "* SEARCH 1");
  assert.equal(await search("(UNSEEN SUBJECT lunch)"), "* SEARCH 1");
  assert.equal(await search("CHARSET UTF-8 TEXT two"), "* SEARCH 2");
  assert.deepEqual(await send("u UID SEARCH FLAGGED"), ["* SEARCH 2", done("u", "UID SEARCH")]);
  assert.equal(
    await search("CHARSET KOI8-R ALL"),
    formatStatus("s", RESPONSE.BadCharset("KOI8-R", ["US-ASCII", "UTF-8"])),
  );
  assert.equal(
    await search("FROB"),
    formatStatus("s", RESPONSE.BadArguments('Unknown search key "FROB"', COMMANDS.SEARCH.syntax)),
  );
});
