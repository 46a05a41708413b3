/**
 * The base subject of RFC 5256 §2.1: a subject without its `Re:`, `Fwd:`, `[list]` and `(fwd)`
 * decorations, which SORT (SUBJECT) compares and THREAD groups by.
 *
 * ```
 * subj-refwd     = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
 * subj-blob      = "[" *BLOBCHAR "]" *WSP
 * subj-fwd-hdr   = "[fwd:"
 * subj-fwd-trl   = "]"
 * subj-leader    = (*subj-blob subj-refwd) / WSP
 * subj-trailer   = "(fwd)" / WSP
 * BLOBCHAR       = %x01-5a / %x5c / %x5e-7f      ; any CHAR except "[" and "]"
 * ```
 *
 * @module
 */
import { decodeWords } from "../../message/encoded_words.ts";

const TRAILER = /(?:\(fwd\)| )$/i;
const LEADER = /^(?:(?:\[[^[\]]*\] *)*(?:re|fwd?) *(?:\[[^[\]]*\] *)?:| )/i;
const BLOB = /^\[[^[\]]*\] */;
const FWD_HEADER = /^\[fwd:/i;

/**
 * Extracts the base subject (RFC 5256 §2.1), steps (1) to (6): encoded words decoded, white
 * space collapsed, then trailers, leaders, blobs and `[fwd: ...]` wrappers removed for as long
 * as any remain. The case is kept; SORT compares base subjects without case.
 *
 * @param subject The `Subject:` field's value as it stands (encoded words and all).
 * @returns The base subject, possibly empty.
 *
 * @example Strip the decorations mailers add
 * ```ts
 * import assert from "node:assert/strict";
 * import { baseSubject } from "./base_subject.ts";
 *
 * assert.equal(baseSubject("Re: [list] Fwd: Lunch (fwd)"), "Lunch");
 * assert.equal(baseSubject("re: [fwd: [fwd: re: [fwd: babylon]]]"), "babylon");
 * assert.equal(baseSubject("=?iso-8859-1?q?RE:_C?="), "C");
 * assert.equal(baseSubject("[xyz]"), "[xyz]");
 * ```
 */
export function baseSubject(subject: string): string {
  let s = (subject.includes("=?") ? decodeWords(subject) : subject).replace(/\s+/g, " ");
  for (;;) {
    // (2) trailers
    let m: RegExpExecArray | null;
    while ((m = TRAILER.exec(s))) s = s.slice(0, s.length - m[0].length);
    // (3) to (5): leaders, and a blob when something is left after it
    for (let changed = true; changed;) {
      changed = false;
      while ((m = LEADER.exec(s))) {
        s = s.slice(m[0].length);
        changed = true;
      }
      m = BLOB.exec(s);
      if (m && /[^ ]/.test(s.slice(m[0].length))) {
        s = s.slice(m[0].length);
        changed = true;
      }
    }
    // (6) a whole `[fwd: ...]` wrapper, then again from (2)
    if (FWD_HEADER.test(s) && s.endsWith("]")) {
      s = s.slice(5, -1);
      continue;
    }
    return s;
  }
}
