// A sending queue in a process of its own whose removals never reach the disk: it stands for a
// sender that crashes after its messages' 250s came and before their removal was written, so
// that a test can kill it with SIGKILL at exactly that moment. It queues COUNT messages on the
// disk spool in SPOOL_DIR (each on disk before it counts as queued), prints one JSON line, then
// delivers them to the receiver and holds every removal until it is killed. Usage:
//   deno run -A tests/queue/_held_removals_mta.ts SPOOL_DIR RECEIVER_PORT COUNT
import { DiskSpool } from "../../server/queue/disk_spool.ts";
import { OutboundQueue } from "../../server/queue/queue.ts";
import { Relay } from "../../server/queue/relay.ts";
import { StaticRouter } from "../../server/queue/router.ts";
import type { Spool } from "../../server/queue/spool.ts";

const [dir, port, count] = Deno.args;
const disk = await DiskSpool.open(dir);
const spool: Spool = {
  put: (entry, message) => disk.put(entry, message),
  update: (entry) => disk.update(entry),
  load: () => disk.load(),
  read: (id) => disk.read(id),
  remove: () => new Promise(() => {}), // the kill comes first
};
const queue = new OutboundQueue({
  spool,
  deliverer: new Relay({
    router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: Number(port) } }),
    clientName: "crepes.fr",
  }),
});
for (let seq = 0; seq < Number(count); seq++) {
  const text = `From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nX-Seq: ${seq}\r\n\r\nHi\r\n`;
  await queue.enqueue(
    { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
    new TextEncoder().encode(text),
  );
}
console.log(JSON.stringify({ queued: Number(count) }));
// Until killed: an interval keeps the process alive once the queue has nothing left to wait for.
setInterval(() => {}, 60_000);
