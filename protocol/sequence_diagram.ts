/**
 * Draws a transcript as an SVG sequence diagram: the client's lifeline on the left, the server's
 * on the right, one arrow per line, time flowing down. Notes (connect, close) are dashed.
 *
 * @module
 */
import type { TranscriptEntry } from "./transcript.ts";

/** What the diagram needs of a transcript. */
export interface DiagramSource {
  /** The client's name, drawn over the left lifeline. */
  readonly clientName: string;
  /** The server's name, drawn over the right lifeline. */
  readonly serverName: string;
  /** The lines, oldest first. */
  readonly entries: readonly TranscriptEntry[];
}

const WIDTH = 720;
const LEFT = 110;
const RIGHT = WIDTH - 110;
const ROW = 24;
const TOP = 56;
const MAX_LABEL = 62;

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function colour(entry: TranscriptEntry): string {
  if (entry.side === "C") return "#1d4ed8";
  if (entry.side === "*") return "#6b7280";
  switch (entry.text[0]) {
    case "2":
      return "#15803d";
    case "3":
    case "+":
      return "#0f766e";
    case "4":
      return "#b45309";
    case "5":
      return "#b91c1c";
  }
  if (/^\S+ (NO|BAD) /.test(entry.text)) return "#b91c1c";
  // IMAP: untagged data (`* ...`) in one colour, the tagged answer that ends a command in another.
  return entry.text.startsWith("* ") ? "#7c3aed" : "#15803d";
}

function label(text: string): string {
  return text.length > MAX_LABEL ? text.slice(0, MAX_LABEL - 1) + "…" : text;
}

/**
 * Folds a message's text (the client's lines between `354` and the lone `.`, and the notes a
 * transcript left among them) into one entry, so that a diagram draws DATA as one arrow instead
 * of one per line. Other lines pass unchanged.
 *
 * @param entries A dialog's lines.
 * @returns The same dialog, each message text one `C:` entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupMessageText } from "./sequence_diagram.ts";
 *
 * const lines = groupMessageText([
 *   { side: "C", text: "DATA", at: 0 },
 *   { side: "S", text: "354 Go ahead", at: 0 },
 *   { side: "C", text: "Subject: hi", at: 0 },
 *   { side: "C", text: "", at: 0 },
 *   { side: "C", text: "Hello", at: 0 },
 *   { side: "C", text: ".", at: 0 },
 * ]);
 * assert.deepEqual(lines.map((e) => e.text), ["DATA", "354 Go ahead", "(message text: 3 lines)", "."]);
 * ```
 */
export function groupMessageText(entries: readonly TranscriptEntry[]): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  let text: TranscriptEntry[] | undefined;
  for (const entry of entries) {
    if (text && entry.side !== "S" && entry.text !== ".") {
      if (entry.side === "C") text.push(entry);
      continue;
    }
    if (text) {
      if (text.length > 0) {
        const n = text.length;
        out.push({
          side: "C",
          text: `(message text: ${n} line${n === 1 ? "" : "s"})`,
          at: text[0].at,
        });
      }
      text = undefined;
    }
    out.push(entry);
    if (entry.side === "S" && entry.text.startsWith("354")) text = [];
  }
  if (text && text.length > 0) {
    out.push({ side: "C", text: `(message text: ${text.length} lines)`, at: text[0].at });
  }
  return out;
}

/**
 * Renders the SVG text of a sequence diagram.
 *
 * @param source The two names and the lines.
 * @returns A standalone SVG document with a white background.
 *
 * @example Draw one exchange
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSequenceDiagram } from "./sequence_diagram.ts";
 *
 * const svg = renderSequenceDiagram({
 *   clientName: "crepes.fr",
 *   serverName: "hamburger.edu",
 *   entries: [
 *     { side: "S", text: "220 hamburger.edu", at: 0 },
 *     { side: "C", text: "HELO crepes.fr", at: 0 },
 *   ],
 * });
 * assert.match(svg, /^<svg /);
 * assert.match(svg, /① S: 220 hamburger.edu/);
 * assert.match(svg, /② C: HELO crepes.fr/);
 * ```
 */
export function renderSequenceDiagram(source: DiagramSource): string {
  const entries = groupMessageText(source.entries);
  const height = TOP + entries.length * ROW + 24;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" ` +
    `font-family="monospace" font-size="12">`,
    `<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" ` +
    `markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/>` +
    `</marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="20" text-anchor="middle" font-weight="bold">${
      esc(source.clientName)
    }</text>`,
    `<text x="${RIGHT}" y="20" text-anchor="middle" font-weight="bold">${
      esc(source.serverName)
    }</text>`,
    `<text x="${LEFT}" y="34" text-anchor="middle" fill="#6b7280">client (C:)</text>`,
    `<text x="${RIGHT}" y="34" text-anchor="middle" fill="#6b7280">server (S:)</text>`,
    `<line x1="${LEFT}" y1="40" x2="${LEFT}" y2="${height - 8}" stroke="#9ca3af"/>`,
    `<line x1="${RIGHT}" y1="40" x2="${RIGHT}" y2="${height - 8}" stroke="#9ca3af"/>`,
  ];
  entries.forEach((entry, i) => {
    const y = TOP + i * ROW + 12;
    const stroke = colour(entry);
    const step = i < 50 ? String.fromCodePoint(0x2460 + i) : `${i + 1}.`;
    if (entry.side === "*") {
      parts.push(
        `<line x1="${LEFT}" y1="${y}" x2="${RIGHT}" y2="${y}" stroke="${stroke}" ` +
          `stroke-dasharray="5,4"/>`,
        `<text x="${WIDTH / 2}" y="${y - 4}" text-anchor="middle" fill="${stroke}">${step} ${
          esc(label(entry.text))
        }</text>`,
      );
      return;
    }
    const [x1, x2] = entry.side === "C" ? [LEFT, RIGHT] : [RIGHT, LEFT];
    parts.push(
      `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${stroke}" ` +
        `stroke-width="1.5" marker-end="url(#a)"/>`,
      `<text x="${WIDTH / 2}" y="${
        y - 4
      }" text-anchor="middle" fill="${stroke}">${step} ${entry.side}: ${
        esc(label(entry.text))
      }</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}
