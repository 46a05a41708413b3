/**
 * The user agent (course section 2.3): what lets a person compose, send, read, reply to, forward
 * and save mail, file it in folders, flag it, throw it away and watch for new mail. It never
 * talks to the recipient's server: it submits to its own server over SMTP with AUTH, and keeps
 * its mailboxes on that server over IMAP.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import type { AppendUid, SelectedInfo } from "../protocol/imap/response_data.ts";
import { localPartOf } from "../protocol/smtp/command.ts";
import type { Transcript } from "../protocol/transcript.ts";
import type { AddressInput } from "../message/build.ts";
import { type ParsedMessage, parseMessage } from "../message/parse.ts";
import { ImapClient } from "../client/imap_client.ts";
import { type SendResult, SmtpClient } from "../client/smtp_client.ts";
import { systemClock } from "../runtime/system_clock.ts";
import { type Composed, composeMessage, type Draft, forwardDraft, replyDraft } from "./compose.ts";
import {
  appendToSpecial,
  type Folder,
  type InboxEntry,
  inboxEntry,
  listFolders,
  LISTING_ITEMS,
  specialMailbox,
  userFlags,
} from "./folders.ts";
import { type MailboxNews, watchMailbox, type WatchOptions } from "./watch.ts";

/** Where a server listens. */
export interface Endpoint {
  /** Host name or address. */
  hostname: string;
  /** Port. */
  port: number;
}

/** Options of {@linkcode UserAgent}. */
export interface UserAgentOptions {
  /** The user's address, such as `alice@crepes.fr`. */
  address: string;
  /** The password for submission and IMAP. */
  password: string;
  /** The login name. @default the address's local part */
  user?: string;
  /** The display name in From. @default none */
  name?: string;
  /** The user's server's submission port (587 in the course). */
  submission: Endpoint;
  /** The user's server's IMAP port (143 in the course). */
  imap: Endpoint;
  /** Dates of new messages. @default the system clock */
  clock?: Clock;
  /** Called for each new connection, to record its dialog. @default no recording */
  record?: (protocol: "SMTP" | "IMAP") => Transcript | undefined;
  /**
   * Keep a copy of each message sent (by `send`, `reply` and `forward`) in the `\Sent` mailbox,
   * marked read, as mail clients do. Off by default: it takes an IMAP connection per message,
   * and some servers file sent mail themselves (this one does not).
   * @default false
   */
  saveSent?: boolean;
}

/** What became of a message sent. */
export interface SentMessage {
  /** Its Message-ID. */
  messageId: string;
  /** What the submission server said of each recipient. */
  result: SendResult;
  /** Where its copy in Sent went, with `saveSent` (and a server with UIDPLUS). */
  saved?: AppendUid;
  /** Why the copy could not be saved; the message was sent all the same. */
  saveError?: Error;
}

/** Options of {@linkcode UserAgent.flag}. */
export interface FlagOptions {
  /** Set the flags (true) or clear them (false). @default true */
  on?: boolean;
  /** The message's mailbox. @default "INBOX" */
  mailbox?: string;
}

const noMessage = (uid: number, mailbox: string) =>
  new Error(`No message with UID ${uid} in "${mailbox}"`);

/** Moves one message of the selected mailbox; returns its new UID when the server says. */
async function moveMessage(
  client: ImapClient,
  uid: number,
  where: { from: string; to: string },
): Promise<number | undefined> {
  const moved = await client.move(String(uid), where.to, { uid: true });
  const copy = moved?.uids.get(uid);
  // With UIDPLUS, no COPYUID means that nothing was moved.
  if (copy === undefined && client.capabilities.includes("UIDPLUS")) {
    throw noMessage(uid, where.from);
  }
  return copy;
}

/**
 * A user agent for one account.
 *
 * @example Alice writes to Bob in the lab; Bob reads it and throws it away
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lab } from "../lab/lab.ts";
 * import { UserAgent } from "./agent.ts";
 *
 * await using lab = await Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000 });
 * const alice = new UserAgent(lab.agentOptions("alice@crepes.fr"));
 * const bob = new UserAgent(lab.agentOptions("bob@hamburger.edu"));
 * await alice.send({ to: "bob@hamburger.edu", subject: "Lunch?", text: "Do you like ketchup?\n" });
 * await lab.idle();
 * const [entry] = await bob.inbox();
 * assert.equal(entry.subject, "Lunch?");
 * assert.equal((await bob.read(entry.uid)).text, "Do you like ketchup?\r\n");
 * await bob.trash(entry.uid);
 * assert.deepEqual(await bob.inbox(), []);
 * assert.equal((await bob.inbox("Trash"))[0].subject, "Lunch?");
 * ```
 */
export class UserAgent {
  /** The user's address. */
  readonly address: string;
  #options: UserAgentOptions;
  #clock: Clock;

  /**
   * Creates a user agent; it connects only when asked to send or read.
   *
   * @param options The account and its server's endpoints.
   */
  constructor(options: UserAgentOptions) {
    this.address = options.address;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  get #user(): string {
    return this.#options.user ?? localPartOf(this.address);
  }

  /**
   * Writes a message: headers (From, To, Cc, Subject, Date, Message-ID) and body, with MIME and
   * encoded words as the content needs.
   *
   * @param draft What to write.
   * @returns The bytes and the envelope to send them with.
   */
  compose(draft: Draft): Composed {
    const { name } = this.#options;
    return composeMessage(draft, { address: this.address, name, clock: this.#clock });
  }

  /**
   * Composes and submits a message to the user's own server; with `saveSent`, keeps a copy in
   * Sent. A copy that cannot be saved is reported in `saveError`, never thrown: the message is
   * gone already, and sending it again would send it twice.
   *
   * @param draft What to write.
   * @returns The Message-ID, what the server said of each recipient, and where the copy went.
   */
  async send(draft: Draft): Promise<SentMessage> {
    const composed = this.compose(draft);
    const sent: SentMessage = await this.submit(composed);
    if (!this.#options.saveSent) return sent;
    try {
      const saved = await this.saveSent(composed.bytes);
      if (saved) sent.saved = saved;
    } catch (error) {
      sent.saveError = error as Error;
    }
    return sent;
  }

  /**
   * Submits a composed message (SMTP with AUTH on the submission port).
   *
   * @param composed A message from {@linkcode UserAgent.compose}.
   * @returns The Message-ID and the server's answer.
   */
  async submit(composed: Composed): Promise<{ messageId: string; result: SendResult }> {
    const client = await SmtpClient.connect({
      ...this.#options.submission,
      clientName: `${localPartOf(this.address)}-ua`,
      clock: this.#clock,
      transcript: this.#options.record?.("SMTP"),
    });
    try {
      await client.authenticate(this.#user, this.#options.password);
      const result = await client.send(composed.envelope, composed.bytes);
      await client.quit();
      return { messageId: composed.messageId, result };
    } finally {
      client.close();
    }
  }

  /**
   * Files a message in the `\Sent` mailbox (found by LIST, else "Sent", made if missing), marked
   * read: what `send` does with `saveSent`, for a message submitted some other way.
   *
   * @param message The message as sent.
   * @returns Where it went, when the server says.
   */
  async saveSent(message: Uint8Array): Promise<AppendUid | undefined> {
    return await this.#withImap((client) =>
      appendToSpecial(client, "\\Sent", message, { flags: ["\\Seen"] })
    );
  }

  async #withImap<T>(work: (client: ImapClient) => Promise<T>): Promise<T> {
    await using client = await ImapClient.connect({
      ...this.#options.imap,
      clock: this.#clock,
      transcript: this.#options.record?.("IMAP"),
    });
    await client.login(this.#user, this.#options.password);
    const result = await work(client);
    await client.logout();
    return result;
  }

  async #withMailbox<T>(
    mailbox: string,
    work: (client: ImapClient, box: SelectedInfo) => Promise<T>,
  ): Promise<T> {
    return await this.#withImap(async (client) => work(client, await client.select(mailbox)));
  }

  /**
   * Lists the mailboxes (folders), with their special uses and counters.
   *
   * @returns The folders, INBOX first.
   */
  async mailboxes(): Promise<Folder[]> {
    return await this.#withImap(listFolders);
  }

  /**
   * Lists a mailbox: one entry per message, without marking anything read.
   *
   * @param mailbox The mailbox. @default "INBOX"
   * @returns The entries in UID order.
   */
  async inbox(mailbox = "INBOX"): Promise<InboxEntry[]> {
    return await this.#withMailbox(mailbox, async (client, box) => {
      if (box.exists === 0) return [];
      const fetched = await client.fetch("1:*", LISTING_ITEMS);
      return fetched.map(inboxEntry).sort((a, b) => a.uid - b.uid);
    });
  }

  /**
   * Reads one message (which marks it seen).
   *
   * @param uid Its UID.
   * @param mailbox The mailbox. @default "INBOX"
   * @returns The parsed message; its `bytes` are exactly what the server stored.
   */
  async read(uid: number, mailbox = "INBOX"): Promise<ParsedMessage> {
    return parseMessage(await this.save(uid, mailbox, { markSeen: true }));
  }

  /**
   * Fetches one message's bytes exactly as stored, for saving to a file.
   *
   * @param uid Its UID.
   * @param mailbox The mailbox. @default "INBOX"
   * @param options Whether fetching marks it seen. @default { markSeen: false }
   * @returns The raw message.
   */
  async save(
    uid: number,
    mailbox = "INBOX",
    options: { markSeen?: boolean } = {},
  ): Promise<Uint8Array> {
    const item = options.markSeen ? "BODY[]" : "BODY.PEEK[]";
    return await this.#withMailbox(mailbox, async (client) => {
      const [message] = await client.fetch(String(uid), `(UID ${item})`, { uid: true });
      const bytes = message?.sections["BODY[]"];
      if (!bytes) throw noMessage(uid, mailbox);
      return bytes;
    });
  }

  /**
   * Moves a message to another mailbox (MOVE, RFC 6851).
   *
   * @param uid The message.
   * @param to The mailbox it goes to.
   * @param options The mailbox it is in. @default { from: "INBOX" }
   * @returns Its UID in the new mailbox, when the server says (UIDPLUS).
   * @throws {ImapResponseError} `NO [TRYCREATE]` when `to` does not exist.
   */
  async move(
    uid: number,
    to: string,
    options: { from?: string } = {},
  ): Promise<number | undefined> {
    const from = options.from ?? "INBOX";
    return await this.#withMailbox(from, (client) => moveMessage(client, uid, { from, to }));
  }

  /**
   * Throws a message away, as a mail client's Delete key does: moves it to the `\Trash` mailbox
   * (found by LIST, else "Trash"); a message in Trash already is deleted for good.
   *
   * @param uid The message.
   * @param mailbox The mailbox it is in. @default "INBOX"
   * @returns Its UID in Trash, or undefined when it was deleted for good (or the server does
   * not say).
   */
  async trash(uid: number, mailbox = "INBOX"): Promise<number | undefined> {
    return await this.#withMailbox(mailbox, async (client) => {
      const trash = await specialMailbox(client, "\\Trash");
      if (trash !== mailbox) return await moveMessage(client, uid, { from: mailbox, to: trash });
      // UID EXPUNGE (RFC 4315) removes this message only, not others marked \Deleted.
      await client.store(String(uid), "+FLAGS.SILENT", ["\\Deleted"], { uid: true });
      const gone = await client.expunge({ uids: String(uid) });
      if (gone.length === 0) throw noMessage(uid, mailbox);
      return undefined;
    });
  }

  /**
   * Sets or clears flags of a message, such as `\Flagged` (a star), `\Seen` or a keyword.
   *
   * @param uid The message.
   * @param flags The flags.
   * @param options Whether to set or clear them, and the mailbox.
   * @returns The message's flags now.
   */
  async flag(uid: number, flags: string | string[], options: FlagOptions = {}): Promise<string[]> {
    const mailbox = options.mailbox ?? "INBOX";
    const action = options.on === false ? "-FLAGS" : "+FLAGS";
    const list = typeof flags === "string" ? [flags] : flags;
    return await this.#withMailbox(mailbox, async (client) => {
      const changed = await client.store(String(uid), action, list, { uid: true });
      const now = changed.find((m) => m.uid === uid)?.flags;
      if (!now) throw noMessage(uid, mailbox);
      return userFlags(now);
    });
  }

  /**
   * Watches a mailbox with IDLE (RFC 2177) until the signal aborts: new messages, flag changes
   * and expunges are reported as they happen, each naming messages by UID.
   *
   * @param mailbox The mailbox, such as "INBOX".
   * @param onNews Called with each piece of news.
   * @param options The signal that stops the watch, a callback for when it listens, and how
   * long each IDLE lasts.
   */
  async watch(
    mailbox: string,
    onNews: (news: MailboxNews) => void,
    options: WatchOptions = {},
  ): Promise<void> {
    await this.#withMailbox(mailbox, (client) => watchMailbox(client, onNews, options));
  }

  /**
   * Answers a message: to its Reply-To or From, `Re:` subject, In-Reply-To and References set,
   * and the original quoted with `> `.
   *
   * @param uid The message to answer.
   * @param text The answer.
   * @param options Whether to answer everyone in To and Cc too. @default { all: false }
   * @returns The Message-ID and the server's answer.
   */
  async reply(uid: number, text: string, options: { all?: boolean } = {}): Promise<SentMessage> {
    const original = await this.read(uid);
    return await this.send(replyDraft(original, { text, all: options.all, self: this.address }));
  }

  /**
   * Forwards a message to someone else, attached whole as `message/rfc822`.
   *
   * @param uid The message to forward.
   * @param to The new recipients.
   * @param text A note above it. @default ""
   * @returns The Message-ID and the server's answer.
   */
  async forward(
    uid: number,
    to: AddressInput | AddressInput[],
    text = "",
  ): Promise<SentMessage> {
    return await this.send(forwardDraft(await this.save(uid), { to, text }));
  }
}
