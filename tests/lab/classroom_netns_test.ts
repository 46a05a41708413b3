// A classroom across machines, for real: three Linux network namespaces stand for two students'
// machines and the teacher's, joined by veth pairs to a bridge that lives inside the teacher's
// namespace (so nothing of the test's network is in the host's namespace, and nothing has a
// default route). Each student's machine runs `deno task lab --config` with the file that
// `deno task classroom make` wrote; mail goes from one to the other over the bridge, then waits
// in the queue while the other machine is down, and arrives when it is back.
//
// It needs root and `ip netns add`: without them it is skipped with the reason in its name, and
// fails under TOOLKIT_REQUIRE_TOOLS=1 (CI), like a missing tool.
import assert from "node:assert/strict";
import { join } from "node:path";
import { hasTool, toolTest } from "../_tools.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DENO = Deno.execPath();
const LAB = ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys=hostname"];
const UA = ["--allow-net", "--allow-read", "--allow-write", "--allow-env"];
const SUBNET = "10.213.0";
const NAME = "deno task classroom's configurations carry mail between machines (network " +
  "namespaces), and the queue retries while one is down";

/** Why namespaces cannot be made here, or undefined when they can. */
function namespaceProblem(): string | undefined {
  if (Deno.build.os !== "linux") return "network namespaces are Linux only";
  if (Deno.uid() !== 0) return "not root, cannot make network namespaces";
  const probe = `mtk-probe-${Deno.pid}`;
  const run = (args: string[]) =>
    new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).outputSync();
  const added = run(["netns", "add", probe]);
  if (!added.success) {
    const why = new TextDecoder().decode(added.stderr).trim().split("\n")[0];
    return `ip netns add fails: ${why}`;
  }
  run(["netns", "del", probe]);
  return undefined;
}

async function ip(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`ip ${args.join(" ")} failed: ${text(out.stderr).trim()}`);
  return text(out.stdout);
}

/** A program running inside a namespace, its output gathered as it comes. */
class Running {
  readonly child: Deno.ChildProcess;
  output = "";
  #reading: Promise<void>;

  constructor(ns: string, args: string[]) {
    this.child = new Deno.Command("ip", {
      args: ["netns", "exec", ns, DENO, "run", ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const gather = (stream: ReadableStream<Uint8Array>) =>
      stream.pipeThrough(new TextDecoderStream()).pipeTo(
        new WritableStream({ write: (chunk) => void (this.output += chunk) }),
      );
    this.#reading = Promise.all([gather(this.child.stdout), gather(this.child.stderr)])
      .then(() => {});
  }

  /** Waits until the output matches, at most `ms`. */
  async waitFor(pattern: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (Date.now() > deadline) {
        throw new Error(`No ${what} within ${ms} ms; output:\n${this.output.slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops it with SIGTERM (SIGKILL after 10 s) and waits for it to end. */
  async stop(): Promise<Deno.CommandStatus> {
    const kill = (signal: Deno.Signal) => {
      try {
        this.child.kill(signal);
      } catch {
        // already ended
      }
    };
    kill("SIGTERM");
    const timer = setTimeout(() => kill("SIGKILL"), 10_000);
    const status = await this.child.status;
    clearTimeout(timer);
    await this.#reading;
    return status;
  }
}

/** Runs a program inside a namespace to its end, for at most `ms`. */
async function runIn(ns: string, args: string[], ms = 30_000) {
  const running = new Running(ns, args);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), ms);
  const status = await running.child.status;
  clearTimeout(timer);
  await running.stop();
  return { code: status.code, output: running.output };
}

/** The test's network: names, and how to take it down. */
interface Network {
  teacher: string;
  students: { ns: string; address: string }[];
  veths: string[];
}

async function makeNetwork(tag: string, network: Network): Promise<void> {
  const t = network.teacher;
  await ip("netns", "add", t);
  await ip("-n", t, "link", "set", "lo", "up");
  await ip("-n", t, "link", "add", "br0", "type", "bridge");
  await ip("-n", t, "addr", "add", `${SUBNET}.254/24`, "dev", "br0");
  await ip("-n", t, "link", "set", "br0", "up");
  for (const [i, student] of network.students.entries()) {
    const [veth, peer] = [`m${tag}${i}`, `m${tag}${i}p`];
    await ip("netns", "add", student.ns);
    network.veths.push(veth, peer);
    await ip("link", "add", veth, "type", "veth", "peer", "name", peer);
    await ip("link", "set", veth, "netns", student.ns);
    await ip("link", "set", peer, "netns", t);
    await ip("-n", t, "link", "set", peer, "master", "br0");
    await ip("-n", t, "link", "set", peer, "up");
    await ip("-n", student.ns, "link", "set", "lo", "up");
    await ip("-n", student.ns, "addr", "add", `${student.address}/24`, "dev", veth);
    await ip("-n", student.ns, "link", "set", veth, "up");
  }
}

async function removeNetwork(network: Network): Promise<void> {
  for (const ns of [...network.students.map((s) => s.ns), network.teacher]) {
    await ip("netns", "del", ns).catch(() => {});
  }
  // A veth left in the host's namespace (made, not yet moved) goes too; moved ones went with
  // their namespace.
  for (const veth of network.veths) await ip("link", "del", veth).catch(() => {});
}

/** Every route of a namespace stays on its bridge subnet, loopback or link-local: none out. */
async function assertNoWayOut(ns: string): Promise<void> {
  const routes: { dst: string; dev: string }[] = JSON.parse(
    await ip("-j", "-n", ns, "route", "show", "table", "all"),
  );
  const inside = (dst: string) =>
    dst.startsWith(`${SUBNET}.`) || dst.startsWith("127.") || dst === "::1" ||
    dst.startsWith("fe80::") || dst === "ff00::/8";
  const outside = routes.filter((r) => r.dst === "default" || !inside(r.dst));
  assert.deepEqual(outside, [], `${ns} has a route out of the test's network`);
}

function test(fn: () => Promise<void>): void {
  const problem = hasTool("ip") ? namespaceProblem() : undefined;
  if (problem === undefined) return toolTest(NAME, ["ip"], fn);
  if (Deno.env.get("TOOLKIT_REQUIRE_TOOLS") === "1") {
    Deno.test(NAME, () => {
      throw new Error(`Cannot make network namespaces here: ${problem}`);
    });
  } else {
    Deno.test({ name: `${NAME} (skipped: ${problem})`, ignore: true, fn });
  }
}

test(async () => {
  const tag = crypto.randomUUID().slice(0, 6);
  const network: Network = {
    teacher: `mtk-${tag}-teacher`,
    students: [
      { ns: `mtk-${tag}-minji`, address: `${SUBNET}.1` },
      { ns: `mtk-${tag}-seojun`, address: `${SUBNET}.2` },
    ],
    veths: [],
  };
  const [minji, seojun] = network.students;
  const dir = await Deno.makeTempDir({ prefix: "classroom-netns-" });
  const running: Running[] = [];
  const lab = (ns: string, config: string, data: string) => {
    const started = new Running(ns, [
      ...LAB,
      "lab/main.ts",
      "--config",
      config,
      "--memory",
      "--data",
      data,
    ]);
    running.push(started);
    return started;
  };
  try {
    await makeNetwork(tag, network);

    // The teacher's part: a roster with each machine's address, then the class's files.
    const roster = join(dir, "roster.csv");
    await Deno.writeTextFile(
      roster,
      `name,host\nKim Minji,${minji.address}\nPark Seojun,${seojun.address}\n`,
    );
    const klass = join(dir, "class");
    const made = await new Deno.Command(DENO, {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "lab/classroom.ts",
        "make",
        roster,
        "--out",
        klass,
        "--retry",
        "1s",
        "--give-up",
        "10m",
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
    const configA = join(klass, "kim-minji.class.test.json");
    const configB = join(klass, "park-seojun.class.test.json");
    assert.equal((await Deno.stat(configA)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(join(klass, "accounts.csv"))).mode! & 0o777, 0o600);
    const from = "kim-minji@kim-minji.class.test";
    const to = "park-seojun@park-seojun.class.test";

    // Each student's machine runs its own domain.
    const a = lab(minji.ns, configA, join(dir, "data-a"));
    let b = lab(seojun.ns, configB, join(dir, "data-b"));
    await a.waitFor(/Operator:/, 30_000, "start of kim-minji.class.test's lab");
    await b.waitFor(/Operator:/, 30_000, "start of park-seojun.class.test's lab");
    assert.match(a.output, /kim-minji\.class\.test\s+10\.213\.0\.1:10025/);

    // The teacher's directory, from the teacher's machine, sees both.
    const directory = [
      "--allow-net",
      "--allow-read",
      "lab/classroom.ts",
      "directory",
      "--class",
      klass,
      "--once",
    ];
    const up = await runIn(network.teacher, directory);
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, /park-seojun\.class\.test .*10\.213\.0\.2:10025 .*answers/);
    assert.match(up.output, /2 of 2 answer/);

    // Minji submits with AUTH to her own server, which relays over the bridge to Seojun's.
    const send = (subject: string) =>
      runIn(minji.ns, [
        ...UA,
        "ua/cli.ts",
        "send",
        "--config",
        configA,
        "--from",
        from,
        "--to",
        to,
        "--subject",
        subject,
        "--text",
        "Over the bridge",
      ]);
    const sent = await send("First across");
    assert.equal(sent.code, 0, sent.output);
    await b.waitFor(/stored for park-seojun in INBOX/, 20_000, "delivery to park-seojun");
    assert.match(b.output, /SMTP MX connection from 10\.213\.0\.1:\d+/);
    const inbox = () =>
      runIn(seojun.ns, [...UA, "ua/cli.ts", "inbox", "--config", configB, "--user", to]);
    assert.match((await inbox()).output, /First across/);

    // Seojun's machine goes down: the mail waits in Minji's queue, retried every second.
    await b.stop();
    const down = await runIn(network.teacher, directory);
    assert.equal(down.code, 1, down.output);
    assert.match(down.output, /park-seojun\.class\.test .* refused/);
    assert.equal((await send("While you were away")).code, 0);
    const [, id] = await a.waitFor(
      /deferred (\S+), next attempt[^]*deferred \1, next attempt/,
      20_000,
      "two deferrals",
    );
    const queued = await runIn(minji.ns, [
      "--allow-net=127.0.0.1",
      "--allow-read",
      "lab/operator_cli.ts",
      "queue",
      "list",
      "--data",
      join(dir, "data-a"),
    ]);
    assert.match(queued.output, new RegExp(`${id} .* park-seojun@park-seojun\\.class\\.test `));
    assert.match(queued.output, /Cannot connect to 10\.213\.0\.2:10025: Connection refused/);

    // It comes back (with an empty mailbox: --memory), and the queue's next try delivers.
    b = lab(seojun.ns, configB, join(dir, "data-b"));
    await b.waitFor(/stored for park-seojun in INBOX/, 30_000, "delivery after the restart");
    const [, attempt] = await a.waitFor(
      new RegExp(`attempt (\\d+) of ${id} to park-seojun\\.class\\.test: \\S+ delivered`),
      10_000,
      "the delivering attempt",
    );
    assert.ok(Number(attempt) >= 3, `delivered at attempt ${attempt}`);
    const after = (await inbox()).output;
    assert.match(after, /While you were away/);

    // Nothing could leave the test's network: the students' namespaces have no route but the
    // bridge's subnet, the teacher's holds only the bridge and its ports, and every address the
    // labs ever printed is one of the test's.
    for (const student of network.students) await assertNoWayOut(student.ns);
    const links: { ifname: string }[] = JSON.parse(
      await ip("-j", "-n", network.teacher, "link", "show"),
    );
    assert.deepEqual(
      links.map((l) => l.ifname).sort(),
      ["br0", "lo", `m${tag}0p`, `m${tag}1p`].sort(),
    );
    const printed = running.flatMap((r) => [...r.output.matchAll(/\b(\d+\.\d+\.\d+\.\d+):\d+/g)])
      .map((m) => m[1]);
    const strangers = printed.filter((addr) =>
      !addr.startsWith(`${SUBNET}.`) && addr !== "127.0.0.1"
    );
    assert.deepEqual([...new Set(strangers)], []);
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    await removeNetwork(network);
    await Deno.remove(dir, { recursive: true });
  }
});
