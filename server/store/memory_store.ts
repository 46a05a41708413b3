/**
 * A mailbox store that lives in memory, for notebooks and tests.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import {
  AlreadyExistsError,
  checkMailboxName,
  checkUserName,
  type DeliverOptions,
  type MailboxStatus,
  type MailboxStore,
  type MessageInfo,
  normalizeFlags,
  NotFoundError,
  type SystemFlag,
} from "./store.ts";

interface MemoryMessage extends MessageInfo {
  bytes: Uint8Array;
}

interface MemoryMailbox {
  uidValidity: number;
  uidNext: number;
  messages: MemoryMessage[];
}

/** Options of {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /** Supplies internal dates and UIDVALIDITY. @default the system clock */
  clock?: Clock;
}

/**
 * Mailboxes in memory: fast, and gone when the process ends.
 *
 * @example Deliver and read back
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "./memory_store.ts";
 *
 * const store = new MemoryStore();
 * const uid = await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * assert.equal(uid, 1);
 * assert.equal((await store.status("bob", "INBOX")).messages, 1);
 * assert.equal(new TextDecoder().decode(await store.read("bob", "INBOX", uid)).slice(0, 11), "Subject: hi");
 * ```
 */
export class MemoryStore implements MailboxStore {
  #users = new Map<string, Map<string, MemoryMailbox>>();
  #clock: Clock;

  /**
   * Creates an empty store.
   *
   * @param options The clock.
   */
  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  #user(user: string, create: boolean): Map<string, MemoryMailbox> {
    const name = checkUserName(user);
    let boxes = this.#users.get(name);
    if (!boxes) {
      if (!create) throw new NotFoundError(`No such user "${user}"`);
      boxes = new Map([["INBOX", this.#newMailbox()]]);
      this.#users.set(name, boxes);
    }
    return boxes;
  }

  #newMailbox(): MemoryMailbox {
    return { uidValidity: Math.floor(this.#clock.now() / 1000), uidNext: 1, messages: [] };
  }

  #mailbox(user: string, mailbox: string, create = false): MemoryMailbox {
    const name = checkMailboxName(mailbox);
    // Delivery creates a missing user's INBOX, never a user for the sake of another mailbox.
    const boxes = this.#user(user, create && name === "INBOX");
    const box = boxes.get(name);
    if (!box) throw new NotFoundError(`No such mailbox "${mailbox}"`);
    return box;
  }

  #message(user: string, mailbox: string, uid: number): MemoryMessage {
    const message = this.#mailbox(user, mailbox).messages.find((m) => m.uid === uid);
    if (!message) throw new NotFoundError(`No message with UID ${uid} in "${mailbox}"`);
    return message;
  }

  ensureUser(user: string): Promise<void> {
    return attempt(() => {
      this.#user(user, true);
    });
  }

  deliver(user: string, bytes: Uint8Array, options: DeliverOptions = {}): Promise<number> {
    try {
      const flags = normalizeFlags(options.flags ?? []);
      const box = this.#mailbox(user, options.mailbox ?? "INBOX", true);
      const uid = box.uidNext++;
      box.messages.push({
        uid,
        flags,
        size: bytes.length,
        internalDate: options.internalDate ?? this.#clock.now(),
        bytes: bytes.slice(),
      });
      return Promise.resolve(uid);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  mailboxes(user: string): Promise<string[]> {
    return attempt(() => {
      const names = [...this.#user(user, false).keys()].filter((n) => n !== "INBOX").sort();
      return ["INBOX", ...names];
    });
  }

  createMailbox(user: string, name: string): Promise<void> {
    return attempt(() => {
      const boxes = this.#user(user, false);
      const canonical = checkMailboxName(name);
      if (boxes.has(canonical)) throw new AlreadyExistsError(`Mailbox "${name}" exists already`);
      boxes.set(canonical, this.#newMailbox());
    });
  }

  status(user: string, mailbox: string): Promise<MailboxStatus> {
    return attempt(() => {
      const box = this.#mailbox(user, mailbox);
      return {
        name: checkMailboxName(mailbox),
        uidValidity: box.uidValidity,
        uidNext: box.uidNext,
        messages: box.messages.length,
        unseen: box.messages.filter((m) => !m.flags.includes("\\Seen")).length,
      };
    });
  }

  list(user: string, mailbox: string): Promise<MessageInfo[]> {
    return attempt(() =>
      this.#mailbox(user, mailbox).messages.map(({ uid, flags, size, internalDate }) => ({
        uid,
        flags: [...flags],
        size,
        internalDate,
      }))
    );
  }

  read(user: string, mailbox: string, uid: number): Promise<Uint8Array> {
    return attempt(() => this.#message(user, mailbox, uid).bytes.slice());
  }

  setFlags(user: string, mailbox: string, uid: number, flags: SystemFlag[]): Promise<void> {
    return attempt(() => {
      const normal = normalizeFlags(flags);
      this.#message(user, mailbox, uid).flags = normal;
    });
  }

  expunge(user: string, mailbox: string, uids: number[]): Promise<void> {
    return attempt(() => {
      const box = this.#mailbox(user, mailbox);
      const gone = new Set(uids);
      box.messages = box.messages.filter((m) => !gone.has(m.uid));
    });
  }
}

function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}
