/**
 * Builds the MIME tree of a message in one pass over its bytes: each part's header is read with
 * `parseHeaders`, each multipart body is split at its boundary lines with a native byte search,
 * and nothing is decoded until asked. Depth is bounded, so a hostile message cannot exhaust the
 * stack.
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

interface TreeContext {
  bytes: Uint8Array;
  problems: MessageSyntaxError[];
  positionOf: (offset: number) => SourcePosition;
  parts: number;
}

const MAX_PARTS = 10_000;
// RFC 2046 §5.1.1 allows 70 characters; real mail stays close to that.
const MAX_BOUNDARY = 200;

function isWsp(b: number | undefined): boolean {
  return b === 32 || b === 9;
}

/**
 * Finds the boundary lines of a multipart body: `--boundary` at the start of a line, then
 * optionally `--` (the close delimiter), then only whitespace to the end of the line.
 */
function splitMultipart(
  bytes: Uint8Array,
  boundary: Uint8Array,
  [start, end]: [number, number],
): { parts: [number, number][]; closed: boolean } {
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  const first = boundary[0];
  // Search this part only, so that a nested multipart never scans its siblings' bytes.
  const region = bytes.subarray(0, end);
  while (pos < end) {
    const dash = region.indexOf(45, pos);
    if (dash < 0 || dash + 2 + boundary.length > end) break;
    pos = dash + 1;
    if (bytes[dash + 1] !== 45 || bytes[dash + 2] !== first) continue;
    if (dash !== start && bytes[dash - 1] !== 10) continue;
    let k = 1;
    while (k < boundary.length && bytes[dash + 2 + k] === boundary[k]) k++;
    if (k < boundary.length) continue;
    let after = dash + 2 + boundary.length;
    const close = bytes[after] === 45 && bytes[after + 1] === 45;
    if (close) after += 2;
    while (after < end && isWsp(bytes[after])) after++;
    if (after < end && bytes[after] !== 10 && bytes[after] !== 13) continue;
    if (partStart >= 0) {
      // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
      let partEnd = dash;
      if (partEnd > partStart && bytes[partEnd - 1] === 10) partEnd--;
      if (partEnd > partStart && bytes[partEnd - 1] === 13) partEnd--;
      parts.push([partStart, partEnd]);
    }
    if (close) return { parts, closed: true };
    if (parts.length >= MAX_PARTS) return { parts, closed: false };
    if (bytes[after] === 13) after++;
    if (bytes[after] === 10) after++;
    partStart = Math.min(after, end);
    pos = partStart;
  }
  if (partStart >= 0) parts.push([partStart, end]);
  return { parts, closed: false };
}

function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function parsePart(
  ctx: TreeContext,
  range: [number, number],
  place: { section: string; depth: number; defaultType: string },
): MimePart {
  const [start, end] = range;
  ctx.parts++;
  const header = parseHeaders(ctx.bytes, { start, end, positionOf: ctx.positionOf });
  if (header.problems.length > 0 && ctx.problems.length < 100) {
    ctx.problems.push(...header.problems);
  }
  const contentType = parseContentType(header.get("content-type"), place.defaultType);
  const init = { bytes: ctx.bytes, section: place.section, header, contentType, end };
  const deeper = place.depth < MAX_MIME_DEPTH && ctx.parts < MAX_PARTS;
  const problem = (what: string) => {
    if (ctx.problems.length >= 100) return;
    const position = ctx.positionOf(header.bodyOffset);
    ctx.problems.push(
      new MessageSyntaxError(`Cannot parse MIME part line ${position.line}: ${what}`, position),
    );
  };
  if (contentType.type === "multipart" && deeper) {
    const boundary = contentType.params.boundary;
    if (!boundary || boundary.length > MAX_BOUNDARY) {
      problem(
        boundary
          ? `boundary "${boundary.slice(0, 40)}..." is too long`
          : `no boundary for "${contentType.mediaType}"`,
      );
      return new MimePart(init);
    }
    const { parts, closed } = splitMultipart(ctx.bytes, latin1(boundary), [header.bodyOffset, end]);
    if (parts.length === 0) problem(`boundary "${boundary}" not found`);
    else if (!closed) problem(`boundary "${boundary}" is never closed`);
    const defaultType = contentType.subtype === "digest" ? "message/rfc822" : "text/plain";
    const children = parts.map((part, i) =>
      parsePart(ctx, part, {
        section: place.section ? `${place.section}.${i + 1}` : `${i + 1}`,
        depth: place.depth + 1,
        defaultType,
      })
    );
    return new MimePart({ ...init, children });
  }
  const encoding = (header.get("content-transfer-encoding") ?? "").trim().toLowerCase();
  const enclosed = contentType.mediaType === "message/rfc822" ||
    contentType.mediaType === "message/global";
  if (enclosed && deeper && encoding !== "base64" && encoding !== "quoted-printable") {
    const message = parsePart(ctx, [header.bodyOffset, end], {
      section: place.section,
      depth: place.depth + 1,
      defaultType: "text/plain",
    });
    return new MimePart({ ...init, message });
  }
  return new MimePart(init);
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
  return parsePart(ctx, [0, bytes.length], { section: "", depth: 0, defaultType: "text/plain" });
}
