// The toolkit's IMAP server as a benchmark target, built as the lab builds it (lab/assemble.ts,
// server/mail_server.ts): a MaildirStore on disk with its defaults (fsync on, the system clock),
// Accounts with the default PBKDF2 cost, and an ImapServer on 127.0.0.1 that records every
// session's transcript into a TranscriptLog whose events go to an EventLog, as `deno task lab
// --quiet` does (`--bare` leaves transcripts out).
//
//   deno run -A bench/servers/toolkit_imap.ts --root DIR --fill N
//       delivers the bench's messages 1..N to bob through store.deliver (fsync off: filling is
//       not measured), prints {"filled","ms"} and exits.
//   deno run -A bench/servers/toolkit_imap.ts --root DIR --users bob,stress1 --password PW
//       prints {"port","pid"}, then answers each stdin line: "deliver K" delivers the bench's
//       IDLE message K to bob through the store and prints {"uid"}; "stats" prints
//       {"rss","hwm"}; "exit" closes the server and exits (so does the end of stdin).
import { parseArgs } from "node:util";
import { EventLog } from "../../lab/event_log.ts";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer } from "../../server/imap/server.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";
import { TranscriptLog } from "../../server/transcript_log.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import { benchMessage, idleMessage, messageDate } from "../_imap_messages.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    root: { type: "string" },
    fill: { type: "string" },
    users: { type: "string", default: "bob" },
    password: { type: "string", default: "pickles" },
    bare: { type: "boolean", default: false },
  },
  strict: true,
});
if (!values.root) throw new Error("Missing --root");

if (values.fill !== undefined) {
  const store = new MaildirStore({ root: values.root, fsync: false });
  const count = Number(values.fill);
  const started = performance.now();
  await store.ensureUser("bob");
  for (let n = 1; n <= count; n++) {
    await store.deliver("bob", benchMessage(n), { internalDate: messageDate(n) });
  }
  console.log(JSON.stringify({ filled: count, ms: performance.now() - started }));
  Deno.exit(0);
}

const store = new MaildirStore({ root: values.root });
const accounts = new Accounts();
const users = values.users.split(",");
for (const user of users) {
  await accounts.add(user, values.password);
  await store.ensureUser(user);
}
const events = new EventLog();
const log = new TranscriptLog({
  domain: "hamburger.edu",
  clock: systemClock,
  emit: (event) => events.add({ ...event, domain: "hamburger.edu" }),
});
const server = new ImapServer({
  hostname: "127.0.0.1",
  port: 0,
  domain: "hamburger.edu",
  store,
  accounts,
  clock: systemClock,
  transcripts: values.bare ? undefined : log.factory("IMAP"),
});

function peak(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

console.log(JSON.stringify({ port: server.port, pid: Deno.pid }));
let pending = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const [command, arg] = pending.slice(0, nl).trim().split(" ");
    pending = pending.slice(nl + 1);
    if (command === "deliver") {
      const uid = await store.deliver("bob", idleMessage(Number(arg)));
      console.log(JSON.stringify({ uid }));
    } else if (command === "stats") {
      console.log(JSON.stringify({ rss: Deno.memoryUsage().rss, hwm: peak() }));
    } else if (command === "exit") {
      await server.close();
      Deno.exit(0);
    }
  }
}
await server.close();
Deno.exit(0);
