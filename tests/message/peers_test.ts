/**
 * The four readings of issue 13 (point 5), checked against postal-mime and mailparser: where
 * both agree, this parser reads the same; where it does not (a bare word in From:), both
 * readings are shown, and the unit test in `message/address_test.ts` says why.
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
// Test-only peers, as in the bench.
import PostalMime from "postal-mime";
import { simpleParser } from "mailparser";
import { parseMessage } from "../../message/mod.ts";

const CRLF = "\r\n";
const encoder = new TextEncoder();

interface Reading {
  from: string[];
  date?: string;
  text?: string;
  html?: string;
  attachments: string[];
}

function trim(text: string | undefined): string | undefined {
  return text?.replace(/\r\n/g, "\n").replace(/\s+$/, "");
}

function ours(bytes: Uint8Array): Reading {
  const m = parseMessage(bytes);
  return {
    from: m.from.map((a) => `${a.name} <${a.address}>`),
    date: m.date === undefined ? undefined : new Date(m.date).toISOString(),
    text: trim(m.text),
    html: trim(m.html),
    attachments: m.attachments.map((a) => `${a.contentType} ${a.content.length}`),
  };
}

async function postal(bytes: Uint8Array): Promise<Reading> {
  const m = await PostalMime.parse(bytes);
  const date = m.date ? new Date(m.date) : undefined;
  return {
    from: m.from ? [`${m.from.name} <${m.from.address ?? ""}>`] : [],
    date: date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined,
    text: trim(m.text),
    html: trim(m.html),
    attachments: m.attachments.map((a) =>
      `${a.mimeType} ${typeof a.content === "string" ? a.content.length : a.content.byteLength}`
    ),
  };
}

/** The part of mailparser's result read here (the package ships no types). */
interface MailparserResult {
  from?: { value: { name: string; address?: string }[] };
  headers: Map<string, unknown>;
  date?: Date;
  text?: string;
  html: string | false;
  attachments: { contentType: string; content: Uint8Array }[];
}

async function mailparser(bytes: Uint8Array): Promise<Reading> {
  const m: MailparserResult = await simpleParser(Buffer.from(bytes), { skipTextToHtml: true });
  return {
    from: (m.from?.value ?? []).map((a) => `${a.name} <${a.address ?? ""}>`),
    date: m.headers.has("date") && m.date ? m.date.toISOString() : undefined,
    text: trim(m.text),
    html: typeof m.html === "string" ? trim(m.html) : undefined,
    attachments: m.attachments.map((a) => `${a.contentType} ${a.content.length}`),
  };
}

/** Asserts that postal-mime and mailparser agree on `field`, and that this parser does too. */
async function agree(text: string, fields: (keyof Reading)[]): Promise<Reading> {
  const bytes = encoder.encode(text);
  const [a, b, c] = [ours(bytes), await postal(bytes), await mailparser(bytes)];
  for (const field of fields) {
    assert.deepEqual(b[field], c[field], `postal-mime and mailparser differ on ${field}`);
    assert.deepEqual(a[field], b[field], `parseMessage differs from both on ${field}`);
  }
  return a;
}

Deno.test("RFC 2046 §5.1.1: parseMessage finds every part of a reused boundary as both peers do", async () => {
  const reading = await agree(
    [
      "From: alice@crepes.fr",
      'Content-Type: multipart/mixed; boundary="X"',
      "",
      "--X",
      'Content-Type: multipart/alternative; boundary="X"',
      "",
      "--X",
      "Content-Type: text/plain",
      "",
      "plain body",
      "--X",
      "Content-Type: text/html",
      "",
      "<p>html body</p>",
      "--X--",
      "--X",
      'Content-Type: application/pdf; name="a.pdf"',
      'Content-Disposition: attachment; filename="a.pdf"',
      "Content-Transfer-Encoding: base64",
      "",
      "JVBERi0xLjQK",
      "--X--",
      "",
    ].join(CRLF),
    ["text", "html", "attachments"],
  );
  assert.deepEqual(reading.attachments, ["application/pdf 9"]);
});

Deno.test("RFC 2183 §2: parseMessage reads an undisposed text part with name= as the body, as both peers do", async () => {
  const reading = await agree(
    'From: alice@crepes.fr\r\nContent-Type: text/plain; charset=utf-8; name="note.txt"\r\n\r\n' +
      "body text\r\n",
    ["text", "attachments"],
  );
  assert.equal(reading.text, "body text");
  // The first part of a multipart stands for the body too; the file after it stays a file.
  const first = await agree(
    'From: alice@crepes.fr\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n' +
      'Content-Type: text/plain; name="note.txt"\r\n\r\nfirst\r\n--b\r\n' +
      "Content-Type: application/pdf\r\nContent-Disposition: attachment\r\n" +
      "Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n",
    ["text", "attachments"],
  );
  assert.deepEqual([first.text, first.attachments], ["first", ["application/pdf 4"]]);
});

Deno.test("RFC 5322 §3.3: parseMessage reads a zone joined to the time, as both peers do", async () => {
  for (const date of ["01 Jan 2001 00:01+0000", "Mon, 01 Jan 2001 00:01:02+0100"]) {
    const reading = await agree(`From: alice@crepes.fr\r\nDate: ${date}\r\n\r\nx\r\n`, ["date"]);
    assert.ok(reading.date?.startsWith("20"));
  }
});

Deno.test("RFC 5322 §3.4.1: a bare word in From: is a local part here and a name to both peers", async () => {
  const bytes = encoder.encode("From: foo\r\n\r\nx\r\n");
  assert.deepEqual(ours(bytes).from, [" <foo>"]);
  assert.deepEqual((await postal(bytes)).from, ["foo <>"]);
  assert.deepEqual((await mailparser(bytes)).from, ["foo <>"]);
  // Where there is more than one word, all three read a name without an address.
  const words = encoder.encode("From: Foo Bar\r\n\r\nx\r\n");
  assert.deepEqual(ours(words).from, ["Foo Bar <>"]);
  assert.deepEqual((await postal(words)).from, ["Foo Bar <>"]);
  assert.deepEqual((await mailparser(words)).from, ["Foo Bar <>"]);
});
