import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { done, selected } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

Deno.test("ImapSession STORE adds, removes and replaces flags, silently when asked", async () => {
  const { send, store } = await selected();
  assert.deepEqual(await send("a3 STORE 1 +FLAGS (\\Seen \\Answered)"), [
    // Both messages arrived before this session selected INBOX: they are its recent ones.
    "* 1 FETCH (FLAGS (\\Seen \\Answered \\Recent))",
    done("a3", "STORE"),
  ]);
  assert.deepEqual(await send("a4 UID STORE 1:2 -FLAGS \\Seen"), [
    "* 1 FETCH (UID 1 FLAGS (\\Answered \\Recent))",
    "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))",
    done("a4", "UID STORE"),
  ]);
  // A keyword new to the mailbox is kept, and the session hears the mailbox's new flag list.
  assert.deepEqual(await send("a5 STORE 2 FLAGS.SILENT (\\Deleted $Label)"), [
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Label)",
    "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Label \\*)] " +
    "Flags kept for good",
    done("a5", "STORE"),
  ]);
  assert.deepEqual((await store.list("bob", "INBOX"))[1].flags, ["\\Deleted", "$Label"]);
  assert.match((await send("a55 STORE 1 +FLAGS (\\Bogus)"))[0], /^a55 BAD Unknown flag/);
  assert.deepEqual(await send("a6 STORE 1 FLAG (\\Seen)"), [
    formatStatus(
      "a6",
      RESPONSE.BadArguments("Expected FLAGS, +FLAGS or -FLAGS", COMMANDS.STORE.syntax),
    ),
  ]);
  await send("a7 EXAMINE INBOX");
  assert.deepEqual(await send("a8 STORE 1 +FLAGS (\\Seen)"), [
    formatStatus("a8", RESPONSE.ReadOnly("INBOX")),
  ]);
  assert.deepEqual(await send("a9 EXPUNGE"), [formatStatus("a9", RESPONSE.ReadOnly("INBOX"))]);
});
