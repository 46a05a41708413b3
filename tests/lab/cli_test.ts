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

/** The course's two domains on free ports. */
const TWO_DOMAINS = {
  domains: [
    { name: "crepes.fr", ports: { smtp: 0, submission: 0, imap: 0 }, users: { alice: "ketchup" } },
    {
      name: "hamburger.edu",
      ports: { smtp: 0, submission: 0, imap: 0 },
      users: { bob: "pickles" },
    },
  ],
};

/** A running `deno task lab`, read until its output holds `until`; `stop()` is Ctrl-C. */
async function startLab(args: string[], until: string, env?: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, main, ...args],
    env,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!text.includes(until) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return {
    child,
    text,
    /** Ctrl-C, then everything it printed and its exit code. */
    async stop(): Promise<{ code: number; text: string }> {
      child.kill("SIGINT");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      return { code: (await child.status).code, text };
    },
  };
}

async function writeConfig(config: unknown): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify(config));
  return path;
}

Deno.test("deno task lab prints its endpoints, answers on them, and stops on Ctrl-C", async () => {
  const config = await writeConfig(TWO_DOMAINS);
  const lab = await startLab(["--config", config, "--memory", "--quiet"], "Try:");
  const text = lab.text;
  const row = /hamburger\.edu\s+127\.0\.0\.1:(\d+)/.exec(text);
  assert.ok(row, `no endpoint table in:\n${text}`);
  assert.match(text, /alice@crepes\.fr\s+ketchup/);
  const raw = await RawSmtp.connect(Number(row[1]));
  assert.deepEqual(await raw.reply(), ["220 hamburger.edu"]);
  assert.equal(await raw.command("QUIT"), 221);
  raw.close();

  const stopped = await lab.stop();
  await Deno.remove(config);
  assert.equal(stopped.code, 0);
  assert.match(stopped.text, /Stopped\./);
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

Deno.test("a second lab on the same data folder is refused and names the first, which keeps running", async () => {
  const config = await writeConfig(TWO_DOMAINS);
  const data = await Deno.makeTempDir({ prefix: "lab-data-" });
  const first = await startLab(["--config", config, "--data", data, "--quiet"], "Try:");
  try {
    for (const storage of [[], ["--memory"]]) {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...PERMISSIONS,
          main,
          "--config",
          config,
          "--data",
          data,
          "--quiet",
          ...storage,
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // A second lab that starts would serve until stopped: stop it, and the test fails below.
      const timer = setTimeout(() => child.kill("SIGINT"), 20_000);
      const second = await child.output();
      clearTimeout(timer);
      const said = new TextDecoder().decode(second.stderr);
      assert.equal(second.code, 1, said);
      assert.match(
        said,
        new RegExp(`in use by another lab \\(pid ${first.child.pid}\\).*--data DIR`),
      );
    }
    // The first lab's control file is intact, so deno task queue still finds it.
    const control = JSON.parse(await Deno.readTextFile(`${data}/control.json`));
    assert.equal(control.pid, first.child.pid);
    const answer = await fetch(`${control.url}/queue`, {
      headers: { authorization: `Bearer ${control.token}` },
    });
    assert.equal(answer.status, 200);
    await answer.body?.cancel();
  } finally {
    await first.stop();
  }
  // Stopped, it leaves the folder free: neither lock nor control file stays behind.
  const left = [...Deno.readDirSync(data)].map((e) => e.name).filter((n) =>
    !/\.(edu|fr)$|^tls$/.test(n)
  );
  assert.deepEqual(left, []);
  await Deno.remove(data, { recursive: true });
  await Deno.remove(config);
});

Deno.test("deno task lab names the port, the service and the domain when a port is taken, and a missing address", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  const run = async (config: unknown) => {
    const path = await writeConfig(config);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSIONS, main, "--config", path, "--memory", "--quiet"],
      stdout: "null",
      stderr: "piped",
    }).output();
    await Deno.remove(path);
    return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
  };
  const domains = (smtp: number) => [
    { name: "crepes.fr", ports: { smtp: 0, submission: 0, imap: 0 }, users: { alice: "ketchup" } },
    { name: "hamburger.edu", ports: { smtp, submission: 0, imap: 0 }, users: { bob: "pickles" } },
  ];
  const busy = await run({ domains: domains(port) });
  assert.equal(busy.code, 1);
  assert.match(
    busy.stderr,
    new RegExp(
      `^hamburger\\.edu: Cannot listen for SMTP on 127\\.0\\.0\\.1:${port}: the port is taken\\. Is another lab running\\?`,
    ),
  );
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): no machine has it, nothing is ever sent there.
  const nowhere = await run({ hostname: "192.0.2.10", domains: domains(0) });
  assert.equal(nowhere.code, 1);
  assert.match(
    nowhere.stderr,
    /^crepes\.fr: Cannot listen for SMTP on 192\.0\.2\.10:0: this machine has no address 192\.0\.2\.10\./,
  );
});

Deno.test("the banner's operator hints work as the lab was started: the same --data, npx without a deno on the PATH", async () => {
  const config = await writeConfig(TWO_DOMAINS);
  const data = await Deno.makeTempDir({ prefix: "lab hints " });
  const empty = await Deno.makeTempDir();
  const lab = await startLab(
    ["--config", config, "--data", data, "--memory", "--quiet"],
    "Operator:",
    { PATH: empty },
  );
  await lab.stop();
  const text = lab.text;
  const quoted = `'${data}'`;
  assert.ok(
    text.includes(`Operator: npx -y deno@${Deno.version.deno} task queue --data ${quoted} list`),
    text.slice(text.indexOf("Operator:")),
  );
  assert.ok(text.includes(`task fault --data ${quoted} hamburger.edu stop`), text);
  await Deno.remove(data, { recursive: true });
  await Deno.remove(empty);
  await Deno.remove(config);
});
