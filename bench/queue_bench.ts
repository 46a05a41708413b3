/**
 * Drains 10,000 queued 1 KiB messages to one destination, a sink (Postfix's `smtp-sink`, or the
 * toolkit's own server when Postfix is missing), and prints messages/s and the connections the
 * sink saw, over 2 and over 16 connections: the toolkit's queue on its disk spool and on its
 * memory spool, and nodemailer's pooled transport run by Node (a child process; inside Deno when
 * Node is missing) sending the same raw messages to a fresh sink with the same number of
 * connections, and the ratios. The contenders take turns for a few rounds and each keeps its
 * best, so that a burst of load on a shared machine does not decide the ratio. Run with
 * `deno task bench queue`; speed is measured here, never in tests.
 *
 * The toolkit's figure includes reading the disk spool (`start()`), sending, and removing each
 * message from the spool once its 250 came, as a real drain does.
 *
 * @module
 */
import nodemailer from "nodemailer";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { OutboundQueue } from "../server/queue/queue.ts";
import { DiskSpool } from "../server/queue/disk_spool.ts";
import { MemorySpool, type Spool } from "../server/queue/spool.ts";
import { Relay } from "../server/queue/relay.ts";
import { StaticRouter } from "../server/queue/router.ts";
import { hasTool } from "../tests/_tools.ts";

const COUNT = 10_000;
const CONNECTION_COUNTS = [2, 16];
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const FROM = "alice@crepes.fr";
const TO = "bob@hamburger.edu";

function message(seq: number): Uint8Array {
  const head = `From: ${FROM}\r\nTo: ${TO}\r\nSubject: Bench ${seq}\r\nX-Seq: ${seq}\r\n\r\n`;
  const line = "Do you like ketchup? How about pickles? ".repeat(2).slice(0, 74) + "\r\n";
  let body = "";
  while (head.length + body.length + line.length <= 1024) body += line;
  body += "x".repeat(1024 - head.length - body.length - 2) + "\r\n";
  return new TextEncoder().encode(head + body);
}

/** A sink in its own process that prints `sess=N quit=N mesg=N` as sessions end. */
class Sink {
  #child: Deno.ChildProcess;
  #text = "";
  #reading: Promise<void>;
  readonly port: number;
  readonly name: string;

  private constructor(child: Deno.ChildProcess, port: number, name: string) {
    this.#child = child;
    this.port = port;
    this.name = name;
    this.#reading = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (chunk) => void (this.#text += chunk) }),
    ).catch(() => {});
  }

  static async start(): Promise<Sink> {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    const postfix = hasTool("smtp-sink");
    const child = postfix
      ? new Deno.Command("smtp-sink", {
        args: [...(Deno.uid() === 0 ? ["-u", "nobody"] : []), "-c", `127.0.0.1:${port}`, "1000"],
        stdout: "piped",
        stderr: "null",
      }).spawn()
      : new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("./_queue_sink.ts", import.meta.url).pathname, String(port)],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
    const sink = new Sink(child, port, postfix ? "Postfix smtp-sink" : "the toolkit's SmtpServer");
    for (let i = 0; i < 200; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await sink.counts(1); // the probe connection above is one session
    return sink;
  }

  /** The latest counters, waiting (up to 5 s) until `sessions` have ended. */
  async counts(sessions = 0): Promise<{ sessions: number; messages: number }> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const last = [...this.#text.matchAll(/sess=(\d+) quit=\d+ mesg=(\d+)/g)].at(-1);
      const now = { sessions: Number(last?.[1] ?? 0), messages: Number(last?.[2] ?? 0) };
      if (now.sessions >= sessions || Date.now() > deadline) return now;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    this.#child.kill("SIGTERM");
    await this.#child.status;
    await this.#reading;
  }
}

interface Result {
  seconds: number;
  connections: number;
  messages: number;
}

async function toolkit(
  messages: Uint8Array[],
  spoolKind: "disk" | "memory",
  connections: number,
): Promise<Result> {
  const dir = await Deno.makeTempDir({ prefix: "queue-bench-" });
  const sink = await Sink.start();
  try {
    let spool: Spool;
    if (spoolKind === "disk") {
      const filling = await DiskSpool.open(join(dir, "spool"), { fsync: false });
      await fill(filling, messages);
      spool = await DiskSpool.open(join(dir, "spool"));
    } else {
      spool = new MemorySpool();
      await fill(spool, messages);
    }
    const relay = new Relay({
      router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: sink.port } }),
      clientName: "crepes.fr",
      maxConnectionsPerDestination: connections,
    });
    const queue = new OutboundQueue({ spool, deliverer: relay });
    const started = performance.now();
    await queue.start();
    await queue.idle();
    const seconds = (performance.now() - started) / 1000;
    const left = queue.list().length;
    await queue.close();
    if (left > 0) throw new Error(`${left} messages were left in the queue`);
    const counts = await sink.counts(1 + relay.stats.connections);
    return { seconds, connections: counts.sessions - 1, messages: counts.messages };
  } finally {
    await sink.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function fill(spool: Spool, messages: Uint8Array[]): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < messages.length; i++) {
    await spool.put({
      id: `B${String(i).padStart(6, "0")}`,
      from: FROM,
      recipients: [{ address: TO, status: "pending" }],
      createdAt: now,
      nextAttemptAt: now,
      attempts: 0,
      size: messages[i].length,
      history: [],
    }, messages[i]);
  }
}

let versions = "nodemailer in Deno";

/** nodemailer's pool run by Node, the way its users run it, in a child process. */
async function viaNodemailerOnNode(file: string, connections: number): Promise<Result> {
  const sink = await Sink.start();
  try {
    const script = new URL("./_nodemailer_pool.mjs", import.meta.url).pathname;
    const { code, stdout } = await new Deno.Command("node", {
      args: [script, String(sink.port), String(connections), file],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (code !== 0) throw new Error(`node ${script} exited with ${code}`);
    const { seconds, node, nodemailer: version } = JSON.parse(new TextDecoder().decode(stdout));
    versions = `Node ${node}, nodemailer ${version}`;
    const counts = await sink.counts(1 + connections);
    return { seconds, connections: counts.sessions - 1, messages: counts.messages };
  } finally {
    await sink.close();
  }
}

/** nodemailer's pool inside this Deno process, where Node is missing. */
async function viaNodemailerInDeno(messages: Uint8Array[], connections: number): Promise<Result> {
  const sink = await Sink.start();
  try {
    const transport = nodemailer.createTransport({
      pool: true,
      host: "127.0.0.1",
      port: sink.port,
      secure: false,
      ignoreTLS: true,
      maxConnections: connections,
      maxMessages: Infinity,
    });
    const raws = messages.map((m) => Buffer.from(m));
    const started = performance.now();
    await Promise.all(
      raws.map((raw) => transport.sendMail({ envelope: { from: FROM, to: [TO] }, raw })),
    );
    const seconds = (performance.now() - started) / 1000;
    transport.close();
    const counts = await sink.counts(1 + connections);
    return { seconds, connections: counts.sessions - 1, messages: counts.messages };
  } finally {
    await sink.close();
  }
}

const messages = Array.from({ length: COUNT }, (_, i) => message(i));
const onNode = hasTool("node");
const scratch = await Deno.makeTempDir({ prefix: "queue-bench-messages-" });
const file = join(scratch, "messages.json");
await Deno.writeTextFile(file, JSON.stringify(messages.map((m) => String.fromCharCode(...m))));
const nodemailerName = `nodemailer pool (${onNode ? "Node" : "in Deno: no node on PATH"})`;
const names = ["toolkit queue (disk spool)", "toolkit queue (memory spool)", nodemailerName];
const best = new Map<string, Result>();
try {
  for (const connections of CONNECTION_COUNTS) {
    const runs: (() => Promise<Result>)[] = [
      () => toolkit(messages, "disk", connections),
      () => toolkit(messages, "memory", connections),
      () =>
        onNode
          ? viaNodemailerOnNode(file, connections)
          : viaNodemailerInDeno(messages, connections),
    ];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, run] of runs.entries()) {
        const key = `${names[i]}/${connections}`;
        const result = await run();
        if (result.messages !== COUNT) {
          throw new Error(`${key}: the sink counted ${result.messages}`);
        }
        const kept = best.get(key);
        if (!kept || result.seconds < kept.seconds) best.set(key, result);
      }
    }
  }
} finally {
  await Deno.remove(scratch, { recursive: true });
}
const sinkName = hasTool("smtp-sink") ? "Postfix smtp-sink" : "the toolkit's SmtpServer";

const rate = (r: Result) => COUNT / r.seconds;
console.log(
  `${COUNT} queued messages of 1 KiB to one destination, sink: ${sinkName}, best of ${ROUNDS} ` +
    `(${versions})`,
);
console.log("");
console.log("| sender | connections | messages/s | seconds | connections (sink) |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const connections of CONNECTION_COUNTS) {
  for (const name of names) {
    const r = best.get(`${name}/${connections}`)!;
    const row = [name, connections, Math.round(rate(r)), r.seconds.toFixed(2), r.connections];
    console.log(`| ${row.join(" | ")} |`);
  }
}
console.log("");
for (const connections of CONNECTION_COUNTS) {
  const [disk, memory, theirs] = names.map((name) => rate(best.get(`${name}/${connections}`)!));
  const ratio = (ours: number) => `${(ours / theirs).toFixed(2)}x`;
  console.log(
    `ratios at ${connections} connections: disk spool / nodemailer pool ${ratio(disk)}, ` +
      `memory spool / nodemailer pool ${ratio(memory)}`,
  );
}
console.log("");
console.log(
  "durability (disk spool): a message is on disk (file and folder synced) before enqueue " +
    "resolves, and is removed only after its destination's 250; removals are not synced and " +
    "attempt records are written behind, so a crash can send again a message whose 250 came " +
    "shortly before it (a duplicate), or retry one sooner than planned; it never loses one.",
);
