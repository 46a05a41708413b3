// The parser assignment ("write parseHeaders for folded and encoded fields") as a student writes
// it in TypeScript, run by Deno, with no library: it reads a message on stdin and prints its
// header fields as a JSON array of [name, value] pairs, names as written, values unfolded
// (RFC 5322 §2.2.3), encoded-words decoded (RFC 2047) and trimmed. Given a mistake's name as its
// argument, it makes that one mistake: no-unfold (drops continuation lines), no-decode (leaves
// encoded-words as they are), keep-space-between-words (keeps the whitespace between adjacent
// encoded-words), reads-body (reads on past the blank line).
const mistake = Deno.args[0] ?? "";
const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

const input = await new Response(Deno.stdin.readable).text();
const blank = input.indexOf("\r\n\r\n");
const head = mistake === "reads-body" || blank < 0 ? input : input.slice(0, blank);

const fields: [string, string][] = [];
for (const line of head.split("\r\n")) {
  if (line.startsWith(" ") || line.startsWith("\t")) {
    // A continuation line: unfolding removes the CRLF only, the space or tab stays.
    if (fields.length > 0 && mistake !== "no-unfold") fields[fields.length - 1][1] += line;
    continue;
  }
  const colon = line.indexOf(":");
  if (colon > 0) fields.push([line.slice(0, colon), line.slice(colon + 1)]);
}

/** The bytes of an encoded-word's text: base64 for B, and for Q `=XX` bytes and `_` spaces. */
function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding.toUpperCase() === "B") return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "_") {
      bytes.push(0x20);
    } else if (text[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(text.charCodeAt(i));
    }
  }
  return new Uint8Array(bytes);
}

function decoded(value: string): string {
  if (mistake === "no-decode") return value;
  let out = "";
  let last = 0;
  for (const word of value.matchAll(WORD)) {
    const gap = value.slice(last, word.index);
    // RFC 2047 §6.2: whitespace between two adjacent encoded-words is not part of the text.
    const between = last > 0 && /^[ \t]+$/.test(gap);
    if (!between || mistake === "keep-space-between-words") out += gap;
    out += new TextDecoder(word[1]).decode(wordBytes(word[2], word[3]));
    last = word.index + word[0].length;
  }
  return out + value.slice(last);
}

console.log(JSON.stringify(fields.map(([name, value]) => [name, decoded(value.trim())])));
