/**
 * Parses the message corpus with this parser, postal-mime and mailparser in one run, in full and
 * header-only, and prints messages/s, MB/s and the ratios; then parses one 25 MiB message and one
 * of twice that size, to show that time grows linearly with size. Run with
 * `deno run -A bench/message_bench.ts`; speed is measured here, never asserted in tests.
 *
 * Full means: every parser reads the header fields, the text and HTML bodies and every
 * attachment's decoded bytes. Header-only means: the decoded Subject, From, To, Date and
 * Message-ID; postal-mime and mailparser, which have no header-only mode, get only the header
 * bytes. The parsers take turns in several rounds and each keeps its best round, so that a
 * burst of load on a shared machine does not decide the ratio.
 *
 * @module
 */

// Bench-only peers, pinned inline so deno.json stays untouched.
import PostalMime from "postal-mime";
import { simpleParser } from "mailparser";
import { Buffer } from "node:buffer";
import { buildMessage, parseHeaders, parseMessage } from "../message/mod.ts";
import { loadCorpus } from "../tests/message/corpus.ts";

const ROUNDS = 5;
const ROUND_SECONDS = 1;

const corpus = loadCorpus({ copies: 30, large: true });
const inputs = corpus.map((m) => m.bytes);
const headerBytes = inputs.map((bytes) => bytes.subarray(0, parseHeaders(bytes).bodyOffset));
const totalBytes = inputs.reduce((sum, b) => sum + b.length, 0);
const headerTotal = headerBytes.reduce((sum, h) => sum + h.length, 0);
let sink = 0;

type Parse = (input: Uint8Array) => unknown;

interface Contender {
  name: string;
  inputs: Uint8Array[];
  bytes: number;
  parse: Parse;
  best: number;
}

function oursFull(bytes: Uint8Array): void {
  const m = parseMessage(bytes);
  sink += (m.subject?.length ?? 0) + m.from.length + m.to.length + m.cc.length + (m.date ?? 0) +
    (m.messageId?.length ?? 0) + (m.text?.length ?? 0) + (m.html?.length ?? 0);
  for (const a of m.attachments) sink += a.content.length;
}

function oursHeader(bytes: Uint8Array): void {
  const h = parseHeaders(bytes);
  sink += (h.subject?.length ?? 0) + h.from.length + h.to.length + (h.date ?? 0) +
    (h.messageId?.length ?? 0);
}

async function postal(bytes: Uint8Array): Promise<void> {
  const m = await PostalMime.parse(bytes);
  sink += (m.subject?.length ?? 0) + (m.text?.length ?? 0) + m.attachments.length;
}

async function mailparser(bytes: Uint8Array): Promise<void> {
  const m = await simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  sink += (m.subject?.length ?? 0) + (typeof m.text === "string" ? m.text.length : 0) +
    m.attachments.length;
}

/** Runs one round of about `ROUND_SECONDS` and returns messages per second. */
async function round(contender: Contender): Promise<number> {
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_SECONDS * 1000) {
    for (const input of contender.inputs) {
      const result = contender.parse(input);
      if (result instanceof Promise) await result;
    }
    count += contender.inputs.length;
  }
  return count / ((performance.now() - start) / 1000);
}

async function race(title: string, contenders: Contender[]): Promise<void> {
  for (const c of contenders) for (const input of c.inputs.slice(0, 30)) await c.parse(input);
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of contenders) c.best = Math.max(c.best, await round(c));
  }
  const [us] = contenders;
  console.log(`\n${title}`);
  console.log("| parser | messages/s | MB/s | this parser is |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const c of contenders) {
    const mb = c.best * c.bytes / c.inputs.length / 1e6;
    const ratio = c === us ? "" : `${(us.best / c.best).toFixed(2)}x faster`;
    console.log(`| ${c.name} | ${c.best.toFixed(0)} | ${mb.toFixed(1)} | ${ratio} |`);
  }
}

const contender = (name: string, inputs: Uint8Array[], bytes: number, parse: Parse) => ({
  name,
  inputs,
  bytes,
  parse,
  best: 0,
});

console.log(
  `corpus: ${corpus.length} messages, ${(totalBytes / 1e6).toFixed(1)} MB ` +
    `(headers ${
      (headerTotal / 1e6).toFixed(2)
    } MB); best of ${ROUNDS} rounds of ${ROUND_SECONDS} s`,
);
await race("Full parse (headers, bodies, decoded attachments)", [
  contender("message/ (this)", inputs, totalBytes, oursFull),
  contender("postal-mime", inputs, totalBytes, postal),
  contender("mailparser", inputs, totalBytes, mailparser),
]);
const small = loadCorpus({ copies: 30 }).map((m) => m.bytes);
const smallTotal = small.reduce((sum, b) => sum + b.length, 0);
await race(
  `Full parse, small messages only (${small.length} messages, ${(smallTotal / 1e6).toFixed(1)} MB)`,
  [
    contender("message/ (this)", small, smallTotal, oursFull),
    contender("postal-mime", small, smallTotal, postal),
    contender("mailparser", small, smallTotal, mailparser),
  ],
);
await race("Header-only parse", [
  contender("message/ (this)", inputs, headerTotal, oursHeader),
  contender("postal-mime", headerBytes, headerTotal, postal),
  contender("mailparser", headerBytes, headerTotal, mailparser),
]);

function large(mebibytes: number): Uint8Array {
  // Base64 grows data by 4/3, so 0.74 of the size in raw bytes makes a message of about that size.
  const each = Math.floor(mebibytes * 1024 * 1024 * 0.74 / 5);
  const attachments = Array.from({ length: 5 }, (_, i) => ({
    filename: `part${i}.bin`,
    content: new Uint8Array(each).map((_, j) => (j * 31 + i) & 0xff),
  }));
  return buildMessage({
    from: "alice@crepes.fr",
    to: "bob@hamburger.edu",
    text: "Files.\n",
    attachments,
    date: 0,
  });
}

console.log("\nLarge messages (time should double with size)");
console.log("| message | full parse ms | header-only ms |");
console.log("| --- | ---: | ---: |");
for (const size of [25, 50]) {
  const bytes = large(size);
  let full = Infinity;
  let head = Infinity;
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    oursFull(bytes);
    full = Math.min(full, performance.now() - t);
    t = performance.now();
    oursHeader(bytes);
    head = Math.min(head, performance.now() - t);
  }
  console.log(
    `| ${(bytes.length / 1048576).toFixed(1)} MiB | ${full.toFixed(1)} | ${head.toFixed(3)} |`,
  );
}
if (sink === 0) console.log("(nothing was parsed)");
