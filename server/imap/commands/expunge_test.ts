import assert from "node:assert/strict";
import { done, selected } from "../_fixture.ts";

const encoder = new TextEncoder();

Deno.test("ImapSession NOOP reports a new delivery with EXISTS and other sessions' flag changes", async () => {
  const { send, store } = await selected();
  assert.deepEqual(await send("a3 NOOP"), [done("a3", "NOOP")]);
  await store.deliver("bob", encoder.encode("Subject: Third\r\n\r\n3\r\n"));
  await store.setFlags("bob", "INBOX", 1, ["\\Answered"]);
  assert.deepEqual(await send("a4 NOOP"), [
    "* 3 EXISTS",
    "* 3 RECENT",
    "* 1 FETCH (UID 1 FLAGS (\\Answered \\Recent))",
    done("a4", "NOOP"),
  ]);
  assert.equal((await send("a5 FETCH 3 UID"))[0], "* 3 FETCH (UID 3)");
});

Deno.test("ImapSession EXPUNGE reports removed messages highest first; CLOSE removes them silently", async () => {
  const { send, store } = await selected();
  await store.deliver("bob", encoder.encode("Subject: Third\r\n\r\n3\r\n"));
  await send("a3 NOOP");
  await send("a4 STORE 1:2 +FLAGS.SILENT (\\Deleted)");
  assert.deepEqual(await send("a5 EXPUNGE"), [
    "* 2 EXPUNGE",
    "* 1 EXPUNGE",
    done("a5", "EXPUNGE"),
  ]);
  assert.deepEqual(await send("a6 FETCH 1 UID"), ["* 1 FETCH (UID 3)", done("a6", "FETCH")]);
  await send("a7 STORE 1 +FLAGS (\\Deleted)");
  assert.deepEqual(await send("a8 UNSELECT"), [done("a8", "UNSELECT")]);
  assert.equal((await store.list("bob", "INBOX")).length, 1);
  await send("a9 SELECT INBOX");
  assert.deepEqual(await send("b1 CLOSE"), [done("b1", "CLOSE")]);
  assert.equal((await store.list("bob", "INBOX")).length, 0);
});
