/**
 * A bounded log of the lab's events that shows itself as a table in a notebook.
 *
 * @module
 */
import { describeEvent, type MailEvent } from "../server/events.ts";
import { escapeHtml } from "../protocol/transcript.ts";

/** Options of {@linkcode EventLog}. */
export interface EventLogOptions {
  /** Events kept, newest last. @default 1000 */
  max?: number;
  /**
   * Which events to keep and show; the others (by default each command and reply line, which the
   * transcripts hold already) only go to those who follow the log live. @default all but command
   * and reply
   */
  show?: (event: MailEvent) => boolean;
}

/**
 * Keeps the latest events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EventLog } from "./event_log.ts";
 *
 * const log = new EventLog({ max: 2 });
 * for (const uid of [1, 2, 3]) {
 *   log.add({ domain: "hamburger.edu", at: 0, type: "stored", user: "bob", mailbox: "INBOX", uid, from: "" });
 * }
 * assert.deepEqual(log.events.map((e) => e.type === "stored" && e.uid), [2, 3]);
 * ```
 */
export class EventLog {
  #events: MailEvent[] = [];
  #listeners = new Set<(event: MailEvent) => void>();
  #max: number;
  #show: (event: MailEvent) => boolean;

  /**
   * Creates an empty log.
   *
   * @param options Size and filter.
   */
  constructor(options: EventLogOptions = {}) {
    this.#max = options.max ?? 1000;
    this.#show = options.show ?? ((e) => e.type !== "command" && e.type !== "reply");
  }

  /** The events kept, oldest first. */
  get events(): readonly MailEvent[] {
    return this.#events;
  }

  /**
   * Adds an event: tells those who follow the log, and keeps it (dropping the oldest past the
   * limit) when it is one to show.
   *
   * @param event The event.
   */
  add(event: MailEvent): void {
    if (this.#show(event)) {
      this.#events.push(event);
      if (this.#events.length > this.#max) this.#events.shift();
    }
    for (const listener of this.#listeners) listener(event);
  }

  /** Whether anyone follows the log live (see {@linkcode EventLog.subscribe}). */
  get followed(): boolean {
    return this.#listeners.size > 0;
  }

  /**
   * Follows the events as they are added (the lab's page shows them live).
   *
   * @param listener Told of each event, command and reply lines included.
   * @returns A function that stops following.
   */
  subscribe(listener: (event: MailEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets every event. */
  clear(): void {
    this.#events = [];
  }

  /** The shown events as a table: time, domain, what happened. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const rows = this.#events.map((e) => {
      const time = new Date(e.at).toISOString().slice(11, 19);
      const text = describeEvent(e).slice(e.domain.length).trim();
      return [time, e.domain, text];
    });
    return {
      "text/plain": rows.map((r) => r.join("  ")).join("\n"),
      "text/html": `<table style="font-family:monospace;font-size:12px">` +
        `<tr><th>time (UTC)</th><th>server</th><th>event</th></tr>` +
        rows.map((r) =>
          `<tr>${r.map((c) => `<td style="text-align:left">${escapeHtml(c)}</td>`).join("")}</tr>`
        ).join("") +
        `</table>`,
    };
  }
}
