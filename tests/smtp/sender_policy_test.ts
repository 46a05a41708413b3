// Submission's sender rules (RFC 6409 §6.1): a logged-in user sends as their own address, in the
// envelope and in From:, unless the domain's policy says otherwise; the Received: field names
// the login (as Postfix's smtpd_sasl_authenticated_header); MAIL's AUTH= parameter is accepted.
import assert from "node:assert/strict";
import { DEFAULT_CONFIG, type LabConfigInput } from "../../lab/config.ts";
import { Lab } from "../../lab/lab.ts";
import { RawSmtp } from "../_raw.ts";

function config(senderPolicy?: "own" | "domain" | "any"): LabConfigInput {
  return {
    ...DEFAULT_CONFIG,
    domains: DEFAULT_CONFIG.domains.map((d) => d.name === "crepes.fr" ? { ...d, senderPolicy } : d),
  };
}

async function loggedIn(lab: Lab): Promise<RawSmtp> {
  const raw = await RawSmtp.connect(lab.server("crepes.fr").ports.submission);
  await raw.reply();
  assert.equal(await raw.command("EHLO alice-laptop"), 250);
  assert.equal(await raw.command(`AUTH PLAIN ${btoa("\0alice\0ketchup")}`), 235);
  return raw;
}

async function send(raw: RawSmtp, from: string, header: string): Promise<string> {
  const mail = await raw.command(`MAIL FROM:<${from}>`);
  if (mail !== 250) {
    await raw.command("RSET");
    return `MAIL ${mail}`;
  }
  assert.equal(await raw.command("RCPT TO:<bob@hamburger.edu>"), 250);
  assert.equal(await raw.command("DATA"), 354);
  await raw.write(`${header}To: bob@hamburger.edu\r\nSubject: policy\r\n\r\nHi\r\n.\r\n`);
  return `DATA ${(await raw.reply())[0]}`;
}

Deno.test("a logged-in user cannot send as someone else, in MAIL FROM or in From:, by default", async () => {
  await using lab = await Lab.start({
    config: config(),
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const raw = await loggedIn(lab);
  for (const forged of ["bob@hamburger.edu", "ceo@bank.example", "chef@crepes.fr", ""]) {
    await raw.write(`MAIL FROM:<${forged}>\r\n`);
    assert.deepEqual(await raw.reply(), [
      `553 5.7.1 <${forged}>: Sender address rejected: not owned by user alice`,
    ]);
  }
  assert.equal(await raw.command("MAIL FROM:<Alice@CREPES.fr> AUTH=alice@crepes.fr"), 250);
  await raw.command("RSET");
  // The envelope is alice's, the header someone else's: refused at the end of DATA, named.
  assert.equal(
    await send(raw, "alice@crepes.fr", "From: The Bank <ceo@bank.example>\r\n"),
    "DATA 550 5.7.1 From: <ceo@bank.example> is not an address of user alice",
  );
  assert.match(
    await send(raw, "alice@crepes.fr", "From: alice@crepes.fr\r\nFrom: ceo@bank.example\r\n"),
    /^DATA 550 5\.7\.1 /,
  );
  assert.match(
    await send(raw, "alice@crepes.fr", "From: alice@crepes.fr, ceo@bank.example\r\n"),
    /^DATA 550 5\.7\.1 /,
  );
  assert.match(
    await send(raw, "alice@crepes.fr", "From: not an address at all\r\n"),
    /^DATA 550 5\.7\.1 /,
  );
  assert.match(
    await send(raw, "alice@crepes.fr", "From: Alice <alice@crepes.fr>\r\n"),
    /^DATA 250 /,
  );
  raw.close();
  await lab.idle();
  const bob = lab.server("hamburger.edu").store;
  const copies = await bob.list("bob", "INBOX");
  assert.equal(copies.length, 1, "only the honest message arrived");
  const text = new TextDecoder().decode(await bob.read("bob", "INBOX", copies[0].uid));
  assert.match(
    text,
    /^Received: from alice-laptop \(\[127\.0\.0\.1\]\)\r\n\t\(Authenticated sender: alice\)\r\n\tby crepes\.fr with ESMTPA /m,
  );
});

Deno.test("senderPolicy domain lets a user send as any address of the domain; any lets everything through", async () => {
  for (
    const [policy, allowed, refused] of [
      ["domain", ["chef@crepes.fr", "alice@crepes.fr"], ["bob@hamburger.edu", ""]],
      ["any", ["chef@crepes.fr", "ceo@bank.example", ""], []],
    ] as const
  ) {
    await using lab = await Lab.start({
      config: config(policy),
      freePorts: true,
      storage: "memory",
      passwordIterations: 1000,
    });
    const raw = await loggedIn(lab);
    for (const from of allowed) {
      assert.match(
        await send(raw, from, `From: ${from || "alice@crepes.fr"}\r\n`),
        /^DATA 250 /,
        `${policy}: ${from}`,
      );
    }
    for (const from of refused) {
      assert.equal(await send(raw, from, ""), "MAIL 553", `${policy}: ${from}`);
    }
    raw.close();
  }
});

Deno.test("the MX port keeps taking any sender from other servers", async () => {
  await using lab = await Lab.start({
    config: config(),
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const mx = await RawSmtp.connect(lab.server("hamburger.edu").ports.smtp);
  await mx.reply();
  await mx.command("EHLO crepes.fr");
  assert.equal(
    await send(mx, "someone@bank.example", "From: someone@bank.example\r\n"),
    "DATA 250 2.0.0 Message accepted for delivery",
  );
  mx.close();
});

Deno.test("MAIL's AUTH= parameter is taken as xtext or <>, and refused with 501 when it is not", async () => {
  await using lab = await Lab.start({
    config: config(),
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const raw = await loggedIn(lab);
  for (const auth of ["<>", "alice@crepes.fr", "alice+2Bsmith@crepes.fr"]) {
    assert.equal(await raw.command(`MAIL FROM:<alice@crepes.fr> AUTH=${auth}`), 250, auth);
    await raw.command("RSET");
  }
  for (const auth of ["alice=x@crepes.fr", "alice+zz@crepes.fr", "alice+2b@crepes.fr"]) {
    assert.equal(await raw.command(`MAIL FROM:<alice@crepes.fr> AUTH=${auth}`), 501, auth);
  }
  raw.close();
});
