/**
 * Folding (RFC 5322 §2.2.3): a long header field is split over several lines by putting a line
 * break before a space, so that no line exceeds 78 characters where possible and none ever
 * exceeds 998 (§2.1.1). Unfolding (removing those line breaks) is done by `parseHeaders`.
 *
 * @module
 */

/** Options of {@linkcode foldHeader}. */
export interface FoldOptions {
  /**
   * The line length to stay within where a space allows it.
   * @default 78
   */
  maxLength?: number;
}

const HARD_LIMIT = 998;

/**
 * Formats a header field, folding it at spaces so that lines stay within 78 characters where
 * possible. A run without spaces longer than 998 characters is broken by force (the only case
 * where folding changes the value, and one that well-formed values never reach).
 *
 * @param name The field name, such as `Subject`.
 * @param value The value, already ASCII (encode non-ASCII text with `encodeWords` first).
 * @param options The preferred line length.
 * @returns The field with CRLF between its lines, without a final CRLF.
 *
 * @example Fold a long subject
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldHeader } from "./fold.ts";
 *
 * const folded = foldHeader("Subject", "word ".repeat(30).trim());
 * const lines = folded.split("\r\n");
 * assert.ok(lines.length > 1);
 * assert.ok(lines.every((line) => line.length <= 78));
 * assert.equal(folded.replace(/\r\n/g, ""), "Subject: " + "word ".repeat(30).trim());
 * ```
 */
export function foldHeader(name: string, value: string, options: FoldOptions = {}): string {
  const maxLength = options.maxLength ?? 78;
  const clean = value.replace(/\r?\n(?=[ \t])/g, "").replace(/[\r\n]+/g, " ");
  const tokens = clean.match(/[ \t]*[^ \t]+|[ \t]+$/g) ?? [];
  const lines: string[] = [];
  let line = `${name}:`;
  let first = true;
  for (let token of tokens) {
    if (first && !/^[ \t]/.test(token)) token = " " + token;
    first = false;
    if (line.length + token.length > maxLength && line.trim().length > name.length + 1) {
      lines.push(line);
      line = "";
      if (!/^[ \t]/.test(token)) token = " " + token;
    }
    line += token;
    while (line.length > HARD_LIMIT) {
      lines.push(line.slice(0, HARD_LIMIT));
      line = " " + line.slice(HARD_LIMIT);
    }
  }
  if (first) line += " ";
  lines.push(line);
  return lines.join("\r\n");
}
