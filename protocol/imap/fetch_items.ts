/**
 * FETCH data items (RFC 3501 §6.4.5): what a client asks of each message, and the names under
 * which a server answers.
 *
 * ```
 * fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
 *             "BODY" ["STRUCTURE"] / "UID" /
 *             "BODY" section ["<" number "." nz-number ">"] /
 *             "BODY.PEEK" section ["<" number "." nz-number ">"]
 * section   = "[" [section-spec] "]"
 * section-spec = section-msgtext / (section-part ["." section-text])
 * section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
 * section-text    = section-msgtext / "MIME"
 * section-part    = nz-number *("." nz-number)
 * header-list     = "(" header-fld-name *(SP header-fld-name) ")"
 * header-fld-name = astring
 * ```
 *
 * RFC 7162 §3.1.4 and §7 add the `MODSEQ` item and a modifier after the items:
 *
 * ```
 * fetch-att      =/ "MODSEQ"
 * fetch          = "FETCH" SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")")
 *                  [SP "(" fetch-modifier *(SP fetch-modifier) ")"]
 * fetch-modifier = "CHANGEDSINCE" SP mod-sequence-value
 * ```
 *
 * @module
 */
import { ImapSyntaxError } from "./error.ts";
import type { ImapToken } from "./lexer.ts";
import { formatAstring } from "./response.ts";

/** The fetch items that name a whole attribute rather than a body section. */
export type FetchAttribute =
  | "FLAGS"
  | "UID"
  | "RFC822.SIZE"
  | "INTERNALDATE"
  | "ENVELOPE"
  | "BODYSTRUCTURE"
  | "BODY"
  | "RFC822"
  | "RFC822.HEADER"
  | "RFC822.TEXT"
  | "MODSEQ";

/** What part of a section's message a `BODY[...]` item asks for. */
export type SectionText = "" | "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";

/** A `BODY[...]` or `BODY.PEEK[...]` item. */
export interface FetchSection {
  /** Discriminant. */
  kind: "section";
  /** True for BODY.PEEK, which leaves `\Seen` alone. */
  peek: boolean;
  /** The MIME part path, `[1, 2]` for `1.2`; empty for the whole message. */
  part: number[];
  /** What of that part. */
  text: SectionText;
  /** The field names of HEADER.FIELDS and HEADER.FIELDS.NOT, as written. */
  fields: string[];
  /** The byte range `<start.count>`, when asked. */
  partial?: { start: number; count: number };
}

/** One fetch item. */
export type FetchItem = { kind: "attribute"; name: FetchAttribute } | FetchSection;

const ATTRIBUTES = new Set<string>([
  "FLAGS",
  "UID",
  "RFC822.SIZE",
  "INTERNALDATE",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "BODY",
  "RFC822",
  "RFC822.HEADER",
  "RFC822.TEXT",
  "MODSEQ",
]);

/** RFC 3501 §6.4.5: the macros and what they stand for. */
const MACROS: Record<string, FetchAttribute[]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};

// RFC 5322 §3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126. Nothing else names a field,
// and the answer's name echoes the field names, where an 8-bit byte could not go.
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]{1,998}$/;

const SECTION = /^(BODY(?:\.PEEK)?)\[([^\]]*)\](?:<(\d{1,10})\.(\d{1,10})>)?$/i;
const SPEC =
  /^((?:[1-9]\d{0,5})(?:\.[1-9]\d{0,5})*)?(?:^|\.|$)(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?(?: \((.*)\))?$/i;

/**
 * Parses the argument of FETCH: one item, a macro, or a list of items.
 *
 * @param token The argument token.
 * @returns The items, with macros expanded.
 * @throws {ImapSyntaxError} When an item is unknown or malformed.
 *
 * @example Parse a list with a partial header fetch
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFetchItems } from "./fetch_items.ts";
 *
 * const items = parseFetchItems({
 *   kind: "list",
 *   items: [
 *     { kind: "atom", value: "UID" },
 *     { kind: "atom", value: "BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>" },
 *   ],
 * });
 * assert.deepEqual(items[1], {
 *   kind: "section",
 *   peek: true,
 *   part: [],
 *   text: "HEADER.FIELDS",
 *   fields: ["FROM", "TO"],
 *   partial: { start: 0, count: 100 },
 * });
 * ```
 */
export function parseFetchItems(token: ImapToken): FetchItem[] {
  if (token.kind === "atom" && MACROS[token.value.toUpperCase()]) {
    return MACROS[token.value.toUpperCase()].map((name) => ({ kind: "attribute", name }));
  }
  const tokens = token.kind === "list" ? token.items : [token];
  if (tokens.length === 0) throw new ImapSyntaxError("Empty fetch item list");
  return tokens.map(parseFetchItem);
}

function parseFetchItem(token: ImapToken): FetchItem {
  if (token.kind !== "atom") throw new ImapSyntaxError("Expected a fetch item");
  const upper = token.value.toUpperCase();
  if (ATTRIBUTES.has(upper)) return { kind: "attribute", name: upper as FetchAttribute };
  const match = SECTION.exec(token.value);
  const spec = match ? SPEC.exec(match[2]) : null;
  if (!match || !spec) {
    throw new ImapSyntaxError(`Unknown fetch item "${token.value.slice(0, 80)}"`);
  }
  const part = spec[1] ? spec[1].split(".").map(Number) : [];
  const text = (spec[2]?.toUpperCase() ?? "") as SectionText;
  const hasFields = text === "HEADER.FIELDS" || text === "HEADER.FIELDS.NOT";
  const fields = spec[3]?.split(" ").filter((f) => f).map((f) => f.replace(/^"(.*)"$/, "$1")) ?? [];
  if (hasFields !== (spec[3] !== undefined) || (hasFields && fields.length === 0)) {
    throw new ImapSyntaxError(`Invalid section "${match[2].slice(0, 80)}"`);
  }
  const odd = fields.find((name) => !FIELD_NAME.test(name));
  if (odd !== undefined) {
    throw new ImapSyntaxError(`Invalid header field name "${odd.slice(0, 80)}"`);
  }
  if (text === "MIME" && part.length === 0) {
    throw new ImapSyntaxError('Section "MIME" needs a part number');
  }
  const item: FetchSection = {
    kind: "section",
    peek: match[1].length > 4,
    part,
    text,
    fields,
  };
  if (match[3] !== undefined) {
    const count = Number(match[4]);
    if (count === 0) throw new ImapSyntaxError("Partial fetch of zero bytes");
    item.partial = { start: Number(match[3]), count };
  }
  return item;
}

/**
 * The name under which a server answers a section item: `BODY[...]` without `.PEEK`, keywords in
 * upper case, field names as the client wrote them (each an astring: quoted when it is no atom),
 * and only the start of a partial range (RFC 3501 §7.4.2).
 *
 * @param item The item asked for.
 * @returns Such as `BODY[HEADER.FIELDS (From To)]<0>`.
 *
 * @example Name the answer to a peek
 * ```ts
 * import assert from "node:assert/strict";
 * import { sectionLabel } from "./fetch_items.ts";
 *
 * assert.equal(
 *   sectionLabel({ kind: "section", peek: true, part: [1], text: "TEXT", fields: [], partial: { start: 10, count: 5 } }),
 *   "BODY[1.TEXT]<10>",
 * );
 * const fields = ["Subject", 'X"Y'];
 * assert.equal(
 *   sectionLabel({ kind: "section", peek: false, part: [], text: "HEADER.FIELDS", fields }),
 *   'BODY[HEADER.FIELDS (Subject "X\\"Y")]',
 * );
 * ```
 */
export function sectionLabel(item: FetchSection): string {
  const spec = [item.part.join("."), item.text].filter((s) => s).join(".");
  // A field name is printable ASCII (parseFetchItems checks it): an atom or a quoted string.
  const names = item.fields.map((name) => formatAstring(name)!);
  const fields = names.length > 0 ? ` (${names.join(" ")})` : "";
  const partial = item.partial ? `<${item.partial.start}>` : "";
  return `BODY[${spec}${fields}]${partial}`;
}

/** The modifiers after the items of a FETCH (RFC 7162 §3.1.4). */
export interface FetchModifiers {
  /** Only messages whose modification sequence is above this; implies `MODSEQ`. */
  changedSince?: number;
}

/**
 * Parses the modifier list that may follow FETCH's items, such as `(CHANGEDSINCE 12345)`.
 *
 * @param token The list token.
 * @returns The modifiers.
 * @throws {ImapSyntaxError} When it is not a list, a modifier is unknown or its value is no
 *   modification sequence.
 *
 * @example Read CHANGEDSINCE
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFetchModifiers } from "./fetch_items.ts";
 *
 * const token = {
 *   kind: "list" as const,
 *   items: [{ kind: "atom" as const, value: "changedsince" }, { kind: "atom" as const, value: "42" }],
 * };
 * assert.deepEqual(parseFetchModifiers(token), { changedSince: 42 });
 * assert.throws(() => parseFetchModifiers({ kind: "list", items: [] }), { name: "ImapSyntaxError" });
 * ```
 */
export function parseFetchModifiers(token: ImapToken): FetchModifiers {
  if (token.kind !== "list" || token.items.length === 0) {
    throw new ImapSyntaxError("Expected fetch modifiers such as (CHANGEDSINCE modseq)");
  }
  const modifiers: FetchModifiers = {};
  const items = token.items;
  for (let i = 0; i < items.length; i += 2) {
    const name = items[i];
    const value = items[i + 1];
    if (name.kind !== "atom" || name.value.toUpperCase() !== "CHANGEDSINCE") {
      const text = name.kind === "list" ? "(...)" : name.value.slice(0, 40);
      throw new ImapSyntaxError(`Unknown fetch modifier "${text}"`);
    }
    // mod-sequence-value is a 63-bit number; anything a JavaScript number cannot hold exactly is
    // beyond every modification sequence this server hands out.
    const modseq = value?.kind === "atom" && /^\d{1,19}$/.test(value.value)
      ? Number(value.value)
      : NaN;
    if (!Number.isFinite(modseq)) throw new ImapSyntaxError("CHANGEDSINCE needs a number");
    modifiers.changedSince = modseq;
  }
  return modifiers;
}
