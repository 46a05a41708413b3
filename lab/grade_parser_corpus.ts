/**
 * The corpus of the parser assignment ("write parseHeaders for folded and encoded fields"): one
 * message per point of RFC 5322 §2.2 (fields, folding) and RFC 2047 (encoded-words) that a
 * student's parser must get right, each with why it matters in English and Korean. The expected
 * answers are not written here: the grader asks the toolkit's own parser for them.
 *
 * @module
 */
import type { Why } from "./grade_why.ts";

/** One message the student's parser is given, and what a wrong answer is told. */
export interface ParserCase {
  /** A short stable name, such as `folded-tab`. */
  name: string;
  /** What the case checks, in one line. */
  title: string;
  /** The message: header fields with CRLF line ends, the blank line, and a short body. */
  header: string;
  /** The RFC point the case checks, for a program that gets it wrong. */
  why: Why;
}

/** A message from its header lines, with CRLF line ends, and a one-line body. */
function message(lines: string[], body = "Hello."): string {
  return lines.join("\r\n") + "\r\n\r\n" + body + "\r\n";
}

/**
 * The fourteen cases, from a plain header to encoded-words across a fold. Every body line but
 * the last case's has no colon, so only that case tells a parser that reads on into the body.
 *
 * @example Every case is a whole message with a short body
 * ```ts
 * import assert from "node:assert/strict";
 * import { PARSER_CORPUS } from "./grade_parser_corpus.ts";
 *
 * assert.equal(new Set(PARSER_CORPUS.map((c) => c.name)).size, PARSER_CORPUS.length);
 * for (const c of PARSER_CORPUS) {
 *   // Lines that end in CRLF only: fields, the blank line, one body line.
 *   assert.match(c.header, /^([^\r\n]+\r\n)+\r\n[^\r\n]+\r\n$/);
 * }
 * assert.match(PARSER_CORPUS.find((c) => c.name === "folded-tab")!.header, /\r\n\t/);
 * ```
 */
export const PARSER_CORPUS: readonly ParserCase[] = [
  {
    name: "plain",
    title: "three fields, one line each",
    header: message(["From: alice@crepes.fr", "To: bob@hamburger.edu", "Subject: Hello"]),
    why: {
      en:
        "A header field is a name, a colon and a value, on a line that ends with CRLF (RFC 5322 §2.2); the header ends at the first empty line. Print every field, in order, as [name, value].",
      ko:
        "헤더 필드는 이름, 콜론, 값으로 이루어지고 CRLF로 끝나는 한 줄에 있습니다(RFC 5322 §2.2). 헤더는 첫 번째 빈 줄에서 끝납니다. 모든 필드를 순서대로 [이름, 값]으로 출력하세요.",
    },
  },
  {
    name: "folded-space",
    title: "a field folded before a space",
    header: message(["Subject: This", " is a test", "From: alice@crepes.fr"]),
    why: {
      en:
        "A long field may be folded: a CRLF put before a space or a tab (RFC 5322 §2.2.3). A line that starts with a space or a tab is not a new field but the rest of the one above; unfolding removes each CRLF that is followed by a space or a tab.",
      ko:
        "긴 필드는 접을(folding) 수 있습니다. 공백이나 탭 앞에 CRLF를 넣는 것입니다(RFC 5322 §2.2.3). 공백이나 탭으로 시작하는 줄은 새 필드가 아니라 위 필드의 나머지입니다. 펼치기(unfolding)는 공백이나 탭이 뒤따르는 CRLF를 지우는 것입니다.",
    },
  },
  {
    name: "folded-tab",
    title: "a field folded before a tab: the tab stays",
    header: message(["Subject: Lunch menu", "\tfor Friday", "From: alice@crepes.fr"]),
    why: {
      en:
        "Unfolding removes the CRLF and nothing else (RFC 5322 §2.2.3): the tab after it is part of the value and stays. Do not turn the fold into a space, and do not squeeze the whitespace.",
      ko:
        "펼치기는 CRLF만 지웁니다(RFC 5322 §2.2.3). 그 뒤의 탭은 값의 일부이므로 그대로 남습니다. 접힌 자리를 공백으로 바꾸거나 공백을 줄이지 마세요.",
    },
  },
  {
    name: "folded-three-lines",
    title: "a field folded over three lines",
    header: message([
      "To: alice@crepes.fr,",
      " bob@hamburger.edu,",
      " carol@example.org",
      "Subject: Three friends",
    ]),
    why: {
      en:
        "A field may be folded more than once (RFC 5322 §2.2.3): it goes on over every following line that starts with a space or a tab, until a line that does not, and every CRLF in it goes.",
      ko:
        "필드는 여러 번 접힐 수 있습니다(RFC 5322 §2.2.3). 필드는 공백이나 탭으로 시작하는 다음 줄들로 이어지다가 그렇지 않은 줄에서 끝나고, 그 안의 CRLF는 모두 지워집니다.",
    },
  },
  {
    name: "repeated-field",
    title: "two Received fields, kept in their order",
    header: message([
      "Received: from crepes.fr by hamburger.edu; Tue, 1 Apr 2025 10:00:02 +0000",
      "Received: from alice-laptop by crepes.fr; Tue, 1 Apr 2025 10:00:01 +0000",
      "Subject: Two hops",
    ]),
    why: {
      en:
        "A field may appear more than once: each relay adds a Received at the top (RFC 5322 §3.6, §3.6.7), so their order is the message's path backwards. Keep every field in the order of the message; a map from name to value loses one of them.",
      ko:
        "같은 필드가 여러 번 나올 수 있습니다. 중계 서버마다 맨 위에 Received를 하나씩 더하므로(RFC 5322 §3.6, §3.6.7) 그 순서는 메시지가 지나온 길을 거꾸로 보여 줍니다. 모든 필드를 메시지의 순서대로 두세요. 이름을 키로 하는 맵에 담으면 하나를 잃습니다.",
    },
  },
  {
    name: "name-case-colon",
    title: "names as written, a colon inside the value",
    header: message(["Subject: Re: lunch at 12:30", "message-ID: <lunch-12.30@crepes.fr>"]),
    why: {
      en:
        "The name ends at the first colon (RFC 5322 §2.2, §3.6.8: a field name is printable ASCII without a colon); later colons belong to the value, so split once. Names compare without regard to case, but the assignment asks for them as written: do not change their case.",
      ko:
        "필드 이름은 첫 번째 콜론에서 끝납니다(RFC 5322 §2.2, §3.6.8: 필드 이름은 콜론을 뺀 출력 가능한 ASCII 문자로 되어 있습니다). 그 뒤의 콜론은 값에 속하므로 한 번만 나누세요. 이름은 대소문자를 가리지 않고 비교하지만, 과제는 쓰인 그대로의 이름을 요구합니다. 대소문자를 바꾸지 마세요.",
    },
  },
  {
    name: "empty-value",
    title: "an empty value, and one of spaces only",
    header: message(["X-Empty:", "X-Blank:   ", "Subject: Nothing before"]),
    why: {
      en:
        'A value may be empty, or only whitespace (the unstructured value of RFC 5322 §3.2.5, §3.6.8): the field is still there, with the value "". Do not count on a space after the colon, and trim the whitespace around the value.',
      ko:
        '값은 비어 있거나 공백뿐일 수 있습니다(RFC 5322 §3.2.5, §3.6.8의 unstructured). 그래도 필드는 있고 값은 ""입니다. 콜론 뒤에 공백이 있다고 가정하지 말고, 값 앞뒤의 공백을 잘라 내세요.',
    },
  },
  {
    name: "q-utf8",
    title: "Q-encoded UTF-8, underscores as spaces",
    header: message(["Subject: =?UTF-8?Q?Cr=C3=AApes_et_caf=C3=A9?="]),
    why: {
      en:
        "An encoded-word =?charset?encoding?text?= carries non-ASCII text in a header (RFC 2047 §2). In the Q encoding (§4.2) =XX is one byte in hexadecimal and _ stands for a space; the bytes are then text in the word's charset, here UTF-8.",
      ko:
        "인코딩된 단어 =?문자셋?인코딩?텍스트?=는 헤더에 ASCII가 아닌 텍스트를 담습니다(RFC 2047 §2). Q 인코딩(§4.2)에서 =XX는 16진수로 쓴 바이트 하나이고 _는 공백을 뜻합니다. 그렇게 얻은 바이트를 단어의 문자셋(여기서는 UTF-8)으로 읽습니다.",
    },
  },
  {
    name: "b-korean",
    title: "B-encoded UTF-8 Korean",
    header: message(["Subject: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?="]),
    why: {
      en:
        "In the B encoding (RFC 2047 §4.1) the encoded text is base64: decode it to bytes, then read the bytes in the word's charset, here UTF-8. Korean takes three bytes a syllable in UTF-8, so mailers usually B-encode it.",
      ko:
        "B 인코딩(RFC 2047 §4.1)에서 인코딩된 텍스트는 base64입니다. 바이트로 디코딩한 다음, 단어의 문자셋(여기서는 UTF-8)으로 읽으세요. UTF-8에서 한글은 음절마다 3바이트라서 메일 프로그램은 보통 B 인코딩을 씁니다.",
    },
  },
  {
    name: "q-latin1",
    title: "Q-encoded ISO-8859-1",
    header: message(["Subject: =?ISO-8859-1?Q?Fran=E7ais_=E0_la_carte?="]),
    why: {
      en:
        "The charset is the one the encoded-word names (RFC 2047 §2, §6.1), not always UTF-8: in ISO-8859-1 the byte E7 is ç, while the same byte alone is not UTF-8 at all.",
      ko:
        "문자셋은 인코딩된 단어가 지정한 것입니다(RFC 2047 §2, §6.1). 항상 UTF-8은 아닙니다. ISO-8859-1에서 바이트 E7은 ç이지만, 같은 바이트 하나만으로는 UTF-8이 되지 않습니다.",
    },
  },
  {
    name: "adjacent-words",
    title: "two encoded-words across a fold: the space between them goes",
    header: message(["Subject: =?UTF-8?B?7JWI64WV?=", " =?UTF-8?B?7ZWY7IS47JqU?="]),
    why: {
      en:
        "Whitespace between two adjacent encoded-words, a fold included, is not part of the text and is dropped (RFC 2047 §6.2): that is how a mailer splits long text over several words, and a space that belongs to the text is encoded inside a word. Unfold first, then decode.",
      ko:
        "인접한 두 인코딩된 단어 사이의 공백은 접힌 자리를 포함해 텍스트의 일부가 아니므로 버립니다(RFC 2047 §6.2). 메일 프로그램은 긴 텍스트를 이렇게 여러 단어로 나누고, 텍스트에 속한 공백은 단어 안에 인코딩합니다. 먼저 펼치고, 그다음 디코딩하세요.",
    },
  },
  {
    name: "word-and-text",
    title: "an encoded-word beside plain text: the spaces stay",
    header: message(["Subject: Re: =?UTF-8?B?7ZWc6riA?= lesson 3"]),
    why: {
      en:
        "An encoded-word may stand among ordinary words, separated from them by whitespace (RFC 2047 §5 (1)). Only whitespace between two encoded-words is dropped (§6.2): the spaces between a word and plain text stay, and so does the plain text.",
      ko:
        "인코딩된 단어는 공백으로 구분되어 일반 단어들 사이에 올 수 있습니다(RFC 2047 §5 (1)). 버리는 것은 두 인코딩된 단어 사이의 공백뿐입니다(§6.2). 인코딩된 단어와 일반 텍스트 사이의 공백은 남고, 일반 텍스트도 그대로 남습니다.",
    },
  },
  {
    name: "lower-case",
    title: "charset and encoding in lower case",
    header: message([
      "Subject: =?utf-8?b?Y2Fmw6kgYXUgbGFpdA==?=",
      "X-Dessert: =?iso-8859-1?q?cr=E8me_br=FBl=E9e?=",
    ]),
    why: {
      en:
        "Charset and encoding names do not depend on case (RFC 2047 §2): utf-8 is UTF-8, iso-8859-1 is ISO-8859-1, b is B and q is Q.",
      ko:
        "문자셋과 인코딩 이름은 대소문자를 가리지 않습니다(RFC 2047 §2). utf-8은 UTF-8, iso-8859-1은 ISO-8859-1이고, b는 B, q는 Q입니다.",
    },
  },
  {
    name: "body-not-read",
    title: "stops at the blank line, even before a line that looks like a field",
    header: message(["Subject: The body starts after the blank line"], "Subject: not a header"),
    why: {
      en:
        "The header ends at the first empty line (RFC 5322 §2.1, §3.5); what follows is the body, even a line that looks like a field. Stop at the empty line.",
      ko:
        "헤더는 첫 번째 빈 줄에서 끝납니다(RFC 5322 §2.1, §3.5). 그 뒤는 필드처럼 보이는 줄이라도 본문입니다. 빈 줄에서 멈추세요.",
    },
  },
];
