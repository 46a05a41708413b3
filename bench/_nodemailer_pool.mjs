// The queue bench's other contender, run by Node (not Deno): nodemailer's pooled SMTP transport
// sends the bench's raw messages to the sink, over the given number of connections, and prints
// how long that took as one JSON line. The messages come in a JSON file (an array of strings, one
// octet per character) so that both contenders send the very same bytes.
// Usage: node bench/_nodemailer_pool.mjs PORT CONNECTIONS MESSAGES_FILE
import { readFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import process from "node:process";
import nodemailer from "nodemailer";

const [port, connections, file] = process.argv.slice(2);
const FROM = "alice@crepes.fr";
const TO = "bob@hamburger.edu";
const raws = JSON.parse(readFileSync(file, "utf8")).map((text) => Buffer.from(text, "latin1"));
const transport = nodemailer.createTransport({
  pool: true,
  host: "127.0.0.1",
  port: Number(port),
  secure: false,
  ignoreTLS: true,
  maxConnections: Number(connections),
  maxMessages: Infinity,
});
const started = performance.now();
await Promise.all(
  raws.map((raw) => transport.sendMail({ envelope: { from: FROM, to: [TO] }, raw })),
);
const seconds = (performance.now() - started) / 1000;
transport.close();
const pkg = new URL("../node_modules/nodemailer/package.json", import.meta.url);
const version = JSON.parse(readFileSync(pkg, "utf8")).version;
console.log(JSON.stringify({ seconds, node: process.version, nodemailer: version }));
