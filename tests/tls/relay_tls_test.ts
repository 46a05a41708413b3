// The relay's TLS policy, against real servers: opportunistic STARTTLS (encrypted, the certificate
// checked and the result shown, the mail sent either way), required (no STARTTLS, or a certificate
// that does not verify, keeps the mail waiting at the step "tls"), and none.
import assert from "node:assert/strict";
import type { ClientTlsPolicy } from "../../client/smtp_client.ts";
import { Transcript } from "../../protocol/transcript.ts";
import { CertificateAuthority } from "../../runtime/certificates.ts";
import type { RecipientOutcome } from "../../server/queue/delivery.ts";
import { Relay } from "../../server/queue/relay.ts";
import { StaticRouter } from "../../server/queue/router.ts";
import { SmtpServer } from "../../server/smtp/server.ts";
import type { ServerTls } from "../../runtime/tls.ts";
import { SERVER_TLS, TEST_CA } from "./_tls.ts";

const other = await CertificateAuthority.create({ name: "Somebody else's CA" });

async function relayOnce(server: { tls?: ServerTls }, policy: ClientTlsPolicy | undefined) {
  const received: string[] = [];
  await using smtp = new SmtpServer({
    domain: "hamburger.edu",
    tls: server.tls,
    handler: { data: (envelope) => void received.push(envelope.from) },
  });
  const transcripts: Transcript[] = [];
  const relay = new Relay({
    router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: smtp.port } }),
    clientName: "crepes.fr",
    tls: policy,
    transcripts: () => {
      const t = new Transcript();
      transcripts.push(t);
      return t;
    },
  });
  const item = {
    id: "Q1",
    envelope: { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
    message: new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"),
  };
  const outcomes: RecipientOutcome[] = [];
  for await (const result of relay.deliver({ domain: "hamburger.edu", waiting: 1 }, [item])) {
    outcomes.push(...result.outcomes);
  }
  const notes = transcripts.flatMap((t) => t.entries.filter((e) => e.side === "*"))
    .map((e) => e.text);
  return { bob: outcomes[0], received, notes, transcript: transcripts[0] };
}

Deno.test("Relay with opportunistic TLS encrypts, verifies against the CA, and says so", async () => {
  const { bob, received, notes, transcript } = await relayOnce(
    { tls: SERVER_TLS },
    { ca: [TEST_CA] },
  );
  assert.equal(bob.status, "delivered");
  assert.deepEqual(received, ["alice@crepes.fr"]);
  assert.ok(
    notes.some((n) => /^TLS started \(TLSv1\.\d, .*; certificate verified\)$/.test(n)),
    notes.join("; "),
  );
  // The dialog inside TLS is the same dialog: EHLO again, then the transaction.
  const clientLines = transcript.lines("C");
  assert.deepEqual(clientLines.slice(0, 3), ["EHLO crepes.fr", "STARTTLS", "EHLO crepes.fr"]);
});

Deno.test("Relay with opportunistic TLS still sends to a certificate it cannot verify, and notes it", async () => {
  const { bob, notes } = await relayOnce({ tls: SERVER_TLS }, { ca: [other.cert] });
  assert.equal(bob.status, "delivered");
  assert.ok(notes.some((n) => /certificate not verified/.test(n)), notes.join("; "));
});

Deno.test("Relay with required TLS keeps the mail when the server offers no STARTTLS", async () => {
  const { bob, received } = await relayOnce({}, { ca: [TEST_CA], required: true });
  assert.equal(bob.status, "deferred");
  assert.equal(bob.step, "tls");
  assert.match(bob.error ?? "", /TLS is required, but 127\.0\.0\.1:\d+ does not offer STARTTLS/);
  assert.deepEqual(received, []);
});

Deno.test("Relay with required TLS keeps the mail when the certificate does not verify", async () => {
  const { bob, received, notes } = await relayOnce(
    { tls: SERVER_TLS },
    { ca: [other.cert], required: true },
  );
  assert.equal(bob.status, "deferred");
  assert.equal(bob.step, "tls");
  assert.match(bob.error ?? "", /TLS handshake failed/);
  assert.deepEqual(received, []);
  assert.ok(notes.some((n) => /TLS handshake failed/.test(n)));
});

Deno.test("Relay without a TLS policy speaks in the clear even when STARTTLS is offered", async () => {
  const { bob, transcript } = await relayOnce({ tls: SERVER_TLS }, undefined);
  assert.equal(bob.status, "delivered");
  assert.ok(!transcript.lines("C").includes("STARTTLS"));
});
