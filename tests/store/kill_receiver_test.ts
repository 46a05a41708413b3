// Kill -9 the receiving server again and again while a client delivers to it, each time starting
// it again on the same Maildir: every message it answered 250 for is in bob's mailbox afterwards,
// once. (A message whose 250 the kill cut off may be stored without the client knowing: counted.)
import assert from "node:assert/strict";
import { SmtpClient } from "../../client/smtp_client.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";

const RECEIVER = new URL("./_receiver.ts", import.meta.url).pathname;
const CYCLES = Number(Deno.env.get("KILL_CYCLES") ?? 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startReceiver(root: string): Promise<{ child: Deno.ChildProcess; port: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", RECEIVER, root],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the receiver ended before it listened");
    text += value;
  }
  // Drained to its end, so that a line it prints later cannot fill the pipe.
  (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done);
  })();
  return { child, port: JSON.parse(text.split("\n")[0]).smtp };
}

Deno.test(`a receiver killed with SIGKILL ${CYCLES} times mid-delivery loses no acknowledged message and stores none twice`, async () => {
  const root = await Deno.makeTempDir({ prefix: "maildir-kill-" });
  const acked = new Set<number>();
  let seq = 0;
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const { child, port } = await startReceiver(root);
      let killed = false;
      const sending = (async () => {
        let client: SmtpClient | undefined;
        try {
          client = await SmtpClient.connect({
            hostname: "127.0.0.1",
            port,
            clientName: "crepes.fr",
          });
          while (!killed) {
            const n = seq++;
            const result = await client.send(
              { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
              new TextEncoder().encode(
                `X-Seq: ${n}\r\nSubject: ${n}\r\n\r\n${"x".repeat(70) + "\r\n"}${
                  "y".repeat(70)
                }\r\n`,
              ),
            );
            if (result.reply.code === 250) acked.add(n);
          }
        } catch (error) {
          if (Deno.env.get("DEBUG")) console.error(error);
          // the kill cut the connection
        } finally {
          client?.close();
        }
      })();
      // Once this life of the receiver has acknowledged something, kill it a moment later.
      const before = acked.size;
      for (let i = 0; i < 500 && acked.size === before; i++) await sleep(10);
      await sleep(20 + 30 * (cycle % 4));
      killed = true;
      child.kill("SIGKILL");
      await child.status;
      await sending;
    }
    const store = new MaildirStore({ root });
    const seen = new Map<number, number>();
    for (const info of await store.list("bob", "INBOX")) {
      const text = new TextDecoder().decode(await store.read("bob", "INBOX", info.uid));
      const n = Number(/^X-Seq: (\d+)/m.exec(text)![1]);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
    const lost = [...acked].filter((n) => !seen.has(n));
    const twice = [...seen.values()].filter((c) => c > 1).length;
    const unacked = [...seen.keys()].filter((n) => !acked.has(n)).length;
    console.log(
      `  ${CYCLES} kills: acknowledged ${acked.size}, stored ${seen.size}, lost ${lost.length}, ` +
        `stored twice ${twice}, stored without a 250 ${unacked}`,
    );
    assert.ok(acked.size > CYCLES, `deliveries happened (${acked.size})`);
    assert.deepEqual(lost, []);
    assert.equal(twice, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
