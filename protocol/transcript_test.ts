import assert from "node:assert/strict";
import { Transcript, type TranscriptEntry } from "./transcript.ts";

const EHLO_REPLY = "250-hamburger.edu\r\n250-PIPELINING\r\n250 8BITMIME\r\n";

Deno.test("a reply recorded as wire text reads as one entry per line, as line-by-line recording does", () => {
  const whole = new Transcript();
  whole.client("EHLO crepes.fr", 10);
  whole.recordLines("S", EHLO_REPLY, 11);
  whole.recordLines("S", "250 OK", 12); // the last CRLF may be missing
  const byLine = new Transcript();
  byLine.client("EHLO crepes.fr", 10);
  for (const line of ["250-hamburger.edu", "250-PIPELINING", "250 8BITMIME"]) {
    byLine.server(line, 11);
  }
  byLine.server("250 OK", 12);
  assert.deepEqual(whole.entries, byLine.entries);
  assert.equal(whole.toString(), byLine.toString());
  assert.deepEqual(whole.replyCodes(), [250, 250]);
});

Deno.test("entries read early grow as the dialog goes on", () => {
  const t = new Transcript();
  t.server("220 hamburger.edu", 1);
  const entries = t.entries;
  assert.equal(entries.length, 1);
  t.client("EHLO crepes.fr", 2);
  t.recordLines("S", EHLO_REPLY, 3);
  assert.equal(t.entries, entries, "the same array, extended");
  assert.deepEqual(entries.map((e) => e.text), [
    "220 hamburger.edu",
    "EHLO crepes.fr",
    "250-hamburger.edu",
    "250-PIPELINING",
    "250 8BITMIME",
  ]);
  assert.deepEqual(entries.map((e) => e.at), [1, 2, 3, 3, 3]);
});

Deno.test("maxEntries counts the lines of a multi-line reply, keeping those that fit", () => {
  const t = new Transcript({ maxEntries: 3 });
  t.client("EHLO crepes.fr");
  t.recordLines("S", EHLO_REPLY);
  t.note("TCP connection closed");
  assert.deepEqual(t.lines("S"), ["250-hamburger.edu", "250-PIPELINING"]);
  assert.equal(t.dropped, 2);
  assert.match(t.toString(), /\(2 more lines not kept\)$/);
});

Deno.test("onRecord hears every line of a multi-line reply, even past maxEntries", () => {
  const heard: TranscriptEntry[] = [];
  const t = new Transcript({ maxEntries: 1, onRecord: (entry) => heard.push(entry) });
  t.recordLines("S", EHLO_REPLY, 5);
  assert.deepEqual(heard.map((e) => `${e.side} ${e.text} ${e.at}`), [
    "S 250-hamburger.edu 5",
    "S 250-PIPELINING 5",
    "S 250 8BITMIME 5",
  ]);
  assert.equal(t.entries.length, 1);
});
