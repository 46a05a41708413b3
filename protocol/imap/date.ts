/**
 * IMAP's dates (RFC 3501 §9): the `date-time` of INTERNALDATE and the `date` of SEARCH's
 * BEFORE, ON and SINCE.
 *
 * ```
 * date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
 * date      = date-day "-" date-month "-" date-year      ; or the same in DQUOTEs
 * ```
 *
 * @module
 */
import { ImapSyntaxError } from "./error.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Writes a time as an INTERNALDATE `date-time`, in UTC, without its quotes.
 *
 * @param ms Milliseconds since the epoch.
 * @returns Such as `01-Sep-2026 09:00:00 +0000`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatImapDateTime } from "./date.ts";
 *
 * assert.equal(formatImapDateTime(Date.UTC(2026, 8, 1, 9, 0, 0)), "01-Sep-2026 09:00:00 +0000");
 * ```
 */
export function formatImapDateTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const DATE_TIME = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/;

/**
 * Reads an INTERNALDATE `date-time` (without its quotes).
 *
 * @param text Such as ` 1-Sep-2026 11:00:00 +0200`.
 * @returns Milliseconds since the epoch.
 * @throws {ImapSyntaxError} When the text is no date-time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseImapDateTime } from "./date.ts";
 *
 * assert.equal(parseImapDateTime(" 1-Sep-2026 11:00:00 +0200"), Date.UTC(2026, 8, 1, 9, 0, 0));
 * ```
 */
export function parseImapDateTime(text: string): number {
  const m = DATE_TIME.exec(text);
  const month = m ? monthIndex(m[2]) : -1;
  const invalid = () => new ImapSyntaxError(`Invalid date-time "${text.slice(0, 40)}"`);
  if (!m || month < 0) throw invalid();
  const [day, year, hour, minute, second] = [m[1], m[3], m[4], m[5], m[6]].map(Number);
  const utc = Date.UTC(year, month, day, hour, minute, second);
  // Date.UTC rolls 30-Feb over into March and 25:00 into the next day; a client never means that.
  const back = new Date(utc);
  if (back.getUTCDate() !== day || back.getUTCHours() !== hour || Number(m[9]) > 59) {
    throw invalid();
  }
  if (minute > 59 || second > 60) throw invalid();
  const offset = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return utc - offset;
}

const DATE = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/;

/**
 * Reads a SEARCH `date` as the start of that day in UTC. RFC 3501 compares dates "disregarding
 * time and timezone"; this server's internal dates are UTC days.
 *
 * @param text Such as `1-Feb-1994`.
 * @returns Milliseconds since the epoch at 00:00 UTC that day.
 * @throws {ImapSyntaxError} When the text is no date.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSearchDate } from "./date.ts";
 *
 * assert.equal(parseSearchDate("1-Feb-1994"), Date.UTC(1994, 1, 1));
 * ```
 */
export function parseSearchDate(text: string): number {
  const m = DATE.exec(text);
  const month = m ? monthIndex(m[2]) : -1;
  const day = m ? Number(m[1]) : 0;
  if (!m || month < 0 || day < 1 || day > 31) {
    throw new ImapSyntaxError(`Invalid date "${text.slice(0, 40)}"`);
  }
  return Date.UTC(Number(m[3]), month, day);
}

/**
 * Writes a SEARCH `date`.
 *
 * @param ms Any time that day, UTC.
 * @returns Such as `1-Sep-2026`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSearchDate } from "./date.ts";
 *
 * assert.equal(formatSearchDate(Date.UTC(2026, 8, 1, 9)), "1-Sep-2026");
 * ```
 */
export function formatSearchDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.toLowerCase() === name.toLowerCase());
}
