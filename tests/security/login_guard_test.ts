// Password guessing meets one guard for the whole server: failures over SMTP AUTH, IMAP LOGIN
// and the HTTP login count together per address and per account, reconnecting does not reset
// them, and past the limit every door answers "try again in N s" until the window has passed.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { MailServer } from "../../server/mail_server.ts";
import type { MailEvent } from "../../server/events.ts";
import { LoginGuard } from "../../server/login_guard.ts";
import { RawSmtp } from "../_raw.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

async function imapLogin(port: number, password: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const buffer = new Uint8Array(4096);
  let text = "";
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n));
    }
  };
  await until(/\r\n/);
  await conn.write(encoder.encode(`a1 LOGIN bob ${password}\r\n`));
  await until(/^a1 .*\r\n/m);
  conn.close();
  return /^a1 (.*)\r\n/m.exec(text)?.[1] ?? "";
}

async function smtpAuth(port: number, password: string): Promise<string> {
  const raw = await RawSmtp.connect(port);
  await raw.reply();
  await raw.command("EHLO laptop");
  await raw.write(`AUTH PLAIN ${btoa(`\0bob\0${password}`)}\r\n`);
  const [reply] = await raw.reply();
  raw.close();
  return reply;
}

Deno.test("failures over IMAP, SMTP and HTTP count together, and lock every door with the wait in the answer", async () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 9, 0));
  const events: MailEvent[] = [];
  await using server = await MailServer.start({
    domain: "hamburger.edu",
    users: { bob: "pickles" },
    passwordIterations: 1000,
    clock,
    loginFailureDelayMs: 0,
    onEvent: (event) => events.push(event),
  });
  const http = (password: string) =>
    fetch(`http://127.0.0.1:${server.ports.http}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "bob", password }),
    });
  // Ten wrong guesses, each on a fresh connection, spread over the three services.
  for (let i = 0; i < 4; i++) {
    assert.match(await imapLogin(server.ports.imap, `guess${i}`), /^NO \[AUTHENTICATIONFAILED\]/);
  }
  for (let i = 0; i < 3; i++) {
    assert.match(await smtpAuth(server.ports.submission, `guess${i}`), /^535 /);
  }
  for (let i = 0; i < 3; i++) {
    const answer = await http(`guess${i}`);
    assert.equal(answer.status, 401);
    await answer.body?.cancel();
  }
  // Now even the right password waits: the answer says how long.
  assert.match(
    await imapLogin(server.ports.imap, "pickles"),
    /^NO \[UNAVAILABLE\] Too many failed logins .*; try again in 900 s$/,
  );
  assert.match(
    await smtpAuth(server.ports.submission, "pickles"),
    /^421 4\.7\.0 .*try again in 900 s$/,
  );
  const locked = await http("pickles");
  assert.equal(locked.status, 429);
  assert.equal(locked.headers.get("retry-after"), "900");
  await locked.body?.cancel();
  const failures = events.filter((e) => e.type === "login-failed");
  assert.equal(failures.length, 13);
  assert.deepEqual(
    failures.map((e) => e.type === "login-failed" && `${e.service} ${e.address} ${e.locked}`).slice(
      9,
    ),
    ["HTTP 127.0.0.1 false", "IMAP 127.0.0.1 true", "SMTP 127.0.0.1 true", "HTTP 127.0.0.1 true"],
  );
  // A real user can wait it out.
  clock.advance(15 * 60_000);
  assert.match(await imapLogin(server.ports.imap, "pickles"), /^OK /);
  assert.match(await smtpAuth(server.ports.submission, "pickles"), /^235 /);
});

Deno.test("a flood of password checks from one address cannot starve another address's login", async () => {
  const guard = new LoginGuard({
    clock: new ManualClock(),
    failureDelayMs: 0,
    maxConcurrentChecks: 2,
  });
  const started: string[] = [];
  const release: (() => void)[] = [];
  const slowCheck = (who: string) => () =>
    new Promise<string | undefined>((resolve) => {
      started.push(who);
      release.push(() => resolve(undefined));
    });
  const flood = Array.from(
    { length: 20 },
    () => guard.attempt("SMTP", "10.0.0.66", "bob", slowCheck("flood")),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(started, ["flood"], "one check at a time per address");
  const user = guard.attempt("IMAP", "10.0.0.7", "alice", () => {
    started.push("alice");
    return Promise.resolve("alice");
  });
  assert.deepEqual(await user, { ok: true, user: "alice" });
  assert.deepEqual(started, ["flood", "alice"], "alice went before the flood's queue");
  // Past eight waiting, the flood's checks are refused at once, without a password check.
  while (release.length > 0) {
    release.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const outcomes = await Promise.all(flood);
  assert.ok(outcomes.every((o) => !o.ok));
  assert.ok(started.filter((s) => s === "flood").length <= 10, `${started.length} checks ran`);
});

Deno.test("guesses waiting in line are refused once the lock falls: no more checks than the limit", async () => {
  const guard = new LoginGuard({ clock: new ManualClock(), failureDelayMs: 0, maxFailures: 3 });
  let checks = 0;
  const wrong = () => {
    checks++;
    return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1));
  };
  const outcomes = await Promise.all(
    Array.from({ length: 8 }, () => guard.attempt("IMAP", "10.0.0.66", "bob", wrong)),
  );
  assert.equal(checks, 3);
  assert.equal(outcomes.filter((o) => !o.ok && o.lockedMs).length, 5);
});
