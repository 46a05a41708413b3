// Kill -9 the sending server while it accepts and while it delivers, start it again on the same
// spool: every message it acknowledged with 250 arrives, none is lost. Duplicates are counted:
// SMTP promises at least once, and a message whose 250 was on its way back when the sender died
// is sent again; with one line per destination that is at most one per open connection.
import assert from "node:assert/strict";
import { SmtpClient } from "../../client/smtp_client.ts";
import { SmtpServer } from "../../server/smtp/server.ts";

const MTA = new URL("./_mta.ts", import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Receiver {
  counts = new Map<number, number>();
  server: SmtpServer | undefined;
  constructor(readonly port = 0, readonly slowMs = 0) {}
  start(): this {
    this.server = new SmtpServer({
      domain: "hamburger.edu",
      port: this.port,
      handler: {
        data: async (_envelope, message) => {
          if (this.slowMs) await sleep(this.slowMs);
          const seq = Number(/X-Seq: (\d+)/.exec(new TextDecoder().decode(message))![1]);
          this.counts.set(seq, (this.counts.get(seq) ?? 0) + 1);
        },
      },
    });
    return this;
  }
  get duplicates(): number {
    return [...this.counts.values()].reduce((n, c) => n + c - 1, 0);
  }
}

class Mta {
  #child: Deno.ChildProcess;
  #lines: ReadableStreamDefaultReader<string>;
  submission = 0;
  queued = 0;
  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }
  static async start(dir: string, receiverPort: number): Promise<Mta> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MTA, dir, String(receiverPort)],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const mta = new Mta(child);
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await mta.#lines.read();
      if (done) throw new Error("The MTA ended before it started");
      text += value;
    }
    Object.assign(mta, JSON.parse(text.split("\n")[0]));
    return mta;
  }
  async kill(): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.#child.status;
    await this.#lines.cancel().catch(() => {});
  }
}

function message(seq: number): Uint8Array {
  return new TextEncoder().encode(
    `From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nX-Seq: ${seq}\r\nSubject: ${seq}\r\n\r\nHi\r\n`,
  );
}

/** Sends messages start, start+step, ... over one authenticated connection until told to stop. */
async function submitter(
  port: number,
  seqs: number[],
  acked: Set<number>,
): Promise<void> {
  let client: SmtpClient | undefined;
  try {
    client = await SmtpClient.connect({ hostname: "127.0.0.1", port, timeouts: { command: 5000 } });
    await client.authenticate("alice", "ketchup");
    for (const seq of seqs) {
      const result = await client.send(
        { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
        message(seq),
      );
      if (result.reply.code === 250) acked.add(seq);
    }
    await client.quit();
  } catch {
    client?.close(); // the server was killed under us
  }
}

async function waitFor(what: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await sleep(10);
}

function report(name: string, acked: Set<number>, receiver: Receiver): { lost: number[] } {
  const lost = [...acked].filter((seq) => !receiver.counts.has(seq));
  const extra = [...receiver.counts.keys()].filter((seq) => !acked.has(seq)).length;
  console.log(
    `  ${name}: acknowledged ${acked.size}, delivered ${receiver.counts.size}, lost ${lost.length}, ` +
      `duplicated ${receiver.duplicates}, delivered without a 250 ${extra}`,
  );
  return { lost };
}

Deno.test("A sender killed with SIGKILL while accepting loses no acknowledged message after its restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spool-kill-" });
  const receiver = new Receiver().start();
  try {
    const mta = await Mta.start(dir, receiver.server!.port);
    const acked = new Set<number>();
    const all = Array.from({ length: 400 }, (_, i) => i);
    const submitters = [0, 1, 2, 3].map((k) =>
      submitter(mta.submission, all.filter((i) => i % 4 === k), acked)
    );
    await waitFor(() => acked.size >= 60, 10_000);
    await mta.kill();
    await Promise.all(submitters);
    assert.ok(acked.size >= 60 && acked.size < 400, `killed mid-way (${acked.size} acknowledged)`);
    const again = await Mta.start(dir, receiver.server!.port);
    await waitFor(() => [...acked].every((seq) => receiver.counts.has(seq)), 15_000);
    await again.kill();
    const { lost } = report("kill while accepting", acked, receiver);
    assert.deepEqual(lost, []);
    assert.ok(receiver.duplicates <= 2, `${receiver.duplicates} duplicates`);
  } finally {
    await receiver.server?.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A sender killed with SIGKILL while delivering its queue loses nothing after its restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spool-kill-" });
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const receiver = new Receiver(port, 2);
  try {
    // The receiver is down while the sender accepts 300 messages: all wait in its spool.
    const mta = await Mta.start(dir, port);
    const acked = new Set<number>();
    const all = Array.from({ length: 300 }, (_, i) => i);
    await Promise.all(
      [0, 1, 2].map((k) => submitter(mta.submission, all.filter((i) => i % 3 === k), acked)),
    );
    assert.equal(acked.size, 300);
    receiver.start();
    await waitFor(() => receiver.counts.size >= 60, 15_000);
    await mta.kill();
    const before = receiver.counts.size;
    assert.ok(before >= 60 && before < 300, `killed mid-delivery (${before} delivered)`);
    const again = await Mta.start(dir, port);
    assert.ok(
      again.queued > 0 && again.queued <= 300 - before + 2,
      `${again.queued} left in the spool`,
    );
    await waitFor(() => receiver.counts.size === 300, 15_000);
    await again.kill();
    const { lost } = report("kill while delivering", acked, receiver);
    assert.deepEqual(lost, []);
    assert.ok(receiver.duplicates <= 2, `${receiver.duplicates} duplicates`);
  } finally {
    await receiver.server?.close();
    await Deno.remove(dir, { recursive: true });
  }
});
