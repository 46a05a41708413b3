/**
 * Maildir file names (https://cr.yp.to/proto/maildir.html): the unique name a delivery gets,
 * Dovecot's `,S=<size>` field in it, and the `:2,` info whose letters are the flags: `D F R S T`
 * for the system flags, `a` to `z` for the keywords that the folder's `dovecot-keywords` file
 * names, and Dovecot's fields after a comma, kept as found.
 *
 * ```
 * 1788253200.M0P4242Q7R1f2e3d4c.crepes,S=1024:2,FSab
 * └─ time ─┘ └── unique part ─┘ └host┘ └size┘ └flags, then keywords (ASCII order)
 * ```
 *
 * @module
 */
import { SYSTEM_FLAGS, type SystemFlag } from "./store.ts";

/** The info letter of each flag: D Draft, F Flagged, R Replied, S Seen, T Trashed. */
const LETTER: Record<SystemFlag, string> = {
  "\\Draft": "D",
  "\\Flagged": "F",
  "\\Answered": "R",
  "\\Seen": "S",
  "\\Deleted": "T",
};

/** The `:2,` info of a message file: its flags and what this toolkit keeps uninterpreted. */
export interface MaildirInfo {
  /** The flags its letters stand for, in IMAP order. */
  flags: SystemFlag[];
  /** Its keyword letters (`a` to `z`, Dovecot's), in ASCII order. @default "" */
  keywordLetters?: string;
  /** Other info letters this toolkit does not interpret (`P` passed), kept. @default "" */
  otherLetters?: string;
  /** Dovecot's non-standard fields after a comma in the info, with the comma, kept. @default "" */
  extra?: string;
}

/** One message file's name, taken apart. */
export interface MaildirName extends Required<MaildirInfo> {
  /** The name up to the info: stable for the message's whole life. */
  base: string;
  /** The size from `,S=`, when the name carries one. */
  size: number | undefined;
  /** The delivery time in milliseconds from the name's leading seconds, when it has them. */
  time: number | undefined;
}

/** Options of {@linkcode uniqueBaseName}. */
export interface UniqueBaseNameOptions {
  /** The host that delivers, escaped as the spec asks. @default Deno.hostname(), or "localhost" without the sys permission */
  hostname?: string;
}

let counter = 0;
let cachedHost: string | undefined;

/**
 * Makes a name that no other delivery, here or on another host, will ever make: seconds, then
 * `M` microseconds, `P` process id, `Q` a per-process counter, `R` random bits, then the host
 * name, then `,S=` and the size.
 *
 * @param time The delivery time in milliseconds since the epoch.
 * @param size The message's size in bytes.
 * @param options The host name.
 * @returns A base name, without info.
 *
 * @example Two names for the same instant differ
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMaildirName, uniqueBaseName } from "./maildir_name.ts";
 *
 * const a = uniqueBaseName(Date.UTC(2026, 8, 1), 1024, { hostname: "crepes" });
 * const b = uniqueBaseName(Date.UTC(2026, 8, 1), 1024, { hostname: "crepes" });
 * assert.notEqual(a, b);
 * assert.match(a, /^1788220800\.M0P\d+Q\d+R[0-9a-f]{8}\.crepes,S=1024$/);
 * assert.equal(parseMaildirName(a).size, 1024);
 * ```
 */
export function uniqueBaseName(
  time: number,
  size: number,
  options: UniqueBaseNameOptions = {},
): string {
  const host = escapeHost(options.hostname ?? defaultHostname());
  const seconds = Math.floor(time / 1000);
  const micros = (time - seconds * 1000) * 1000;
  const random = crypto.getRandomValues(new Uint8Array(4));
  const hex = [...random].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${seconds}.M${Math.floor(micros)}P${Deno.pid}Q${++counter}R${hex}.${host},S=${size}`;
}

/**
 * Takes a message file name apart. Names that another program wrote need not carry a size or a
 * time; the info counts only in its `2,` form.
 *
 * @param filename A file name from `new/` or `cur/`.
 * @returns Its parts.
 *
 * @example Read flags, keyword letters and size from a name
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMaildirName } from "./maildir_name.ts";
 *
 * const name = parseMaildirName("1788220800.M0P1Q1R00.crepes,S=12:2,FPSba,X=1");
 * assert.equal(name.base, "1788220800.M0P1Q1R00.crepes,S=12");
 * assert.deepEqual(name.flags, ["\\Seen", "\\Flagged"]);
 * assert.equal(name.keywordLetters, "ab");
 * assert.equal(name.otherLetters, "P");
 * assert.equal(name.extra, ",X=1");
 * assert.equal(name.size, 12);
 * assert.equal(name.time, Date.UTC(2026, 8, 1));
 * assert.equal(parseMaildirName("mutt-made").size, undefined);
 * ```
 */
export function parseMaildirName(filename: string): MaildirName {
  const colon = filename.indexOf(":");
  const base = colon < 0 ? filename : filename.slice(0, colon);
  const info = colon < 0 ? "" : filename.slice(colon + 1);
  const all = info.startsWith("2,") ? info.slice(2) : "";
  // Dovecot: "<flags>[,<non-standard fields>]"; what follows the comma is not flags.
  const comma = all.indexOf(",");
  const letters = comma < 0 ? all : all.slice(0, comma);
  const flags = systemFlagsOf(letters);
  const unique = [...new Set(letters)].sort();
  const size = /,S=(\d+)(?:,|$)/.exec(base)?.[1];
  const seconds = /^(\d+)\./.exec(base)?.[1];
  return {
    base,
    flags,
    keywordLetters: unique.filter((c) => c >= "a" && c <= "z").join(""),
    otherLetters: unique.filter((c) => !(c >= "a" && c <= "z") && !"DFRST".includes(c)).join(""),
    extra: comma < 0 ? "" : all.slice(comma),
    size: size === undefined ? undefined : Number(size),
    time: seconds === undefined ? undefined : Number(seconds) * 1000,
  };
}

/**
 * The info letters of a file name (what follows `:2,`, up to a comma), found fast: a big folder
 * reads its messages' flags from their names each time it is opened.
 *
 * @param filename A message file name.
 * @returns Its letters, `""` when it has no `:2,` info.
 *
 * @example Letters up to Dovecot's comma
 * ```ts
 * import assert from "node:assert/strict";
 * import { infoLetters } from "./maildir_name.ts";
 *
 * assert.equal(infoLetters("1.x.host,S=3:2,FSa,X"), "FSa");
 * assert.equal(infoLetters("1.x.host,S=3"), "");
 * ```
 */
export function infoLetters(filename: string): string {
  const colon = filename.indexOf(":");
  if (colon < 0 || filename[colon + 1] !== "2" || filename[colon + 2] !== ",") return "";
  const comma = filename.indexOf(",", colon + 3);
  return filename.slice(colon + 3, comma < 0 ? filename.length : comma);
}

/**
 * The system flags that info letters stand for.
 *
 * @param letters Info letters.
 * @returns The flags, in IMAP order.
 *
 * @example In IMAP order, keywords aside
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemFlagsOf } from "./maildir_name.ts";
 *
 * assert.deepEqual(systemFlagsOf("DRSab"), ["\\Seen", "\\Answered", "\\Draft"]);
 * ```
 */
export function systemFlagsOf(letters: string): SystemFlag[] {
  return SYSTEM_FLAGS.filter((flag) => letters.includes(LETTER[flag]));
}

/**
 * Builds the name a message has in `cur/`: its base, `:2,`, then the letters of its flags, its
 * keywords and any letters it had that this toolkit does not interpret, all in ASCII order as
 * the spec asks, then Dovecot's extra fields.
 *
 * @param base The message's base name.
 * @param info Its flags, keyword letters and kept parts.
 * @returns The file name.
 *
 * @example Letters in ASCII order
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMaildirName } from "./maildir_name.ts";
 *
 * assert.equal(formatMaildirName("m1", { flags: ["\\Seen", "\\Answered", "\\Draft"] }), "m1:2,DRS");
 * assert.equal(formatMaildirName("m1", { flags: ["\\Seen"], keywordLetters: "ba" }), "m1:2,Sab");
 * assert.equal(formatMaildirName("m1", { flags: [], otherLetters: "P", extra: ",X" }), "m1:2,P,X");
 * ```
 */
export function formatMaildirName(base: string, info: MaildirInfo): string {
  const letters = new Set([
    ...info.flags.map((flag) => LETTER[flag]),
    ...info.keywordLetters ?? "",
    ...info.otherLetters ?? "",
  ]);
  return `${base}:2,${[...letters].sort().join("")}${info.extra ?? ""}`;
}

/**
 * Orders the names of messages found on disk as they were most likely delivered: by the time in
 * the name, then by its `M` microseconds, then by name. Files that appeared from outside get
 * their UIDs in this order.
 *
 * @param a A file name.
 * @param b Another.
 * @returns Negative when `a` came first.
 *
 * @example Microseconds decide within one second
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareDeliveryNames } from "./maildir_name.ts";
 *
 * const names = ["1700000000.M20P1.h", "1600000000.x.h", "1700000000.M3P1.h"];
 * assert.deepEqual(names.sort(compareDeliveryNames), [
 *   "1600000000.x.h",
 *   "1700000000.M3P1.h",
 *   "1700000000.M20P1.h",
 * ]);
 * ```
 */
export function compareDeliveryNames(a: string, b: string): number {
  const order = (name: string) => {
    const match = /^(\d+)\.(?:M(\d+))?/.exec(name);
    return [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  };
  const [sa, ma] = order(a);
  const [sb, mb] = order(b);
  return sa - sb || ma - mb || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Whether a directory entry can be a message: the spec's rule (no leading dot) plus what this
 * toolkit refuses because a line-based index could not keep it (controls, a leading space).
 *
 * @param name An entry of `new/` or `cur/`.
 * @returns True for a possible message.
 *
 * @example A message, a hidden file, a name no line can hold
 * ```ts
 * import assert from "node:assert/strict";
 * import { isMessageName } from "./maildir_name.ts";
 *
 * assert.equal(isMessageName("1788220800.M0P1.host,S=3:2,S"), true);
 * assert.equal(isMessageName(".hidden"), false);
 * assert.equal(isMessageName("line\nbreak"), false);
 * ```
 */
export function isMessageName(name: string): boolean {
  // deno-lint-ignore no-control-regex -- a control character would break the index's lines
  return !/^[.\s]|[\x00-\x1f\x7f/]/.test(name);
}

function defaultHostname(): string {
  if (cachedHost === undefined) {
    try {
      cachedHost = Deno.hostname();
    } catch (error) {
      // Without --allow-sys the name only has to be unique, which P, Q and R already make it.
      if (!(error instanceof Deno.errors.NotCapable)) throw error;
      cachedHost = "localhost";
    }
  }
  return cachedHost;
}

/** The spec replaces `/` and `:` in the host name; `,` would end it early for `,S=`. */
function escapeHost(host: string): string {
  return host.replace(
    /[^\x21-\x7e]|[/:,\\]/g,
    (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`,
  );
}
