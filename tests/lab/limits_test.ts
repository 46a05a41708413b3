// The lab's limits come from its configuration, so a teacher can tighten them for a classroom
// network: connections per address, the idle time, and the failed logins before a lock.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { ConfigError, DEFAULT_CONFIG, parseLabConfig } from "../../lab/config.ts";
import { Lab } from "../../lab/lab.ts";
import { RawSmtp } from "../_raw.ts";

Deno.test("the lab's limits section reaches every server: connections per address, idle time, logins", async () => {
  const clock = new ManualClock();
  await using lab = await Lab.start({
    config: {
      ...DEFAULT_CONFIG,
      limits: {
        connectionsPerAddress: 2,
        smtpIdleTimeout: "1m",
        loginFailures: 2,
        loginWindow: "10m",
      },
    },
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
    clock,
  });
  const mx = lab.server("hamburger.edu").ports.smtp;
  const first = await RawSmtp.connect(mx);
  const second = await RawSmtp.connect(mx);
  const third = await RawSmtp.connect(mx);
  assert.match((await first.reply())[0], /^220 /);
  assert.match((await second.reply())[0], /^220 /);
  assert.match((await third.reply())[0], /^421 /, "a third from one address is refused");
  third.close();
  clock.advance(60_000);
  assert.match((await first.reply())[0], /^421 Idle too long/);
  first.close();
  second.close();

  const submission = lab.server("crepes.fr").ports.submission;
  const auth = async (password: string) => {
    const raw = await RawSmtp.connect(submission);
    await raw.reply();
    await raw.command("EHLO laptop");
    await raw.write(`AUTH PLAIN ${btoa(`\0alice\0${password}`)}\r\n`);
    const [reply] = await raw.reply();
    raw.close();
    return reply;
  };
  assert.match(await auth("wrong1"), /^535 /);
  // The second failure's answer waits a second on the lab's clock.
  const waiting = auth("wrong2");
  await new Promise((resolve) => setTimeout(resolve, 50));
  clock.advance(1000);
  assert.match(await waiting, /^535 /);
  assert.match(await auth("ketchup"), /^421 4\.7\.0 .*try again in 599 s$/);
});

Deno.test("a bad limit is refused with the name of the field", () => {
  assert.throws(
    () => parseLabConfig({ ...DEFAULT_CONFIG, limits: { connections: 0 } }),
    (error: unknown) => error instanceof ConfigError && /limits\.connections/.test(error.message),
  );
  assert.throws(
    () => parseLabConfig({ ...DEFAULT_CONFIG, limits: { smtpIdleTimeout: "soon" } }),
    (error: unknown) =>
      error instanceof ConfigError && /limits\.smtpIdleTimeout/.test(error.message),
  );
});

Deno.test("limits.httpHeaderTimeout reaches the HTTP interface: a header still unfinished gets 408", async () => {
  const clock = new ManualClock();
  await using lab = await Lab.start({
    config: { ...DEFAULT_CONFIG, limits: { httpHeaderTimeout: "5s" } },
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
    clock,
  });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: lab.server("crepes.fr").ports.http,
  });
  await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: crepes.fr\r\n"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  clock.advance(5000);
  const buffer = new Uint8Array(512);
  const n = await Promise.race([
    conn.read(buffer),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
  ]);
  assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1\.1 408 /);
  conn.close();
});
