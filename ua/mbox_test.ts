import assert from "node:assert/strict";
import { mboxEntry, type MboxEntryOptions, parseMbox } from "./mbox.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

Deno.test("mboxEntry takes the sender from Return-Path, From, or says MAILER-DAEMON for <>", () => {
  const first = (message: string, options: MboxEntryOptions = { date: 0 }) =>
    text(mboxEntry(bytes(message), options)).split("\n")[0];
  assert.equal(
    first("Return-Path: <a@x.org>\r\nFrom: b@x.org\r\n\r\n"),
    "From a@x.org Thu Jan  1 00:00:00 1970",
  );
  assert.equal(first("From: b@x.org\r\n\r\n"), "From b@x.org Thu Jan  1 00:00:00 1970");
  assert.equal(first("Return-Path: <>\r\n\r\n"), "From MAILER-DAEMON Thu Jan  1 00:00:00 1970");
  assert.equal(
    first("Date: Tue, 15 Sep 2026 09:05:00 +0200\r\n\r\n", {}),
    "From MAILER-DAEMON Tue Sep 15 07:05:00 2026",
  );
});

Deno.test("mboxEntry quotes every >*From line and parseMbox takes exactly one > off", () => {
  const message = bytes("Subject: x\r\n\r\nFrom a\r\n>From b\r\n>>From c\r\nFrom\r\n> From d\r\n");
  const entry = text(mboxEntry(message, { sender: "a@x.org", date: 0 }));
  assert.equal(
    entry.slice(entry.indexOf("\n") + 1),
    "Subject: x\n\n>From a\n>>From b\n>>>From c\nFrom\n> From d\n\n",
  );
  assert.deepEqual(parseMbox(bytes(entry))[0].message, message);
});

Deno.test("mboxEntry keeps 8-bit bytes that are not UTF-8, and ends a last line without CRLF", () => {
  const message = Uint8Array.from([...bytes("Subject: x\r\n\r\n"), 0xbe, 0xc8, 0x0d, 0x0a, 0x41]);
  const [back] = parseMbox(mboxEntry(message, { date: 0 }));
  assert.deepEqual(back.message, Uint8Array.from([...message, 0x0d, 0x0a]));
});
