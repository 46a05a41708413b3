/**
 * A mailbox store in memory: fast, and gone with the process. Notebooks, tests and the lab's
 * `--memory` mode use it; it behaves exactly as the Maildir store does (one conformance suite).
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import {
  AlreadyExistsError,
  changedFlags,
  checkMailboxName,
  checkUserName,
  type CopiedUid,
  type DeliverOptions,
  type FlagChange,
  InvalidNameError,
  type MailboxInfo,
  type MailboxStatus,
  type MailboxStore,
  MAX_KEYWORDS,
  type MessageInfo,
  normalizeFlags,
  NotFoundError,
  orGone,
  SPECIAL_MAILBOXES,
  type SpecialUse,
  type StoreChange,
  SYSTEM_FLAGS,
} from "./store.ts";

interface MemoryMessage extends MessageInfo {
  bytes: Uint8Array;
  summaries: Map<string, unknown>;
}

interface MemoryMailbox {
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
  /** UIDs from this one on have not been claimed as recent yet. */
  recentFrom: number;
  keywords: string[];
  specialUse?: SpecialUse;
  messages: MemoryMessage[];
}

interface MemoryUser {
  boxes: Map<string, MemoryMailbox>;
  subscriptions: Set<string>;
  lastUidValidity: number;
  watchers: Set<(change: StoreChange) => void>;
}

/** Options of {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /** Supplies internal dates and UIDVALIDITY. @default the system clock */
  clock?: Clock;
}

// A mailbox's messages are in UID order (UIDs only grow), so a binary search finds one.
function byUid(messages: MemoryMessage[], uid: number): MemoryMessage | undefined {
  let low = 0;
  let high = messages.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = messages[middle].uid;
    if (found === uid) return messages[middle];
    if (found < uid) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/**
 * The mailboxes of every user, in memory.
 *
 * @example Deliver to bob and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "./memory_store.ts";
 *
 * const store = new MemoryStore();
 * const uid = await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * assert.equal(uid, 1);
 * assert.equal((await store.status("bob", "INBOX")).messages, 1);
 * assert.deepEqual((await store.mailboxes("bob")).map((m) => m.name), ["INBOX"]);
 * ```
 */
export class MemoryStore implements MailboxStore {
  #users = new Map<string, MemoryUser>();
  #clock: Clock;

  /**
   * Creates an empty store.
   *
   * @param options The clock.
   */
  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  #user(user: string, create: boolean): MemoryUser {
    const name = checkUserName(user);
    let found = this.#users.get(name);
    if (!found) {
      if (!create) throw new NotFoundError(`No such user "${user}"`);
      found = {
        boxes: new Map(),
        subscriptions: new Set(),
        lastUidValidity: 0,
        watchers: new Set(),
      };
      found.boxes.set("INBOX", this.#newMailbox(found));
      this.#users.set(name, found);
    }
    return found;
  }

  // UIDVALIDITY grows for every mailbox a user creates, so a name that comes back (deleted and
  // made again, or renamed away and reused) never looks like the old one to a client's cache.
  #newMailbox(owner: MemoryUser, specialUse?: SpecialUse): MemoryMailbox {
    const uidValidity = Math.max(Math.floor(this.#clock.now() / 1000), owner.lastUidValidity + 1);
    owner.lastUidValidity = uidValidity;
    return {
      uidValidity,
      uidNext: 1,
      highestModseq: 1,
      recentFrom: 1,
      keywords: [],
      specialUse,
      messages: [],
    };
  }

  #mailbox(user: string, mailbox: string, create = false): MemoryMailbox {
    const name = checkMailboxName(mailbox);
    // Delivery creates a missing user's INBOX, never a user for the sake of another mailbox.
    const box = this.#user(user, create && name === "INBOX").boxes.get(name);
    if (!box) throw new NotFoundError(`No such mailbox "${mailbox}"`);
    return box;
  }

  #message(user: string, mailbox: string, uid: number): MemoryMessage {
    const message = byUid(this.#mailbox(user, mailbox).messages, uid);
    if (!message) throw new NotFoundError(`No message with UID ${uid} in "${mailbox}"`);
    return message;
  }

  #tell(user: string, change: StoreChange): void {
    for (const listener of this.#users.get(checkUserName(user))?.watchers ?? []) listener(change);
  }

  // Defines the keywords new to a mailbox, all or none, within its room for them, and returns
  // the flags as the mailbox keeps them: each keyword in the spelling it was first defined with,
  // in the order of definition (the Maildir store's order of letters).
  #define(box: MemoryMailbox, flags: readonly string[]): string[] {
    const known = (flag: string) =>
      box.keywords.some((k) => k.toLowerCase() === flag.toLowerCase());
    const fresh = normalizeFlags(
      flags.filter((f) => !SYSTEM_FLAGS.includes(f as never) && !known(f)),
    );
    if (box.keywords.length + fresh.length > MAX_KEYWORDS) {
      const flag = fresh[MAX_KEYWORDS - box.keywords.length];
      throw new InvalidNameError(`No room for keyword "${flag}": at most ${MAX_KEYWORDS}`);
    }
    box.keywords.push(...fresh);
    const lower = new Set(flags.map((f) => f.toLowerCase()));
    return [
      ...flags.filter((f) => SYSTEM_FLAGS.includes(f as never)),
      ...box.keywords.filter((k) => lower.has(k.toLowerCase())),
    ];
  }

  #add(box: MemoryMailbox, bytes: Uint8Array, info: { flags: string[]; internalDate: number }) {
    const flags = this.#define(box, info.flags);
    const uid = box.uidNext++;
    box.messages.push({
      uid,
      flags,
      size: bytes.length,
      internalDate: info.internalDate,
      modseq: ++box.highestModseq,
      bytes,
      summaries: new Map(),
    });
    return uid;
  }

  ensureUser(user: string): Promise<void> {
    return attempt(() => {
      const owner = this.#user(user, true);
      for (const { name, use } of SPECIAL_MAILBOXES) {
        if (!owner.boxes.has(name)) owner.boxes.set(name, this.#newMailbox(owner, use));
      }
    });
  }

  deliver(user: string, bytes: Uint8Array, options: DeliverOptions = {}): Promise<number> {
    return attempt(() => {
      const flags = normalizeFlags(options.flags ?? []);
      const mailbox = options.mailbox ?? "INBOX";
      const box = this.#mailbox(user, mailbox, true);
      const internalDate = options.internalDate ?? this.#clock.now();
      const uid = this.#add(box, bytes.slice(), { flags, internalDate });
      this.#tell(user, { mailbox: checkMailboxName(mailbox), kind: "messages" });
      return uid;
    });
  }

  mailboxes(user: string): Promise<MailboxInfo[]> {
    return attempt(() => {
      const boxes = this.#user(user, false).boxes;
      const names = [...boxes.keys()].filter((n) => n !== "INBOX").sort();
      return ["INBOX", ...names].map((name) => {
        const specialUse = boxes.get(name)!.specialUse;
        return specialUse ? { name, specialUse } : { name };
      });
    });
  }

  createMailbox(
    user: string,
    name: string,
    options: { specialUse?: SpecialUse } = {},
  ): Promise<void> {
    return attempt(() => {
      const owner = this.#user(user, false);
      const canonical = checkMailboxName(name);
      if (owner.boxes.has(canonical)) {
        throw new AlreadyExistsError(`Mailbox "${name}" exists already`);
      }
      owner.boxes.set(canonical, this.#newMailbox(owner, options.specialUse));
      this.#tell(user, { mailbox: canonical, kind: "mailboxes" });
    });
  }

  deleteMailbox(user: string, name: string): Promise<void> {
    return attempt(() => {
      const canonical = checkMailboxName(name);
      if (canonical === "INBOX") throw new InvalidNameError("INBOX cannot be deleted");
      const owner = this.#user(user, false);
      if (!owner.boxes.delete(canonical)) throw new NotFoundError(`No such mailbox "${name}"`);
      this.#tell(user, { mailbox: canonical, kind: "mailboxes" });
    });
  }

  renameMailbox(user: string, from: string, to: string): Promise<void> {
    return attempt(() => {
      const source = checkMailboxName(from);
      const target = checkMailboxName(to);
      const owner = this.#user(user, false);
      const box = owner.boxes.get(source);
      if (!box) throw new NotFoundError(`No such mailbox "${from}"`);
      if (owner.boxes.has(target)) throw new AlreadyExistsError(`Mailbox "${to}" exists already`);
      if (target === "INBOX" || target.startsWith(`${source}.`)) {
        throw new InvalidNameError(`Cannot rename "${from}" to "${to}"`);
      }
      if (source === "INBOX") {
        // RFC 3501 §6.3.5: INBOX's messages move to the new name; INBOX stays, empty.
        const moved = this.#newMailbox(owner);
        for (const m of box.messages) {
          this.#add(moved, m.bytes, { flags: m.flags, internalDate: m.internalDate });
        }
        box.messages = [];
        box.highestModseq++;
        owner.boxes.set(target, moved);
      } else {
        // Every new name is checked, and must be free, before anything moves.
        const moves = [...owner.boxes.keys()]
          .filter((name) => name === source || name.startsWith(`${source}.`))
          .map((name) => [name, checkMailboxName(target + name.slice(source.length))]);
        const taken = moves.find(([, name]) => owner.boxes.has(name));
        if (taken) throw new AlreadyExistsError(`Mailbox "${taken[1]}" exists already`);
        const boxes = moves.map(([name]) => owner.boxes.get(name)!);
        for (const [name] of moves) owner.boxes.delete(name);
        moves.forEach(([, name], i) => owner.boxes.set(name, boxes[i]));
      }
      this.#tell(user, { mailbox: source, kind: "mailboxes" });
    });
  }

  subscriptions(user: string): Promise<string[]> {
    return attempt(() => [...this.#user(user, false).subscriptions].sort());
  }

  setSubscribed(user: string, name: string, subscribed: boolean): Promise<void> {
    return attempt(() => {
      const owner = this.#user(user, false);
      const canonical = checkMailboxName(name);
      if (subscribed) owner.subscriptions.add(canonical);
      else owner.subscriptions.delete(canonical);
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
        recent: box.messages.filter((m) => m.uid >= box.recentFrom).length,
        highestModseq: box.highestModseq,
        keywords: [...box.keywords],
      };
    });
  }

  list(user: string, mailbox: string): Promise<MessageInfo[]> {
    return attempt(() =>
      this.#mailbox(user, mailbox).messages.map(({ uid, flags, size, internalDate, modseq }) => ({
        uid,
        flags: [...flags],
        size,
        internalDate,
        modseq,
      }))
    );
  }

  read(user: string, mailbox: string, uid: number): Promise<Uint8Array> {
    return attempt(() => this.#message(user, mailbox, uid).bytes.slice());
  }

  async readMany(
    user: string,
    mailbox: string,
    uids: readonly number[],
  ): Promise<(Uint8Array | undefined)[]> {
    await attempt(() => this.#mailbox(user, mailbox)); // a missing mailbox fails the whole batch
    return await Promise.all(uids.map((uid) => orGone(this.read(user, mailbox, uid))));
  }

  setFlags(user: string, mailbox: string, uid: number, flags: readonly string[]): Promise<number> {
    return attempt(() => {
      const normal = normalizeFlags(flags);
      const box = this.#mailbox(user, mailbox);
      const message = this.#message(user, mailbox, uid);
      message.flags = this.#define(box, normal);
      message.modseq = ++box.highestModseq;
      this.#tell(user, { mailbox: checkMailboxName(mailbox), kind: "messages" });
      return message.modseq;
    });
  }

  updateFlags(
    user: string,
    where: { mailbox: string; uid: number },
    change: FlagChange,
  ): Promise<{ flags: string[]; modseq: number } | undefined> {
    return attempt(() => {
      const message = this.#message(user, where.mailbox, where.uid);
      if (change.unchangedSince !== undefined && message.modseq > change.unchangedSince) {
        return undefined;
      }
      const flags = changedFlags(message.flags, change);
      const lower = new Set(flags.map((f) => f.toLowerCase()));
      const same = lower.size === message.flags.length &&
        message.flags.every((f) => lower.has(f.toLowerCase()));
      if (same) return { flags: [...message.flags], modseq: message.modseq };
      const box = this.#mailbox(user, where.mailbox);
      message.flags = this.#define(box, flags);
      message.modseq = ++box.highestModseq;
      this.#tell(user, { mailbox: checkMailboxName(where.mailbox), kind: "messages" });
      return { flags: [...message.flags], modseq: message.modseq };
    });
  }

  expunge(user: string, mailbox: string, uids: readonly number[]): Promise<void> {
    return attempt(() => {
      const box = this.#mailbox(user, mailbox);
      const gone = new Set(uids);
      const before = box.messages.length;
      box.messages = box.messages.filter((m) => !gone.has(m.uid));
      if (box.messages.length === before) return;
      box.highestModseq++;
      this.#tell(user, { mailbox: checkMailboxName(mailbox), kind: "messages" });
    });
  }

  copy(
    user: string,
    mailbox: string,
    uids: readonly number[],
    target: string,
  ): Promise<CopiedUid[]> {
    return attempt(() => {
      const source = this.#mailbox(user, mailbox);
      const into = this.#mailbox(user, target);
      const wanted = new Set(uids);
      const picked = source.messages.filter((m) => wanted.has(m.uid));
      // All or none: the keywords must fit before anything is copied.
      this.#define({ ...into, keywords: [...into.keywords] }, picked.flatMap((m) => m.flags));
      const copied = picked.map((m) => ({
        from: m.uid,
        to: this.#add(into, m.bytes, { flags: [...m.flags], internalDate: m.internalDate }),
      }));
      if (copied.length > 0) {
        this.#tell(user, { mailbox: checkMailboxName(target), kind: "messages" });
      }
      return copied;
    });
  }

  claimRecent(user: string, mailbox: string): Promise<number[]> {
    return attempt(() => {
      const box = this.#mailbox(user, mailbox);
      const recent = box.messages.filter((m) => m.uid >= box.recentFrom).map((m) => m.uid);
      box.recentFrom = box.uidNext;
      return recent;
    });
  }

  summary<T>(
    user: string,
    where: { mailbox: string; uid: number; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<T> {
    return attempt(() => {
      const message = this.#message(user, where.mailbox, where.uid);
      // Kept as made and handed out as kept: callers read summaries, never change them.
      if (!message.summaries.has(where.kind)) {
        message.summaries.set(where.kind, compute(message.bytes));
      }
      return message.summaries.get(where.kind) as T;
    });
  }

  async summaries<T>(
    user: string,
    where: { mailbox: string; uids: readonly number[]; kind: string },
    compute: (bytes: Uint8Array) => T,
  ): Promise<(T | undefined)[]> {
    const { mailbox, kind } = where;
    await attempt(() => this.#mailbox(user, mailbox)); // a missing mailbox fails the whole batch
    return await Promise.all(
      where.uids.map((uid) => orGone(this.summary(user, { mailbox, uid, kind }, compute))),
    );
  }

  watch(user: string, listener: (change: StoreChange) => void): () => void {
    const watchers = this.#user(user, false).watchers;
    watchers.add(listener);
    return () => watchers.delete(listener);
  }
}

function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}
