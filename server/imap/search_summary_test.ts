import assert from "node:assert/strict";
import { summarize } from "./search_summary.ts";

const summary = (header: string) =>
  summarize(new TextEncoder().encode(`${header}\r\n\r\nBody\r\n`));

Deno.test("summarize writes addresses as search text through comments, groups and encodings", () => {
  const s = summary(
    "From: <user-from (comment)@ (comment) domain.org>\r\n" +
      "To: groupname: one@x.org, One Two <two@x.org>;, other: ;\r\n" +
      'Cc: c@x.org (Real Cc)\r\nCc: =?UTF-8?B?7JWI64WV?= <k@x.kr>\r\nBcc: "Kim, B" <b@x.org>',
  );
  assert.equal(s.addresses.from, "user-from@domain.org");
  assert.equal(s.addresses.to, "groupname:\none@x.org\none two <two@x.org>\nother:");
  assert.equal(s.addresses.cc, "real cc <c@x.org>\n안녕 <k@x.kr>");
  assert.equal(s.addresses.bcc, "kim, b <b@x.org>");
  assert.deepEqual(Object.keys(s.fields).sort(), ["bcc", "cc", "from", "to"]);
  assert.equal(s.fields.cc.length, 2);
});

Deno.test("summarize keeps decoded, lower-case values of the envelope fields only", () => {
  const s = summary("Subject: =?UTF-8?Q?Caf=C3=A9?= Menu\r\nX-Spam: yes\r\nMessage-ID: <A@B>");
  assert.deepEqual(s.fields, { subject: ["café menu"], "message-id": ["<a@b>"] });
  assert.equal(s.sort.subject, "CAFÉ MENU");
});

Deno.test("summarize reads the sent day in the sender's own zone", () => {
  const day = (date: string) => summary(`Date: ${date}`).sentDay;
  assert.equal(day("Sun, 25 Mar 2007 00:00:00 +0200"), Date.UTC(2007, 2, 25));
  assert.equal(day("Sat, 24 Mar 2007 23:00:00 +0200"), Date.UTC(2007, 2, 24));
  assert.equal(day("Mon, 26 Mar 2007 00:00:00 +0300"), Date.UTC(2007, 2, 26));
  assert.equal(day("Tue, 1 Sep 2026 23:30:00 -0500 (CDT)"), Date.UTC(2026, 8, 1));
  assert.equal(day("1 Sep 26 23:00 EST"), Date.UTC(2026, 8, 1));
  assert.equal(day("Tue Sep  1 23:00:00 2026"), Date.UTC(2026, 8, 1));
  assert.equal(day("yesterday"), null);
  assert.equal(summary("Subject: x").sentDay, null);
  const sent = summary("Date: Sun, 25 Mar 2007 00:00:00 +0200").sent;
  assert.equal(sent, Date.UTC(2007, 2, 24, 22));
});

Deno.test("summarize makes the sort keys of RFC 5256 and RFC 5957", () => {
  const s = summary(
    "From: Foo Bar <alice@crepes.fr>\r\nTo: d\r\nCc: user2: blah@domain1.org;\r\n" +
      "Subject: Re: [list] Fwd: Lunch (fwd)",
  );
  assert.deepEqual(s.sort, {
    subject: "LUNCH",
    from: "ALICE",
    to: "D",
    cc: "USER2",
    displayFrom: "FOO BAR",
    displayTo: "D",
  });
  assert.deepEqual(summary("From: b@c.d").sort.displayFrom, "B@C.D");
  assert.deepEqual(summary("To: empty:;").sort, {
    subject: "",
    from: "",
    to: "EMPTY",
    cc: "",
    displayFrom: "",
    displayTo: "EMPTY",
  });
});

Deno.test("summarize gives a value that survives JSON", () => {
  const s = summary("From: a@b.c\r\nDate: Tue, 1 Sep 2026 09:00:00 +0000\r\nSubject: Hi");
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
});
