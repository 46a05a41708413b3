// A receiving mail server (hamburger.edu) storing into a Maildir, in a process of its own, so that
// a test can kill it with SIGKILL mid-delivery and start it again on the same folder. Usage:
//   deno run -A tests/store/_receiver.ts MAILDIR_ROOT
// It prints one JSON line with its SMTP port, then serves until killed.
import { MailServer } from "../../server/mail_server.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";

const [root] = Deno.args;
const server = await MailServer.start({
  domain: "hamburger.edu",
  users: { bob: "pickles" },
  passwordIterations: 1000,
  store: new MaildirStore({ root }),
  record: false,
});
console.log(JSON.stringify({ smtp: server.ports.smtp }));
await new Promise(() => {}); // until killed
