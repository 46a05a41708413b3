/**
 * Maildir file names (https://cr.yp.to/proto/maildir.html): the unique name a delivery gets,
 * Dovecot's `,S=<size>` field in it, and the `:2,` info suffix whose letters are the flags.
 *
 * ```
 * 1788253200.M0P4242Q7R1f2e3d4c.crepes,S=1024:2,FS
 * └─ time ─┘ └── unique part ─┘ └host┘ └size┘ └flags (ASCII order)
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

/** One message file's name, taken apart. */
export interface MaildirName {
  /** The name up to the info suffix: stable for the message's whole life. */
  base: string;
  /** The flags its info letters stand for, in IMAP order. */
  flags: SystemFlag[];
  /** Info letters this toolkit does not interpret (Dovecot keywords `a`-`z`, `P` passed). */
  otherLetters: string;
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
 * @returns A base name, without info suffix.
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
 * time; the info suffix counts only in its `2,` form.
 *
 * @param filename A file name from `new/` or `cur/`.
 * @returns Its parts.
 *
 * @example Read flags and size from a name
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMaildirName } from "./maildir_name.ts";
 *
 * const name = parseMaildirName("1788220800.M0P1Q1R00.crepes,S=12:2,FSa");
 * assert.equal(name.base, "1788220800.M0P1Q1R00.crepes,S=12");
 * assert.deepEqual(name.flags, ["\\Seen", "\\Flagged"]);
 * assert.equal(name.otherLetters, "a");
 * assert.equal(name.size, 12);
 * assert.equal(name.time, Date.UTC(2026, 8, 1));
 * assert.equal(parseMaildirName("mutt-made").size, undefined);
 * ```
 */
export function parseMaildirName(filename: string): MaildirName {
  const colon = filename.indexOf(":");
  const base = colon < 0 ? filename : filename.slice(0, colon);
  const info = colon < 0 ? "" : filename.slice(colon + 1);
  const letters = info.startsWith("2,") ? info.slice(2) : "";
  const flags = SYSTEM_FLAGS.filter((flag) => letters.includes(LETTER[flag]));
  const otherLetters = [...letters].filter((c) => !"DFRST".includes(c)).join("");
  const size = /,S=(\d+)(?:,|$)/.exec(base)?.[1];
  const seconds = /^(\d+)\./.exec(base)?.[1];
  return {
    base,
    flags,
    otherLetters,
    size: size === undefined ? undefined : Number(size),
    time: seconds === undefined ? undefined : Number(seconds) * 1000,
  };
}

/**
 * Builds the name a message has in `cur/`: its base, `:2,`, then the letters of its flags and any
 * letters it had that this toolkit does not interpret, all in ASCII order as the spec asks.
 *
 * @param base The message's base name.
 * @param flags Its flags.
 * @param otherLetters Info letters to keep.
 * @returns The file name.
 *
 * @example Letters in ASCII order
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMaildirName } from "./maildir_name.ts";
 *
 * assert.equal(formatMaildirName("m1", ["\\Seen", "\\Answered", "\\Draft"]), "m1:2,DRS");
 * assert.equal(formatMaildirName("m1", [], "a"), "m1:2,a");
 * ```
 */
export function formatMaildirName(
  base: string,
  flags: readonly SystemFlag[],
  otherLetters = "",
): string {
  const letters = new Set([...flags.map((flag) => LETTER[flag]), ...otherLetters]);
  return `${base}:2,${[...letters].sort().join("")}`;
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
