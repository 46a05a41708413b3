import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { done, selected } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

Deno.test("ImapSession STORE adds, removes and replaces flags, silently when asked", async () => {
  const { send, store } = await selected();
  assert.deepEqual(await send("a3 STORE 1 +FLAGS (\\Seen \\Answered)"), [
    "* 1 FETCH (FLAGS (\\Seen \\Answered))",
    done("a3", "STORE"),
  ]);
  assert.deepEqual(await send("a4 UID STORE 1:2 -FLAGS \\Seen"), [
    "* 1 FETCH (UID 1 FLAGS (\\Answered))",
    "* 2 FETCH (UID 2 FLAGS (\\Flagged))",
    done("a4", "UID STORE"),
  ]);
  assert.deepEqual(await send("a5 STORE 2 FLAGS.SILENT (\\Deleted $Label)"), [
    done("a5", "STORE"),
  ]);
  assert.deepEqual((await store.list("bob", "INBOX"))[1].flags, ["\\Deleted"]);
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
