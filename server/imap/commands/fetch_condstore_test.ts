import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { done, selected, setup } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

Deno.test("ImapSession FETCH CHANGEDSINCE shows changed messages with MODSEQ and enables CONDSTORE", async () => {
  const { send, store } = await selected();
  // Before CONDSTORE is on, FLAGS come alone.
  assert.deepEqual(await send("a3 STORE 2 +FLAGS (\\Answered)"), [
    "* 2 FETCH (FLAGS (\\Seen \\Answered \\Flagged \\Recent))",
    done("a3", "STORE"),
  ]);
  const [first, second] = await store.list("bob", "INBOX");
  const highest = (await store.status("bob", "INBOX")).highestModseq;
  assert.equal(second.modseq, highest);
  // RFC 7162 §3.1.4.1: only messages changed after the value; MODSEQ comes without asking,
  // and turning CONDSTORE on reports HIGHESTMODSEQ (§3.1).
  assert.deepEqual(await send(`a4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${first.modseq})`), [
    `* 2 FETCH (UID 2 FLAGS (\\Seen \\Answered \\Flagged \\Recent) MODSEQ (${highest}))`,
    formatStatus("*", RESPONSE.HighestModseq(highest)),
    done("a4", "UID FETCH"),
  ]);
  assert.deepEqual(await send(`a5 FETCH 1:* UID (CHANGEDSINCE ${highest})`), [done("a5", "FETCH")]);
  // Now every FLAGS shows MODSEQ, also the one that an implicit \Seen adds.
  assert.deepEqual(await send("a6 FETCH 1 FLAGS"), [
    `* 1 FETCH (FLAGS (\\Recent) MODSEQ (${first.modseq}))`,
    done("a6", "FETCH"),
  ]);
  assert.deepEqual(await send("a7 FETCH 1 (MODSEQ BODY[TEXT]<0.7>)"), [
    `* 1 FETCH (MODSEQ (${highest + 1}) BODY[TEXT]<0> {7}`,
    "(7 bytes)",
    ` FLAGS (\\Seen \\Recent))`,
    done("a7", "FETCH"),
  ]);
  assert.deepEqual(await send("a8 FETCH 1 RFC822.SIZE"), [
    "* 1 FETCH (RFC822.SIZE 120)",
    done("a8", "FETCH"),
  ]);
});

Deno.test("ImapSession FETCH MODSEQ enables CONDSTORE once, and knows it enabled by ENABLE", async () => {
  const { send } = await selected();
  const [fetched, announce] = await send("a3 FETCH 2 (UID MODSEQ)");
  assert.match(announce, /^\* OK \[HIGHESTMODSEQ \d+\]/);
  assert.match(fetched, /^\* 2 FETCH \(UID 2 MODSEQ \(\d+\)\)$/);
  assert.deepEqual((await send("a4 FETCH 2 MODSEQ")).length, 2);

  const other = await setup();
  await other.send("b1 LOGIN bob pickles");
  await other.send("b2 ENABLE CONDSTORE");
  await other.send("b3 SELECT INBOX");
  const [first] = await other.store.list("bob", "INBOX");
  assert.deepEqual(await other.send("b4 FETCH 1 (FLAGS)"), [
    `* 1 FETCH (FLAGS (\\Recent) MODSEQ (${first.modseq}))`,
    done("b4", "FETCH"),
  ]);
  assert.deepEqual(await other.send("b5 FETCH 1 FLAGS (CHANGEDSINCE x)"), [
    formatStatus("b5", RESPONSE.BadArguments("CHANGEDSINCE needs a number", COMMANDS.FETCH.syntax)),
  ]);
});
