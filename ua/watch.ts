/**
 * Watching a mailbox as a mail client does (RFC 2177): idle until the server tells of news; for
 * new messages, end the idle, fetch their listing lines, and idle again; re-issue IDLE before the
 * server's 30-minute autologout. News names messages by UID, which, unlike sequence numbers,
 * never shift.
 *
 * @module
 */
import { readFetch, readSearch } from "../protocol/imap/response_data.ts";
import type { ImapResponse } from "../protocol/imap/response_parser.ts";
import type { ImapClient } from "../client/imap_client.ts";
import { type InboxEntry, inboxEntry, LISTING_ITEMS, userFlags } from "./folders.ts";

/** What changed in a watched mailbox. */
export type MailboxNews =
  | {
    /** New messages arrived. */
    kind: "arrived";
    /** Their listing lines, in UID order. */
    messages: InboxEntry[];
  }
  | {
    /** A message's flags changed (another client read or flagged it). */
    kind: "flags";
    /** The message. */
    uid: number;
    /** Its flags now (without `\Recent`). */
    flags: string[];
  }
  | {
    /** A message was expunged (moved away, or deleted for good). */
    kind: "expunged";
    /** The message it was. */
    uid: number;
  };

/** Options of {@linkcode UserAgent.watch}. */
export interface WatchOptions {
  /** Stops the watch. @default undefined (it runs until the connection fails) */
  signal?: AbortSignal;
  /** Called once the server listens: what arrives from then on is reported. @default none */
  onReady?: () => void;
  /**
   * How long each IDLE lasts before it is issued again (RFC 2177 §3: at most 29 minutes).
   * @default 1740000 (29 minutes)
   */
  idleMs?: number;
}

/** What the watch knows of the mailbox: its UIDs in sequence order, and its message count. */
class Watcher {
  // EXPUNGE and FETCH name messages by sequence number: their position in this list.
  #uids: number[];
  #exists: number;
  #onNews: (news: MailboxNews) => void;

  constructor(uids: number[], onNews: (news: MailboxNews) => void) {
    this.#uids = uids;
    this.#exists = uids.length;
    this.#onNews = onNews;
  }

  /** Whether the server announced messages that are not fetched yet. */
  get behind(): boolean {
    return this.#exists > this.#uids.length;
  }

  /** Takes one untagged response; reports what it means. */
  hear(response: ImapResponse): void {
    if (response.kind !== "data" || response.number === undefined) return;
    if (response.name === "EXISTS") {
      this.#exists = response.number;
    } else if (response.name === "EXPUNGE") {
      const [uid] = this.#uids.splice(response.number - 1, 1);
      this.#exists--;
      if (uid !== undefined) this.#onNews({ kind: "expunged", uid });
    } else if (response.name === "FETCH") {
      const [changed] = readFetch([response]);
      const uid = changed.uid ?? this.#uids[changed.seq - 1];
      if (changed.flags && uid !== undefined) {
        this.#onNews({ kind: "flags", uid, flags: userFlags(changed.flags) });
      }
    }
  }

  /** Fetches the listing lines of the messages announced, and reports them. */
  async fetchArrived(client: ImapClient): Promise<void> {
    while (this.behind) {
      const first = this.#uids.length + 1;
      const reply = await client.command("FETCH", [`${first}:${this.#exists}`, LISTING_ITEMS]);
      const isArrival = (r: ImapResponse) =>
        r.kind === "data" && r.name === "FETCH" && (r.number ?? 0) >= first;
      const arrived = readFetch(reply.untagged.filter(isArrival)).filter((m) => m.uid);
      if (arrived.length === 0) {
        // A server that announced more than it returns: believe what it returns, not ask forever.
        this.#exists = this.#uids.length;
        return;
      }
      this.#uids.push(...arrived.map((m) => m.uid!));
      this.#onNews({ kind: "arrived", messages: arrived.map(inboxEntry) });
      // What else came along (older messages' flags, more arrivals) is news too.
      for (const response of reply.untagged) if (!isArrival(response)) this.hear(response);
    }
  }
}

/**
 * Reports a selected mailbox's news until the signal aborts.
 *
 * @param client A client with the mailbox selected.
 * @param onNews Called with each piece of news.
 * @param options The signal, the ready callback and the idle time.
 */
export async function watchMailbox(
  client: ImapClient,
  onNews: (news: MailboxNews) => void,
  options: WatchOptions = {},
): Promise<void> {
  const start = await client.command("UID SEARCH", ["ALL"]);
  const watcher = new Watcher(readSearch(start.untagged), onNews);
  // A message that arrived while the search ran is announced in its reply, not in its result.
  for (const response of start.untagged) watcher.hear(response);
  await watcher.fetchArrived(client);
  let ready = options.onReady;
  while (!options.signal?.aborted) {
    const idle = await client.idle({ signal: options.signal, timeoutMs: options.idleMs });
    ready?.();
    ready = undefined;
    for await (const response of idle) {
      watcher.hear(response);
      // End the idle to fetch, but keep reading: news sent before the server's OK counts too.
      if (watcher.behind) idle.done().catch(() => {}); // the loop reports a failure
    }
    await watcher.fetchArrived(client);
  }
}
