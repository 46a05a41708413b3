// Routing by DNS with a stub resolver (never the network): MX order and fallback, implicit MX,
// null MX (RFC 7505), lookup failures, and the loopback guard on resolved addresses.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { MailServer } from "../../server/mail_server.ts";
import { DnsRouter, StubResolver } from "../../server/queue/dns_router.ts";
import { RouteError, StaticRouter } from "../../server/queue/router.ts";
import { ScriptedPeer } from "../_peer.ts";

const MESSAGE = new TextEncoder().encode("Subject: Hi\r\n\r\nHi\r\n");

Deno.test("DnsRouter uses the domain's own address when it has no MX, and fails for good on a null MX", async () => {
  const router = new DnsRouter({
    resolver: new StubResolver({
      mx: { "nomail.example": [{ preference: 0, exchange: "" }] },
      addresses: { "hamburger.edu": ["127.0.0.1"] },
      failing: ["broken.example"],
    }),
  });
  assert.deepEqual(await router.routes("hamburger.edu"), [
    { host: "127.0.0.1", port: 25, name: "hamburger.edu" },
  ]);
  await assert.rejects(
    router.routes("nomail.example"),
    (e: unknown) => e instanceof RouteError && e.permanent && /null MX/.test(e.message),
  );
  await assert.rejects(
    router.routes("nowhere.example"),
    (e: unknown) => e instanceof RouteError && e.permanent,
  );
  await assert.rejects(
    router.routes("broken.example"),
    (e: unknown) => e instanceof RouteError && !e.permanent,
  );
});

Deno.test("MailServer relays by MX in preference order: the first exchanger is down, the second takes the mail", async () => {
  const received: string[] = [];
  await using backup = new ScriptedPeer((c) => c.serve({ onMessage: (t) => received.push(t) }));
  // Both exchangers get the backup's port: mx1's address (127.0.0.9) has nothing listening on
  // it, mx2's (127.0.0.1) is the backup.
  const router = new StaticRouter({}, {
    fallback: new DnsRouter({
      port: backup.port,
      resolver: new StubResolver({
        mx: {
          "hamburger.edu": [
            { preference: 20, exchange: "mx2.hamburger.edu" },
            { preference: 10, exchange: "mx1.hamburger.edu" },
          ],
        },
        addresses: { "mx1.hamburger.edu": ["127.0.0.9"], "mx2.hamburger.edu": ["127.0.0.1"] },
      }),
    }),
  });
  await using crepes = await MailServer.start({
    domain: "crepes.fr",
    router,
    clock: new ManualClock(),
  });
  await crepes.queue.enqueue({ from: "alice@crepes.fr", to: ["bob@hamburger.edu"] }, MESSAGE);
  await crepes.queue.idle();
  assert.equal(received.length, 1);
  assert.equal(crepes.queue.list().length, 0);
  const [first, second] = crepes.transcripts.filter((t) => t.role === "relay");
  assert.match(first.toString(), /Cannot connect to 127\.0\.0\.9:\d+/);
  assert.match(second.title, /127\.0\.0\.1:/);
  assert.deepEqual(second.replyCodes(), [220, 250, 250, 250, 354, 250, 221]);
});

Deno.test("MailServer bounces at once for a null MX, and never connects to a non-loopback address", async () => {
  const clock = new ManualClock();
  const router = new DnsRouter({
    resolver: new StubResolver({
      mx: {
        "nomail.example": [{ preference: 0, exchange: "" }],
        "internet.example": [{ preference: 10, exchange: "mx.internet.example" }],
      },
      addresses: { "mx.internet.example": ["192.0.2.25", "2001:db8::25"] },
    }),
  });
  await using crepes = await MailServer.start({
    domain: "crepes.fr",
    users: { alice: "ketchup" },
    passwordIterations: 1000,
    router,
    clock,
  });
  await crepes.queue.enqueue({ from: "alice@crepes.fr", to: ["x@nomail.example"] }, MESSAGE);
  await crepes.queue.enqueue({ from: "alice@crepes.fr", to: ["y@internet.example"] }, MESSAGE);
  await crepes.queue.idle();
  assert.equal(crepes.queue.list().length, 0, "both failed for good");
  assert.equal(crepes.relay.stats.connections, 0, "no connection was even tried");
  const bounces = await crepes.store.list("alice", "INBOX");
  assert.equal(bounces.length, 2);
  const texts = await Promise.all(
    bounces.map(async (m) =>
      new TextDecoder().decode(await crepes.store.read("alice", "INBOX", m.uid))
    ),
  );
  assert.ok(texts.some((t) => /null MX, RFC 7505/.test(t) && /Status: 5\.1\.2/.test(t)));
  assert.ok(texts.some((t) => /192\.0\.2\.25:25.*not a loopback address/.test(t)));
});
