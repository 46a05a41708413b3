import assert from "node:assert/strict";
import { parseHeaders } from "../../message/mod.ts";
import { formatResponse, type ImapData } from "../../protocol/imap/response.ts";
import { bodyStructure, envelope, structureData } from "./structure.ts";
import { summarize } from "./summary.ts";

const encoder = new TextEncoder();
const wire = (data: ImapData) => formatResponse("*", [data]).lines[0].slice(2);
const envelopeOf = (header: string) =>
  wire(envelope(parseHeaders(encoder.encode(header + "\r\n"))));

Deno.test("envelope defaults Sender and Reply-To to From, and leaves missing fields NIL", () => {
  const from = '(("Real Name" NIL "user" "domain"))';
  // imaptest's fetch-envelope: a comment names the mailbox; empty Sender and Reply-To are absent.
  assert.equal(
    envelopeOf(
      "Date: Thu, 15 Feb 2007 01:02:03 +0200\r\nFrom: user@domain (Real Name)\r\nSender: \r\nReply-To: \r\n",
    ),
    `("Thu, 15 Feb 2007 01:02:03 +0200" NIL ${from} ${from} ${from} NIL NIL NIL NIL NIL)`,
  );
  assert.equal(envelopeOf(""), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
  assert.equal(
    envelopeOf(
      "Message-ID: <msg@id>\r\nIn-Reply-To: <reply@to.id>\r\nSubject: \r\nFrom: A <a@x.org>\r\n" +
        "Sender: S <s@x.org>\r\nReply-To: R <r@x.org>\r\nTo: t@x.org\r\nTo: u@x.org\r\nBcc: b@x.org\r\n",
    ),
    '(NIL "" (("A" NIL "a" "x.org")) (("S" NIL "s" "x.org")) (("R" NIL "r" "x.org")) ' +
      '((NIL NIL "t" "x.org") (NIL NIL "u" "x.org")) NIL ((NIL NIL "b" "x.org")) "<reply@to.id>" "<msg@id>")',
  );
});

Deno.test("envelope writes groups, source routes, encoded words and missing parts", () => {
  const groups = envelopeOf(
    "To: group: g1@d1.org, g2@d2.org;, group2: g3@d3.org;\r\nCc: group:;, group2: (foo) ;\r\n",
  );
  assert.equal(
    groups,
    "(NIL NIL NIL NIL NIL " +
      '((NIL NIL "group" NIL) (NIL NIL "g1" "d1.org") (NIL NIL "g2" "d2.org") (NIL NIL NIL NIL) ' +
      '(NIL NIL "group2" NIL) (NIL NIL "g3" "d3.org") (NIL NIL NIL NIL)) ' +
      '((NIL NIL "group" NIL) (NIL NIL NIL NIL) (NIL NIL "group2" NIL) (NIL NIL NIL NIL)) ' +
      "NIL NIL NIL)",
  );
  const jorg = '(("=?UTF-8?Q?J=C3=B6rg?=" "@route" "user" "domain"))';
  assert.equal(
    envelopeOf(
      "Subject: =?UTF-8?B?7JWI64WV?= there\r\nFrom: =?UTF-8?Q?J=C3=B6rg?= <@route:user@domain>\r\n",
    ),
    `(NIL "=?UTF-8?B?7JWI64WV?= there" ${jorg} ${jorg} ${jorg} NIL NIL NIL NIL NIL)`,
  );
  // An 8-bit subject must be a literal: then the envelope stays a structure, not wire text.
  const raw = envelope(parseHeaders(encoder.encode("Subject: caf\u00e9\r\n\r\n"))) as ImapData[];
  assert.deepEqual(raw[1], { string: "caf\u00e9" });
  assert.equal(wire(raw).split("\r\n")[0], "(NIL {5}");
  // A NIL host would read as a group: an address without a domain gets a placeholder.
  assert.equal(
    envelopeOf("From: postmaster\r\n").split(" ").slice(2, 6).join(" "),
    '((NIL NIL "postmaster" "MISSING_DOMAIN"))',
  );
});

Deno.test("bodyStructure shows extension data, message/rfc822 parts and line counts", () => {
  const text = 'Content-Type: multipart/mixed; boundary="b"\r\nContent-Language: de\r\n\r\n' +
    "--b\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\nContent-ID: <1@x>\r\n" +
    "Content-Description: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nContent-Transfer-Encoding: Quoted-Printable\r\n" +
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\nContent-Language: en, fr\r\n" +
    "Content-Location: http://x.org/\r\n  a.txt\r\n\r\nline one\r\nline two\r\n" +
    "--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=fwd.eml\r\n\r\n" +
    "Subject: inner\r\nFrom: c@x.org\r\n\r\nhi\r\n" +
    "--b--\r\n";
  const { body } = summarize(encoder.encode(text));
  const inner = '(NIL "inner" ((NIL NIL "c" "x.org")) ((NIL NIL "c" "x.org")) ' +
    '((NIL NIL "c" "x.org")) NIL NIL NIL NIL NIL)';
  assert.equal(
    wire(bodyStructure(body, true)),
    '(("text" "plain" ("charset" "utf-8" "format" "flowed") "<1@x>" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" ' +
      '"quoted-printable" 18 2 "Q2hlY2sgSW50ZWdyaXR5IQ==" NIL ("en" "fr") "http://x.org/a.txt") ' +
      `("message" "rfc822" NIL NIL NIL "7bit" 35 ${inner} ` +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 1 NIL NIL NIL NIL) 4 ' +
      'NIL ("attachment" ("filename" "fwd.eml")) NIL NIL) "mixed" ("boundary" "b") NIL ("de") NIL)',
  );
  assert.equal(
    wire(bodyStructure(body, false)),
    '(("text" "plain" ("charset" "utf-8" "format" "flowed") "<1@x>" "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" ' +
      '"quoted-printable" 18 2) ' +
      `("message" "rfc822" NIL NIL NIL "7bit" 35 ${inner} ` +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 1) 4) "mixed")',
  );
});

Deno.test("bodyStructure shows a multipart without parts as text, and other types plainly", () => {
  const broken = summarize(encoder.encode("Content-Type: multipart/mixed\r\n\r\nno boundary\r\n"));
  assert.equal(
    wire(bodyStructure(broken.body, false)),
    '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1)',
  );
  const image = summarize(encoder.encode("Content-Type: image/gif\r\n\r\nGIF89a"));
  assert.equal(
    wire(bodyStructure(image.body, true)),
    '("image" "gif" NIL NIL NIL "7bit" 6 NIL NIL NIL NIL)',
  );
});

Deno.test("structureData keeps data that needs a literal as data", () => {
  const summary = summarize(encoder.encode("Subject: Grüße\r\n\r\nHi\r\n"));
  const data = structureData(summary, "ENVELOPE");
  assert.equal(typeof data, "object");
  assert.deepEqual((data as ImapData[])[1], { string: "Grüße" });
  assert.equal(typeof structureData(summary, "BODYSTRUCTURE"), "string");
});
