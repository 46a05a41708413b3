/**
 * What a mail server reports as it works, for the lab's live view and for notebooks: connections,
 * each command and reply, messages stored, queued, attempted, delivered and bounced.
 *
 * @module
 */
import { describeOutcome } from "./queue/delivery.ts";
import { formatSpan } from "./queue/entry_state.ts";
import type { QueueEvent } from "./queue/queue.ts";

/** What happened, with when (milliseconds since the epoch). */
export type ServerEvent =
  | { type: "connection"; protocol: string; remote: string; local: string; at: number }
  | { type: "command" | "reply"; protocol: string; remote: string; text: string; at: number }
  | { type: "stored"; user: string; mailbox: string; uid: number; from: string; at: number }
  | { type: "bounced"; id: string; to: string; at: number }
  | { type: "fault"; text: string; at: number }
  | {
    type: "login-failed";
    service: string;
    address: string;
    user: string;
    locked: boolean;
    at: number;
  }
  | QueueEvent;

/** One event of a mail server: what happened, and the domain of the server it happened at. */
export type MailEvent = ServerEvent & { domain: string };

/**
 * Formats an event as one line of text, as the lab prints it.
 *
 * @param event The event.
 * @returns A line such as `hamburger.edu stored bob INBOX uid 1 from alice@crepes.fr`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeEvent } from "./events.ts";
 *
 * assert.equal(
 *   describeEvent({ domain: "hamburger.edu", at: 0, type: "stored", user: "bob", mailbox: "INBOX", uid: 1, from: "alice@crepes.fr" }),
 *   "hamburger.edu  stored for bob in INBOX (uid 1), from alice@crepes.fr",
 * );
 * assert.equal(
 *   describeEvent({ domain: "crepes.fr", at: 0, type: "attempt", id: "Q1", destination: "hamburger.edu", attempt: 2,
 *     outcomes: [{ address: "bob@hamburger.edu", status: "deferred", step: "connect", error: "Connection refused" }] }),
 *   "crepes.fr  attempt 2 of Q1 to hamburger.edu: bob@hamburger.edu deferred (at connect: Connection refused)",
 * );
 * assert.equal(
 *   describeEvent({ domain: "crepes.fr", at: 0, type: "gave-up", id: "Q1", failed: ["bob@hamburger.edu"], attempts: 49, waited: 86_400_000 }),
 *   "crepes.fr  gave up on Q1 for bob@hamburger.edu after 49 attempts in 1d",
 * );
 * ```
 */
export function describeEvent(event: MailEvent): string {
  const d = event.domain;
  switch (event.type) {
    case "connection":
      return `${d}  ${event.protocol} connection from ${event.remote}`;
    case "command":
      return `${d}  ${event.protocol} C: ${event.text}`;
    case "reply":
      return `${d}  ${event.protocol} S: ${event.text}`;
    case "stored":
      return `${d}  stored for ${event.user} in ${event.mailbox} (uid ${event.uid}), from ${
        event.from || "<>"
      }`;
    case "queued":
      return `${d}  queued ${event.id} from ${event.from || "<>"} to ${event.to.join(", ")}`;
    case "attempt":
      return `${d}  attempt ${event.attempt} of ${event.id} to ${event.destination}: ` +
        event.outcomes.map((o) => `${o.address} ${o.status} (${describeOutcome(o)})`).join("; ");
    case "deferred":
      return `${d}  deferred ${event.id}, next attempt ${
        new Date(event.nextAttemptAt).toISOString()
      }`;
    case "done":
      return `${d}  done ${event.id}: delivered to ${event.delivered.length}, failed ${event.failed.length}`;
    case "gave-up": {
      const after = `${event.attempts} attempts in ${formatSpan(event.waited)}`;
      return `${d}  gave up on ${event.id} for ${event.failed.join(", ")} after ${after}`;
    }
    case "bounced":
      return `${d}  bounce for ${event.id} sent to ${event.to}`;
    case "fault":
      return `${d}  fault: ${event.text}`;
    case "login-failed":
      return `${d}  ${event.service} login ${
        event.locked ? "refused (locked)" : "failed"
      } for ${event.user} from ${event.address}`;
  }
}
