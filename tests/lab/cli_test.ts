// `deno task lab` as a student runs it: it prints the endpoint table, serves, and stops cleanly
// on Ctrl-C; a bad configuration file is refused with the name of the bad field.
import assert from "node:assert/strict";
import { RawSmtp } from "../_raw.ts";

const main = new URL("../../lab/main.ts", import.meta.url).pathname;
const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys=hostname",
];

async function writeConfig(config: unknown): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(config));
  return path;
}

Deno.test("deno task lab prints its endpoints, answers on them, and stops on Ctrl-C", async () => {
  const config = await writeConfig({
    domains: [
      {
        name: "crepes.fr",
        ports: { smtp: 0, submission: 0, imap: 0 },
        users: { alice: "ketchup" },
      },
      {
        name: "hamburger.edu",
        ports: { smtp: 0, submission: 0, imap: 0 },
        users: { bob: "pickles" },
      },
    ],
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, main, "--config", config, "--memory", "--quiet"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!text.includes("Try:") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const row = /hamburger\.edu\s+127\.0\.0\.1:(\d+)/.exec(text);
  assert.ok(row, `no endpoint table in:\n${text}`);
  assert.match(text, /alice@crepes\.fr\s+ketchup/);
  const raw = await RawSmtp.connect(Number(row[1]));
  assert.deepEqual(await raw.reply(), ["220 hamburger.edu"]);
  assert.equal(await raw.command("QUIT"), 221);
  raw.close();

  child.kill("SIGINT");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const status = await child.status;
  await child.stderr.cancel();
  await Deno.remove(config);
  assert.equal(status.code, 0);
  assert.match(text, /Stopped\./);
});

Deno.test("deno task lab refuses a bad configuration and names the field", async () => {
  const config = await writeConfig({
    domains: [{ name: "crepes.fr", ports: { smtp: 99999, submission: 0, imap: 0 }, users: {} }],
    queue: { retrySchedule: ["soon"] },
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, main, "--config", config, "--memory"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(config);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2);
  assert.match(stderr, /domains\.0\.ports\.smtp/);
  assert.match(stderr, /queue\.retrySchedule\.0: Expected a duration/);
});
