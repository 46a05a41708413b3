// deno task queue and deno task fault, run as a student runs them, against a lab in this process
// whose control endpoint writes control.json into a temporary data directory.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { SmtpClient } from "../../client/smtp_client.ts";
import { Lab } from "../../lab/lab.ts";
import { ControlServer } from "../../lab/control.ts";

const cli = new URL("../../lab/operator_cli.ts", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-read", cli, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, out: decode(output.stdout), err: decode(output.stderr) };
}

Deno.test("deno task queue and deno task fault reach a running lab through its control endpoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lab-control-" });
  try {
    const clock = new ManualClock();
    await using lab = await Lab.start({
      freePorts: true,
      storage: "memory",
      passwordIterations: 1000,
      clock,
    });
    const missing = await run(["queue", "list", "--data", dir]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No running lab found/);

    await using control = await ControlServer.start(lab, { dir });
    assert.equal((await Deno.stat(control.file)).mode! & 0o777, 0o600);
    await lab.fault("hamburger.edu", "stop");
    const ua = await SmtpClient.connect({
      hostname: "127.0.0.1",
      port: lab.server("crepes.fr").ports.submission,
      clock,
    });
    await ua.authenticate("alice", "ketchup");
    await ua.send(
      { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
      new TextEncoder().encode("Subject: Hi\r\n\r\nHi\r\n"),
    );
    await ua.quit();
    await lab.idle();
    const [entry] = lab.server("crepes.fr").queue.list();

    const list = await run(["queue", "list", "--data", dir]);
    assert.equal(list.code, 0, list.err);
    assert.match(
      list.out,
      new RegExp(
        `${entry.id} +crepes\\.fr +alice@crepes\\.fr +bob@hamburger\\.edu +pending 1 +1 +.*\\(in 30m\\) +.*refused`,
      ),
    );

    const show = await run(["queue", "show", entry.id, "--data", dir]);
    assert.match(show.out, /Queue of crepes\.fr/);
    assert.match(show.out, /Attempts\n.*\n.*hamburger\.edu +bob@hamburger\.edu: deferred/);

    const started = await run(["fault", "hamburger.edu", "start", "--data", dir]);
    assert.equal(started.out.trim(), "hamburger.edu: no faults");
    const faulty = await run(["fault", "hamburger.edu", "451", "--for", "10m", "--data", dir]);
    assert.match(faulty.out, /hamburger\.edu: answers 451 at rcpt, for 600 s more/);
    const bad = await run(["fault", "hamburger.edu", "explode", "--data", dir]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /Unknown fault "explode"/);

    const flushed = await run(["queue", "flush", "--domain", "hamburger.edu", "--data", dir]);
    assert.equal(flushed.out.trim(), "1 message(s) made due now");
    await lab.idle();
    assert.equal(lab.server("crepes.fr").queue.list()[0].recipients[0].last?.reply?.code, 451);

    const deleted = await run(["queue", "delete", entry.id, "--data", dir]);
    assert.equal(deleted.out.trim(), `Deleted ${entry.id}`);
    assert.equal((await run(["queue", "list", "--data", dir])).out.trim(), "Queue: empty");
    assert.equal(
      (await lab.server("crepes.fr").store.list("alice", "INBOX")).length,
      0,
      "no bounce",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
