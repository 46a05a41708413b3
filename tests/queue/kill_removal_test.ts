// The disk spool does not sync a removal, and the queue does not wait for one before it sends the
// next message: a removal is not needed for the promise that nothing acknowledged is lost. What
// a crash between a message's 250 and its removal costs is a duplicate: the next start finds
// the message and sends it again, once. Here the sender's removals never reach the disk, and it
// is killed with SIGKILL once the receiver has every message.
import assert from "node:assert/strict";
import { DiskSpool } from "../../server/queue/disk_spool.ts";
import { OutboundQueue } from "../../server/queue/queue.ts";
import { Relay } from "../../server/queue/relay.ts";
import { StaticRouter } from "../../server/queue/router.ts";
import { SmtpServer } from "../../server/smtp/server.ts";

const MTA = new URL("./_held_removals_mta.ts", import.meta.url).pathname;
const COUNT = 40;

async function waitFor(what: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

Deno.test("A message whose 250 came but whose removal was lost in a crash is sent once more after the restart, and none is lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spool-removal-" });
  const counts = new Map<number, number>();
  await using receiver = new SmtpServer({
    domain: "hamburger.edu",
    handler: {
      data: (_envelope, message) => {
        const seq = Number(/X-Seq: (\d+)/.exec(new TextDecoder().decode(message))![1]);
        counts.set(seq, (counts.get(seq) ?? 0) + 1);
      },
    },
  });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MTA, dir, String(receiver.port), String(COUNT)],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    await waitFor(() => counts.size === COUNT, 15_000);
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    assert.equal(counts.size, COUNT, "the receiver had every message before the kill");

    const spool = await DiskSpool.open(dir);
    const relay = new Relay({
      router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: receiver.port } }),
      clientName: "crepes.fr",
    });
    await using queue = new OutboundQueue({ spool, deliverer: relay });
    assert.equal(await queue.start(), COUNT, "every removal was lost with the process");
    await queue.idle();
    const sent = [...counts.values()];
    assert.equal(counts.size, COUNT, "none is lost");
    assert.deepEqual(new Set(sent), new Set([2]), "each one arrived twice: sent again once");
    assert.equal(queue.list().length, 0);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["tmp"], "the spool is empty");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
