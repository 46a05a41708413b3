// SMTP server throughput: one load generator (this process) sends the same messages over
// persistent, pipelined connections to the toolkit's SmtpServer, to nodemailer's smtp-server
// (under Node and under Deno) and to a canned-reply loop (Deno's ceiling), each in its own
// process, all storing into memory. Prints messages/s for 1 KiB and 100 KiB messages at 1 and 16
// connections, the ratios, and the memory 1,000 idle connections hold.
//
//   deno task bench smtp            (or: deno run -A bench/smtp_bench.ts [--quick])
import { dotStuff } from "../protocol/smtp/dot.ts";
import { CertificateAuthority } from "../runtime/certificates.ts";

const QUICK = Deno.args.includes("--quick");
const here = new URL(".", import.meta.url).pathname;
const encoder = new TextEncoder();

interface Target {
  name: string;
  command: string;
  args: string[];
  /** Offers no STARTTLS, so it sits out the TLS cases. */
  plainOnly?: boolean;
}

// One certificate for every server's STARTTLS, from a CA the load generator trusts.
const ca = await CertificateAuthority.create({ name: "Bench CA" });
const identity = await ca.issue(["localhost", "127.0.0.1"]);
const tlsDir = await Deno.makeTempDir();
await Deno.writeTextFile(`${tlsDir}/cert.pem`, identity.cert);
await Deno.writeTextFile(`${tlsDir}/key.pem`, identity.key);
const TLS_ENV = { BENCH_TLS_CERT: `${tlsDir}/cert.pem`, BENCH_TLS_KEY: `${tlsDir}/key.pem` };

const deno = Deno.execPath();
const GC = "--v8-flags=--expose-gc";
const TARGETS: Target[] = [
  {
    name: "toolkit (Deno)",
    command: deno,
    args: ["run", "-A", GC, `${here}servers/toolkit_smtp.ts`],
  },
  {
    name: "smtp-server (Node)",
    command: "node",
    args: ["--expose-gc", `${here}servers/smtp_server.mjs`],
  },
  {
    name: "smtp-server (Deno)",
    command: deno,
    args: ["run", "-A", GC, `${here}servers/smtp_server.mjs`],
  },
  {
    name: "canned loop (Deno)",
    command: deno,
    args: ["run", "-A", GC, `${here}servers/canned_smtp.ts`],
    plainOnly: true,
  },
];

class Child {
  #process: Deno.ChildProcess;
  #lines: ReadableStreamDefaultReader<string>;
  #pending = "";
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  port = 0;

  constructor(target: Target) {
    this.#process = new Deno.Command(target.command, {
      args: target.args,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      cwd: `${here}..`,
      env: TLS_ENV,
    }).spawn();
    this.#lines = this.#process.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.#writer = this.#process.stdin.getWriter();
  }

  async line(): Promise<Record<string, number>> {
    for (;;) {
      const nl = this.#pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        return JSON.parse(line);
      }
      const { value, done } = await this.#lines.read();
      if (done) throw new Error("Benchmark server exited");
      this.#pending += value;
    }
  }

  async start(): Promise<void> {
    this.port = (await this.line()).port;
  }

  async stats(): Promise<{ accepted: number; rss: number }> {
    await this.#writer.write(encoder.encode("stats\n"));
    return (await this.line()) as { accepted: number; rss: number };
  }

  async stop(): Promise<void> {
    await this.#writer.write(encoder.encode("exit\n")).catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#process.status;
    await this.#lines.cancel().catch(() => {});
  }
}

/** A minimal pipelining client: counts final reply lines, nothing more. */
class Driver {
  #conn: Deno.Conn;
  #buf = new Uint8Array(64 * 1024);
  #carry = "";

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  static async open(port: number, tls = false): Promise<Driver> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    let driver = new Driver(conn);
    await driver.replies(1);
    await driver.write(encoder.encode("EHLO bench.example\r\n"));
    await driver.replies(1);
    if (tls) {
      await driver.write(encoder.encode("STARTTLS\r\n"));
      await driver.replies(1);
      const secure = await Deno.startTls(conn, { hostname: "127.0.0.1", caCerts: [ca.cert] });
      driver = new Driver(secure);
      await driver.write(encoder.encode("EHLO bench.example\r\n"));
      await driver.replies(1);
    }
    return driver;
  }

  async write(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) done += await this.#conn.write(bytes.subarray(done));
  }

  /** Waits for `count` complete replies; throws on a 4xx/5xx. */
  async replies(count: number): Promise<void> {
    let seen = 0;
    while (seen < count) {
      const n = await this.#conn.read(this.#buf);
      if (n === null) throw new Error("Connection closed by the server");
      const text = this.#carry + new TextDecoder("latin1").decode(this.#buf.subarray(0, n));
      const lines = text.split("\r\n");
      this.#carry = lines.pop() ?? "";
      for (const line of lines) {
        if (line[3] === "-") continue;
        if (line[0] === "4" || line[0] === "5") throw new Error(`Server refused: ${line}`);
        seen++;
      }
    }
  }

  close(): void {
    this.#conn.close();
  }
}

const ENVELOPE = encoder.encode(
  "MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\n",
);

function message(size: number): Uint8Array {
  const head = "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: bench\r\n\r\n";
  const line = "The quick brown fox jumps over the lazy dog, again and again and again...\r\n";
  let body = "";
  while (head.length + body.length + line.length <= size) body += line;
  return dotStuff(encoder.encode(head + body.padEnd(size - head.length - 2, ".") + "\r\n"));
}

/**
 * Sends `perConnection` messages on each of `connections` connections, one round trip per
 * message: the text and its end, then the next envelope, in one write (RFC 2920).
 */
async function drive(
  port: number,
  load: { connections: number; perConnection: number; text: Uint8Array; tls?: boolean },
) {
  const { connections, perConnection, text } = load;
  const drivers = await Promise.all(
    Array.from({ length: connections }, () => Driver.open(port, load.tls)),
  );
  const next = new Uint8Array(text.length + ENVELOPE.length);
  next.set(text);
  next.set(ENVELOPE, text.length);
  const started = performance.now();
  await Promise.all(drivers.map(async (d) => {
    await d.write(ENVELOPE);
    await d.replies(3);
    for (let i = 0; i < perConnection - 1; i++) {
      await d.write(next);
      await d.replies(4);
    }
    await d.write(text);
    await d.replies(1);
  }));
  const seconds = (performance.now() - started) / 1000;
  for (const d of drivers) d.close();
  return (connections * perConnection) / seconds;
}

async function idleMemory(child: Child, connections: number): Promise<number> {
  const before = (await child.stats()).rss;
  // In batches: smtp-server waits about 100 ms before its greeting (it checks for early talkers).
  const conns: Deno.TcpConn[] = [];
  for (let batch = 0; batch < connections; batch += 100) {
    conns.push(
      ...await Promise.all(Array.from({ length: Math.min(100, connections - batch) }, async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: child.port });
        await conn.read(new Uint8Array(512));
        return conn;
      })),
    );
  }
  await new Promise((r) => setTimeout(r, 300));
  const after = (await child.stats()).rss;
  for (const c of conns) c.close();
  await new Promise((r) => setTimeout(r, 300));
  return (after - before) / (1024 * 1024);
}

const hasNode = await new Deno.Command("node", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((o) => o.success).catch(() => false);
const targets = TARGETS.filter((t) => t.command !== "node" || hasNode);
const cases = [
  { label: "1 KiB, 1 conn", size: 1024, connections: 1, perConnection: QUICK ? 500 : 10000 },
  { label: "1 KiB, 16 conns", size: 1024, connections: 16, perConnection: QUICK ? 100 : 1000 },
  { label: "100 KiB, 1 conn", size: 100 * 1024, connections: 1, perConnection: QUICK ? 50 : 1500 },
  {
    label: "100 KiB, 16 conns",
    size: 100 * 1024,
    connections: 16,
    perConnection: QUICK ? 10 : 100,
  },
  {
    label: "1 KiB, 16, STARTTLS",
    size: 1024,
    connections: 16,
    perConnection: QUICK ? 50 : 500,
    tls: true,
  },
  {
    label: "100 KiB, 16, STARTTLS",
    size: 100 * 1024,
    connections: 16,
    perConnection: QUICK ? 5 : 50,
    tls: true,
  },
];
const ROUNDS = QUICK ? 1 : 5;

const results = new Map<string, Map<string, number>>();
const memory = new Map<string, number>();
// All servers run side by side (idle while another is driven), and each round drives every
// server in turn, so a slow moment of this shared machine hits them all alike.
const children = new Map<string, Child>();
const plainOnly = new Set(targets.filter((t) => t.plainOnly).map((t) => t.name));
for (const target of targets) {
  const child = new Child(target);
  await child.start();
  children.set(target.name, child);
  results.set(target.name, new Map());
}
for (const [name, child] of children) {
  // Idle memory first, on a fresh process, before any load has grown its heap.
  memory.set(name, await idleMemory(child, 1000));
}
for (const c of cases) {
  const text = message(c.size);
  const serving = [...children].filter(([name]) => !c.tls || !plainOnly.has(name));
  const warmUp = Math.max(5, Math.floor(c.perConnection / 10));
  for (const [, child] of serving) {
    await drive(child.port, { ...c, perConnection: warmUp, text });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, child] of serving) {
      const rate = await drive(child.port, { ...c, text });
      const byCase = results.get(name)!;
      byCase.set(c.label, Math.max(byCase.get(c.label) ?? 0, rate));
    }
  }
}
for (const [name, child] of children) {
  const { accepted } = await child.stats();
  await child.stop();
  if (accepted === 0) throw new Error(`${name} accepted nothing`);
}

const pad = (s: string, n: number) => s.padEnd(n);
const names = [...results.keys()];
console.log(
  `SMTP server throughput, messages/s (best of ${ROUNDS}), load generator: bench/smtp_bench.ts`,
);
console.log(pad("case", 23) + names.map((n) => pad(n, 21)).join("") + "toolkit / smtp-server");
for (const c of cases) {
  const row = names.map((n) => {
    const rate = results.get(n)!.get(c.label);
    return pad(rate === undefined ? "-" : Math.round(rate).toLocaleString("en"), 21);
  });
  const ours = results.get("toolkit (Deno)")!.get(c.label)!;
  const peers = names.filter((n) => n.startsWith("smtp-server")).map((n) =>
    results.get(n)!.get(c.label)!
  );
  const ratio = peers.map((p) => (ours / p).toFixed(2) + "x").join(" / ");
  console.log(pad(c.label, 23) + row.join("") + ratio);
}
await Deno.remove(tlsDir, { recursive: true });
console.log("\nMemory held by 1,000 idle connections (RSS growth):");
for (const [name, mb] of memory) console.log(`  ${pad(name, 21)} ${mb.toFixed(1)} MB`);
