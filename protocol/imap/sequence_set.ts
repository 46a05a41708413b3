/**
 * Sequence sets (RFC 3501 §9): which messages a FETCH, STORE or SEARCH names, by sequence number
 * or by UID.
 *
 * ```
 * sequence-set = (seq-number / seq-range) *("," sequence-set)
 * seq-range    = seq-number ":" seq-number
 * seq-number   = nz-number / "*"       ; "*" is the largest number in use
 * ```
 *
 * @module
 */
import { ImapSyntaxError } from "./error.ts";

/** One range of a set; `Infinity` stands for `*`. A single number has `from === to`. */
export interface SequenceRange {
  /** One end, as written. */
  from: number;
  /** The other end, as written (a range may be written backwards: `5:2`). */
  to: number;
}

const NUMBER = /^(?:[1-9]\d{0,9}|\*)$/;

/**
 * Parses a sequence set.
 *
 * @param text Such as `1,3:5,7:*`.
 * @returns The ranges in the order written.
 * @throws {ImapSyntaxError} When the text is no sequence set or a number exceeds 2^32-1.
 *
 * @example Parse and test membership
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSequenceSet, sequenceSetHas } from "./sequence_set.ts";
 *
 * const set = parseSequenceSet("1,4:*");
 * assert.equal(sequenceSetHas(set, 1, 9), true);
 * assert.equal(sequenceSetHas(set, 3, 9), false);
 * assert.equal(sequenceSetHas(set, 9, 9), true);
 * ```
 */
export function parseSequenceSet(text: string): SequenceRange[] {
  const ranges: SequenceRange[] = [];
  for (const part of text.split(",")) {
    const ends = part.split(":");
    if (ends.length > 2 || !ends.every((e) => NUMBER.test(e))) {
      throw new ImapSyntaxError(`Invalid sequence set "${text.slice(0, 60)}"`);
    }
    const [from, to] = ends.map((e) => e === "*" ? Infinity : Number(e));
    if ([from, to ?? from].some((n) => n !== Infinity && n > 0xffffffff)) {
      throw new ImapSyntaxError(`Invalid sequence set "${text.slice(0, 60)}"`);
    }
    ranges.push({ from, to: to ?? from });
  }
  return ranges;
}

/**
 * Whether a number is in a set, reading `*` as `largest` (RFC 3501 §9: `*` is the largest number
 * in use, so with UIDs up to 5, `7:*` means `5:7` and holds 5).
 *
 * @param set The parsed set.
 * @param n The sequence number or UID.
 * @param largest The largest number in use (0 for an empty mailbox).
 * @returns True when `n` is in the set.
 */
export function sequenceSetHas(set: readonly SequenceRange[], n: number, largest: number): boolean {
  for (const range of set) {
    const a = range.from === Infinity ? largest : range.from;
    const b = range.to === Infinity ? largest : range.to;
    if (n >= Math.min(a, b) && n <= Math.max(a, b)) return true;
  }
  return false;
}

/**
 * The largest explicit number of a set, ignoring `*`: a server checks it against the message
 * count to refuse a sequence number that does not exist.
 *
 * @param set The parsed set.
 * @returns The largest number written, or 0 when only `*` was written.
 */
export function sequenceSetMax(set: readonly SequenceRange[]): number {
  let max = 0;
  for (const { from, to } of set) {
    for (const n of [from, to]) if (n !== Infinity && n > max) max = n;
  }
  return max;
}

/**
 * Writes numbers as a compact sequence set, joining runs into ranges.
 *
 * @param numbers Any order, duplicates allowed.
 * @returns Such as `1:3,7`; an empty string for no numbers.
 *
 * @example Compress a list of UIDs
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSequenceSet } from "./sequence_set.ts";
 *
 * assert.equal(formatSequenceSet([7, 1, 2, 3]), "1:3,7");
 * ```
 */
export function formatSequenceSet(numbers: readonly number[]): string {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}:${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return parts.join(",");
}
