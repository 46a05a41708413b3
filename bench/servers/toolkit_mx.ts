// The toolkit's MX as a benchmark target, built by the lab itself (assembleLab, as
// `deno task lab --quiet` does): one domain, the generator's sink.test with sink0 (ENVELOPE), its
// mailboxes in a MaildirStore on disk under --root with the store's defaults (fsync on), its
// queue in a DiskSpool, its certificate from the lab's CA (STARTTLS offered, not used by the
// bench), every session's transcript recorded into the lab's EventLog. Only the connection
// limits differ from the lab's defaults (1,000 and 100 per address): the bench's 1,000 idle
// sessions all come from 127.0.0.1.
//
//   deno run -A bench/servers/toolkit_mx.ts --root DIR
//       prints {"port"}, then answers each stdin line: "stats" with {"accepted","rss"}
//       (accepted: messages stored into sink0's INBOX), "count" with {"accepted"} alone (no
//       collection, as servers/_stats.ts says), "empty" by expunging that INBOX and
//       printing {"expunged"}, "exit" by closing the lab and exiting (so does the end of stdin).
import { parseArgs } from "node:util";
import { assembleLab } from "../../lab/assemble.ts";
import { ENVELOPE } from "../_smtp_load.ts";
import { serveStats } from "./_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { root: { type: "string" } },
  strict: true,
});
if (!values.root) throw new Error("Missing --root");

let expunged = 0;
const lab = await assembleLab({
  config: {
    dataDir: values.root,
    storage: "disk",
    domains: [{
      name: ENVELOPE.domain,
      ports: { smtp: 0, submission: 0, imap: 0 },
      users: { [ENVELOPE.user]: "pickles" },
    }],
    limits: { connections: 5000, connectionsPerAddress: 5000 },
  },
});
const { server } = lab.servers[0];

async function close(): Promise<void> {
  await server.close();
  await lab.lock?.release();
}

await serveStats(
  server.ports.smtp,
  // Counted from the store, not by an onEvent: a lab given one makes an event of every dialog
  // line, which `deno task lab --quiet` does not.
  async () => expunged + (await server.store.status(ENVELOPE.user, "INBOX")).messages,
  close,
  {
    // Between runs (not timed), so that each run delivers into an empty INBOX.
    empty: async () => {
      const uids = (await server.store.list(ENVELOPE.user, "INBOX")).map((m) => m.uid);
      await server.store.expunge(ENVELOPE.user, "INBOX", uids);
      expunged += uids.length;
      return { expunged: uids.length };
    },
  },
);
