// Fault injection in the lab, from code: hamburger.edu answers 421, 451 or 550 for a while, or
// slowly, and crepes.fr's queue does what RFC 5321 asks of it.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { SmtpClient } from "../../client/smtp_client.ts";
import { Lab } from "../../lab/lab.ts";
import { DEFAULT_CONFIG } from "../../lab/config.ts";

const MINUTE = 60_000;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

async function setup(clock: ManualClock): Promise<Lab> {
  return await Lab.start({
    config: DEFAULT_CONFIG,
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
    clock,
  });
}

async function send(lab: Lab, to = "bob@hamburger.edu"): Promise<void> {
  const ua = await SmtpClient.connect({
    hostname: "127.0.0.1",
    port: lab.server("crepes.fr").ports.submission,
    clock: lab.clock,
  });
  await ua.authenticate("alice", "ketchup");
  await ua.send(
    { from: "alice@crepes.fr", to: [to] },
    new TextEncoder().encode(`From: alice@crepes.fr\r\nTo: ${to}\r\nSubject: Hi\r\n\r\nHi\r\n`),
  );
  await ua.quit();
  await lab.idle();
}

const bobHas = async (lab: Lab) =>
  (await lab.server("hamburger.edu").store.list("bob", "INBOX")).length;

Deno.test("Lab fault 421 refuses connections for 45 minutes; the queue keeps the message and delivers it after", async () => {
  const clock = new ManualClock();
  await using lab = await setup(clock);
  const port = lab.server("hamburger.edu").ports.smtp;
  assert.match(
    await lab.fault("hamburger.edu", 421, { forMs: 45 * MINUTE }),
    /answers 421 at connect/,
  );
  assert.equal(lab.server("hamburger.edu").ports.smtp, port, "the same port answers");
  await send(lab);
  const [entry] = lab.server("crepes.fr").queue.list();
  const last = entry.recipients[0].last!;
  assert.equal(last.step, "greeting");
  assert.equal(last.reply?.code, 421);
  assert.equal(last.reply?.enhanced, "4.3.2");
  assert.match(last.reply?.lines[0] ?? "", /^hamburger\.edu Service not available/);
  assert.equal(last.remote, `127.0.0.1:${port}`);
  clock.advance(30 * MINUTE);
  await lab.idle();
  assert.equal(await bobHas(lab), 0, "still refused at 30 minutes");
  clock.advance(15 * MINUTE);
  await lab.idle(); // the fault ends at 45 minutes, and the server takes the port back
  clock.advance(15 * MINUTE);
  await lab.idle();
  assert.equal(await bobHas(lab), 1, "delivered at 60 minutes, the fault over");
  assert.ok(lab.log.events.some((e) => e.type === "fault"));
});

Deno.test("Lab fault 451 defers at RCPT until it ends; 550 fails at once with a bounce", async () => {
  const clock = new ManualClock();
  await using lab = await setup(clock);
  await lab.fault("hamburger.edu", 451, { forMs: 30 * MINUTE });
  await send(lab);
  const [entry] = lab.server("crepes.fr").queue.list();
  const last = entry.recipients[0].last!;
  assert.deepEqual([last.status, last.step, last.reply?.code, last.reply?.enhanced], [
    "deferred",
    "rcpt",
    451,
    "4.3.0",
  ]);
  assert.match(last.reply?.lines[0] ?? "", /fault injected/);
  clock.advance(30 * MINUTE);
  await lab.idle();
  assert.equal(await bobHas(lab), 1);

  await lab.fault("hamburger.edu", 550);
  await send(lab);
  assert.equal(lab.server("crepes.fr").queue.list().length, 0, "550 is final");
  const alice = await lab.server("crepes.fr").store.list("alice", "INBOX");
  assert.equal(alice.length, 1, "alice got the bounce");
  assert.equal(await lab.fault("hamburger.edu", "clear"), "hamburger.edu: no faults");
});

Deno.test("Lab fault slow beyond the client's timeout defers the message; stop and start work from code too", async () => {
  const clock = new ManualClock();
  await using lab = await setup(clock);
  lab.server("crepes.fr").relay; // the relay's timeouts are RFC 5321's: five minutes per command
  await lab.fault("hamburger.edu", "slow", { delayMs: 10 * MINUTE });
  const sending = send(lab);
  // Only once the relay has connected to hamburger.edu (whose greeting the fault holds back)
  // may the clock jump past the relay's deadline (earlier, it would run out the user agent's).
  const connected = () => lab.transcriptsOf("mx", "hamburger.edu").length > 0;
  for (let i = 0; i < 500 && !connected(); i++) await tick();
  assert.ok(connected(), "the relay connected to hamburger.edu");
  clock.advance(5 * MINUTE);
  await sending;
  const [entry] = lab.server("crepes.fr").queue.list();
  assert.equal(entry.recipients[0].last?.step, "greeting", "the fault holds back the greeting too");
  assert.match(entry.recipients[0].last?.error ?? "", /No (answer|greeting) within 300000 ms/);
  assert.match(await lab.fault("hamburger.edu", "stop"), /SMTP stopped/);
  assert.equal(lab.server("hamburger.edu").smtpRunning, false);
  await lab.fault("hamburger.edu", "clear");
  await lab.fault("hamburger.edu", "start");
  clock.advance(30 * MINUTE);
  await lab.idle();
  assert.equal(await bobHas(lab), 1);
});

Deno.test("Lab fault slow holds back every answer: the greeting, EHLO, 354 and QUIT's 221 too", async () => {
  const clock = new ManualClock();
  await using lab = await setup(clock);
  await lab.fault("hamburger.edu", "slow", { delayMs: 5000 });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: lab.server("hamburger.edu").ports.smtp,
  });
  const buffer = new Uint8Array(4096);
  let pending: Promise<number | null> | undefined;
  // What arrives within a few ticks of real time; the manual clock alone releases the answer.
  const heard = async () => {
    pending ??= conn.read(buffer);
    for (let i = 0; i < 5; i++) {
      const n = await Promise.race([pending, tick().then(() => undefined)]);
      if (n !== undefined) {
        pending = undefined;
        return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
      }
    }
    return "";
  };
  const say = (line: string) => conn.write(new TextEncoder().encode(line + "\r\n"));
  const answers: string[] = [];
  for (
    const line of [
      undefined,
      "EHLO crepes.fr",
      "MAIL FROM:<alice@crepes.fr>",
      "RCPT TO:<bob@hamburger.edu>",
      "DATA",
      "Subject: slow\r\n\r\nHi\r\n.",
      "QUIT",
    ]
  ) {
    if (line) await say(line);
    assert.equal(
      await heard(),
      "",
      `an answer to ${line ?? "the connection"} came before its time`,
    );
    clock.advance(5000);
    answers.push((await heard()).slice(0, 3));
  }
  assert.deepEqual(answers, ["220", "250", "250", "250", "354", "250", "221"]);
  conn.close();
});
