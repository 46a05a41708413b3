/**
 * The spool: where the outbound queue keeps each message and its delivery state until every
 * recipient is done. Two implementations: {@linkcode MemorySpool} and `DiskSpool`.
 *
 * @module
 */
import type { OutcomeFacts } from "./delivery.ts";

/** Where one recipient of a queued message stands. */
export type RecipientStatus = "pending" | "delivered" | "failed";

/**
 * The last outcome of a recipient, as the spool keeps it: the step, the reply (structured) or the
 * error, the server that answered, and when.
 */
export interface RecordedOutcome extends OutcomeFacts {
  /** The server that answered, as `host:port`, when one did. */
  remote?: string;
  /** When the attempt ended, in milliseconds since the epoch. */
  at: number;
}

/** The queue gave up on a recipient: the message waited as long as the queue allows. */
export interface GiveUp {
  /** The attempts made, the last one included. */
  attempts: number;
  /** How long the message had waited, in milliseconds. */
  waited: number;
}

/** One recipient of a queued message. */
export interface QueuedRecipient {
  /** The address. */
  address: string;
  /** Pending until delivered, or failed for good. */
  status: RecipientStatus;
  /**
   * What the last attempt learned: for a delivered recipient, the reply that took it; otherwise
   * the refusal or the error that kept it from being delivered.
   */
  last?: RecordedOutcome;
  /** Set when the queue gave up on it (RFC 3463 4.4.7, delivery time expired). */
  gaveUp?: GiveUp;
}

/** One attempt, as the operator's view lists it. */
export interface AttemptRecord {
  /** When it began, in milliseconds since the epoch. */
  at: number;
  /** The destination tried, such as `hamburger.edu via 127.0.0.1:20025`. */
  destination: string;
  /** What happened. */
  result: string;
}

/** The state of one queued message, as the spool keeps it beside the message. */
export interface QueueEntry {
  /** The queue identifier. */
  id: string;
  /** The envelope sender; `""` for a bounce. */
  from: string;
  /** Each recipient's state. */
  recipients: QueuedRecipient[];
  /** When it was queued, in milliseconds since the epoch. */
  createdAt: number;
  /** When the next attempt is due. */
  nextAttemptAt: number;
  /** How many attempts were made. */
  attempts: number;
  /** The message size in bytes. */
  size: number;
  /** The latest attempts, oldest first (at most 20 kept). */
  history: AttemptRecord[];
  /** When the last attempt ended. */
  lastAttemptAt?: number;
  /** Whether the sender was warned of the delay (RFC 3464 `Action: delayed`). */
  warned?: boolean;
}

/** Durable storage for queued messages. `put` resolves only once the message is safe. */
export interface Spool {
  /**
   * Stores a new message and its state.
   *
   * @param entry The state.
   * @param message The message bytes.
   */
  put(entry: QueueEntry, message: Uint8Array): Promise<void>;
  /**
   * Replaces a message's state.
   *
   * @param entry The new state.
   */
  update(entry: QueueEntry): Promise<void>;
  /**
   * Removes a message and its state. It may come while an update of the same message is under
   * way; both must be gone in the end.
   *
   * @param id The queue identifier.
   */
  remove(id: string): Promise<void>;
  /**
   * Reads every stored state (after a restart).
   *
   * @returns The entries, oldest first.
   */
  load(): Promise<QueueEntry[]>;
  /**
   * Reads a stored message.
   *
   * @param id The queue identifier.
   * @returns Its bytes.
   */
  read(id: string): Promise<Uint8Array>;
}

/**
 * A spool in memory: fast, and gone with the process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemorySpool } from "./spool.ts";
 *
 * const spool = new MemorySpool();
 * const entry = {
 *   id: "q1", from: "alice@crepes.fr", recipients: [{ address: "bob@hamburger.edu", status: "pending" as const }],
 *   createdAt: 0, nextAttemptAt: 0, attempts: 0, size: 2, history: [],
 * };
 * await spool.put(entry, new Uint8Array([104, 105]));
 * assert.equal((await spool.load()).length, 1);
 * assert.deepEqual(await spool.read("q1"), new Uint8Array([104, 105]));
 * await spool.remove("q1");
 * assert.equal((await spool.load()).length, 0);
 * ```
 */
export class MemorySpool implements Spool {
  #entries = new Map<string, { entry: QueueEntry; message: Uint8Array }>();

  put(entry: QueueEntry, message: Uint8Array): Promise<void> {
    this.#entries.set(entry.id, { entry: structuredClone(entry), message: message.slice() });
    return Promise.resolve();
  }

  update(entry: QueueEntry): Promise<void> {
    const stored = this.#entries.get(entry.id);
    if (stored) stored.entry = structuredClone(entry);
    return Promise.resolve();
  }

  remove(id: string): Promise<void> {
    this.#entries.delete(id);
    return Promise.resolve();
  }

  load(): Promise<QueueEntry[]> {
    const entries = [...this.#entries.values()].map((s) => structuredClone(s.entry));
    return Promise.resolve(entries.sort((a, b) => a.createdAt - b.createdAt));
  }

  read(id: string): Promise<Uint8Array> {
    const stored = this.#entries.get(id);
    return stored
      ? Promise.resolve(stored.message)
      : Promise.reject(new Error(`No queued message "${id}"`));
  }
}
