import assert from "node:assert/strict";
import { formatDate, parseDate } from "./date.ts";

const NINE = Date.UTC(2026, 8, 1, 9, 0, 0);

Deno.test("parseDate reads the RFC 5322 form with and without day name and seconds", () => {
  assert.equal(parseDate("Tue, 01 Sep 2026 09:00:00 +0000"), NINE);
  assert.equal(parseDate("1 Sep 2026 09:00 +0000"), NINE);
  assert.equal(parseDate("Tue, 1 Sep 2026 18:00:00 +0900 (KST)"), NINE);
  assert.equal(parseDate("Tue, 1 Sep 2026 04:30:00 -0430"), NINE);
});

Deno.test("parseDate reads obsolete zones and years (RFC 5322 §4.3)", () => {
  assert.equal(parseDate("Tue, 1 Sep 2026 02:00:00 PDT"), NINE);
  assert.equal(parseDate("Tue, 1 Sep 2026 09:00:00 GMT"), NINE);
  assert.equal(parseDate("Tue, 1 Sep 2026 09:00:00 UT"), NINE);
  assert.equal(parseDate("1 Sep 26 09:00:00 Z"), NINE);
  assert.equal(parseDate("1 Sep 126 09:00:00 +0000"), Date.UTC(2026, 8, 1, 9));
  assert.equal(parseDate("1 Sep 99 09:00:00 +0000"), Date.UTC(1999, 8, 1, 9));
  // Military zones other than Z are taken as unknown, that is +0000.
  assert.equal(parseDate("1 Sep 2026 09:00:00 A"), NINE);
});

Deno.test("parseDate reads loose forms real mailers write", () => {
  assert.equal(parseDate("Tue Sep  1 09:00:00 2026"), NINE);
  assert.equal(parseDate("Tuesday, 01-Sep-2026 09:00:00 GMT"), undefined);
  assert.equal(parseDate("Tue,1 Sep 2026 09:00:00 +0000"), NINE);
  assert.equal(parseDate("  Tue, 1 SEP 2026 09:00:00 +00:00 "), NINE);
});

Deno.test("parseDate returns undefined for what is not a date", () => {
  assert.equal(parseDate(""), undefined);
  assert.equal(parseDate("yesterday"), undefined);
  assert.equal(parseDate("32 Sep 2026 09:00:00 +0000"), undefined);
  assert.equal(parseDate("1 Sep 2026 25:00:00 +0000"), undefined);
  assert.equal(parseDate("x".repeat(10_000)), undefined);
});

Deno.test("formatDate writes negative zones and round-trips through parseDate", () => {
  assert.equal(formatDate(NINE, -270), "Tue, 01 Sep 2026 04:30:00 -0430");
  for (const offset of [-720, -270, 0, 330, 540, 840]) {
    assert.equal(parseDate(formatDate(NINE + 123_000, offset)), NINE + 123_000);
  }
});

Deno.test("formatDate drops milliseconds", () => {
  assert.equal(formatDate(NINE + 999), "Tue, 01 Sep 2026 09:00:00 +0000");
});

Deno.test("RFC 5322 §3.3, §4.3: parseDate reads a zone joined to the time; formatDate keeps FWS", () => {
  // §3.3 puts FWS before a numeric zone, yet mailers join them; postal-mime and mailparser read
  // `00:01+0000` too. An obs-zone may follow the time directly (§4.3).
  assert.equal(parseDate("01 Jan 2001 00:01+0000"), Date.UTC(2001, 0, 1, 0, 1));
  assert.equal(parseDate("Mon, 01 Jan 2001 00:01:02+0100"), Date.UTC(2000, 11, 31, 23, 1, 2));
  assert.equal(parseDate("01 Jan 2001 00:01-0500"), Date.UTC(2001, 0, 1, 5, 1));
  assert.equal(parseDate("01 Jan 2001 00:01:00EST"), Date.UTC(2001, 0, 1, 5, 1));
  assert.equal(parseDate("01 Jan 2001 00:01GMT"), Date.UTC(2001, 0, 1, 0, 1));
  // Letters that are no zone are no zone: "pm" is not read as a time.
  assert.equal(parseDate("01 Jan 2001 09:00pm"), undefined);
  assert.equal(formatDate(Date.UTC(2001, 0, 1, 0, 1)), "Mon, 01 Jan 2001 00:01:00 +0000");
});
