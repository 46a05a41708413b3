import assert from "node:assert/strict";
import { formatAddress, formatAddressList, parseAddressList, parseMailboxes } from "./address.ts";

Deno.test("parseAddressList reads a plain address and a name-addr", () => {
  assert.deepEqual(parseAddressList("bob@hamburger.edu, Alice Kim <alice@crepes.fr>"), [
    { name: "", address: "bob@hamburger.edu" },
    { name: "Alice Kim", address: "alice@crepes.fr" },
  ]);
});

Deno.test("parseAddressList keeps commas and escapes inside quoted names", () => {
  assert.deepEqual(parseAddressList('"Kim, \\"Al\\" Alice" <alice@crepes.fr>'), [
    { name: 'Kim, "Al" Alice', address: "alice@crepes.fr" },
  ]);
});

Deno.test("parseAddressList takes a trailing comment as the name", () => {
  assert.deepEqual(parseAddressList("bob@hamburger.edu (Bob (the) Builder)"), [
    { name: "Bob (the) Builder", address: "bob@hamburger.edu" },
  ]);
});

Deno.test("parseAddressList reads groups, empty and full", () => {
  assert.deepEqual(parseAddressList("undisclosed-recipients:;"), [
    { name: "undisclosed-recipients", group: [] },
  ]);
  assert.deepEqual(parseAddressList("Team: a@x.org, B <b@x.org>; c@y.org"), [
    { name: "Team", group: [{ name: "", address: "a@x.org" }, { name: "B", address: "b@x.org" }] },
    { name: "", address: "c@y.org" },
  ]);
});

Deno.test("parseAddressList decodes encoded words, also split across words and inside quotes", () => {
  assert.deepEqual(parseAddressList("=?UTF-8?B?6rmA?= =?UTF-8?B?7LKg7IiY?= <kim@x.kr>"), [
    { name: "김철수", address: "kim@x.kr" },
  ]);
  assert.deepEqual(parseAddressList('"=?UTF-8?B?6rmA7LKg7IiY?=" <kim@x.kr>'), [
    { name: "김철수", address: "kim@x.kr" },
  ]);
  assert.deepEqual(parseAddressList("=?UTF-8?B?6rmA?= <kim@x.kr>", { decode: false }), [
    { name: "=?UTF-8?B?6rmA?=", address: "kim@x.kr" },
  ]);
});

Deno.test("parseAddressList reads internationalised addresses (RFC 6532)", () => {
  assert.deepEqual(parseAddressList("김철수 <철수@우체국.한국>"), [
    { name: "김철수", address: "철수@우체국.한국" },
  ]);
});

Deno.test("parseAddressList survives broken input", () => {
  assert.deepEqual(parseAddressList("Alice <alice@crepes.fr"), [
    { name: "Alice", address: "alice@crepes.fr" },
  ]);
  assert.deepEqual(parseAddressList(",, bob@x.org,"), [{ name: "", address: "bob@x.org" }]);
  assert.deepEqual(parseAddressList("<@relay.org:bob@x.org>"), [{
    name: "",
    address: "bob@x.org",
  }]);
  assert.deepEqual(parseAddressList(""), []);
  assert.deepEqual(parseAddressList('"unterminated <a@b.c>'), [
    { name: "unterminated <a@b.c>", address: "" },
  ]);
});

Deno.test("parseMailboxes flattens groups", () => {
  assert.deepEqual(parseMailboxes("g: a@x.org;").map((m) => m.address), ["a@x.org"]);
});

Deno.test("formatAddress quotes specials and escapes quotes", () => {
  assert.equal(
    formatAddress({ name: 'Al "The" Kim', address: "a@x.org" }),
    '"Al \\"The\\" Kim" <a@x.org>',
  );
  assert.equal(
    formatAddress({ name: "Dave O'Brien", address: "d@x.org" }),
    "Dave O'Brien <d@x.org>",
  );
  assert.equal(formatAddress({ name: "", address: "d@x.org" }), "d@x.org");
  assert.equal(formatAddress({ name: "김", address: "k@x.kr" }, { utf8: true }), "김 <k@x.kr>");
});

Deno.test("formatAddressList output parses back to the same mailboxes", () => {
  const list = [
    { name: "Kim, Alice", address: "alice@crepes.fr" },
    { name: "이영희", address: "lee@x.kr" },
    { name: "", address: "bob@hamburger.edu" },
  ];
  assert.deepEqual(parseAddressList(formatAddressList(list)), list);
});

Deno.test("RFC 5322 §3.4.1: a bare word is a local part without its domain, more words a name", () => {
  // Neither is an addr-spec (no "@", and §4.4 keeps it): the repair follows Dovecot, which the
  // IMAP ENVELOPE matches, where postal-mime and mailparser make `foo` a name. One atom is what
  // SMTP itself knows without a domain (`postmaster`, RFC 5321 §4.5.1) and what a local mailer
  // writes (`From: root`); the submission server refuses it as a From: all the same.
  assert.deepEqual(parseMailboxes("foo"), [{ name: "", address: "foo" }]);
  assert.deepEqual(parseMailboxes("foo.bar (Foo Bar)"), [{ name: "Foo Bar", address: "foo.bar" }]);
  assert.deepEqual(parseAddressList("postmaster, team: root;"), [
    { name: "", address: "postmaster" },
    { name: "team", group: [{ name: "", address: "root" }] },
  ]);
  assert.deepEqual(parseMailboxes('Foo Bar, "foo"'), [
    { name: "Foo Bar", address: "" },
    { name: "foo", address: "" },
  ]);
});

Deno.test("RFC 2047 §5: an encoded word alone is a display name, never an address", () => {
  assert.deepEqual(parseMailboxes("=?UTF-8?B?6rmA?="), [{ name: "김", address: "" }]);
  assert.deepEqual(parseMailboxes("=?UTF-8?B?6rmA?=", { decode: false }), [
    { name: "=?UTF-8?B?6rmA?=", address: "" },
  ]);
});

Deno.test("formatAddress writes a name without an address so that it reads back the same", () => {
  const list = [
    { name: "", address: "foo" },
    { name: "Foo Bar", address: "" },
    { name: "foo", address: "" },
    { name: "Kim, Alice", address: "" },
    { name: "김", address: "" },
  ];
  assert.deepEqual(list.map((m) => formatAddress(m)), [
    "foo",
    "Foo Bar",
    '"foo"',
    '"Kim, Alice"',
    "=?UTF-8?B?6rmA?=",
  ]);
  assert.deepEqual(parseAddressList(formatAddressList(list)), list);
});
