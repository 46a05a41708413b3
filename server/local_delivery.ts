/**
 * Local delivery (RFC 5321 §4.4): a message for this server's own users goes into each user's
 * INBOX with a `Return-Path:` field in front, which records the envelope sender (`<>` for a
 * bounce). All or nothing: if one mailbox fails, the copies already stored are taken back, so
 * that a client's retry neither loses nor duplicates the message. Accepted mail and bounces both
 * arrive this way.
 *
 * @module
 */
import { prependHeader, returnPathHeader } from "./smtp/trace.ts";
import type { MailboxStore } from "./store/store.ts";

/** One copy stored by {@linkcode deliverLocally}. */
export interface StoredCopy {
  /** The user whose INBOX holds it. */
  user: string;
  /** Its UID there. */
  uid: number;
}

/** What {@linkcode deliverLocally} stored, and how to take it back. */
export interface LocalDelivery {
  /** The copies, one per user. */
  readonly stored: readonly StoredCopy[];
  /** Takes every copy back (when a later step of the same acceptance fails). */
  undo(): Promise<void>;
}

/** Options of {@linkcode deliverLocally}. */
export interface LocalDeliveryOptions {
  /** The envelope sender, recorded as `Return-Path:`; `""` for a bounce. */
  returnPath: string;
  /** The local users, each once. */
  users: readonly string[];
  /**
   * Trace fields to put in front, below `Return-Path:` (this server's `Received:`), so that the
   * message is copied once for both. @default none
   */
  trace?: string;
}

/**
 * Stores a message in the INBOX of each local user, with `Return-Path:` in front, all or
 * nothing.
 *
 * @param store The mailboxes.
 * @param message The message, its trace fields in place or in `options.trace`.
 * @param options The envelope sender, the users and the trace fields to add.
 * @returns The copies stored, and a way to take them back.
 * @throws The store's error, after taking back the copies already stored.
 *
 * @example Deliver to two users, then undo
 * ```ts
 * import assert from "node:assert/strict";
 * import { deliverLocally } from "./local_delivery.ts";
 * import { MemoryStore } from "./store/memory_store.ts";
 *
 * const store = new MemoryStore();
 * for (const user of ["bob", "carol"]) await store.ensureUser(user);
 * const message = new TextEncoder().encode("Subject: Hi\r\n\r\nHi\r\n");
 * const delivery = await deliverLocally(store, message, { returnPath: "alice@crepes.fr", users: ["bob", "carol"] });
 * assert.deepEqual(delivery.stored.map((c) => c.user), ["bob", "carol"]);
 * const bytes = await store.read("bob", "INBOX", delivery.stored[0].uid);
 * assert.match(new TextDecoder().decode(bytes), /^Return-Path: <alice@crepes\.fr>\r\nSubject: Hi/);
 * await delivery.undo();
 * assert.equal((await store.list("carol", "INBOX")).length, 0);
 * ```
 */
export async function deliverLocally(
  store: MailboxStore,
  message: Uint8Array,
  options: LocalDeliveryOptions,
): Promise<LocalDelivery> {
  const stored: StoredCopy[] = [];
  const undo = async () => {
    for (const { user, uid } of stored.splice(0)) {
      await store.expunge(user, "INBOX", [uid]).catch(() => {});
    }
  };
  if (options.users.length === 0) return { stored: [], undo };
  const bytes = prependHeader(
    returnPathHeader(options.returnPath) + (options.trace ?? ""),
    message,
  );
  try {
    for (const user of options.users) stored.push({ user, uid: await store.deliver(user, bytes) });
  } catch (error) {
    await undo();
    throw error;
  }
  return { stored: [...stored], undo };
}
