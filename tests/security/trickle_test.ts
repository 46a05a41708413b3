// A client that keeps a connection barely alive, a byte now and then, holds a slot for as long as
// the idle time allows and no longer: for IMAP too, only whole lines count as activity.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer } from "../../server/imap/server.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";

Deno.test("an IMAP client that trickles a byte every 3 s is logged out at the idle time", async () => {
  const clock = new ManualClock();
  const accounts = new Accounts({ iterations: 1000 });
  await accounts.add("bob", "pickles");
  await using server = new ImapServer({
    store: new MemoryStore(),
    accounts,
    clock,
    limits: { idleTimeoutMs: 60_000 },
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const buffer = new Uint8Array(4096);
  const read = async () =>
    new TextDecoder().decode(buffer.subarray(0, (await conn.read(buffer)) ?? 0));
  assert.match(await read(), /^\* OK /);
  for (let i = 0; i < 21; i++) {
    await conn.write(new TextEncoder().encode("a"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(3_000);
  }
  assert.match(await read(), /^\* BYE /);
  assert.equal(await conn.read(buffer), null, "the server closed the connection");
  conn.close();
});
