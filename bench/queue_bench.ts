/**
 * Drains 10,000 queued 1 KiB messages to one destination, a sink (Postfix's `smtp-sink`, or the
 * toolkit's own server when Postfix is missing), and prints messages/s and the connections the
 * sink saw; beside it, nodemailer's pooled transport sends the same messages to a fresh sink with
 * the same number of connections, in the same run, and the ratio. The contenders take turns for
 * a few rounds and each keeps its best, so that a burst of load on a shared machine does not
 * decide the ratio. Run with `deno task bench queue`; speed is measured here, never in tests.
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
const CONNECTIONS = 2;
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

async function toolkit(messages: Uint8Array[], spoolKind: "disk" | "memory"): Promise<Result> {
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
      maxConnectionsPerDestination: CONNECTIONS,
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

async function viaNodemailer(messages: Uint8Array[]): Promise<Result> {
  const sink = await Sink.start();
  try {
    const transport = nodemailer.createTransport({
      pool: true,
      host: "127.0.0.1",
      port: sink.port,
      secure: false,
      ignoreTLS: true,
      maxConnections: CONNECTIONS,
      maxMessages: Infinity,
    });
    const raws = messages.map((m) => Buffer.from(m));
    const started = performance.now();
    await Promise.all(
      raws.map((raw) => transport.sendMail({ envelope: { from: FROM, to: [TO] }, raw })),
    );
    const seconds = (performance.now() - started) / 1000;
    transport.close();
    const counts = await sink.counts(1 + CONNECTIONS);
    return { seconds, connections: counts.sessions - 1, messages: counts.messages };
  } finally {
    await sink.close();
  }
}

const messages = Array.from({ length: COUNT }, (_, i) => message(i));
const contenders: [string, () => Promise<Result>][] = [
  ["toolkit queue (disk spool)", () => toolkit(messages, "disk")],
  ["toolkit queue (memory spool)", () => toolkit(messages, "memory")],
  [`nodemailer pool (${CONNECTIONS} connections)`, () => viaNodemailer(messages)],
];
const best = new Map<string, Result>();
let sinkName = "";
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of contenders) {
    const result = await run();
    if (result.messages !== COUNT) throw new Error(`${name}: the sink counted ${result.messages}`);
    const kept = best.get(name);
    if (!kept || result.seconds < kept.seconds) best.set(name, result);
  }
}
sinkName = hasTool("smtp-sink") ? "Postfix smtp-sink" : "the toolkit's SmtpServer";

const rate = (r: Result) => COUNT / r.seconds;
console.log(
  `${COUNT} queued messages of 1 KiB to one destination, sink: ${sinkName}, best of ${ROUNDS}`,
);
console.log("");
console.log("| sender | messages/s | seconds | connections (sink) |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name] of contenders) {
  const r = best.get(name)!;
  console.log(`| ${name} | ${Math.round(rate(r))} | ${r.seconds.toFixed(2)} | ${r.connections} |`);
}
const ours = rate(best.get(contenders[0][0])!);
const theirs = rate(best.get(contenders[2][0])!);
console.log("");
console.log(`ratio, toolkit (disk spool) / nodemailer pool: ${(ours / theirs).toFixed(2)}x`);
