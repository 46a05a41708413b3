// The queue bench's sink when Postfix's smtp-sink is missing: the toolkit's SmtpServer, printing
// counters in smtp-sink's `-c` shape ("sess=N quit=N mesg=N") as sessions end and messages come.
// Usage: deno run -A bench/_queue_sink.ts PORT
import { Transcript } from "../protocol/transcript.ts";
import { SmtpServer } from "../server/smtp/server.ts";

let sessions = 0;
let messages = 0;
const print = () => console.log(`sess=${sessions} quit=${sessions} mesg=${messages}`);
const server = new SmtpServer({
  domain: "sink.test",
  port: Number(Deno.args[0]),
  maxConnectionsPerAddress: 1000,
  transcripts: () =>
    new Transcript({
      maxEntries: 0,
      onRecord: (entry) => {
        if (entry.side === "*" && entry.text === "TCP connection closed") {
          sessions++;
          print();
        }
      },
    }),
  handler: {
    data: () => {
      messages++;
    },
  },
});
Deno.addSignalListener("SIGTERM", () => server.close().then(() => Deno.exit(0)));
