/**
 * Bytes to text through the WHATWG `TextDecoder`, which knows utf-8, euc-kr, iso-2022-jp,
 * iso-8859-x, windows-125x and more. Mail names charsets loosely, so a few labels that real
 * mailers write are mapped first, and an unknown charset falls back to utf-8 instead of failing.
 *
 * @module
 */

const decoders = new Map<string, TextDecoder>();
const utf8 = new TextDecoder("utf-8");

/** Labels that mailers write but the WHATWG Encoding Standard does not know. */
const ALIASES: Record<string, string> = {
  "cp949": "euc-kr",
  "uhc": "euc-kr",
  "x-windows-949": "euc-kr",
  "ks_c_5601": "euc-kr",
  "ksc5601": "euc-kr",
  "ascii": "utf-8",
  "us-ascii": "utf-8",
  "ansi_x3.4-1968": "utf-8",
  "7bit": "utf-8",
  "8bit": "utf-8",
  "cp932": "shift_jis",
  "x-sjis": "shift_jis",
  "cp936": "gbk",
  "cp1252": "windows-1252",
  "utf-8y": "utf-8",
};

function decoderFor(charset: string): TextDecoder {
  const label = charset.trim().toLowerCase();
  let decoder = decoders.get(label);
  if (decoder) return decoder;
  const mapped = ALIASES[label] ?? label.replace(/^cp-?(125\d)$/, "windows-$1");
  try {
    decoder = mapped === "utf-8" ? utf8 : new TextDecoder(mapped);
  } catch {
    decoder = utf8;
  }
  if (decoders.size < 256) decoders.set(label, decoder);
  return decoder;
}

/**
 * Decodes bytes in a named charset. US-ASCII is read as utf-8 (a superset), and an unknown or
 * missing charset falls back to utf-8, as mail readers do.
 *
 * @param bytes The bytes.
 * @param charset The charset label from the message, such as `EUC-KR` or `ks_c_5601-1987`.
 * @returns The text, with U+FFFD for bytes that the charset cannot map.
 *
 * @example Decode a Korean word written in EUC-KR
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeCharset } from "./charset.ts";
 *
 * assert.equal(decodeCharset(new Uint8Array([0xc7, 0xd1, 0xb1, 0xdb]), "EUC-KR"), "한글");
 * assert.equal(decodeCharset(new Uint8Array([0x68, 0x69]), "x-unknown"), "hi");
 * ```
 */
export function decodeCharset(bytes: Uint8Array, charset = "utf-8"): string {
  return decoderFor(charset).decode(bytes);
}
