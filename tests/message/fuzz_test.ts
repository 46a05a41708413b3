/**
 * Fuzz test: mutates the corpus (truncation, byte flips, huge lines, deep nesting, unterminated
 * quotes, comments and boundaries, stray CRs and NULs) and checks that the parser returns a
 * result, or throws only its own `MessageSyntaxError` where it may throw, within a bounded time
 * per input. Bounded in count and in total time; seeded, so a failure can be replayed with
 * `FUZZ_SEED`.
 */

import assert from "node:assert/strict";
import {
  MessageSyntaxError,
  parseHeaders,
  parseMessage,
  validateMessage,
} from "../../message/mod.ts";
import { loadCorpus } from "./corpus.ts";

const CASES = 600;
const BUDGET_MS = 20_000;
// Generous: a hang or a quadratic blow-up takes far longer; a slow CI machine does not.
const PER_INPUT_MS = 3_000;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encoder = new TextEncoder();

function insert(bytes: Uint8Array, added: Uint8Array, options: { at?: number } = {}): Uint8Array {
  const at = options.at ?? 0;
  const out = new Uint8Array(bytes.length + added.length);
  out.set(bytes.subarray(0, at));
  out.set(added, at);
  out.set(bytes.subarray(at), at + added.length);
  return out;
}

type Mutation = (bytes: Uint8Array, rand: () => number) => Uint8Array;

const at = (bytes: Uint8Array, rand: () => number) => Math.floor(rand() * (bytes.length + 1));

function deepNesting(depth: number, kind: "multipart" | "rfc822"): Uint8Array {
  let text = "";
  for (let i = 0; i < depth; i++) {
    text += kind === "multipart"
      ? `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`
      : "Content-Type: message/rfc822\r\n\r\n";
  }
  return encoder.encode(text + "Subject: bottom\r\n\r\nleaf\r\n");
}

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, r) => b.subarray(0, at(b, r)),
  flipBytes: (b, r) => {
    const out = b.slice();
    const flips = 1 + Math.floor(r() * 20);
    for (let i = 0; i < flips && out.length > 0; i++) {
      out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
    }
    return out;
  },
  randomBytes: (b, r) => {
    const out = b.slice();
    for (let i = 0; i < 50 && out.length > 0; i++) {
      out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
    }
    return out;
  },
  hugeLine: (b, r) =>
    insert(b, encoder.encode("x".repeat(200_000 + Math.floor(r() * 300_000))), { at: at(b, r) }),
  hugeHeaderValue: (b) =>
    insert(
      b,
      encoder.encode(
        `To: ${"a@b.c, ".repeat(40_000)}\r\nSubject: ${"=?UTF-8?B?7ZWc?= ".repeat(20_000)}\r\n`,
      ),
    ),
  manyFields: (b) => insert(b, encoder.encode("X-F: v\r\n".repeat(50_000))),
  colonlessLines: (b) => insert(b, encoder.encode("no colon here\r\n".repeat(30_000))),
  deepMultipart: (_b, r) => deepNesting(50 + Math.floor(r() * 1000), "multipart"),
  deepRfc822: (_b, r) => deepNesting(50 + Math.floor(r() * 1000), "rfc822"),
  unterminatedQuote: (b) =>
    insert(
      b,
      encoder.encode(`From: "Alice <a@b.c>\r\nTo: (Bob (nested <b@c.d>\r\nCc: <<<<@@@,,;;::\r\n`),
    ),
  unterminatedParams: (b) =>
    insert(
      b,
      encoder.encode(`Content-Type: multipart/mixed; boundary="unclosed; name*0*=UTF-8'%ZZ\r\n`),
    ),
  dropBoundaries: (b) => {
    const text = new TextDecoder("latin1").decode(b);
    return Uint8Array.from(text.replace(/\r?\n--[^\r\n]*--/g, ""), (c) => c.charCodeAt(0) & 0xff);
  },
  repeatBoundaries: (b) => {
    const text = new TextDecoder("latin1").decode(b);
    const boundary = /boundary="?([^";\r\n]+)/i.exec(text)?.[1] ?? "x";
    return insert(b, encoder.encode(`\r\n--${boundary}\r\n`.repeat(20_000)), { at: b.length });
  },
  longBoundary: (b) =>
    insert(b, encoder.encode(`Content-Type: multipart/mixed; boundary=${"-".repeat(100_000)}\r\n`)),
  dashes: (b) =>
    insert(
      b,
      encoder.encode(
        `Content-Type: multipart/mixed; boundary=${"-".repeat(60)}\r\n\r\n${
          "-".repeat(500_000)
        }\r\n`,
      ),
    ),
  crOnly: (b) => Uint8Array.from(b.filter((c) => c !== 10)),
  nulBytes: (b, r) => insert(b, new Uint8Array(1000), { at: at(b, r) }),
  brokenEncodedWords: (b) =>
    insert(b, encoder.encode("Subject: =?UTF-8?B?====?= =?x?Q?=ZZ?= =?=?=?=?\r\n")),
  brokenEncodings: (b) =>
    insert(
      b,
      encoder.encode(
        "Content-Transfer-Encoding: base64\r\nContent-Type: text/plain; charset=nope\r\n",
      ),
    ),
};

function exercise(bytes: Uint8Array): void {
  const header = parseHeaders(bytes);
  void [header.subject, header.from, header.to, header.date, header.messageId];
  const message = parseMessage(bytes);
  void [message.subject, message.from, message.to, message.cc, message.date, message.messageId];
  void [message.inReplyTo, message.references, message.text, message.html];
  for (const attachment of message.attachments) void attachment.content.length;
  for (const part of message.root.walk()) {
    void [part.lines, part.size, part.filename, part.description, part.id, part.text().length];
  }
  for (const rule of ["course", "rfc5322"] as const) {
    try {
      validateMessage(message, { rule });
    } catch (error) {
      if (!(error instanceof MessageSyntaxError)) throw error;
    }
  }
  try {
    parseMessage(bytes, { strict: true });
  } catch (error) {
    if (!(error instanceof MessageSyntaxError)) throw error;
  }
}

Deno.test("parseMessage survives mutated mail with a result or a MessageSyntaxError", () => {
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? 2026);
  const rand = random(seed);
  const corpus = loadCorpus({ copies: 1 });
  const names = Object.keys(MUTATIONS);
  const counts = new Map<string, number>();
  const start = performance.now();
  let slowest = 0;
  const times = new Map<string, number>();
  let cases = 0;
  while (cases < CASES && performance.now() - start < BUDGET_MS) {
    const source = corpus[Math.floor(rand() * corpus.length)];
    const name = names[cases % names.length];
    const input = MUTATIONS[name](source.bytes, rand);
    const began = performance.now();
    try {
      exercise(input);
    } catch (error) {
      assert.fail(`seed ${seed}, case ${cases} (${name} of ${source.name}): ${error}`);
    }
    const took = performance.now() - began;
    slowest = Math.max(slowest, took);
    assert.ok(
      took < PER_INPUT_MS,
      `seed ${seed}, case ${cases} (${name}) took ${took.toFixed(0)} ms`,
    );
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (Deno.env.get("FUZZ_PROFILE")) times.set(name, (times.get(name) ?? 0) + took);
    cases++;
  }
  console.log(
    `${cases} cases from seed ${seed} in ${((performance.now() - start) / 1000).toFixed(1)} s, ` +
      `slowest ${slowest.toFixed(0)} ms: ` +
      [...counts].map(([name, n]) => `${name} ${n}`).join(", "),
  );
  if (times.size > 0) {
    console.log(
      [...times].map(([n, t]) => `${n} ${(t / counts.get(n)!).toFixed(1)} ms`).join("\n"),
    );
  }
  assert.ok(cases >= names.length, "every mutation ran at least once");
});
