/**
 * The user agent (course section 2.3): what lets a person compose, send, read, reply to, forward
 * and save mail, search it, file it in folders, flag it, throw it away and watch for new mail. It
 * never talks to the recipient's server: it submits to its own server over SMTP with AUTH, and
 * keeps its mailboxes on that server over IMAP; or, with `via`, does either over the server's
 * HTTP interface (`POST /api/submit`, `GET /api/mailboxes/...`), with the same results. A
 * server it cannot reach is a `ServerConnectionError` naming the server's role, host and port;
 * a refused password, a `LoginRefusedError`.
 *
 * @module
 */
import type { AppendUid } from "../protocol/imap/response_data.ts";
import { localPartOf } from "../protocol/smtp/command.ts";
import type { AddressInput } from "../message/build.ts";
import { type ParsedMessage, parseMessage } from "../message/parse.ts";
import type { SendResult } from "../client/smtp_client.ts";
import { systemClock } from "../runtime/system_clock.ts";
import type { MailAccess } from "./access.ts";
import { forwardDraft, replyDraft } from "./answer.ts";
import { type Composed, composeMessage, type Draft } from "./compose.ts";
import type { FlagOptions, SentMessage, UserAgentOptions } from "./agent_options.ts";
import { appendToSpecial, type Folder, type InboxEntry, type SearchPlace } from "./folders.ts";
import { httpAccess, submitOverHttp } from "./http_access.ts";
import { HttpTransport } from "./http_transport.ts";
import { imapAccess } from "./imap_access.ts";
import { mboxEntry } from "./mbox.ts";
import { type SessionOptions, submitMessage, withImap } from "./session.ts";
import type { MailboxNews, WatchOptions } from "./watch.ts";

export type { Endpoint } from "./errors.ts";
export type { FlagOptions, SentMessage, UserAgentOptions } from "./agent_options.ts";

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
 *
 * @example The same over the servers' HTTP interfaces, and the same bytes as IMAP's
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lab } from "../lab/lab.ts";
 * import { UserAgent } from "./agent.ts";
 *
 * await using lab = await Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000 });
 * const via = { send: "http", read: "http" } as const;
 * const alice = new UserAgent({ ...lab.agentOptions("alice@crepes.fr"), via });
 * const bob = new UserAgent({ ...lab.agentOptions("bob@hamburger.edu"), via });
 * await alice.send({ to: "bob@hamburger.edu", subject: "Lunch?", text: "Do you like ketchup?\n" });
 * await lab.idle();
 * const [entry] = await bob.inbox();
 * const overImap = new UserAgent(lab.agentOptions("bob@hamburger.edu"));
 * assert.deepEqual((await bob.read(entry.uid)).bytes, await overImap.save(entry.uid));
 * ```
 */
export class UserAgent {
  /** The user's address. */
  readonly address: string;
  #options: UserAgentOptions;
  #session: SessionOptions;
  #access: MailAccess;
  #http?: HttpTransport;

  /**
   * Creates a user agent; it connects only when asked to send or read.
   *
   * @param options The account and its server's endpoints.
   * @throws {TypeError} When `via` names HTTP and `http` is missing.
   */
  constructor(options: UserAgentOptions) {
    this.address = options.address;
    this.#options = options;
    this.#session = {
      address: options.address,
      user: options.user ?? localPartOf(options.address),
      password: options.password,
      submission: options.submission,
      imap: options.imap,
      clock: options.clock ?? systemClock,
      timeoutMs: options.timeoutMs ?? 30_000,
      record: options.record,
    };
    const { send = "smtp", read = "imap" } = options.via ?? {};
    if (send === "http" || read === "http") {
      if (!options.http) {
        throw new TypeError('via "http" needs the HTTP interface\'s endpoint in options.http');
      }
      this.#http = new HttpTransport({
        ...this.#session,
        endpoint: options.http,
        record: options.record && (() => options.record?.("HTTP")),
      });
    }
    this.#access = read === "http" ? httpAccess(this.#http!) : imapAccess(this.#session);
  }

  /** The HTTP session, when sending goes over HTTP. */
  get #httpSend(): HttpTransport | undefined {
    return this.#options.via?.send === "http" ? this.#http : undefined;
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
    return composeMessage(draft, { address: this.address, name, clock: this.#session.clock });
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
    const saveSent = this.#options.saveSent ?? false;
    const http = this.#httpSend;
    if (http) {
      const { result, sentUid } = await submitOverHttp(http, composed, { saveSent });
      const sent: SentMessage = { messageId: composed.messageId, result };
      if (!saveSent || result.reply.code >= 300) return sent;
      if (sentUid === undefined) sent.saveError = new Error("The server kept no copy in Sent");
      else sent.saved = { uid: sentUid };
      return sent;
    }
    const sent: SentMessage = await this.submit(composed);
    if (!saveSent) return sent;
    try {
      const saved = await this.saveSent(composed.bytes);
      if (saved) sent.saved = saved;
    } catch (error) {
      sent.saveError = error as Error;
    }
    return sent;
  }

  /**
   * Submits a composed message: SMTP with AUTH on the submission port, or `POST /api/submit`
   * with `via.send` "http".
   *
   * @param composed A message from {@linkcode UserAgent.compose}.
   * @returns The Message-ID and the server's answer.
   */
  async submit(composed: Composed): Promise<{ messageId: string; result: SendResult }> {
    const http = this.#httpSend;
    const result = http
      ? (await submitOverHttp(http, composed, { saveSent: false })).result
      : await submitMessage(composed, this.#session);
    return { messageId: composed.messageId, result };
  }

  /**
   * Files a message in the `\Sent` mailbox (found by LIST, else "Sent", made if missing), marked
   * read: what `send` does with `saveSent`, for a message submitted some other way. Always over
   * IMAP: the HTTP interface files only what it submits itself.
   *
   * @param message The message as sent.
   * @returns Where it went, when the server says.
   */
  async saveSent(message: Uint8Array): Promise<AppendUid | undefined> {
    return await withImap(
      this.#session,
      (client) => appendToSpecial(client, "\\Sent", message, { flags: ["\\Seen"] }),
    );
  }

  /**
   * Lists the mailboxes (folders), with their special uses and counters.
   *
   * @returns The folders, INBOX first.
   */
  async mailboxes(): Promise<Folder[]> {
    return await this.#access.mailboxes();
  }

  /**
   * Lists a mailbox: one entry per message, without marking anything read. (Over HTTP, `from`
   * names the first author only.)
   *
   * @param mailbox The mailbox. @default "INBOX"
   * @returns The entries in UID order.
   */
  async inbox(mailbox = "INBOX"): Promise<InboxEntry[]> {
    return await this.#access.list(mailbox);
  }

  /**
   * Searches a mailbox on the server (SEARCH, RFC 3501 §6.4.4), without marking anything read:
   * the server looks for the text, in any case, in the whole message or in one part of it.
   * Over HTTP the server looks in From and Subject only: `text` means those two, and `body`
   * and `to` are refused with a `RangeError`.
   *
   * @param text What to look for.
   * @param options The mailbox, and where to look: `text` (header and body), `body`,
   * `subject`, `from` or `to`. @default { mailbox: "INBOX", in: "text" }
   * @returns The listing lines of the messages found, in UID order.
   */
  async search(
    text: string,
    options: { mailbox?: string; in?: SearchPlace } = {},
  ): Promise<InboxEntry[]> {
    return await this.#access.search(text, {
      mailbox: options.mailbox ?? "INBOX",
      in: options.in ?? "text",
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
    const markSeen = options.markSeen ?? false;
    return (await this.#access.fetch(uid, { mailbox, markSeen })).bytes;
  }

  /**
   * Fetches one message as an mbox entry (mboxrd), its `From ` line dated when the message
   * arrived (INTERNALDATE), without marking it seen: append it to an mbox file.
   *
   * @param uid Its UID.
   * @param mailbox The mailbox. @default "INBOX"
   * @returns The entry's bytes.
   */
  async saveAsMbox(uid: number, mailbox = "INBOX"): Promise<Uint8Array> {
    const where = { mailbox, markSeen: false, internalDate: true };
    const { bytes, internalDate } = await this.#access.fetch(uid, where);
    return mboxEntry(bytes, { date: internalDate });
  }

  /**
   * Moves a message to another mailbox (MOVE, RFC 6851).
   *
   * @param uid The message.
   * @param to The mailbox it goes to.
   * @param options The mailbox it is in. @default { from: "INBOX" }
   * @returns Its UID in the new mailbox, when the server says (UIDPLUS).
   * @throws {ImapResponseError} `NO [TRYCREATE]` when `to` does not exist (over HTTP, a
   * `NoSuchMailboxError`).
   */
  async move(
    uid: number,
    to: string,
    options: { from?: string } = {},
  ): Promise<number | undefined> {
    return await this.#access.move(uid, { from: options.from ?? "INBOX", to });
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
    return await this.#access.trash(uid, mailbox);
  }

  /**
   * Deletes a message for good, wherever it is: marks it `\Deleted` and expunges it (UID
   * EXPUNGE, RFC 4315), with no copy in Trash. (Over HTTP, it goes to Trash and is removed
   * from there at once.)
   *
   * @param uid The message.
   * @param mailbox The mailbox it is in. @default "INBOX"
   */
  async delete(uid: number, mailbox = "INBOX"): Promise<void> {
    await this.#access.delete(uid, mailbox);
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
    const list = typeof flags === "string" ? [flags] : flags;
    const where = { mailbox: options.mailbox ?? "INBOX", on: options.on !== false };
    return await this.#access.flag(uid, list, where);
  }

  /**
   * Watches a mailbox with IDLE (RFC 2177) until the signal aborts: new messages, flag changes
   * and expunges are reported as they happen, each naming messages by UID. Over HTTP, it
   * follows the server's events (`GET /api/events`) and lists the mailbox at each change.
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
    await this.#access.watch(mailbox, onNews, options);
  }

  /**
   * Answers a message: to its Reply-To, From or Return-Path; `Re:` once; In-Reply-To and
   * References set (RFC 5322 §3.6.4); the original quoted with `> `.
   *
   * @param uid The message to answer.
   * @param text The answer.
   * @param options Whether to answer everyone in To and Cc too, and the message's mailbox.
   * @default { all: false, mailbox: "INBOX" }
   * @returns The Message-ID and the server's answer.
   * @throws {NoReplyAddressError} When the message names no one to answer.
   */
  async reply(
    uid: number,
    text: string,
    options: { all?: boolean; mailbox?: string } = {},
  ): Promise<SentMessage> {
    const original = await this.read(uid, options.mailbox);
    return await this.send(replyDraft(original, { text, all: options.all, self: this.address }));
  }

  /**
   * Forwards a message to someone else: inline, its text quoted and its attachments carried
   * along, or with `asAttachment` attached whole as `message/rfc822`. `Fwd:` once.
   *
   * @param uid The message to forward.
   * @param to The new recipients.
   * @param options A note above it, copies, how to carry it, and its mailbox.
   * @default { text: "", asAttachment: false, mailbox: "INBOX" }
   * @returns The Message-ID and the server's answer.
   */
  async forward(
    uid: number,
    to: AddressInput | AddressInput[],
    options: {
      text?: string;
      cc?: AddressInput | AddressInput[];
      asAttachment?: boolean;
      mailbox?: string;
    } = {},
  ): Promise<SentMessage> {
    const original = await this.save(uid, options.mailbox);
    return await this.send(forwardDraft(original, { ...options, to }));
  }
}
