/**
 * Transcripts: the dialog of one SMTP or IMAP connection as `C:` and `S:` lines, the shape the
 * course prints. Sessions and clients record into a transcript; notebooks and the lab show it.
 *
 * @module
 */
import { renderSequenceDiagram } from "./sequence_diagram.ts";

/** Who wrote a transcript line: the client, the server, or `*` for a note (connect, close). */
export type TranscriptSide = "C" | "S" | "*";

/** One line of a dialog. */
export interface TranscriptEntry {
  /** Who wrote it. */
  side: TranscriptSide;
  /** The line without its CRLF. */
  text: string;
  /** When, in milliseconds since the epoch, by the recording clock (0 when unknown). */
  at: number;
}

/** Options of {@linkcode Transcript}. */
export interface TranscriptOptions {
  /** What the dialog is, for a heading: `"SMTP crepes.fr → hamburger.edu"`. @default "" */
  title?: string;
  /** Which hop it is, for finding it again: `"submission"`, `"relay"`, `"mx"`, `"imap"`. @default "" */
  role?: string;
  /** The name of the client's side in a diagram. @default "client" */
  client?: string;
  /** The name of the server's side in a diagram. @default "server" */
  server?: string;
  /** Lines kept at most; later lines are counted but dropped. @default 2000 */
  maxEntries?: number;
  /** Called with each line as it is recorded (the lab prints them live). @default nothing */
  onRecord?: (entry: TranscriptEntry) => void;
}

const SIDES: readonly TranscriptSide[] = ["C", "S", "*"];
const MULTI = SIDES.length;

/** How many lines `splitLines` finds, without making them. */
function lineCount(text: string): number {
  let count = 0, from = 0;
  for (let end; (end = text.indexOf("\r\n", from)) >= 0; from = end + 2) count++;
  return from < text.length ? count + 1 : count;
}

/** The lines of a wire text, without their CRLFs and without an empty last line. */
function splitLines(text: string): string[] {
  const lines = text.split("\r\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * A recorded dialog. `toString()` gives the `C:`/`S:` text; in a notebook it shows itself as a
 * sequence diagram beside a colour-coded table.
 *
 * @example Record and print the start of the course's dialog
 * ```ts
 * import assert from "node:assert/strict";
 * import { Transcript } from "./transcript.ts";
 *
 * const t = new Transcript({ client: "crepes.fr", server: "hamburger.edu" });
 * t.server("220 hamburger.edu");
 * t.client("HELO crepes.fr");
 * t.server("250 Hello crepes.fr, pleased to meet you");
 * assert.equal(t.toString(), [
 *   "S: 220 hamburger.edu",
 *   "C: HELO crepes.fr",
 *   "S: 250 Hello crepes.fr, pleased to meet you",
 * ].join("\n"));
 * assert.deepEqual(t.replyCodes(), [220, 250]);
 * ```
 */
export class Transcript {
  /** Heading for displays. */
  readonly title: string;
  /** Which hop it is (`"submission"`, `"relay"`, `"mx"`, `"imap"`), or `""`. */
  readonly role: string;
  /** The client's name in a diagram; a server sets it when the client names itself (HELO). */
  clientName: string;
  /** The server's name in a diagram. */
  serverName: string;
  // Kept column-wise, and a multi-line text (an SMTP reply as it went on the wire) as one slot
  // until someone reads the entries: an idle connection's transcript is a few strings and three
  // small arrays, not an object and a boxed time per line. A side code of MULTI or more marks a
  // slot of several lines.
  #sides: number[] = [];
  #texts: string[] = [];
  #at: number[] = [];
  #count = 0;
  // The entries made so far, for the slots before #shown: made when first read, then extended.
  #entries: TranscriptEntry[] | undefined;
  #shown = 0;
  #dropped = 0;
  #max: number;
  #onRecord?: (entry: TranscriptEntry) => void;

  /**
   * Creates an empty transcript.
   *
   * @param options Title and the names of the two sides.
   */
  constructor(options: TranscriptOptions = {}) {
    this.title = options.title ?? "";
    this.role = options.role ?? "";
    this.clientName = options.client ?? "client";
    this.serverName = options.server ?? "server";
    this.#max = options.maxEntries ?? 2000;
    this.#onRecord = options.onRecord;
  }

  /** The recorded lines, oldest first. */
  get entries(): readonly TranscriptEntry[] {
    const entries = this.#entries ??= [];
    for (; this.#shown < this.#sides.length; this.#shown++) {
      const i = this.#shown, code = this.#sides[i], at = this.#at[i];
      const side = SIDES[code % MULTI];
      if (code < MULTI) entries.push({ side, text: this.#texts[i], at });
      else for (const text of splitLines(this.#texts[i])) entries.push({ side, text, at });
    }
    return entries;
  }

  /** Lines that did not fit under `maxEntries`. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Appends a line.
   *
   * @param side Who wrote it.
   * @param text The line without CRLF.
   * @param at When, in milliseconds since the epoch.
   */
  record(side: TranscriptSide, text: string, at = 0): void {
    this.#onRecord?.({ side, text, at });
    if (this.#count >= this.#max) {
      this.#dropped++;
      return;
    }
    this.#keep(SIDES.indexOf(side), text, at, 1);
  }

  /**
   * Appends every line of a text as it went on the wire, each ending in CRLF (the last one may
   * not): the same entries as one `record` call per line, with no empty line for a trailing CRLF.
   *
   * @param side Who wrote it.
   * @param text One or more lines.
   * @param at When, in milliseconds since the epoch.
   *
   * @example A multi-line EHLO reply becomes one entry per line
   * ```ts
   * import assert from "node:assert/strict";
   * import { Transcript } from "./transcript.ts";
   *
   * const t = new Transcript();
   * t.recordLines("S", "250-hamburger.edu\r\n250 PIPELINING\r\n");
   * assert.deepEqual(t.lines("S"), ["250-hamburger.edu", "250 PIPELINING"]);
   * ```
   */
  recordLines(side: TranscriptSide, text: string, at = 0): void {
    if (this.#onRecord) {
      for (const line of splitLines(text)) this.#onRecord({ side, text: line, at });
    }
    const code = SIDES.indexOf(side), count = lineCount(text), room = this.#max - this.#count;
    if (count > room) {
      this.#dropped += count - room;
      for (const line of splitLines(text).slice(0, room)) this.#keep(code, line, at, 1);
    } else if (count > 0) {
      this.#keep(code + MULTI, text, at, count);
    }
  }

  #keep(code: number, text: string, at: number, lines: number): void {
    this.#sides.push(code);
    this.#texts.push(text);
    this.#at.push(at);
    this.#count += lines;
  }

  /**
   * Appends a client line.
   *
   * @param text The line without CRLF.
   * @param at When, in milliseconds since the epoch.
   */
  client(text: string, at = 0): void {
    this.record("C", text, at);
  }

  /**
   * Appends a server line.
   *
   * @param text The line without CRLF.
   * @param at When, in milliseconds since the epoch.
   */
  server(text: string, at = 0): void {
    this.record("S", text, at);
  }

  /**
   * Appends a note, such as a connection opening or closing.
   *
   * @param text What happened.
   * @param at When, in milliseconds since the epoch.
   */
  note(text: string, at = 0): void {
    this.record("*", text, at);
  }

  /**
   * The numeric reply codes the server sent, one per reply: SMTP's continuation lines
   * (`250-...`) are skipped, so a multi-line reply counts once.
   *
   * @returns The codes in order.
   */
  replyCodes(): number[] {
    const codes: number[] = [];
    for (const { side, text } of this.entries) {
      const match = side === "S" ? /^(\d{3})(?: |$)/.exec(text) : null;
      if (match) codes.push(Number(match[1]));
    }
    return codes;
  }

  /**
   * The lines one side wrote.
   *
   * @param side `"C"` or `"S"`.
   * @returns Their texts in order.
   */
  lines(side: TranscriptSide): string[] {
    return this.entries.filter((e) => e.side === side).map((e) => e.text);
  }

  /** The dialog as `C: ...`, `S: ...` and `*  ...` lines. */
  toString(): string {
    const lines = this.entries.map((e) => e.side === "*" ? `*  ${e.text}` : `${e.side}: ${e.text}`);
    if (this.#dropped > 0) lines.push(`*  (${this.#dropped} more lines not kept)`);
    return lines.join("\n");
  }

  /** The notebook view: a sequence diagram and a colour-coded table, plus plain text. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return {
      "text/html": renderTranscriptHtml(this),
      "text/plain": this.toString(),
    };
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML and SVG.
 *
 * @param text Any text.
 * @returns The text with `& < > " '` escaped.
 *
 * @example Escape an address
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "./transcript.ts";
 *
 * assert.equal(escapeHtml("MAIL FROM:<alice@crepes.fr>"), "MAIL FROM:&lt;alice@crepes.fr&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Colour of a line in the table: blue for the client, by reply class for the server. */
function lineColour(entry: TranscriptEntry): string {
  if (entry.side === "C") return "#1d4ed8";
  if (entry.side === "*") return "#6b7280";
  const first = entry.text[0];
  if (first === "2" || entry.text.startsWith("* ") || / OK /.test(entry.text)) return "#15803d";
  if (first === "3" || entry.text.startsWith("+")) return "#0f766e";
  if (first === "4") return "#b45309";
  if (first === "5" || / (NO|BAD) /.test(entry.text)) return "#b91c1c";
  return "#111827";
}

/**
 * Renders a transcript as HTML: a heading, the sequence diagram as an SVG image, and a table of
 * its lines. The SVG sits in an `<img>` data URL so that Jupyter shows it even in an untrusted
 * notebook.
 *
 * @param transcript The dialog.
 * @returns An HTML fragment with inline styles only.
 *
 * @example Render a short dialog
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderTranscriptHtml, Transcript } from "./transcript.ts";
 *
 * const t = new Transcript({ title: "SMTP" });
 * t.server("220 hamburger.edu");
 * const html = renderTranscriptHtml(t);
 * assert.match(html, /data:image\/svg\+xml;base64,/);
 * assert.match(html, /220 hamburger.edu/);
 * ```
 */
export function renderTranscriptHtml(transcript: Transcript): string {
  const svg = renderSequenceDiagram(transcript);
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  const rows = transcript.entries.map((e) =>
    `<tr><td style="color:#6b7280;padding:0 8px 0 0">${e.side}:</td>` +
    `<td style="color:${lineColour(e)};white-space:pre">${escapeHtml(e.text)}</td></tr>`
  ).join("");
  const heading = transcript.title
    ? `<div style="font-weight:bold;margin:4px 0">${escapeHtml(transcript.title)}</div>`
    : "";
  return `<figure style="margin:0">${heading}` +
    `<img alt="sequence diagram" src="data:image/svg+xml;base64,${btoa(binary)}"/>` +
    `<details><summary>C:/S: lines</summary>` +
    `<table style="font-family:monospace;font-size:12px;background:#fff">${rows}</table>` +
    `</details></figure>`;
}

/** Facts about a new connection, given to a {@linkcode TranscriptFactory}. */
export interface ConnectionInfo {
  /** The protocol served or spoken: `"SMTP"`, `"IMAP"`. */
  protocol: string;
  /** The client's address as `host:port`. */
  remote: string;
  /** The server's address as `host:port`. */
  local: string;
  /** The other side's name when it is known, such as the domain a relay delivers to. */
  peer?: string;
}

/**
 * Decides whether a new connection is recorded: returns a fresh transcript to record into, or
 * `undefined` to record nothing (the fast path). Servers and clients accept one in their options.
 *
 * @example Record every connection into a list
 * ```ts
 * import assert from "node:assert/strict";
 * import { Transcript, type TranscriptFactory } from "./transcript.ts";
 *
 * const kept: Transcript[] = [];
 * const factory: TranscriptFactory = (info) => {
 *   const t = new Transcript({ title: `${info.protocol} ${info.remote}` });
 *   kept.push(t);
 *   return t;
 * };
 * factory({ protocol: "SMTP", remote: "127.0.0.1:5000", local: "127.0.0.1:25" });
 * assert.equal(kept[0].title, "SMTP 127.0.0.1:5000");
 * ```
 */
export type TranscriptFactory = (info: ConnectionInfo) => Transcript | undefined;
