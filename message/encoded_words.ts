/**
 * RFC 2047 encoded words: how a header, which must be ASCII, carries other text, for example a
 * Korean subject: `=?UTF-8?B?7JWI64WV?=`. The charset names how the bytes become text; `B` means
 * the bytes are base64, `Q` a quoted-printable variant where `_` stands for a space.
 *
 * ```
 * encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
 * ```
 *
 * @module
 */

import { concatBytes, isAsciiText, utf8Bytes } from "./_bytes.ts";
import { decodeCharset } from "./charset.ts";
import { decodeBase64 } from "./transfer_encoding.ts";

const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?]*?)\?=/g;

function decodeQ(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 95) {
      out[n++] = 32;
    } else if (c === 61 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = c & 0xff;
    }
  }
  return out.subarray(0, n);
}

/**
 * Decodes the encoded words in a header value (RFC 2047 §6). Whitespace between two adjacent
 * encoded words is dropped (§6.2), and adjacent words in the same charset are decoded together,
 * so a character split across two words (which many mailers produce) survives.
 *
 * @param text A header value, unfolded.
 * @returns The text with every encoded word decoded.
 *
 * @example Decode a Korean subject in UTF-8 and in EUC-KR
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWords } from "./encoded_words.ts";
 *
 * assert.equal(decodeWords("=?UTF-8?B?7JWI64WV?= bob"), "안녕 bob");
 * assert.equal(decodeWords("=?EUC-KR?B?x9Gx2w==?="), "한글");
 * assert.equal(decodeWords("=?utf-8?q?caf=C3=A9_au?= =?utf-8?q?_lait?="), "café au lait");
 * ```
 */
export function decodeWords(text: string): string {
  if (!text.includes("=?")) return text;
  let out = "";
  let last = 0;
  let pending: Uint8Array[] = [];
  let pendingCharset = "";
  const flush = () => {
    if (pending.length > 0) out += decodeCharset(concatBytes(pending), pendingCharset);
    pending = [];
  };
  for (const match of text.matchAll(WORD)) {
    const gap = text.slice(last, match.index);
    const adjacent = last > 0 && /^\s*$/.test(gap);
    const charset = match[1].split("*")[0].toLowerCase();
    // Stateful charsets (ISO-2022-*) end every word in ASCII mode, so each word decodes alone;
    // joining them would put two escape sequences side by side, which decoders reject.
    if (!adjacent || charset !== pendingCharset || charset.startsWith("iso-2022")) flush();
    if (!adjacent) out += gap;
    const payload = match[3];
    pending.push(match[2].toUpperCase() === "B" ? decodeBase64(payload) : decodeQ(payload));
    pendingCharset = charset;
    last = match.index + match[0].length;
  }
  flush();
  return out + text.slice(last);
}

/** Options of {@linkcode encodeWords}. */
export interface EncodeWordsOptions {
  /**
   * `B` (base64) or `Q` (quoted-printable style); when absent, `Q` for text that is mostly
   * ASCII and `B` otherwise.
   * @default undefined
   */
  encoding?: "B" | "Q";
}

// Characters that may stand for themselves in Q encoding anywhere, phrases included (§5 rule 3).
const Q_SAFE = /[A-Za-z0-9!*+\-/]/;
// RFC 2047 §2 allows 75 characters per word; 60 leaves room for "Subject: " on the first line,
// so a folded field stays within 78 characters.
const MAX_PAYLOAD = 60 - "=?UTF-8?B??=".length;

function qChar(char: string): string {
  if (char === " ") return "_";
  if (Q_SAFE.test(char)) return char;
  let out = "";
  for (const b of utf8Bytes(char)) out += "=" + b.toString(16).toUpperCase().padStart(2, "0");
  return out;
}

function encodeRun(run: string, encoding: "B" | "Q"): string[] {
  const words: string[] = [];
  let chunk = "";
  let size = 0;
  const emit = () => {
    if (chunk === "") return;
    const body = encoding === "B" ? btoa(String.fromCharCode(...utf8Bytes(chunk))) : chunk;
    words.push(`=?UTF-8?${encoding}?${body}?=`);
    chunk = "";
    size = 0;
  };
  for (const char of run) {
    const piece = encoding === "Q" ? qChar(char) : char;
    const pieceSize = encoding === "Q" ? piece.length : utf8Bytes(char).length;
    const limit = encoding === "Q" ? MAX_PAYLOAD : Math.floor(MAX_PAYLOAD / 4) * 3;
    if (size + pieceSize > limit) emit();
    chunk += piece;
    size += pieceSize;
  }
  emit();
  return words;
}

function needsEncoding(word: string): boolean {
  // deno-lint-ignore no-control-regex
  return !isAsciiText(word) || word.includes("=?") || /[\x00-\x08\x0a-\x1f\x7f]/.test(word);
}

/**
 * Encodes the words of a header value that are not plain ASCII as RFC 2047 encoded words in
 * UTF-8, each at most 75 characters, never splitting a character. ASCII words before and after
 * stay readable. Suits unstructured fields (Subject) and display names.
 *
 * @param text The header value.
 * @param options The encoding to use.
 * @returns The value, pure ASCII.
 *
 * @example Encode a Korean subject
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWords, encodeWords } from "./encoded_words.ts";
 *
 * assert.equal(encodeWords("Re: 안녕하세요"), "Re: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?=");
 * assert.equal(encodeWords("Hello"), "Hello");
 * assert.equal(decodeWords(encodeWords("Café crème, naïve")), "Café crème, naïve");
 * ```
 */
export function encodeWords(text: string, options: EncodeWordsOptions = {}): string {
  if (!needsEncoding(text)) return text;
  const words = text.split(/(?<= )/);
  let first = words.findIndex(needsEncoding);
  let last = words.findLastIndex(needsEncoding);
  // An encoded word must stand alone, so a run starts and ends at a space.
  while (first > 0 && !words[first - 1].endsWith(" ")) first--;
  while (last < words.length - 1 && !words[last].endsWith(" ")) last++;
  const head = words.slice(0, first).join("");
  let run = words.slice(first, last + 1).join("");
  let tail = words.slice(last + 1).join("");
  if (run.endsWith(" ") && last < words.length - 1) {
    run = run.slice(0, -1);
    tail = " " + tail;
  }
  let ascii = 0;
  for (const char of run) if (char.charCodeAt(0) < 128) ascii++;
  const encoding = options.encoding ?? (ascii * 2 > run.length ? "Q" : "B");
  return head + encodeRun(run, encoding).join(" ") + tail;
}
