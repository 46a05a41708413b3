/**
 * Parses the message corpus with this parser, postal-mime and mailparser in one run, in full and
 * header-only, and prints messages/s, MB/s and the ratios. Run with
 * `deno run -A bench/message_bench.ts`; speed is measured here, never asserted in tests.
 *
 * Full means: every parser reads the header fields, the text and HTML bodies and every
 * attachment's decoded bytes. Header-only means: the decoded Subject, From, To, Date and
 * Message-ID; postal-mime and mailparser, which have no header-only mode, get the header bytes.
 *
 * @module
 */

// Bench-only peers, pinned inline so deno.json stays untouched.
// deno-lint-ignore no-import-prefix
import PostalMime from "npm:postal-mime@4.0.0";
// deno-lint-ignore no-import-prefix
import { simpleParser } from "npm:mailparser@3.7.4";
import { Buffer } from "node:buffer";
import { parseHeaders, parseMessage } from "../message/mod.ts";
import { loadCorpus } from "../tests/message/corpus.ts";

const corpus = loadCorpus({ copies: 30, large: true });
const headerBytes = corpus.map((m) => m.bytes.subarray(0, parseHeaders(m.bytes).bodyOffset));
const totalBytes = corpus.reduce((sum, m) => sum + m.bytes.length, 0);
const headerTotal = headerBytes.reduce((sum, h) => sum + h.length, 0);
let sink = 0;

interface Result {
  name: string;
  perSecond: number;
  mbPerSecond: number;
}

async function measure(
  name: string,
  inputs: Uint8Array[],
  bytes: number,
  parse: (input: Uint8Array) => unknown,
  seconds = 3,
): Promise<Result> {
  for (const input of inputs.slice(0, 20)) await parse(input); // warm up
  let rounds = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const input of inputs) {
      const result = parse(input);
      if (result instanceof Promise) await result;
    }
    rounds++;
  }
  const elapsed = (performance.now() - start) / 1000;
  return {
    name,
    perSecond: (rounds * inputs.length) / elapsed,
    mbPerSecond: (rounds * bytes) / 1e6 / elapsed,
  };
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

async function postalFull(bytes: Uint8Array): Promise<void> {
  const m = await PostalMime.parse(bytes);
  sink += (m.text?.length ?? 0) + m.attachments.length;
}

async function mailparserFull(bytes: Uint8Array): Promise<void> {
  const m = await simpleParser(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  sink += (typeof m.text === "string" ? m.text.length : 0) + m.attachments.length;
}

const inputs = corpus.map((m) => m.bytes);
console.log(
  `corpus: ${corpus.length} messages, ${(totalBytes / 1e6).toFixed(1)} MB ` +
    `(headers ${(headerTotal / 1e6).toFixed(2)} MB)`,
);
const full = [
  await measure("message/ (this)", inputs, totalBytes, oursFull),
  await measure("postal-mime", inputs, totalBytes, postalFull),
  await measure("mailparser", inputs, totalBytes, mailparserFull),
];
const header = [
  await measure("message/ (this)", inputs, headerTotal, oursHeader),
  await measure("postal-mime", headerBytes, headerTotal, postalFull),
  await measure("mailparser", headerBytes, headerTotal, mailparserFull),
];

function table(title: string, results: Result[]): void {
  const [us] = results;
  console.log(`\n${title}`);
  console.log("| parser | messages/s | MB/s | this parser is |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const r of results) {
    const ratio = r === us ? "" : `${(us.perSecond / r.perSecond).toFixed(2)}x`;
    console.log(
      `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.mbPerSecond.toFixed(1)} | ${ratio} |`,
    );
  }
}

table("Full parse (headers, bodies, decoded attachments)", full);
table("Header-only parse", header);
if (sink === 0) console.log("(nothing was parsed)");
