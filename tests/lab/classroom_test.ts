// `deno task classroom` as a teacher runs it: make a class from a roster, then watch it with the
// directory. (The class across real machines is in classroom_netns_test.ts.)
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseLabConfig } from "../../lab/config.ts";
import { checkSmtp, directoryHandler } from "../../lab/classroom_directory.ts";
import type { ClassFile } from "../../lab/classroom_plan.ts";
import { csvRows } from "../../lab/classroom_roster.ts";
import { MailServer } from "../../server/mail_server.ts";

const CLI = new URL("../../lab/classroom.ts", import.meta.url).pathname;

async function classroom(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

async function readJson(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("classroom make writes a configuration per student, the class file and the teacher's accounts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const roster = join(dir, "roster.csv");
    await Deno.writeTextFile(
      roster,
      'Name,Host,Email\nKim Minji,10.0.0.11,m@school.kr\n김민지,10.0.0.12,\n"Lee, Jisoo",10.0.0.13,\n',
    );
    const out = join(dir, "class");
    const made = await classroom("make", roster, "--out", out, "--retry", "30s,1m");
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stderr, "");

    const accounts = csvRows(await Deno.readTextFile(join(out, "accounts.csv"))).slice(1);
    assert.deepEqual(accounts.map((r) => r.fields[2]), [
      "kim-minji@kim-minji.class.test",
      "kim-minji-2@kim-minji-2.class.test",
      "lee-jisoo@lee-jisoo.class.test",
    ]);
    for (const { fields: [, , address, password] } of accounts) {
      assert.match(password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
      assert.match(made.stdout, new RegExp(`${address}\\s+${password}`), "printed once");
    }
    assert.equal(new Set(accounts.map((r) => r.fields[3])).size, 3);

    const shared: ClassFile = await readJson(join(out, "class.json"));
    assert.doesNotMatch(JSON.stringify(shared), new RegExp(accounts[0].fields[3]));
    assert.deepEqual(shared.routes, {
      "kim-minji.class.test": "10.0.0.11:10025",
      "kim-minji-2.class.test": "10.0.0.12:10025",
      "lee-jisoo.class.test": "10.0.0.13:10025",
    });
    for (const domain of shared.domains) {
      const path = join(out, `${domain.name}.json`);
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      const config = parseLabConfig(await readJson(path), path);
      assert.equal(config.hostname, domain.host);
      assert.equal(config.allowNetwork, true);
      assert.deepEqual(config.queue.retrySchedule, [30_000, 60_000]);
      assert.deepEqual(
        Object.keys(config.routes).sort(),
        shared.domains.map((d) => d.name).filter((n) => n !== domain.name).sort(),
      );
    }
    assert.equal((await Deno.stat(join(out, "accounts.csv"))).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classroom make --per group gives each group one domain, with a hosts file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const roster = join(dir, "roster.csv");
    await Deno.writeTextFile(roster, "name,group\nMinji,Team A\nJisoo,Team A\nSeojun,Team B\n");
    const hosts = join(dir, "hosts.csv");
    await Deno.writeTextFile(hosts, "Team A,10.0.0.21\nteam-b.class.test,10.0.0.21\n");
    const out = join(dir, "class");
    const made = await classroom("make", roster, "--per", "group", "--hosts", hosts, "--out", out);
    assert.equal(made.code, 0, made.stderr);
    const a = parseLabConfig(await readJson(join(out, "team-a.class.test.json")));
    assert.deepEqual(Object.keys(a.domains[0].users), ["minji", "jisoo"]);
    // Two domains on one machine: the second one's ports are 100 up, its data apart.
    const b = parseLabConfig(await readJson(join(out, "team-b.class.test.json")));
    assert.equal(b.domains[0].ports.smtp, 10125);
    assert.equal(b.dataDir, "lab-data-team-b");
    assert.deepEqual(a.routes["team-b.class.test"], { host: "10.0.0.21", port: 10125 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classroom make keeps a class unless --force, which keeps the passwords of those who stay", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const roster = join(dir, "roster.csv");
    const out = join(dir, "class");
    const passwords = async () =>
      new Map(
        csvRows(await Deno.readTextFile(join(out, "accounts.csv"))).slice(1)
          .map(({ fields }) => [fields[2], fields[3]]),
      );
    await Deno.writeTextFile(roster, "name,host\nMinji,10.0.0.11\nJisoo,10.0.0.12\n");
    assert.equal((await classroom("make", roster, "--out", out)).code, 0);
    const first = await passwords();
    // Minji's machine changes, Jisoo leaves, Seojun comes.
    await Deno.writeTextFile(roster, "name,host\nMinji,10.0.0.31\nSeojun,10.0.0.32\n");
    const again = await classroom("make", roster, "--out", out);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a class .* --force/);
    const forced = await classroom("make", roster, "--out", out, "--force");
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /1 password\(s\) kept/);
    const second = await passwords();
    assert.equal(second.get("minji@minji.class.test"), first.get("minji@minji.class.test"));
    const names = [];
    for await (const entry of Deno.readDir(out)) names.push(entry.name);
    assert.deepEqual(names.sort(), [
      "accounts.csv",
      "class.json",
      "minji.class.test.json",
      "seojun.class.test.json",
    ]);
    const config = parseLabConfig(await readJson(join(out, "minji.class.test.json")));
    assert.equal(config.hostname, "10.0.0.31");
    const renewed = await classroom("make", roster, "--out", out, "--force", "--new-passwords");
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.notEqual(
      (await passwords()).get("minji@minji.class.test"),
      first.get("minji@minji.class.test"),
    );
    // No host given: a rehearsal on one machine, and the teacher is told.
    await Deno.writeTextFile(roster, "Minji\n");
    const local = await classroom("make", roster, "--out", join(dir, "rehearsal"));
    assert.match(local.stderr, /No machine given for 1 domain\(s\) \(minji\.class\.test\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classroom make names what is wrong in a roster, with exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const roster = join(dir, "roster.csv");
    await Deno.writeTextFile(roster, "name,group\nMinji,A\nJisoo,\n");
    const grouped = await classroom("make", roster, "--per", "group", "--out", join(dir, "c"));
    assert.equal(grouped.code, 2);
    assert.match(grouped.stderr, /Line 3: "Jisoo" has no group/);
    const suffix = await classroom(
      "make",
      roster,
      "--suffix",
      "bad_suffix",
      "--out",
      join(dir, "c"),
    );
    assert.equal(suffix.code, 2);
    assert.match(suffix.stderr, /The suffix "bad_suffix" is not a domain name/);
    const missing = await classroom("make", join(dir, "none.csv"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot read the roster/);
    const help = await classroom("--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /deno task classroom make ROSTER\.csv/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function classWith(dir: string, servers: { name: string; port: number }[]) {
  const file: ClassFile = {
    suffix: "class.test",
    routes: {},
    domains: servers.map(({ name, port }) => ({
      name,
      host: "127.0.0.1",
      ports: { smtp: port, submission: 1, imap: 2, submissions: 3, imaps: 4, http: 5 },
      members: [name.split(".")[0]],
    })),
  };
  await Deno.writeTextFile(join(dir, "class.json"), JSON.stringify(file));
  return file;
}

Deno.test("classroom directory --once says which servers answer, with exit code 1 when one does not", async () => {
  const dir = await Deno.makeTempDir();
  await using server = await MailServer.start({
    domain: "minji.class.test",
    passwordIterations: 1000,
  });
  const free = Deno.listen({ port: 0 });
  free.close();
  try {
    await classWith(dir, [
      { name: "minji.class.test", port: server.ports.smtp },
      { name: "jisoo.class.test", port: free.addr.port },
    ]);
    const run = await classroom("directory", "--class", dir, "--once", "--timeout", "1s");
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /minji\.class\.test\s+minji\s+127\.0\.0\.1:\d+ .*answers/);
    assert.match(run.stdout, /jisoo\.class\.test .* refused: connection refused/);
    assert.match(run.stdout, /1 of 2 answer/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classroom directory serves its page until Ctrl-C", async () => {
  const dir = await Deno.makeTempDir();
  await using server = await MailServer.start({
    domain: "minji.class.test",
    passwordIterations: 1000,
  });
  await classWith(dir, [{ name: "minji.class.test", port: server.ports.smtp }]);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", CLI, "directory", "--class", dir, "--port", "0"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    const deadline = Date.now() + 15_000;
    while (!/http:\/\/\S+\/ /.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const url = /(http:\/\/\S+\/) /.exec(text)?.[1];
    assert.ok(url, text);
    const page = await fetch(url);
    assert.match(await page.text(), /1 of 1 answer/);
    const status = await (await fetch(url + "status.json")).json();
    assert.deepEqual(status.map((s: { name: string; ok: boolean }) => [s.name, s.ok]), [[
      "minji.class.test",
      true,
    ]]);
  } finally {
    child.kill("SIGINT");
    await reader.cancel();
    assert.equal((await child.status).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("directoryHandler checks once for a room of browsers", async () => {
  let rounds = 0;
  const handle = directoryHandler({ suffix: "class.test", domains: [], routes: {} }, {
    check: () => {
      rounds++;
      return Promise.resolve([]);
    },
  });
  for (let i = 0; i < 5; i++) assert.equal((await handle(new Request("http://x/"))).status, 200);
  assert.equal(rounds, 1);
  const post = await handle(new Request("http://x/", { method: "POST" }));
  assert.equal(post.status, 405);
});

Deno.test("checkSmtp tells a silent server and a 421 from one that answers", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      accepted.push(conn);
      if (accepted.length === 2) {
        await conn.write(new TextEncoder().encode("421-busy\r\n421 try later\r\n"));
      }
    }
  })();
  try {
    const silent = await checkSmtp("127.0.0.1", listener.addr.port, { timeoutMs: 300 });
    assert.equal(silent.status, "no answer");
    assert.ok(silent.ms >= 250 && silent.ms < 10_000, `${silent.ms} ms`);
    const busy = await checkSmtp("127.0.0.1", listener.addr.port, { timeoutMs: 2000 });
    assert.deepEqual([busy.ok, busy.status, busy.text], [false, "says", "421 try later"]);
  } finally {
    listener.close();
    await serving.catch(() => {});
    for (const conn of accepted) conn.close();
  }
});
