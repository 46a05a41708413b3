/**
 * Pictures of a message for notebooks: {@linkcode MessageView} shows the bytes with every CR, LF
 * and the blank line made visible; {@linkcode MimeTreeView} shows the MIME tree with IMAP section
 * numbers. Both implement `[Symbol.for("Jupyter.display")]()`, so a notebook cell that displays
 * them draws HTML; the library itself never touches `Deno.jupyter`.
 *
 * @module
 */

import { decodeHeaderBytes, utf8Bytes } from "./_bytes.ts";
import type { MimePart } from "./mime_part.ts";
import { parseHeaders } from "./header.ts";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A rendering for Jupyter: HTML and plain text. */
export interface DisplayData {
  /** The HTML rendering. */
  "text/html": string;
  /** The plain-text rendering. */
  "text/plain": string;
}

/** Options of {@linkcode MessageView}. */
export interface MessageViewOptions {
  /**
   * Show at most this many lines; the rest is counted, not shown.
   * @default 40
   */
  maxLines?: number;
}

/** One line of a message as the view shows it. */
export interface ViewLine {
  /** The line's text (bytes decoded as UTF-8 where valid), without its line end. */
  text: string;
  /** How the line ends: `CRLF`, a bare `LF`, or `""` at the end of the message. */
  end: "CRLF" | "LF" | "";
  /** Which region the line belongs to. */
  region: "header" | "blank" | "body";
}

const STYLE = {
  header: "color:#1d4ed8",
  blank: "background:#fde68a",
  body: "color:#166534",
  marker: "color:#9ca3af",
};

/**
 * The bytes of a message with the structure made visible: header lines, the blank line (빈 줄)
 * that ends the header, and the body, each line ending in a visible `␍␊`.
 *
 * @example See where the header ends
 * ```ts
 * import assert from "node:assert/strict";
 * import { MessageView } from "./view.ts";
 *
 * const view = new MessageView("Subject: hi\r\n\r\nHello\r\n");
 * assert.deepEqual(view.lines.map((l) => l.region), ["header", "blank", "body"]);
 * const shown = view.display();
 * assert.match(shown["text/plain"], /Subject: hi␍␊\n␍␊\nHello␍␊/);
 * ```
 */
export class MessageView {
  /** The lines of the message, in order. */
  readonly lines: readonly ViewLine[];
  /** The size of the message in bytes. */
  readonly size: number;
  #maxLines: number;

  /**
   * Reads a message's lines.
   *
   * @param message The message bytes, or text encoded as UTF-8.
   * @param options How many lines to show.
   */
  constructor(message: Uint8Array | string, options: MessageViewOptions = {}) {
    const bytes = typeof message === "string" ? utf8Bytes(message) : message;
    this.size = bytes.length;
    this.#maxLines = options.maxLines ?? 40;
    const bodyOffset = parseHeaders(bytes).bodyOffset;
    const lines: ViewLine[] = [];
    let start = 0;
    while (start < bytes.length) {
      const lf = bytes.indexOf(10, start);
      const stop = lf < 0 ? bytes.length : lf;
      const crlf = lf > start && bytes[lf - 1] === 13;
      const text = decodeHeaderBytes(bytes.subarray(start, crlf ? stop - 1 : stop));
      const region = start >= bodyOffset
        ? "body"
        : text === "" && lf + 1 === bodyOffset
        ? "blank"
        : "header";
      lines.push({ text, end: lf < 0 ? "" : crlf ? "CRLF" : "LF", region });
      start = lf < 0 ? bytes.length : lf + 1;
    }
    this.lines = lines;
  }

  /** How a Jupyter notebook draws the view: it calls {@linkcode MessageView.display}. */
  [Symbol.for("Jupyter.display")](): DisplayData {
    return this.display();
  }

  /**
   * Draws the view.
   *
   * @returns HTML for the notebook and plain text elsewhere.
   */
  display(): DisplayData {
    const shown = this.lines.slice(0, this.#maxLines);
    const hidden = this.lines.length - shown.length;
    const mark = (end: ViewLine["end"]) => end === "CRLF" ? "␍␊" : end === "LF" ? "␊" : "";
    const plain = shown.map((l) => l.text + mark(l.end));
    const html = shown.map((l) => {
      const note = l.region === "blank" ? "  ← blank line: the header ends here" : "";
      return `<span style="${STYLE[l.region]}">${escapeHtml(l.text)}</span>` +
        `<span style="${STYLE.marker}">${mark(l.end)}${escapeHtml(note)}</span>`;
    });
    if (hidden > 0) {
      plain.push(`… ${hidden} more lines`);
      html.push(`<span style="${STYLE.marker}">… ${hidden} more lines</span>`);
    }
    return {
      "text/plain": plain.join("\n"),
      "text/html": `<pre style="line-height:1.35">${html.join("\n")}</pre>` +
        `<div style="${STYLE.marker}">${this.size} bytes, ${this.lines.length} lines</div>`,
    };
  }
}

/** One row of a {@linkcode MimeTreeView}. */
export interface TreeRow {
  /** The IMAP section number (`""` for the whole message). */
  section: string;
  /** How deep the part is nested. */
  depth: number;
  /** `type/subtype`. */
  mediaType: string;
  /** The transfer encoding. */
  encoding: string;
  /** The encoded body size in bytes. */
  size: number;
  /** The file name, when there is one. */
  filename?: string;
}

/**
 * The MIME tree of a message as an indented table: section number, type, encoding, size.
 *
 * @example Draw the tree of a two-part message
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMessage } from "./parse.ts";
 * import { MimeTreeView } from "./view.ts";
 *
 * const message = parseMessage(
 *   'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n\r\nhi\r\n--b--\r\n',
 * );
 * const view = new MimeTreeView(message.root);
 * assert.deepEqual(view.rows.map((r) => r.section), ["", "1"]);
 * assert.match(view.display()["text/plain"], /1 +text\/plain/);
 * ```
 */
export class MimeTreeView {
  /** The parts in document order, with their depth. */
  readonly rows: readonly TreeRow[];

  /**
   * Walks a tree.
   *
   * @param root The root part (`parseMessage(...).root`).
   */
  constructor(root: MimePart) {
    const rows: TreeRow[] = [];
    const visit = (part: MimePart, depth: number) => {
      rows.push({
        section: part.section,
        depth,
        mediaType: part.mediaType,
        encoding: part.encoding,
        size: part.size,
        filename: part.filename,
      });
      if (part.message) visit(part.message, depth + 1);
      for (const child of part.children) visit(child, depth + 1);
    };
    visit(root, 0);
    this.rows = rows;
  }

  /** How a Jupyter notebook draws the tree: it calls {@linkcode MimeTreeView.display}. */
  [Symbol.for("Jupyter.display")](): DisplayData {
    return this.display();
  }

  /**
   * Draws the tree.
   *
   * @returns HTML for the notebook and plain text elsewhere.
   */
  display(): DisplayData {
    const label = (r: TreeRow) => r.section || "(message)";
    const plain = this.rows.map((r) =>
      `${"  ".repeat(r.depth)}${label(r).padEnd(10)} ${r.mediaType.padEnd(26)} ${
        r.encoding.padEnd(17)
      } ` +
      `${r.size} bytes${r.filename ? ` "${r.filename}"` : ""}`
    );
    const cells = this.rows.map((r) =>
      `<tr><td style="padding-left:${r.depth * 1.5}em"><b>${escapeHtml(label(r))}</b></td>` +
      `<td>${escapeHtml(r.mediaType)}</td><td>${escapeHtml(r.encoding)}</td>` +
      `<td style="text-align:right">${r.size}</td><td>${escapeHtml(r.filename ?? "")}</td></tr>`
    );
    return {
      "text/plain": plain.join("\n"),
      "text/html": "<table><tr><th>section</th><th>type</th><th>encoding</th><th>bytes</th>" +
        `<th>file</th></tr>${cells.join("")}</table>`,
    };
  }
}
