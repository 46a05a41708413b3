/**
 * Names and passwords for a classroom: a student's or a group's name turned into a safe ASCII
 * label (`Kim Minji` and `김민지` both give `kim-minji`), labels kept apart when two students share
 * a name, and readable random passwords.
 *
 * @module
 */

// Revised Romanization of Korean, syllable by syllable (no sound changes across syllables):
// the 19 initial consonants, 21 vowels and 28 finals of a precomposed Hangul syllable.
const INITIALS = "g kk n d tt r m b pp s ss - j jj ch k t p h".split(" ").map((s) =>
  s === "-" ? "" : s
);
const VOWELS = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split(" ");
const FINALS = "- k k k n n n t l k m l l l p l m p p t t ng t t k t p t".split(" ").map((s) =>
  s === "-" ? "" : s
);

// Family names as they are usually written in passports, not as the romanization spells them.
const FAMILY_NAMES: Record<string, string> = {
  김: "kim",
  이: "lee",
  박: "park",
  최: "choi",
  정: "jung",
  강: "kang",
  조: "cho",
  윤: "yoon",
  장: "jang",
  임: "lim",
  한: "han",
  오: "oh",
  서: "seo",
  신: "shin",
  권: "kwon",
  황: "hwang",
  안: "ahn",
  송: "song",
  류: "ryu",
  유: "yoo",
  홍: "hong",
  전: "jeon",
  고: "ko",
  문: "moon",
  양: "yang",
  손: "son",
  배: "bae",
  백: "baek",
  허: "heo",
  노: "noh",
  남: "nam",
  심: "shim",
  곽: "kwak",
  성: "sung",
  차: "cha",
  주: "joo",
  우: "woo",
  구: "koo",
  민: "min",
};

// Letters that Unicode decomposition does not reduce to ASCII.
const LETTERS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  ø: "o",
  œ: "oe",
  đ: "d",
  ð: "d",
  ł: "l",
  þ: "th",
  ı: "i",
};

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;
const isHangul = (ch: string) => {
  const code = ch.codePointAt(0)!;
  return code >= HANGUL_FIRST && code <= HANGUL_LAST;
};

function romanizeSyllable(ch: string): string {
  const index = ch.codePointAt(0)! - HANGUL_FIRST;
  return INITIALS[Math.floor(index / 588)] + VOWELS[Math.floor((index % 588) / 28)] +
    FINALS[index % 28];
}

function romanizeWord(word: string, family: boolean): string {
  if (family && FAMILY_NAMES[word]) return FAMILY_NAMES[word];
  return [...word].map((ch) => isHangul(ch) ? romanizeSyllable(ch) : ch).join("");
}

/**
 * Writes a name in lower-case ASCII: Hangul by the Revised Romanization (a family name as it is
 * usually spelt), accents dropped, anything else left out. A Korean name written without a space
 * (`김민지`) is read as a one-syllable family name and a given name.
 *
 * @param name A person's or a group's name, in any script.
 * @returns Lower-case words separated by single spaces; empty when nothing is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { asciiName } from "./classroom_names.ts";
 *
 * assert.equal(asciiName("김민지"), "kim minji");
 * assert.equal(asciiName("박 서준"), "park seojun");
 * assert.equal(asciiName("José Müller-Østergaard"), "jose muller ostergaard");
 * assert.equal(asciiName("王小明"), "");
 * ```
 */
export function asciiName(name: string): string {
  let words = name.normalize("NFC").trim().split(/\s+/).filter((w) => w !== "");
  if (words.length === 1 && [...words[0]].every(isHangul)) {
    const syllables = [...words[0]];
    if (syllables.length >= 2 && syllables.length <= 4) {
      words = [syllables[0], syllables.slice(1).join("")];
    }
  }
  const romanized = words.map((word, i) =>
    romanizeWord(word, i === 0 && words.length > 1 && [...word].length === 1)
  ).join(" ");
  return [...romanized.normalize("NFKD").toLowerCase()]
    .map((ch) => LETTERS[ch] ?? ch)
    .join("")
    .replace(/\p{M}/gu, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Makes a DNS label and user name from a name: lower-case ASCII letters, digits and hyphens,
 * neither starting nor ending with a hyphen, at most `max` characters.
 *
 * @param name A person's or a group's name.
 * @param max The longest label. @default 40
 * @returns The label; empty when the name has no letter or digit left in ASCII.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slugOf } from "./classroom_names.ts";
 *
 * assert.equal(slugOf("Kim Minji"), "kim-minji");
 * assert.equal(slugOf("  Team #3 (mornings) "), "team-3-mornings");
 * assert.equal(slugOf("Anna-Lena Schröder", 9), "anna-lena");
 * ```
 */
export function slugOf(name: string, max = 40): string {
  return asciiName(name).replaceAll(" ", "-").slice(0, max).replace(/-+$/, "");
}

/** Options of {@linkcode Slugs}. */
export interface SlugsOptions {
  /** Labels nobody may get (they get `-2`). @default none */
  reserved?: Iterable<string>;
  /** The label for a name with nothing left in ASCII, numbered. @default "student" */
  fallback?: string;
  /** The longest label. @default 40 */
  max?: number;
}

/**
 * Hands out labels that never repeat: the second Kim Minji becomes `kim-minji-2`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Slugs } from "./classroom_names.ts";
 *
 * const slugs = new Slugs({ reserved: ["postmaster"] });
 * assert.deepEqual(
 *   ["Kim Minji", "kim minji", "김민지", "Postmaster", "王小明"].map((n) => slugs.take(n)),
 *   ["kim-minji", "kim-minji-2", "kim-minji-3", "postmaster-2", "student-1"],
 * );
 * ```
 */
export class Slugs {
  #taken = new Set<string>();
  #fallback: string;
  #max: number;
  #unnamed = 0;

  /**
   * Creates an empty set of labels.
   *
   * @param options Reserved labels, the fallback and the longest label.
   */
  constructor(options: SlugsOptions = {}) {
    for (const label of options.reserved ?? []) this.#taken.add(label);
    this.#fallback = options.fallback ?? "student";
    this.#max = options.max ?? 40;
  }

  /**
   * Gives a name its label, one not given before.
   *
   * @param name A person's or a group's name.
   * @returns The label.
   */
  take(name: string): string {
    let base = slugOf(name, this.#max);
    if (base === "") base = `${this.#fallback}-${++this.#unnamed}`;
    let label = base;
    for (let n = 2; this.#taken.has(label); n++) {
      const suffix = `-${n}`;
      label = base.slice(0, this.#max - suffix.length).replace(/-+$/, "") + suffix;
    }
    this.#taken.add(label);
    return label;
  }
}

// No 0/o, 1/l/i: a password read aloud or copied from paper is typed right the first time.
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/**
 * Makes a password from a cryptographic random source, in groups of four characters that cannot
 * be mistaken for one another when copied from paper (`k7mq-x3ta-9pwe`: about 59 bits).
 *
 * @param groups How many groups of four. @default 3
 * @param random Fills an array with random bytes. @default crypto.getRandomValues
 * @returns The password.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makePassword } from "./classroom_names.ts";
 *
 * assert.match(makePassword(), /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
 * assert.notEqual(makePassword(), makePassword());
 * assert.equal(makePassword(1, (bytes) => bytes.fill(0)), "aaaa");
 * ```
 */
export function makePassword(
  groups = 3,
  random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes),
): string {
  const chars: string[] = [];
  // Bytes from 248 up are dropped, so each character is equally likely (248 = 8 × 31).
  const limit = 256 - (256 % ALPHABET.length);
  while (chars.length < groups * 4) {
    for (const byte of random(new Uint8Array(16))) {
      if (byte < limit && chars.length < groups * 4) chars.push(ALPHABET[byte % ALPHABET.length]);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += 4) out.push(chars.slice(i, i + 4).join(""));
  return out.join("-");
}
