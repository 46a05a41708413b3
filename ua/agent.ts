/**
 * The user agent (course section 2.3): what lets a person compose, send, read, reply to, forward
 * and save mail. It never talks to the recipient's server: it submits to its own server over
 * SMTP with AUTH, and reads its own mailbox over IMAP.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { localPartOf } from "../protocol/smtp/command.ts";
import type { Transcript } from "../protocol/transcript.ts";
import { type Address, parseAddressList } from "../message/address.ts";
import { type AddressInput, type AttachmentInput, buildMessage } from "../message/build.ts";
import { type ParsedMessage, parseMessage } from "../message/parse.ts";
import { ImapClient } from "../client/imap_client.ts";
import { type SendResult, SmtpClient } from "../client/smtp_client.ts";
import { systemClock } from "../runtime/system_clock.ts";

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
}

/** What to write. */
export interface Draft {
  /** Recipients. */
  to: AddressInput | AddressInput[];
  /** Copies. @default none */
  cc?: AddressInput | AddressInput[];
  /** Blind copies: in the envelope, never in the header. @default none */
  bcc?: AddressInput | AddressInput[];
  /** The subject. @default "" */
  subject?: string;
  /** The text. @default "" */
  text?: string;
  /** An HTML alternative. @default none */
  html?: string;
  /** Files. @default none */
  attachments?: AttachmentInput[];
  /** The Message-ID this answers. @default none */
  inReplyTo?: string;
  /** The thread's Message-IDs. @default none */
  references?: string[];
}

/** A composed message, ready to submit. */
export interface Composed {
  /** The message bytes. */
  bytes: Uint8Array;
  /** The envelope: the sender, and To, Cc and Bcc together. */
  envelope: { from: string; to: string[] };
  /** Its Message-ID. */
  messageId: string;
}

/** One line of the inbox listing. */
export interface InboxEntry {
  /** The message's UID. */
  uid: number;
  /** Whether it was read. */
  seen: boolean;
  /** Its flags. */
  flags: string[];
  /** Its size in bytes. */
  size: number;
  /** The From field, decoded. */
  from: string;
  /** The Subject, decoded. */
  subject: string;
  /** The Date field, in milliseconds since the epoch. */
  date?: number;
}

function flatten(addresses: Address[]): string[] {
  return addresses.flatMap((a) => "group" in a ? a.group.map((m) => m.address) : [a.address])
    .filter((a) => a !== "");
}

function recipients(input: AddressInput | AddressInput[] | undefined): string[] {
  if (input === undefined) return [];
  const list = Array.isArray(input) ? input : [input];
  return list.flatMap((a) => typeof a === "string" ? flatten(parseAddressList(a)) : [a.address]);
}

/** An empty list means "none", which the message builder wants as no field at all. */
function present(
  input: AddressInput | AddressInput[] | undefined,
): AddressInput | AddressInput[] | undefined {
  return Array.isArray(input) && input.length === 0 ? undefined : input;
}

function addressesText(addresses: Address[]): string {
  return addresses.map((a) =>
    "group" in a ? `${a.name}:` : a.name ? `${a.name} <${a.address}>` : a.address
  ).join(", ");
}

/**
 * A user agent for one account.
 *
 * @example Alice writes to Bob in the lab; Bob reads it
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lab } from "../lab/lab.ts";
 * import { UserAgent } from "./agent.ts";
 *
 * await using lab = await Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000 });
 * const at = (domain: string) => {
 *   const s = lab.server(domain);
 *   return { submission: { hostname: s.hostname, port: s.ports.submission }, imap: { hostname: s.hostname, port: s.ports.imap } };
 * };
 * const alice = new UserAgent({ address: "alice@crepes.fr", password: "ketchup", ...at("crepes.fr") });
 * const bob = new UserAgent({ address: "bob@hamburger.edu", password: "pickles", ...at("hamburger.edu") });
 * await alice.send({ to: "bob@hamburger.edu", subject: "Lunch?", text: "Do you like ketchup?\n" });
 * await lab.idle();
 * const [entry] = await bob.inbox();
 * assert.equal(entry.subject, "Lunch?");
 * assert.equal((await bob.read(entry.uid)).text, "Do you like ketchup?\r\n");
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
    const from = this.#options.name
      ? { name: this.#options.name, address: this.address }
      : this.address;
    const bytes = buildMessage(
      {
        from,
        to: present(draft.to),
        cc: present(draft.cc),
        subject: draft.subject ?? "",
        text: draft.text ?? "",
        html: draft.html,
        attachments: draft.attachments,
        inReplyTo: draft.inReplyTo,
        references: draft.references,
      },
      { clock: this.#clock },
    );
    const messageId = parseMessage(bytes).messageId ?? "";
    const to = [
      ...new Set([...recipients(draft.to), ...recipients(draft.cc), ...recipients(draft.bcc)]),
    ];
    return { bytes, envelope: { from: this.address, to }, messageId };
  }

  /**
   * Composes and submits a message to the user's own server.
   *
   * @param draft What to write.
   * @returns The Message-ID and what the server said of each recipient.
   */
  async send(draft: Draft): Promise<{ messageId: string; result: SendResult }> {
    return await this.submit(this.compose(draft));
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

  async #withMailbox<T>(mailbox: string, work: (client: ImapClient) => Promise<T>): Promise<T> {
    await using client = await ImapClient.connect({
      ...this.#options.imap,
      clock: this.#clock,
      transcript: this.#options.record?.("IMAP"),
    });
    await client.login(this.#user, this.#options.password);
    await client.select(mailbox);
    const result = await work(client);
    await client.logout();
    return result;
  }

  /**
   * Lists a mailbox: one entry per message, without marking anything read.
   *
   * @param mailbox The mailbox. @default "INBOX"
   * @returns The entries in UID order.
   */
  async inbox(mailbox = "INBOX"): Promise<InboxEntry[]> {
    return await this.#withMailbox(mailbox, async (client) => {
      const uids = await client.search("ALL", { uid: true });
      if (uids.length === 0) return [];
      const fetched = await client.fetch(
        "1:*",
        "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])",
      );
      return fetched.map((m) => {
        const header = parseMessage(
          m.sections["BODY[HEADER.FIELDS (FROM SUBJECT DATE)]"] ?? new Uint8Array(),
        );
        const flags = m.flags ?? [];
        return {
          uid: m.uid ?? 0,
          seen: flags.includes("\\Seen"),
          flags,
          size: m.size ?? 0,
          from: addressesText(header.from),
          subject: header.subject ?? "",
          date: header.date,
        };
      }).sort((a, b) => a.uid - b.uid);
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
      if (!bytes) throw new Error(`No message with UID ${uid} in "${mailbox}"`);
      return bytes;
    });
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
  async reply(
    uid: number,
    text: string,
    options: { all?: boolean } = {},
  ): Promise<{ messageId: string; result: SendResult }> {
    const original = await this.read(uid);
    const replyTo = original.header.get("Reply-To");
    const to = replyTo ? flatten(parseAddressList(replyTo)) : original.from.map((m) => m.address);
    const cc = options.all
      ? [...flatten(original.to), ...flatten(original.cc)].filter((a) =>
        a.toLowerCase() !== this.address.toLowerCase() && !to.includes(a)
      )
      : [];
    const subject = original.subject ?? "";
    const quoted = (original.text ?? "").replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n").map((
      l,
    ) => `> ${l}`).join("\n");
    const references = [
      ...original.references,
      ...(original.messageId ? [original.messageId] : []),
    ];
    return await this.send({
      to,
      cc: cc.length > 0 ? cc : undefined,
      subject: /^re:/i.test(subject) ? subject : `Re: ${subject}`,
      text: `${text}\n\n${quoted}\n`,
      inReplyTo: original.messageId,
      references: references.length > 0 ? references : undefined,
    });
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
  ): Promise<{ messageId: string; result: SendResult }> {
    const bytes = await this.save(uid);
    const original = parseMessage(bytes);
    return await this.send({
      to,
      subject: `Fwd: ${original.subject ?? ""}`,
      text,
      attachments: [{ filename: "forwarded.eml", contentType: "message/rfc822", content: bytes }],
    });
  }
}
