/**
 * The date-time of the `Date:` field (RFC 5322 §3.3), read leniently (obsolete zones, two-digit
 * years, comments, a missing day name or seconds, a zone joined to the time, the asctime order)
 * and written exactly.
 *
 * ```
 * date-time   = [ day-of-week "," ] date time [CFWS]
 * date        = day month year
 * time        = time-of-day zone
 * time-of-day = hour ":" minute [ ":" second ]
 * zone        = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone
 * obs-zone    = "UT" / "GMT" / "EST" / "EDT" / "CST" / "CDT" / "MST" / "MDT" / "PST" / "PDT"
 *             / military letters                  ; no FWS before it: `09:00GMT` is obsolete syntax
 * ```
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// RFC 5322 §4.3. Military letters are taken as -0000 (unknown), as the RFC advises, because
// RFC 822 defined their signs backwards and mailers used them both ways.
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  KST: 540,
};

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * Formats a time as an RFC 5322 date-time, such as `Tue, 01 Sep 2026 18:00:00 +0900`.
 *
 * @param ms Milliseconds since the epoch (from a `Clock`).
 * @param offsetMinutes The zone to write, in minutes east of UTC.
 * @returns The date-time text.
 *
 * @example Format the same moment in two zones
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDate } from "./date.ts";
 *
 * const t = Date.UTC(2026, 8, 1, 9, 0, 0);
 * assert.equal(formatDate(t), "Tue, 01 Sep 2026 09:00:00 +0000");
 * assert.equal(formatDate(t, 540), "Tue, 01 Sep 2026 18:00:00 +0900");
 * ```
 */
export function formatDate(ms: number, offsetMinutes = 0): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${DAYS[local.getUTCDay()]}, ${two(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ` +
    `${local.getUTCFullYear()} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:` +
    `${two(local.getUTCSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

function stripComments(text: string): string {
  let out = "";
  let depth = 0;
  for (const c of text) {
    if (c === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

/**
 * Parses an RFC 5322 date-time leniently.
 *
 * @param text The value of a `Date:` field.
 * @returns Milliseconds since the epoch, or `undefined` when no date can be read.
 *
 * @example Read a modern date, an obsolete zone and a two-digit year
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDate } from "./date.ts";
 *
 * assert.equal(parseDate("Tue, 1 Sep 2026 18:00:00 +0900"), Date.UTC(2026, 8, 1, 9));
 * assert.equal(parseDate("1 Sep 26 04:00 EST (New York)"), Date.UTC(2026, 8, 1, 9));
 * assert.equal(parseDate("not a date"), undefined);
 * ```
 */
export function parseDate(text: string): number | undefined {
  const fast = STANDARD.exec(text);
  if (fast) {
    const month = MONTH_INDEX[fast[2].toLowerCase()];
    const day = Number(fast[1]);
    const [h, min, s] = [Number(fast[4]), Number(fast[5]), Number(fast[6] ?? 0)];
    if (month !== undefined && day >= 1 && day <= 31 && h <= 24 && min <= 59 && s <= 60) {
      let year = Number(fast[3]);
      if (fast[3].length <= 2) year += year < 50 ? 2000 : 1900;
      else if (fast[3].length === 3) year += 1900;
      const zone = fast[7];
      const offset = (zone[0] === "-" ? -1 : 1) *
        (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
      return Date.UTC(year, month, day, h, min, Math.min(s, 59)) - offset * 60_000;
    }
  }
  return parseLoose(text);
}

// The common shape, read with one regular expression: `Tue, 1 Sep 2026 18:00:00 +0900`.
const STANDARD =
  /^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4})\s*(?:\([^()]*\)\s*)?$/;
const MONTH_INDEX: Record<string, number> = Object.fromEntries(
  MONTHS.map((name, i) => [name.toLowerCase(), i]),
);

// A time, and a zone joined to it. `09:00:00GMT` is obsolete syntax (RFC 5322 §4.3: an obs-zone
// needs no FWS before it); `00:01+0000` matches no rule (§3.3 puts FWS before a numeric zone),
// but mailers write it and readers take it.
const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?([+-]\d{2}:?\d{2}|[A-Za-z]{1,3})?$/;
const NUMERIC_ZONE = /^([+-])(\d{2}):?(\d{2})$/;

/** Minutes east of UTC of a zone (`+0900`, `+09:00`, `KST`, a military letter), if it is one. */
function zoneOf(text: string): number | undefined {
  const z = NUMERIC_ZONE.exec(text);
  if (z) return (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  const word = text.toUpperCase();
  if (Object.hasOwn(ZONES, word)) return ZONES[word];
  return /^[A-IK-Z]$/.test(word) ? 0 : undefined;
}

function parseLoose(text: string): number | undefined {
  const clean = (text.includes("(") ? stripComments(text) : text).replace(/,/g, " ").trim();
  if (clean.length > 200) return undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  let time: number[] | undefined;
  let zone: number | undefined;
  for (const token of clean.split(/\s+/)) {
    if (token === "") continue;
    const t = TIME.exec(token);
    const joined = t?.[4] === undefined ? undefined : zoneOf(t[4]);
    if (t && !time && (t[4] === undefined || joined !== undefined)) {
      time = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
      zone = joined;
      continue;
    }
    const z = NUMERIC_ZONE.exec(token);
    if (z && time) {
      zone = zoneOf(token);
      continue;
    }
    if (/^\d+$/.test(token)) {
      const n = Number(token);
      if (day === undefined && token.length <= 2) day = n;
      else if (year === undefined) year = token.length <= 2 ? (n < 50 ? 2000 + n : 1900 + n) : n;
      continue;
    }
    const word = token.toUpperCase();
    const m = MONTHS.findIndex((name) => word.startsWith(name.toUpperCase()));
    if (m >= 0 && month === undefined && /^[A-Z]+\.?$/.test(word)) {
      month = m;
      continue;
    }
    if (time && zone === undefined) zone = zoneOf(word);
  }
  if (year !== undefined && year < 1000 && year >= 100) year += 1900;
  if (day === undefined || month === undefined || year === undefined || !time) return undefined;
  const [h, min, s] = time;
  if (day < 1 || day > 31 || h > 24 || min > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, month, day, h, min, Math.min(s, 59)) - (zone ?? 0) * 60_000;
  return Number.isFinite(ms) ? ms : undefined;
}
