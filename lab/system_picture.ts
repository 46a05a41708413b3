/**
 * The whole mail system of the course on one picture: two user agents, two mail servers with
 * their queue and mailboxes, and each hop labelled with its protocol and port. Drawn before a
 * run (the plan) and after it (each hop that carried the message marked, with what it said).
 *
 * @module
 */
import { escapeHtml } from "../protocol/transcript.ts";

/** What one hop of the picture shows once it happened. */
export interface HopState {
  /** Whether the hop carried the message. */
  done: boolean;
  /** A short note, such as `250 2.0.0 queued` or `FETCH 1`. */
  note?: string;
}

/** What the picture shows. */
export interface SystemPictureOptions {
  /** The sending user and domain. @default alice, crepes.fr */
  sender?: { user: string; domain: string };
  /** The receiving user and domain. @default bob, hamburger.edu */
  receiver?: { user: string; domain: string };
  /** The ports to print on the hops. @default the course's: 587, 25, 143 */
  ports?: { submission: number | string; smtp: number | string; imap: number | string };
  /** Each hop's state once a run happened; unset hops are drawn as the plan. */
  hops?: { submission?: HopState; relay?: HopState; access?: HopState };
}

const W = 1000;
const H = 270;

/**
 * The picture as a standalone SVG.
 *
 * @param options Names, ports and what happened.
 * @returns The SVG text.
 *
 * @example The plan, then the first hop done
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemPicture } from "./system_picture.ts";
 *
 * assert.match(systemPicture(), /SMTP submission/);
 * const after = systemPicture({ hops: { submission: { done: true, note: "250 queued" } } });
 * assert.match(after, /① ✔ 250 queued/);
 * ```
 */
export function systemPicture(options: SystemPictureOptions = {}): string {
  const sender = options.sender ?? { user: "alice", domain: "crepes.fr" };
  const receiver = options.receiver ?? { user: "bob", domain: "hamburger.edu" };
  const ports = options.ports ?? { submission: 587, smtp: 25, imap: 143 };
  const t = (x: number, y: number, text: string, extra = "") =>
    `<text x="${x}" y="${y}" text-anchor="middle" ${extra}>${escapeHtml(text)}</text>`;
  const box = (x: number, y: number, w: number, h: number, fill: string) =>
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8" fill="${fill}" stroke="#475569"/>`;
  const hops = options.hops ?? {};
  const colour = (state?: HopState) => (state?.done ? "#15803d" : "#64748b");
  // An arrow between two boxes, with its number, protocol and port above it.
  const hop = (
    n: string,
    x1: number,
    x2: number,
    protocol: string,
    port: string,
    state?: HopState,
  ) =>
    `<line x1="${x1}" y1="135" x2="${x2}" y2="135" stroke="${colour(state)}" stroke-width="2"` +
    `${state?.done ? "" : ` stroke-dasharray="6,4"`} marker-end="url(#arrow)"/>` +
    t((x1 + x2) / 2, 104, `${n} ${protocol}`, `fill="${colour(state)}" font-size="12"`) +
    t((x1 + x2) / 2, 120, port, `fill="${colour(state)}" font-size="11"`);
  const legend = ([["①", hops.submission], ["②", hops.relay], ["③", hops.access]] as const)
    .filter(([, state]) => state)
    .map(([n, state]) => `${n} ${state!.done ? "✔" : "…"} ${state!.note ?? ""}`.trim());
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="13">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" ` +
    `orient="auto"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    box(10, 105, 130, 60, "#eef2ff"),
    t(75, 130, `${sender.user}'s user agent`),
    t(75, 148, "(사용자 에이전트)", `font-size="11" fill="#475569"`),
    box(270, 70, 180, 130, "#f1f5f9"),
    t(360, 92, sender.domain, `font-weight="bold"`),
    t(360, 110, "mail server (메일 서버)", `font-size="11" fill="#475569"`),
    box(295, 140, 130, 45, "#fef3c7"),
    t(360, 167, "message queue (큐)", `font-size="12"`),
    box(580, 70, 180, 130, "#f1f5f9"),
    t(670, 92, receiver.domain, `font-weight="bold"`),
    t(670, 110, "mail server (메일 서버)", `font-size="11" fill="#475569"`),
    box(600, 140, 140, 45, "#dcfce7"),
    t(670, 167, `${receiver.user}'s mailbox (메일함)`, `font-size="12"`),
    box(860, 105, 130, 60, "#eef2ff"),
    t(925, 130, `${receiver.user}'s user agent`),
    t(925, 148, "(사용자 에이전트)", `font-size="11" fill="#475569"`),
    hop("①", 140, 270, "SMTP submission", `port ${ports.submission}`, hops.submission),
    hop("②", 450, 580, "SMTP", `port ${ports.smtp}`, hops.relay),
    hop("③", 860, 760, "IMAP (or HTTP)", `port ${ports.imap}`, hops.access),
    t(
      W / 2,
      228,
      "push: SMTP towards the recipient · pull: IMAP or HTTP, opened by the reader",
      `font-size="12" fill="#475569"`,
    ),
    legend.length ? t(W / 2, 252, legend.join("  ·  "), `font-size="12" fill="#15803d"`) : "",
    `</svg>`,
  ].join("");
}

/**
 * The picture wrapped for a notebook: an `<img>` with a data URL (JupyterLab renders HTML from
 * an untrusted notebook but not raw SVG), with a text line for plain outputs.
 *
 * @param options As for {@linkcode systemPicture}.
 * @returns A bundle for `Deno.jupyter.display(..., { raw: true })`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemPictureDisplay } from "./system_picture.ts";
 *
 * assert.match(systemPictureDisplay()["text/html"], /^<img src="data:image\/svg\+xml;base64,/);
 * ```
 */
export function systemPictureDisplay(options: SystemPictureOptions = {}): Record<string, string> {
  const svg = systemPicture(options);
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const h = options.hops ?? {};
  const mark = (s?: HopState) => (s ? (s.done ? "✔" : "…") : " ");
  return {
    "text/plain": `${mark(h.submission)} agent → sender's server (SMTP)  ` +
      `${mark(h.relay)} server → server (SMTP)  ${mark(h.access)} mailbox → reader (IMAP/HTTP)`,
    "text/html": `<img src="data:image/svg+xml;base64,${btoa(binary)}" alt="The mail system: ` +
      `user agents, mail servers, queue, mailbox, and the protocols between them">`,
  };
}
