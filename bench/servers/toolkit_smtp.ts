// The toolkit's SMTP server as a benchmark target: stores every message in memory (the last
// 1,000 kept, so a long run stays bounded), prints its port, answers "stats" on stdin.
import { SmtpServer } from "../../server/smtp/server.ts";
import { serveStats } from "./_stats.ts";

const kept: Uint8Array[] = [];
let accepted = 0;
const server = new SmtpServer({
  domain: "hamburger.edu",
  maxMessageSize: 64 * 1024 * 1024,
  maxConnections: 5000,
  maxConnectionsPerAddress: 5000,
  handler: {
    data(_envelope, message) {
      kept[accepted++ % 1000] = message;
    },
  },
});
await serveStats(server.port, () => accepted, () => server.close());
