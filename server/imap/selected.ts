/**
 * The selected mailbox as one session sees it: a snapshot of its messages, so that sequence
 * numbers (RFC 3501 §2.3.1.2) stay stable between the moments the client is told of changes. Other
 * sessions' changes reach the snapshot at {@linkcode SelectedMailbox.sync}: new messages and flags
 * after any command, expunges only where RFC 3501 §7.4.1 allows them (never during FETCH, STORE
 * or SEARCH: until then an expunged message stays in the snapshot, a ghost the client may still
 * name).
 *
 * @module
 */
import { ImapResponseError } from "../../protocol/imap/error.ts";
import { sendableFlags } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import { type SequenceRange, sequenceSetMax } from "../../protocol/imap/sequence_set.ts";
import type { MailboxStore, MessageInfo } from "../store/store.ts";

/** A message in the snapshot, with its sequence number. */
export interface NumberedMessage {
  /** Its sequence number: its position, from 1. */
  seq: number;
  /** What the store knew of it when the snapshot was last brought up to date. */
  info: MessageInfo;
}

/** What changed in the store since the snapshot, in the order a server reports it. */
export interface MailboxChanges {
  /** Sequence numbers to report as EXPUNGE, in the order to send them (each valid when sent). */
  expunged: number[];
  /** The new message count, when messages arrived. */
  exists?: number;
  /** How many of the session's messages are `\Recent`, when messages arrived. */
  recent?: number;
  /** Messages whose flags another session changed, with their new state. */
  flags: NumberedMessage[];
  /** The mailbox's keywords, when new ones were defined (a new FLAGS response). */
  keywords?: string[];
}

/** Options of {@linkcode SelectedMailbox.sync}. */
export interface SyncOptions {
  /** Whether EXPUNGE responses may be sent now (not during FETCH, STORE or SEARCH). */
  expunge: boolean;
  /**
   * The clock's time. With it, a snapshot that no change made through the store has touched
   * (see {@linkcode SelectedMailbox.touched}) skips asking the store for up to a second, which
   * is then how late a change made by another program on the disk can be told.
   * @default undefined (always ask the store)
   */
  now?: number;
  /** Ask the store even within that second (NOOP and CHECK, how clients poll). @default false */
  force?: boolean;
}

/** How long a snapshot untouched by the store's own changes is trusted without asking. */
const TRUSTED_MS = 1000;

/**
 * The snapshot of a selected mailbox.
 *
 * @example Open, deliver, and see the new message at the next sync
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { SelectedMailbox } from "./selected.ts";
 *
 * const store = new MemoryStore();
 * await store.deliver("bob", new TextEncoder().encode("Subject: one\r\n\r\n"));
 * const box = await SelectedMailbox.open(store, { user: "bob", name: "INBOX", readOnly: false });
 * assert.equal(box.exists, 1);
 * assert.equal(box.isRecent(1), true);
 * await store.deliver("bob", new TextEncoder().encode("Subject: two\r\n\r\n"));
 * assert.deepEqual(await box.sync(store, { expunge: true }), { expunged: [], exists: 2, recent: 2, flags: [] });
 * ```
 */
export class SelectedMailbox {
  /** The mailbox's canonical name. */
  readonly name: string;
  /** The owner. */
  readonly user: string;
  /** True after EXAMINE: no flag changes, no expunge, no `\Recent` taken. */
  readonly readOnly: boolean;
  /** The mailbox's UIDVALIDITY. */
  readonly uidValidity: number;
  /** The UID the next message will get, as of the last sync. */
  uidNext: number;
  /** The highest modification sequence the client has been told of (RFC 7162). */
  highestModseq: number;
  /** The keywords the client has been told of (in FLAGS). */
  keywords: string[];
  #messages: MessageInfo[];
  #recent = new Set<number>();
  #touched = false;
  #checkedAt = -Infinity;
  #ghosts = false;

  private constructor(
    where: { user: string; name: string; readOnly: boolean },
    status: { uidValidity: number; uidNext: number; highestModseq: number; keywords: string[] },
    messages: MessageInfo[],
  ) {
    this.name = where.name;
    this.user = where.user;
    this.readOnly = where.readOnly;
    this.uidValidity = status.uidValidity;
    this.uidNext = status.uidNext;
    this.highestModseq = status.highestModseq;
    this.keywords = status.keywords;
    this.#messages = messages;
  }

  /**
   * Takes the first snapshot of a mailbox; SELECT (not EXAMINE) takes its recent messages.
   *
   * @param store The store.
   * @param where The owner, the mailbox's name, and whether it is examined rather than selected.
   * @returns The snapshot.
   */
  static async open(
    store: MailboxStore,
    where: { user: string; name: string; readOnly: boolean },
  ): Promise<SelectedMailbox> {
    const claimed = where.readOnly ? [] : await store.claimRecent(where.user, where.name);
    const status = await store.status(where.user, where.name);
    const messages = await store.list(where.user, where.name);
    const box = new SelectedMailbox({ ...where, name: status.name }, status, messages);
    // EXAMINE shows what is recent without taking it: the newest messages, not yet claimed.
    const recent = where.readOnly
      ? messages.slice(messages.length - status.recent).map((m) => m.uid)
      : claimed;
    for (const uid of recent) box.#recent.add(uid);
    return box;
  }

  /** How many messages the client knows of. */
  get exists(): number {
    return this.#messages.length;
  }

  /**
   * How many of them are `\Recent` for this session. A claim may take a message the snapshot
   * does not hold yet (delivered between the listing and the claim) or no longer holds: only
   * those the client knows of count, so RECENT never exceeds EXISTS.
   */
  get recent(): number {
    let count = 0;
    for (const uid of this.#recent) if (this.#holds(uid)) count++;
    return count;
  }

  #holds(uid: number): boolean {
    return this.#messages[this.#atOrAfter(uid)]?.uid === uid;
  }

  // The snapshot is in UID order: the index of the first message whose UID is at least `uid`.
  #atOrAfter(uid: number): number {
    let low = 0;
    let high = this.#messages.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#messages[middle].uid < uid) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The snapshot's messages in sequence order. */
  get messages(): readonly MessageInfo[] {
    return this.#messages;
  }

  /**
   * Whether a message is `\Recent` for this session (RFC 3501 §2.3.2).
   *
   * @param uid The message's UID.
   * @returns True when this session was the first to see it.
   */
  isRecent(uid: number): boolean {
    return this.#recent.has(uid);
  }

  /**
   * A message's flags as the client sees them: `\Recent` added for this session's recent ones,
   * and keywords that are no IMAP atom (which the store may keep) left out, as no response
   * could carry them.
   *
   * @param info The message.
   * @returns Its flags.
   */
  flagsOf(info: MessageInfo): string[] {
    const flags = sendableFlags(info.flags);
    return this.#recent.has(info.uid) ? [...flags, "\\Recent"] : flags;
  }

  /**
   * The messages a sequence set names, in sequence order.
   *
   * @param set The parsed set.
   * @param byUid True when the set holds UIDs (UID FETCH and the like).
   * @returns The messages, each with its sequence number.
   * @throws {ImapResponseError} BAD when a sequence number is beyond the last message.
   */
  pick(set: readonly SequenceRange[], byUid: boolean): NumberedMessage[] {
    const all = this.#messages;
    if (!byUid && sequenceSetMax(set) > all.length) {
      throw ImapResponseError.of(RESPONSE.BadSequenceNumber(sequenceSetMax(set), all.length));
    }
    const largest = byUid ? (all.at(-1)?.uid ?? 0) : all.length;
    // Each range is a slice of the snapshot (found by binary search for UIDs), so one message
    // costs the same in a mailbox of ten or of ten thousand.
    const picked = new Set<number>();
    for (const range of set) {
      const [a, b] = [range.from, range.to].map((n) => n === Infinity ? largest : n);
      const [low, high] = a <= b ? [a, b] : [b, a];
      const first = byUid ? this.#atOrAfter(low) : low - 1;
      for (let i = Math.max(first, 0); i < all.length; i++) {
        if ((byUid ? all[i].uid : i + 1) > high) break;
        picked.add(i);
      }
    }
    const order = set.length > 1 ? [...picked].sort((x, y) => x - y) : [...picked];
    return order.map((i) => ({ seq: i + 1, info: all[i] }));
  }

  /**
   * Says that the store changed this mailbox (its watch told the session): the next sync asks.
   */
  touched(): void {
    this.#touched = true;
  }

  /**
   * Records flags that this session stored, so that the next sync does not report them back.
   *
   * @param uid The message.
   * @param change Its new flags and modification sequence.
   */
  updated(uid: number, change: { flags: string[]; modseq: number }): void {
    const message = this.#messages[this.#atOrAfter(uid)];
    if (message?.uid !== uid) return;
    message.flags = [...change.flags];
    message.modseq = change.modseq;
  }

  /**
   * Notes the keywords among `flags` that the client has not been told of yet.
   *
   * @param flags Flags this session is about to show.
   * @returns True when there were some: the client needs a new FLAGS response first.
   */
  learn(flags: readonly string[]): boolean {
    const known = new Set(this.keywords.map((k) => k.toLowerCase()));
    const fresh = flags.filter((f) => !f.startsWith("\\") && !known.has(f.toLowerCase()));
    if (fresh.length > 0) this.keywords = [...this.keywords, ...fresh];
    return fresh.length > 0;
  }

  /**
   * Brings the snapshot up to date with the store and tells what changed. Cheap when nothing did:
   * the mailbox's modification sequence says so without listing it.
   *
   * @param store The store.
   * @param options Whether expunges may be reported now.
   * @returns The changes to report.
   * @throws {NotFoundError} When the mailbox is gone (deleted or renamed by another session).
   */
  async sync(store: MailboxStore, options: SyncOptions): Promise<MailboxChanges> {
    const changes: MailboxChanges = { expunged: [], flags: [] };
    const { now } = options;
    const trusted = !options.force && now !== undefined && now - this.#checkedAt < TRUSTED_MS;
    if (trusted && !this.#touched && !(this.#ghosts && options.expunge)) return changes;
    this.#touched = false;
    this.#checkedAt = now ?? -Infinity;
    const status = await store.status(this.user, this.name);
    if (status.highestModseq === this.highestModseq && status.uidNext === this.uidNext) {
      return changes;
    }
    const listed = await store.list(this.user, this.name);
    const byUid = new Map(listed.map((m) => [m.uid, m]));
    if (options.expunge) {
      for (let i = this.#messages.length - 1; i >= 0; i--) {
        const uid = this.#messages[i].uid;
        if (byUid.has(uid)) continue;
        changes.expunged.push(i + 1);
        this.#recent.delete(uid);
      }
      if (changes.expunged.length > 0) {
        this.#messages = this.#messages.filter((m) => byUid.has(m.uid));
      }
    }
    this.#messages.forEach((old, i) => {
      const fresh = byUid.get(old.uid);
      if (!fresh || fresh.modseq === old.modseq) return;
      const changed = !sameFlags(old.flags, fresh.flags);
      old.flags = fresh.flags;
      old.modseq = fresh.modseq;
      if (changed) changes.flags.push({ seq: i + 1, info: old });
    });
    const lastUid = this.#messages.at(-1)?.uid ?? 0;
    const arrived = listed.filter((m) => m.uid > lastUid);
    if (arrived.length > 0) {
      if (!this.readOnly) {
        for (const uid of await store.claimRecent(this.user, this.name)) this.#recent.add(uid);
      }
      this.#messages.push(...arrived);
    }
    if (arrived.length > 0) {
      changes.exists = this.#messages.length;
      changes.recent = this.recent;
    }
    // The keywords the flags carry too: one defined after the status call may already be on a
    // message, and a client must hear of it in FLAGS before any FETCH shows it (RFC 3501 §7.2.6).
    const known = new Set(this.keywords.map((k) => k.toLowerCase()));
    const fresh: string[] = [];
    const learn = (flag: string) => {
      if (flag.startsWith("\\") || known.has(flag.toLowerCase())) return;
      known.add(flag.toLowerCase());
      fresh.push(flag);
    };
    status.keywords.forEach(learn);
    for (const { info } of changes.flags) info.flags.forEach(learn);
    for (const info of arrived) info.flags.forEach(learn);
    if (fresh.length > 0) {
      this.keywords = [...this.keywords, ...fresh];
      changes.keywords = this.keywords;
    }
    this.uidNext = Math.max(this.uidNext, status.uidNext);
    // Only what the client has been told counts: ghosts kept for later keep the old number.
    this.#ghosts = this.#messages.length !== listed.length;
    if (!this.#ghosts) this.highestModseq = status.highestModseq;
    return changes;
  }
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}
