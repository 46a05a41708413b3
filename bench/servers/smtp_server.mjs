// nodemailer's smtp-server as a benchmark target, storing into memory like the toolkit's target
// (the last 1,000 messages kept). Runs under Node or Deno; same control channel.
import { Buffer } from "node:buffer";
import { SMTPServer } from "smtp-server";
import process from "node:process";
import readline from "node:readline";
import v8 from "node:v8";

const kept = [];
let accepted = 0;
const server = new SMTPServer({
  authOptional: true,
  disableReverseLookup: true, // no DNS here; the toolkit does no lookup either
  disabledCommands: ["STARTTLS"], // the shared load generator speaks no TLS
  banner: "hamburger.edu",
  size: 64 * 1024 * 1024,
  maxClients: 5000,
  logger: false,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => {
      kept[accepted++ % 1000] = Buffer.concat(chunks);
      callback();
    });
  },
});
server.on("error", () => {});
server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.server.address().port }));
});
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const command = line.trim();
  if (command === "stats") {
    globalThis.gc?.();
    // V8's heap as _stats.ts reports it: live objects, and the young generation's size.
    const young = v8.getHeapSpaceStatistics().filter((s) => s.space_name.startsWith("new_"))
      .reduce((sum, s) => sum + s.physical_space_size, 0);
    const { used_heap_size: used, total_physical_size: committed } = v8.getHeapStatistics();
    const heap = { used, committed, young };
    console.log(JSON.stringify({ accepted, rss: process.memoryUsage().rss, heap }));
  } else if (command === "count") {
    console.log(JSON.stringify({ accepted }));
  } else if (command === "exit") {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500);
  }
});
