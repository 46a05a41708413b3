/**
 * The IMAP bench's mailbox: the same deterministic messages for every server, so that message
 * `n` of a 10-message mailbox is message `n` of a 10,000-message one. Sizes run from about 500
 * bytes to 20 KiB (more small ones than large, as in a real inbox); one in ten is
 * multipart/alternative (text and HTML), one in 25 carries a base64 attachment; senders have
 * display names (some quoted, some encoded words), a third of the messages have a Cc. The word
 * {@linkcode SEARCH_WORD} is in some subjects and some text bodies (never only in an attachment
 * or an encoded part), so `SEARCH TEXT` has one right answer every server must give.
 *
 * @module
 */

/** The word `SEARCH TEXT` looks for. */
export const SEARCH_WORD = "zucchini";

const encoder = new TextEncoder();
const BASE_DATE = Date.UTC(2026, 0, 5, 8, 0, 0);
const MINUTE = 60_000;

const SENDERS = [
  ["Alice Crêpe", "alice@crepes.fr"],
  ["Pat O'Brien, Jr.", "pat@dublin.example"],
  ["Jean-Marc Dupont", "jm.dupont@crepes.fr"],
  ["Françoise Müller", "f.mueller@bretzel.de"],
  ["Course Robot", "noreply@hamburger.edu"],
  ["Dr. Li Wei", "li.wei@dumpling.cn"],
  ["", "postmaster@crepes.fr"],
  ["María José García", "mjgarcia@tapas.es"],
] as const;
const CC = [
  ["Carol Pickles", "carol@hamburger.edu"],
  ["Dan Ketchup", "dan@hamburger.edu"],
  ["Erin Mustard", "erin@mustard.example"],
] as const;
const WORDS = (
  "the of and to in is you that it he was for on are as with his they at be this have from or " +
  "one had by word but not what all were we when your can said there use an each which she do " +
  "how their if will up other about out many then them these so some her would make like him " +
  "into time has look two more write go see number no way could people my than first water been " +
  "call who oil its now find long down day did get come made may part lecture homework deadline " +
  "exam grade server protocol mailbox ketchup pickles mustard relish burger crepe bretzel"
).split(" ");

/** A small, fast, seeded generator (mulberry32), so every run builds the same bytes. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether message `n` (from 1) holds {@linkcode SEARCH_WORD}. */
export function hasSearchWord(n: number): boolean {
  return n % 97 === 3 || n % 89 === 7;
}

/** How many of messages 1..`count` hold {@linkcode SEARCH_WORD}. */
export function searchHits(count: number): number {
  let hits = 0;
  for (let n = 1; n <= count; n++) if (hasSearchWord(n)) hits++;
  return hits;
}

/** Message `n`'s delivery time (its Date and its internal date). */
export function messageDate(n: number): number {
  return BASE_DATE + n * 7 * MINUTE;
}

function address([name, addr]: readonly [string, string]): string {
  if (name === "") return addr;
  // deno-lint-ignore no-control-regex
  if (/[^\x00-\x7f]/.test(name)) {
    const q = [...encoder.encode(name)].map((b) =>
      (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
        ? String.fromCharCode(b)
        : b === 0x20
        ? "_"
        : "=" + b.toString(16).toUpperCase().padStart(2, "0")
    ).join("");
    return `=?UTF-8?Q?${q}?= <${addr}>`;
  }
  return /[,.'"]/.test(name) ? `"${name}" <${addr}>` : `${name} <${addr}>`;
}

function rfc5322Date(ms: number): string {
  const d = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const two = (v: number) => String(v).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${
    months[d.getUTCMonth()]
  } ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** Lines of words, CRLF-ended and at most 76 characters, about `size` bytes in all. */
function prose(next: () => number, size: number, word?: string): string {
  const lines: string[] = [];
  let total = 0;
  let line = "";
  while (total + line.length < size) {
    const w = WORDS[Math.floor(next() * WORDS.length)];
    if (line.length + w.length + 1 > 72) {
      lines.push(line);
      total += line.length + 2;
      line = "";
    }
    line += line === "" ? w : ` ${w}`;
  }
  lines.push(line);
  if (word) lines.splice(Math.floor(lines.length / 2), 0, `Bring the ${word} to the lecture.`);
  return lines.join("\r\n") + "\r\n";
}

function base64Lines(next: () => number, size: number): string {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = Math.floor(next() * 256);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/.{76}/g, "$&\r\n") + "\r\n";
}

/**
 * Message `n` of the bench's mailbox, CRLF line ends throughout.
 *
 * @param n The message's number, from 1.
 * @returns Its bytes.
 */
export function benchMessage(n: number): Uint8Array {
  const next = random(n * 2654435761);
  const size = Math.round(500 * Math.pow(41, next()));
  const from = SENDERS[n % SENDERS.length];
  const word = hasSearchWord(n);
  const subjectWords = Array.from(
    { length: 3 + Math.floor(next() * 5) },
    () => WORDS[Math.floor(next() * WORDS.length)],
  );
  if (word && n % 97 === 3) subjectWords.splice(1, 0, "Zucchini");
  const head = [
    `Return-Path: <${from[1]}>`,
    `From: ${address(from)}`,
    `To: Bob Burger <bob@hamburger.edu>`,
    ...(n % 3 === 0 ? [`Cc: ${CC.slice(0, 1 + (n % 2)).map(address).join(", ")}`] : []),
    `Subject: #${n} ${subjectWords.join(" ")}`,
    `Date: ${rfc5322Date(messageDate(n))}`,
    `Message-ID: <${n}.${Math.floor(next() * 1e9)}@${from[1].split("@")[1]}>`,
    "MIME-Version: 1.0",
  ];
  const bodyWord = word && n % 89 === 7 ? SEARCH_WORD : undefined;
  let body: string;
  if (n % 25 === 0) {
    const boundary = `=_mixed_${n}`;
    const text = prose(next, Math.max(200, size / 3), bodyWord);
    body = [
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      "",
      "This is a multi-part message in MIME format.",
      `--${boundary}`,
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 7bit",
      "",
      text + `--${boundary}`,
      `Content-Type: application/pdf; name="notes-${n}.pdf"`,
      "Content-Transfer-Encoding: base64",
      `Content-Disposition: attachment; filename="notes-${n}.pdf"`,
      "",
      base64Lines(next, Math.max(300, Math.floor(size / 2))) + `--${boundary}--`,
      "",
    ].join("\r\n");
  } else if (n % 10 === 0) {
    const boundary = `=_alt_${n}`;
    const text = prose(next, size / 2, bodyWord);
    const html = `<html><body><p>${text.replaceAll("\r\n", "</p>\r\n<p>")}</p></body></html>\r\n`;
    body = [
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      "",
      `--${boundary}`,
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 7bit",
      "",
      text + `--${boundary}`,
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: 7bit",
      "",
      html + `--${boundary}--`,
      "",
    ].join("\r\n");
  } else {
    body = [
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 7bit",
      "",
      prose(next, size - 400, bodyWord),
    ].join("\r\n");
  }
  return encoder.encode(head.join("\r\n") + "\r\n" + body);
}

/**
 * The `k`th message delivered while a client IDLEs: small, and without {@linkcode SEARCH_WORD}.
 *
 * @param k Any number; the same `k` gives the same bytes.
 * @returns Its bytes.
 */
export function idleMessage(k: number): Uint8Array {
  return encoder.encode(
    [
      "From: Alice Crepe <alice@crepes.fr>",
      "To: Bob Burger <bob@hamburger.edu>",
      `Subject: New mail ${k}`,
      `Date: ${rfc5322Date(BASE_DATE)}`,
      `Message-ID: <idle.${k}@crepes.fr>`,
      "",
      "Lunch at noon?",
      "",
    ].join("\r\n"),
  );
}
