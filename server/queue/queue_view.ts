/**
 * The operator's view of a queue, in the spirit of `mailq`: one row per message with its sender,
 * recipients, status, attempts, next attempt and last error; and one message in detail with its
 * attempts. Both print as text and show as tables in a notebook.
 *
 * @module
 */
import { escapeHtml } from "../../protocol/transcript.ts";
import { describeOutcome } from "./delivery.ts";
import { formatSpan } from "./entry_state.ts";
import type { QueuedRecipient, QueueEntry } from "./spool.ts";

/** Options of {@linkcode QueueView} and {@linkcode EntryView}. */
export interface QueueViewOptions {
  /** The time now, for "in 30m". @default the entries' latest time */
  now?: number;
  /** Shown above the table. @default "Queue" */
  title?: string;
}

/** One message as the queue's table shows it. */
export interface QueueRow {
  /** The queue identifier. */
  id: string;
  /** The server whose queue holds it, when the view covers several. */
  server?: string;
  /** The envelope sender, `<>` for a bounce. */
  from: string;
  /** The recipients still pending, or all of them when none is. */
  to: string;
  /** `pending 1, delivered 2` and so on. */
  status: string;
  /** Attempts so far. */
  attempts: number;
  /** When the next attempt is due, with how far ahead. */
  nextAttempt: string;
  /** The latest outcome of a pending recipient, in words (its step and reply or error). */
  lastError: string;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

function whenNext(entry: QueueEntry, now: number): string {
  const ahead = entry.nextAttemptAt - now;
  return ahead <= 0
    ? `${time(entry.nextAttemptAt)} (due)`
    : `${time(entry.nextAttemptAt)} (in ${formatSpan(ahead)})`;
}

function row(entry: QueueEntry & { server?: string }, now: number): QueueRow {
  const counts = new Map<string, number>();
  for (const r of entry.recipients) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const pending = entry.recipients.filter((r) => r.status === "pending");
  return {
    id: entry.id,
    ...(entry.server ? { server: entry.server } : {}),
    from: entry.from || "<>",
    to: (pending.length > 0 ? pending : entry.recipients).map((r) => r.address).join(", "),
    status: [...counts].map(([status, n]) => `${status} ${n}`).join(", "),
    attempts: entry.attempts,
    nextAttempt: whenNext(entry, now),
    lastError: describeLast(pending.find((r) => r.last)),
  };
}

// What became of a recipient, in words: its last outcome, and the queue giving up on it.
function describeLast(r: QueuedRecipient | undefined): string {
  if (!r?.last) return "";
  const last = describeOutcome(r.last);
  if (!r.gaveUp) return last;
  return `gave up after ${r.gaveUp.attempts} attempts in ${formatSpan(r.gaveUp.waited)}; ${last}`;
}

function table(title: string, head: string[], rows: string[][]): Record<string, string> {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const plain = [title, line(head), ...rows.map(line)].join("\n");
  const cell = (c: string, tag: string) =>
    `<${tag} style="text-align:left;font-family:monospace">${escapeHtml(c)}</${tag}>`;
  const html = `<div><b>${escapeHtml(title)}</b><table>` +
    `<tr>${head.map((h) => cell(h, "th")).join("")}</tr>` +
    rows.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("") +
    `</table></div>`;
  return { "text/plain": plain, "text/html": html };
}

/**
 * The queue as a table: what `deno task queue list` prints and a notebook shows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QueueView } from "./queue_view.ts";
 *
 * const view = new QueueView([{
 *   id: "Q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 1_800_000, attempts: 1,
 *   size: 10, history: [],
 *   recipients: [{ address: "bob@hamburger.edu", status: "pending",
 *     last: { status: "deferred", step: "connect", error: "Connection refused", at: 0 } }],
 * }], { now: 0 });
 * assert.equal(view.rows[0].nextAttempt, "1970-01-01 00:30:00 (in 30m)");
 * assert.equal(view.rows[0].lastError, "at connect: Connection refused");
 * assert.match(view.toString(), /Q1 +alice@crepes\.fr +bob@hamburger\.edu +pending 1 +1/);
 * ```
 */
export class QueueView {
  /** One row per message, oldest first. */
  readonly rows: readonly QueueRow[];
  #title: string;

  /**
   * Makes the view.
   *
   * @param entries The queued messages, each with the server holding it when there are several.
   * @param options The time now and a title.
   */
  constructor(entries: (QueueEntry & { server?: string })[], options: QueueViewOptions = {}) {
    const now = options.now ?? Math.max(0, ...entries.map((e) => e.lastAttemptAt ?? e.createdAt));
    this.rows = entries.map((e) => row(e, now));
    this.#title = options.title ?? "Queue";
  }

  #cells(): { head: string[]; rows: string[][] } {
    const servers = this.rows.some((r) => r.server);
    const head = [
      "id",
      ...(servers ? ["server"] : []),
      "from",
      "to",
      "status",
      "attempts",
      "next attempt (UTC)",
      "last error",
    ];
    const rows = this.rows.map((r) => [
      r.id,
      ...(servers ? [r.server ?? ""] : []),
      r.from,
      r.to,
      r.status,
      String(r.attempts),
      r.nextAttempt,
      r.lastError,
    ]);
    return { head, rows };
  }

  /** The table as text, or a line saying the queue is empty. */
  toString(): string {
    if (this.rows.length === 0) return `${this.#title}: empty`;
    const { head, rows } = this.#cells();
    return table(`${this.#title}: ${this.rows.length} message(s)`, head, rows)["text/plain"];
  }

  /** A notebook shows the table. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    if (this.rows.length === 0) {
      return { "text/plain": this.toString(), "text/html": `<i>${this.toString()}</i>` };
    }
    const { head, rows } = this.#cells();
    return table(`${this.#title}: ${this.rows.length} message(s)`, head, rows);
  }
}

/**
 * One queued message in detail (`deno task queue show ID`): its recipients with their states
 * and last errors, and its attempts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EntryView } from "./queue_view.ts";
 *
 * const view = new EntryView({
 *   id: "Q1", from: "alice@crepes.fr", createdAt: 0, nextAttemptAt: 1_800_000, attempts: 1, size: 10,
 *   recipients: [{ address: "bob@hamburger.edu", status: "pending",
 *     last: { status: "deferred", step: "connect", error: "Connection refused", at: 0 } }],
 *   history: [{ at: 0, destination: "hamburger.edu", result: "bob@hamburger.edu: deferred (at connect: Connection refused)" }],
 * }, { now: 0 });
 * assert.match(view.toString(), /bob@hamburger\.edu +pending +at connect: Connection refused/);
 * assert.match(view.toString(), /hamburger\.edu +bob@hamburger\.edu: deferred/);
 * ```
 */
export class EntryView {
  /** The message's state. */
  readonly entry: QueueEntry;
  #now: number;

  /**
   * Makes the view.
   *
   * @param entry The queued message.
   * @param options The time now.
   */
  constructor(entry: QueueEntry, options: QueueViewOptions = {}) {
    this.entry = entry;
    this.#now = options.now ?? entry.lastAttemptAt ?? entry.createdAt;
  }

  #parts(): Record<string, string>[] {
    const e = this.entry;
    const summary = [
      ["id", e.id],
      ["from", e.from || "<>"],
      ["queued", time(e.createdAt)],
      ["size", `${e.size} bytes`],
      ["attempts", String(e.attempts)],
      ["next attempt", whenNext(e, this.#now)],
    ];
    const recipients = e.recipients.map((r) => [
      r.address,
      r.status,
      describeLast(r),
      r.last?.remote ?? "",
    ]);
    const attempts = e.history.map((h) => [time(h.at), h.destination, h.result]);
    return [
      table(`Message ${e.id}`, ["field", "value"], summary),
      table("Recipients", ["recipient", "status", "last reply or error", "server"], recipients),
      table("Attempts", ["at (UTC)", "destination", "result"], attempts),
    ];
  }

  /** The message as text. */
  toString(): string {
    return this.#parts().map((p) => p["text/plain"]).join("\n\n");
  }

  /** A notebook shows three tables: the message, its recipients, its attempts. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const parts = this.#parts();
    return {
      "text/plain": this.toString(),
      "text/html": parts.map((p) => p["text/html"]).join(""),
    };
  }
}
