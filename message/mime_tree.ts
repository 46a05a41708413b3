/**
 * Builds the MIME tree of a message in one pass over its bytes: each part's header is read with
 * `parseHeaders`, boundary lines are found with a native byte search, and nothing is decoded
 * until asked. A boundary line belongs to the innermost open multipart whose boundary it names,
 * as a streaming reader sees it (RFC 2046 §5.1.1 forbids a nested multipart to reuse an
 * enclosing boundary; when one does anyway, its parts stay inside it). Depth is bounded, so a
 * hostile message cannot exhaust the stack.
 *
 * @module
 */

import { positionIn } from "./_bytes.ts";
import { parseContentType } from "./content_type.ts";
import { MessageSyntaxError, type SourcePosition } from "./errors.ts";
import { parseHeaders } from "./header.ts";
import { MimePart } from "./mime_part.ts";

/** How deep multiparts and enclosed messages may nest before the rest is kept as one leaf. */
export const MAX_MIME_DEPTH = 32;

/** A boundary line: `--boundary` or `--boundary--`, then only whitespace to the line end. */
interface Delimiter {
  /** Offset of its first dash. */
  dash: number;
  /** Offset of the line after it. */
  next: number;
  /** Whether it is the close delimiter. */
  close: boolean;
  /** The open multipart it belongs to: its index in `TreeContext.open`. */
  level: number;
}

/** A multipart whose close delimiter has not been read yet. */
interface OpenMultipart {
  /** The boundary as declared. */
  name: string;
  /** The boundary as the bytes a line must hold. */
  boundary: Uint8Array;
  /** Where its body starts: a boundary line there needs no line break before it. */
  bodyStart: number;
  /** The next boundary line at or after the last search, once found. */
  found?: Delimiter;
  /** Below this offset (and past the last search's start), no boundary line of its own. */
  searched: number;
}

interface TreeContext {
  bytes: Uint8Array;
  problems: MessageSyntaxError[];
  positionOf: (offset: number) => SourcePosition;
  parts: number;
  /** The multiparts enclosing the current position, outermost first. */
  open: OpenMultipart[];
}

const MAX_PARTS = 10_000;
// RFC 2046 §5.1.1 allows 70 characters; real mail stays close to that.
const MAX_BOUNDARY = 200;

function isWsp(b: number | undefined): boolean {
  return b === 32 || b === 9;
}

/** The first boundary line of `multipart` whose dash lies in `[from, last]`. */
function findDelimiter(
  bytes: Uint8Array,
  multipart: OpenMultipart,
  [from, last, level]: [number, number, number],
): Delimiter | undefined {
  const { boundary, bodyStart } = multipart;
  const end = bytes.length;
  const first = boundary[0];
  // Search up to `last` only, so that an inner multipart never scans its siblings' bytes.
  const region = bytes.subarray(0, Math.min(last + 1, end));
  let pos = from;
  while (pos <= last) {
    const dash = region.indexOf(45, pos);
    if (dash < 0 || dash + 2 + boundary.length > end) return undefined;
    pos = dash + 1;
    if (bytes[dash + 1] !== 45 || bytes[dash + 2] !== first) continue;
    if (dash !== bodyStart && bytes[dash - 1] !== 10) continue;
    let k = 1;
    while (k < boundary.length && bytes[dash + 2 + k] === boundary[k]) k++;
    if (k < boundary.length) continue;
    let after = dash + 2 + boundary.length;
    const close = bytes[after] === 45 && bytes[after + 1] === 45;
    if (close) after += 2;
    while (after < end && isWsp(bytes[after])) after++;
    if (after < end && bytes[after] !== 10 && bytes[after] !== 13) continue;
    if (bytes[after] === 13) after++;
    if (bytes[after] === 10) after++;
    return { dash, next: Math.min(after, end), close, level };
  }
  return undefined;
}

/**
 * The first boundary line at or after `from` of any open multipart; on a line that names several
 * (a reused boundary), the innermost wins. Each multipart remembers how far it searched, and the
 * parse only moves forward, so every byte is searched about once per enclosing multipart.
 */
function nextDelimiter(ctx: TreeContext, from: number): Delimiter | undefined {
  let best: Delimiter | undefined;
  let last = ctx.bytes.length;
  // Outermost first: each inner search stops at the line the outer one found.
  for (let level = 0; level < ctx.open.length; level++) {
    const multipart = ctx.open[level];
    if (multipart.found && multipart.found.dash < from) multipart.found = undefined;
    if (!multipart.found) {
      const start = Math.max(from, multipart.searched);
      if (start <= last) {
        multipart.found = findDelimiter(ctx.bytes, multipart, [start, last, level]);
        if (!multipart.found) multipart.searched = last + 1;
      }
    }
    const found = multipart.found;
    if (found && found.dash <= last) {
      best = found;
      last = found.dash;
    }
  }
  return best;
}

/** Where a part that a boundary line ends stops: the line break before the line is the line's. */
function endBefore(ctx: TreeContext, delimiter: Delimiter | undefined, start: number): number {
  if (!delimiter) return ctx.bytes.length;
  // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
  let end = delimiter.dash;
  if (end > start && ctx.bytes[end - 1] === 10) end--;
  if (end > start && ctx.bytes[end - 1] === 13) end--;
  return end;
}

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** A part, and the boundary line that ended it (none at the end of the bytes). */
interface Entity {
  part: MimePart;
  stop?: Delimiter;
}

interface Place {
  section: string;
  depth: number;
  defaultType: string;
}

function parseEntity(ctx: TreeContext, start: number, place: Place): Entity {
  ctx.parts++;
  // Without a multipart of its own, a part runs to the next boundary line of an enclosing one.
  let stop = nextDelimiter(ctx, start);
  let end = endBefore(ctx, stop, start);
  let header = parseHeaders(ctx.bytes, { start, end, positionOf: ctx.positionOf });
  const contentType = parseContentType(header.get("content-type"), place.defaultType);
  const deeper = place.depth < MAX_MIME_DEPTH && ctx.parts < MAX_PARTS;
  const multipart = contentType.type === "multipart" && deeper;
  const boundary = contentType.params.boundary;
  if (multipart && stop && ctx.open[stop.level].name === boundary) {
    // A multipart that reuses an enclosing boundary claims the line that seemed to end it, and
    // the line break before that line is its header's blank line (a first dash-boundary needs
    // none before it).
    end = stop.dash;
    header = parseHeaders(ctx.bytes, { start, end, positionOf: ctx.positionOf });
  }
  if (header.problems.length > 0 && ctx.problems.length < 100) {
    ctx.problems.push(...header.problems);
  }
  const init = { bytes: ctx.bytes, section: place.section, header, contentType, end };
  const problem = (what: string, at = ctx.problems.length) => {
    if (ctx.problems.length >= 100) return;
    const position = ctx.positionOf(header.bodyOffset);
    ctx.problems.splice(
      at,
      0,
      new MessageSyntaxError(`Cannot parse MIME part line ${position.line}: ${what}`, position),
    );
  };
  if (multipart) {
    if (!boundary || boundary.length > MAX_BOUNDARY) {
      problem(
        boundary
          ? `boundary "${boundary.slice(0, 40)}..." is too long`
          : `no boundary for "${contentType.mediaType}"`,
      );
      return { part: new MimePart(init), stop };
    }
    if (ctx.open.some((m) => m.name === boundary)) {
      problem(`boundary "${boundary}" is already the boundary of an enclosing multipart`);
    }
    // Its own problems go before its parts' ones, in document order.
    const at = ctx.problems.length;
    const body = parseMultipart(ctx, {
      boundary,
      bodyStart: header.bodyOffset,
      place,
      digest: contentType.subtype === "digest",
    });
    if (body.children.length === 0) problem(`boundary "${boundary}" not found`, at);
    else if (!body.closed) problem(`boundary "${boundary}" is never closed`, at);
    stop = body.stop;
    end = endBefore(ctx, stop, header.bodyOffset);
    return { part: new MimePart({ ...init, end, children: body.children }), stop };
  }
  const encoding = (header.get("content-transfer-encoding") ?? "").trim().toLowerCase();
  const enclosed = contentType.mediaType === "message/rfc822" ||
    contentType.mediaType === "message/global";
  if (enclosed && deeper && encoding !== "base64" && encoding !== "quoted-printable") {
    const message = parseEntity(ctx, header.bodyOffset, {
      section: place.section,
      depth: place.depth + 1,
      defaultType: "text/plain",
    });
    return {
      part: new MimePart({ ...init, end: message.part.end, message: message.part }),
      stop: message.stop,
    };
  }
  return { part: new MimePart(init), stop };
}

/** The parts of a multipart body, whether its close delimiter came, and what ended it. */
function parseMultipart(
  ctx: TreeContext,
  { boundary, bodyStart, place, digest }: {
    boundary: string;
    bodyStart: number;
    place: Place;
    digest: boolean;
  },
): { children: MimePart[]; closed: boolean; stop?: Delimiter } {
  const level = ctx.open.length;
  ctx.open.push({ name: boundary, boundary: latin1(boundary), bodyStart, searched: bodyStart });
  const children: MimePart[] = [];
  // The preamble runs to the first delimiter; each part runs to the next boundary line, its own
  // or an enclosing multipart's (then this one was never closed).
  let delimiter = nextDelimiter(ctx, bodyStart);
  while (delimiter?.level === level && !delimiter.close && ctx.parts < MAX_PARTS) {
    const child = parseEntity(ctx, delimiter.next, {
      section: place.section ? `${place.section}.${children.length + 1}` : `${children.length + 1}`,
      depth: place.depth + 1,
      defaultType: digest ? "message/rfc822" : "text/plain",
    });
    children.push(child.part);
    delimiter = child.stop;
  }
  ctx.open.pop();
  const closed = delimiter?.level === level && delimiter.close;
  // The epilogue (or what lies past the part limit) runs to an enclosing multipart's next line.
  if (delimiter?.level === level) delimiter = nextDelimiter(ctx, delimiter.next);
  return { children, closed, stop: delimiter };
}

/** Options of {@linkcode parseMimeTree}. */
export interface MimeTreeOptions {
  /**
   * Where problems found while building the tree are collected.
   * @default a fresh array
   */
  problems?: MessageSyntaxError[];
}

/**
 * Builds the MIME tree of a whole message.
 *
 * @param bytes The message.
 * @param options Where to collect problems.
 * @returns The root part (section `""`), whose header is the message header.
 *
 * @example Number the parts of a multipart the way IMAP does
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMimeTree } from "./mime_tree.ts";
 *
 * const text = 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' +
 *   "--b\r\n\r\nhello\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n";
 * const root = parseMimeTree(new TextEncoder().encode(text));
 * assert.deepEqual([...root.walk()].map((p) => `${p.section} ${p.mediaType}`), [
 *   " multipart/mixed",
 *   "1 text/plain",
 *   "2 text/html",
 * ]);
 * assert.equal(new TextDecoder().decode(root.find("1")?.body), "hello");
 * ```
 */
export function parseMimeTree(bytes: Uint8Array, options: MimeTreeOptions = {}): MimePart {
  let cacheOffset = 0;
  let cache: SourcePosition = { line: 1, column: 1 };
  const ctx: TreeContext = {
    bytes,
    problems: options.problems ?? [],
    parts: 0,
    open: [],
    positionOf: (offset) => {
      // Problems come mostly in document order: count on from the last one when possible.
      if (offset < cacheOffset) return positionIn(bytes, offset);
      const rest = positionIn(
        bytes.subarray(cacheOffset - cache.column + 1),
        offset - cacheOffset + cache.column - 1,
      );
      cache = { line: cache.line + rest.line - 1, column: rest.column };
      cacheOffset = offset;
      return cache;
    },
  };
  return parseEntity(ctx, 0, { section: "", depth: 0, defaultType: "text/plain" }).part;
}
