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
  #entries: TranscriptEntry[] = [];
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
    return this.#entries;
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
    const entry = { side, text, at };
    this.#onRecord?.(entry);
    if (this.#entries.length >= this.#max) {
      this.#dropped++;
      return;
    }
    this.#entries.push(entry);
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
    for (const { side, text } of this.#entries) {
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
    return this.#entries.filter((e) => e.side === side).map((e) => e.text);
  }

  /** The dialog as `C: ...`, `S: ...` and `*  ...` lines. */
  toString(): string {
    const lines = this.#entries.map((e) =>
      e.side === "*" ? `*  ${e.text}` : `${e.side}: ${e.text}`
    );
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
