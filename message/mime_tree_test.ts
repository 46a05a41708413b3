import assert from "node:assert/strict";
import type { MessageSyntaxError } from "./errors.ts";
import { MAX_MIME_DEPTH, parseMimeTree } from "./mime_tree.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF = "\r\n";

const NESTED = [
  "From: alice@crepes.fr",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "preamble",
  "--outer",
  'Content-Type: multipart/alternative; boundary="inner"',
  "",
  "--inner",
  "Content-Type: text/plain",
  "",
  "plain one",
  "plain two",
  "--inner",
  "Content-Type: text/html",
  "",
  "<p>html</p>",
  "--inner--",
  "",
  "--outer",
  "Content-Type: message/rfc822",
  "Content-Description: the original",
  "",
  "Subject: inner message",
  'Content-Type: multipart/mixed; boundary="deep"',
  "",
  "--deep",
  "",
  "deep text",
  "--deep",
  "Content-Type: application/octet-stream",
  "Content-Transfer-Encoding: base64",
  "",
  "AAEC",
  "--deep--",
  "--outer--",
  "epilogue",
].join(CRLF);

Deno.test("parseMimeTree numbers sections the way IMAP does (RFC 3501 §6.4.5)", () => {
  const root = parseMimeTree(encoder.encode(NESTED));
  const sections = [...root.walk()].map((p) => `${p.section}:${p.mediaType}`);
  assert.deepEqual(sections, [
    ":multipart/mixed",
    "1:multipart/alternative",
    "1.1:text/plain",
    "1.2:text/html",
    "2:message/rfc822",
    "2:multipart/mixed",
    "2.1:text/plain",
    "2.2:application/octet-stream",
  ]);
  assert.equal(root.find("2.2")?.mediaType, "application/octet-stream");
  assert.equal(root.find("2")?.message?.header.get("subject"), "inner message");
  assert.equal(root.find("3"), undefined);
  assert.equal(root.find("1.1.1"), undefined);
  assert.equal(root.find("x"), undefined);
});

Deno.test("parseMimeTree gives offsets that slice the original bytes", () => {
  const bytes = encoder.encode(NESTED);
  const root = parseMimeTree(bytes);
  const plain = root.find("1.1")!;
  assert.equal(
    decoder.decode(bytes.subarray(plain.headerStart, plain.bodyStart)),
    "Content-Type: text/plain\r\n\r\n",
  );
  assert.equal(decoder.decode(plain.body), "plain one\r\nplain two");
  assert.equal(plain.size, 20);
  assert.equal(plain.lines, 2);
  const forwarded = root.find("2")!;
  assert.equal(forwarded.description, "the original");
  assert.ok(decoder.decode(forwarded.body).startsWith("Subject: inner message"));
  assert.ok(decoder.decode(forwarded.body).endsWith("--deep--"));
  assert.deepEqual(root.find("2.2")!.content(), new Uint8Array([0, 1, 2]));
});

Deno.test("parseMimeTree makes the body of a single-part message section 1", () => {
  const root = parseMimeTree(encoder.encode("Subject: x\r\n\r\nbody\r\n"));
  assert.equal(root.find("1"), root);
  assert.equal(root.find("2"), undefined);
  assert.equal(root.contentType.params.charset, "us-ascii");
  assert.equal(root.encoding, "7bit");
});

Deno.test("parseMimeTree defaults parts of multipart/digest to message/rfc822", () => {
  const text =
    'Content-Type: multipart/digest; boundary="d"\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\n1\r\n--d--\r\n';
  const root = parseMimeTree(encoder.encode(text));
  assert.equal(root.find("1")?.mediaType, "message/rfc822");
  assert.equal(root.find("1")?.message?.header.get("subject"), "one");
});

Deno.test("parseMimeTree accepts transport padding after a boundary and ignores look-alikes", () => {
  const text =
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b  \r\n\r\none\r\n--bb\r\n--b\t\r\n\r\ntwo\r\n--b--  \r\n';
  const root = parseMimeTree(encoder.encode(text));
  assert.deepEqual(root.children.map((p) => decoder.decode(p.body)), ["one\r\n--bb", "two"]);
});

Deno.test("parseMimeTree reports a multipart without a boundary and keeps it as a leaf", () => {
  const problems: MessageSyntaxError[] = [];
  const root = parseMimeTree(encoder.encode("Content-Type: multipart/mixed\r\n\r\ntext\r\n"), {
    problems,
  });
  assert.equal(root.children.length, 0);
  assert.match(problems[0].message, /no boundary for "multipart\/mixed"/);
});

Deno.test("parseMimeTree stops nesting at MAX_MIME_DEPTH", () => {
  let text = "";
  for (let i = 0; i < MAX_MIME_DEPTH + 10; i++) {
    text += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
  }
  text += "\r\nleaf\r\n";
  const root = parseMimeTree(encoder.encode(text));
  let depth = 0;
  for (let part = root; part.children.length > 0; part = part.children[0]) depth++;
  assert.equal(depth, MAX_MIME_DEPTH);
});

Deno.test("parseMimeTree decodes base64 and quoted-printable content", () => {
  const text = 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n' +
    "Content-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\nx9Gx2w==\r\n" +
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\n" +
    "caf=C3=A9\r\n--b--\r\n";
  const root = parseMimeTree(encoder.encode(text));
  assert.equal(root.find("1")?.text(), "한글");
  assert.equal(root.find("2")?.text(), "café");
  assert.equal(root.find("2")?.encoding, "quoted-printable");
});

Deno.test("parseMimeTree offsets serve IMAP's BODY[2.HEADER], BODY[2.TEXT] and BODY[1.MIME]", () => {
  const bytes = encoder.encode(NESTED);
  const root = parseMimeTree(bytes);
  const slice = (from: number, to: number) => decoder.decode(bytes.subarray(from, to));
  const forwarded = root.find("2")!;
  const inner = forwarded.message!;
  // 2.HEADER: the enclosed message's header, blank line included.
  assert.equal(
    slice(inner.headerStart, inner.bodyStart),
    'Subject: inner message\r\nContent-Type: multipart/mixed; boundary="deep"\r\n\r\n',
  );
  // 2.TEXT: the enclosed message's body.
  assert.ok(slice(inner.bodyStart, inner.end).startsWith("--deep\r\n"));
  // 1.MIME: the part's own MIME header.
  const first = root.find("1")!;
  assert.equal(
    slice(first.headerStart, first.bodyStart),
    'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n',
  );
  // The message itself: HEADER and TEXT.
  assert.equal(slice(0, root.bodyStart), NESTED.slice(0, NESTED.indexOf("\r\n\r\n") + 4));
  assert.equal(root.end, bytes.length);
});

Deno.test("parseMimeTree reads a 25 MiB message and decodes every attachment", () => {
  const chunk = "A".repeat(76) + CRLF; // base64 of zero bits, 57 bytes per line
  const lines = Math.ceil((25 * 1024 * 1024) / 3 / chunk.length);
  const body = chunk.repeat(lines);
  let text = 'Content-Type: multipart/mixed; boundary="big"\r\n\r\n';
  for (let i = 0; i < 3; i++) {
    text +=
      `--big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}`;
  }
  text += "--big--\r\n";
  const bytes = encoder.encode(text);
  assert.ok(bytes.length > 25 * 1024 * 1024);
  const root = parseMimeTree(bytes);
  assert.equal(root.children.length, 3);
  for (const part of root.children) assert.equal(part.content().length, lines * 57);
});

const REUSED = [
  'Content-Type: multipart/mixed; boundary="X"',
  "",
  "--X",
  'Content-Type: multipart/alternative; boundary="X"',
  "",
  "--X",
  "Content-Type: text/plain",
  "",
  "plain",
  "--X",
  "Content-Type: text/html",
  "",
  "<p>html</p>",
  "--X--",
  "--X",
  "Content-Type: application/pdf",
  "",
  "%PDF",
  "--X--",
  "",
].join(CRLF);

Deno.test("RFC 2046 §5.1.1: a nested multipart that reuses its parent's boundary keeps every part", () => {
  const problems: MessageSyntaxError[] = [];
  const root = parseMimeTree(encoder.encode(REUSED), { problems });
  // A boundary line belongs to the innermost open multipart that it names, as postal-mime and
  // mailparser read it: the inner close delimiter ends the alternative, not the message.
  assert.deepEqual([...root.walk()].map((p) => `${p.section} ${p.mediaType}`), [
    " multipart/mixed",
    "1 multipart/alternative",
    "1.1 text/plain",
    "1.2 text/html",
    "2 application/pdf",
  ]);
  assert.deepEqual(
    ["1.1", "1.2", "2"].map((s) => decoder.decode(root.find(s)?.body)),
    ["plain", "<p>html</p>", "%PDF"],
  );
  // The blank line after the inner header is the header's, not the outer delimiter's.
  const inner = root.find("1")!;
  assert.equal(
    decoder.decode(encoder.encode(REUSED).subarray(inner.headerStart, inner.bodyStart)),
    'Content-Type: multipart/alternative; boundary="X"\r\n\r\n',
  );
  assert.deepEqual(problems.map((p) => p.message), [
    'Cannot parse MIME part line 6: boundary "X" is already the boundary of an enclosing multipart',
  ]);
});

Deno.test("RFC 2046 §5.1.1: a boundary reused two levels down stays with the innermost multipart", () => {
  const text = [
    'Content-Type: multipart/mixed; boundary="X"',
    "",
    "--X",
    'Content-Type: multipart/related; boundary="Y"',
    "",
    "--Y",
    'Content-Type: multipart/alternative; boundary="X"',
    "",
    "--X",
    "",
    "plain",
    "--X--",
    "--Y",
    "Content-Type: image/png",
    "",
    "PNG",
    "--Y--",
    "--X",
    "Content-Type: application/pdf",
    "",
    "%PDF",
    "--X--",
  ].join(CRLF);
  const root = parseMimeTree(encoder.encode(text));
  assert.deepEqual([...root.walk()].map((p) => `${p.section} ${p.mediaType}`), [
    " multipart/mixed",
    "1 multipart/related",
    "1.1 multipart/alternative",
    "1.1.1 text/plain",
    "1.2 image/png",
    "2 application/pdf",
  ]);
  assert.equal(decoder.decode(root.find("2")?.body), "%PDF");
});

Deno.test("parseMimeTree ends an unclosed inner multipart at its parent's next boundary line", () => {
  const text = 'Content-Type: multipart/mixed; boundary="o"\r\n\r\n--o\r\n' +
    'Content-Type: multipart/alternative; boundary="i"\r\n\r\n--i\r\n\r\none\r\n' +
    "--o\r\n\r\ntwo\r\n--o--\r\n";
  const problems: MessageSyntaxError[] = [];
  const root = parseMimeTree(encoder.encode(text), { problems });
  assert.deepEqual(
    [...root.walk()].map((p) => `${p.section} ${decoder.decode(p.body).slice(0, 4)}`),
    [" --o\r", "1 --i\r", "1.1 one", "2 two"],
  );
  assert.match(problems[0].message, /line 6: boundary "i" is never closed/);
});
