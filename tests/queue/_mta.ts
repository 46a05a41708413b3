// A sending mail server (crepes.fr) in a process of its own, so that a test can kill it with
// SIGKILL and start it again on the same spool. Usage:
//   deno run -A tests/queue/_mta.ts SPOOL_DIR RECEIVER_PORT
// It prints one JSON line with its submission port, then serves until killed.
import { MailServer } from "../../server/mail_server.ts";
import { DiskSpool } from "../../server/queue/disk_spool.ts";
import { StaticRouter } from "../../server/queue/router.ts";

const [dir, port] = Deno.args;
const server = await MailServer.start({
  domain: "crepes.fr",
  users: { alice: "ketchup" },
  passwordIterations: 1000,
  spool: await DiskSpool.open(dir),
  router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: Number(port) } }),
  retrySchedule: [100],
  record: false,
});
console.log(
  JSON.stringify({ submission: server.ports.submission, queued: server.queue.list().length }),
);
await new Promise(() => {}); // until killed
