/**
 * The selected mailbox as one session sees it: a snapshot of its messages, so that sequence
 * numbers (RFC 3501 §2.3.1.2) stay stable between the moments the client is told of changes.
 *
 * @module
 */
import { ImapResponseError } from "../../protocol/imap/error.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import {
  type SequenceRange,
  sequenceSetHas,
  sequenceSetMax,
} from "../../protocol/imap/sequence_set.ts";
import type { MailboxStore, MessageInfo, SystemFlag } from "../store/store.ts";

/** A message in the snapshot, with its sequence number. */
export interface NumberedMessage {
  /** Its sequence number: its position, from 1. */
  seq: number;
  /** What the store knew of it when the snapshot was last brought up to date. */
  info: MessageInfo;
}

/** What changed in the store since the snapshot, in the order a server reports it. */
export interface MailboxChanges {
  /** Sequence numbers to report as EXPUNGE, highest first, so each stays valid when sent. */
  expunged: number[];
  /** The new message count, when messages arrived. */
  exists?: number;
  /** Messages whose flags another session changed. */
  flags: NumberedMessage[];
}

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
 * const box = await SelectedMailbox.open(store, "bob", "INBOX", false);
 * assert.equal(box.exists, 1);
 * await store.deliver("bob", new TextEncoder().encode("Subject: two\r\n\r\n"));
 * assert.deepEqual(await box.sync(store, "bob"), { expunged: [], exists: 2, flags: [] });
 * ```
 */
export class SelectedMailbox {
  /** The mailbox's canonical name. */
  readonly name: string;
  /** True after EXAMINE: no flag changes, no expunge. */
  readonly readOnly: boolean;
  /** The mailbox's UIDVALIDITY. */
  readonly uidValidity: number;
  /** The UID the next message will get, as of the last sync. */
  uidNext: number;
  #messages: MessageInfo[];

  private constructor(
    name: string,
    readOnly: boolean,
    status: { uidValidity: number; uidNext: number },
    messages: MessageInfo[],
  ) {
    this.name = name;
    this.readOnly = readOnly;
    this.uidValidity = status.uidValidity;
    this.uidNext = status.uidNext;
    this.#messages = messages;
  }

  /**
   * Takes the first snapshot of a mailbox.
   *
   * @param store The store.
   * @param user The owner.
   * @param name The mailbox's name.
   * @param readOnly Whether it is examined rather than selected.
   * @returns The snapshot.
   */
  static async open(
    store: MailboxStore,
    user: string,
    name: string,
    readOnly: boolean,
  ): Promise<SelectedMailbox> {
    const status = await store.status(user, name);
    const messages = await store.list(user, name);
    return new SelectedMailbox(status.name, readOnly, status, messages);
  }

  /** How many messages the client knows of. */
  get exists(): number {
    return this.#messages.length;
  }

  /** The snapshot's messages in sequence order. */
  get messages(): readonly MessageInfo[] {
    return this.#messages;
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
    const picked: NumberedMessage[] = [];
    all.forEach((info, i) => {
      if (sequenceSetHas(set, byUid ? info.uid : i + 1, largest)) picked.push({ seq: i + 1, info });
    });
    return picked;
  }

  /**
   * Records flags that this session stored.
   *
   * @param uid The message.
   * @param flags Its new flags.
   */
  setFlags(uid: number, flags: SystemFlag[]): void {
    const message = this.#messages.find((m) => m.uid === uid);
    if (message) message.flags = [...flags];
  }

  /**
   * Brings the snapshot up to date with the store and tells what changed.
   *
   * @param store The store.
   * @param user The owner.
   * @returns The changes to report.
   */
  async sync(store: MailboxStore, user: string): Promise<MailboxChanges> {
    const now = await store.list(user, this.name);
    const byUid = new Map(now.map((m) => [m.uid, m]));
    const expunged: number[] = [];
    for (let i = this.#messages.length - 1; i >= 0; i--) {
      if (!byUid.has(this.#messages[i].uid)) expunged.push(i + 1);
    }
    const kept = this.#messages.filter((m) => byUid.has(m.uid));
    const flags: NumberedMessage[] = [];
    kept.forEach((old, i) => {
      const fresh = byUid.get(old.uid)!;
      if (!sameFlags(old.flags, fresh.flags)) flags.push({ seq: i + 1, info: fresh });
    });
    const lastUid = this.#messages.at(-1)?.uid ?? 0;
    const arrived = now.filter((m) => m.uid > lastUid);
    this.#messages = [...kept.map((m) => byUid.get(m.uid)!), ...arrived];
    this.uidNext = Math.max(this.uidNext, (now.at(-1)?.uid ?? 0) + 1);
    const changes: MailboxChanges = { expunged, flags };
    if (arrived.length > 0) changes.exists = this.#messages.length;
    return changes;
  }
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}
