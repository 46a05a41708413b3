/**
 * What a domain's mail server decides on each SMTP step: who may log in, which recipients it
 * takes (its own users, and others only for a logged-in client: no open relay), and what it does
 * with an accepted message (trace fields, the users' mailboxes, the queue for other domains).
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { domainOf, localPartOf } from "../protocol/smtp/command.ts";
import { parseMailboxes } from "../message/address.ts";
import type { LoginGuard } from "./login_guard.ts";
import { REPLY } from "../protocol/smtp/replies.ts";
import { SmtpReplyError } from "../protocol/smtp/reply.ts";
import { parseHeaders } from "../message/header.ts";
import type { Accounts } from "./accounts.ts";
import type { ServerEvent } from "./events.ts";
import { deliverLocally } from "./local_delivery.ts";
import type { OutboundQueue } from "./queue/queue.ts";
import { prependHeader, receivedHeader, traceProtocol } from "./smtp/trace.ts";
import type { Envelope, SmtpClientInfo, SmtpHandler } from "./smtp/types.ts";
import type { MailboxStore } from "./store/store.ts";

/** Received fields beyond which a message is taken for a mail loop (RFC 5321 §6.3). */
const MAX_HOPS = 30;

/** What the handler works with. */
export interface MailHandlerOptions {
  /** The server's domain, in lower case. */
  domain: string;
  /** Its users. */
  accounts: Accounts;
  /** Their mailboxes. */
  store: MailboxStore;
  /** Where mail for other domains goes. */
  queue: OutboundQueue;
  /** Stamps the trace fields. */
  clock: Clock;
  /** Told when a message is stored. @default nothing */
  emit?: (event: ServerEvent) => void;
  /**
   * The user who reads mail for `postmaster`, an address every domain must accept (RFC 5321
   * §4.5.1), also written without a domain. @default a user named postmaster, else the first user
   */
  postmaster?: string;
  /**
   * Which senders a logged-in user may use on submission, in `MAIL FROM` and in `From:`: only
   * their own address (`own`, as Postfix's `reject_sender_login_mismatch`), any address of this
   * domain (`domain`), or anything (`any`). RFC 6409 §6.1 lets a submission server refuse a
   * sender the login does not own.
   * @default "own"
   */
  senderPolicy?: SenderPolicy;
  /** The server's guard against password guessing, shared with IMAP and HTTP. @default none */
  logins?: LoginGuard;
}

/** Which senders a logged-in user may use: see {@linkcode MailHandlerOptions.senderPolicy}. */
export type SenderPolicy = "own" | "domain" | "any";

/**
 * Whether a logged-in user may send as an address, under a policy.
 *
 * @param address The address (`""` for the null sender).
 * @param login The user's login (a local part).
 * @param domain The server's domain.
 * @param policy The policy.
 * @returns Whether it is allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mayUseSender } from "./mail_handler.ts";
 *
 * assert.equal(mayUseSender("Alice@Crepes.fr", "alice", "crepes.fr", "own"), true);
 * assert.equal(mayUseSender("bob@hamburger.edu", "alice", "crepes.fr", "own"), false);
 * assert.equal(mayUseSender("chef@crepes.fr", "alice", "crepes.fr", "domain"), true);
 * assert.equal(mayUseSender("", "alice", "crepes.fr", "own"), false); // users send no bounces
 * ```
 */
export function mayUseSender(
  address: string,
  login: string,
  domain: string,
  policy: SenderPolicy,
): boolean {
  if (policy === "any") return true;
  if (address === "" || !address.includes("@")) return false;
  const local = login.includes("@") ? login.slice(0, login.lastIndexOf("@")) : login;
  if (domainOf(address) !== domain.toLowerCase()) return false;
  return policy === "domain" || localPartOf(address).toLowerCase() === local.toLowerCase();
}

/**
 * Builds the SMTP hooks of one domain's server.
 *
 * @param options The domain and its collaborators.
 * @returns Hooks for `SmtpServer`.
 *
 * @example Refuse a stranger's relay, take a local user
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "./accounts.ts";
 * import { mailHandler } from "./mail_handler.ts";
 * import { OutboundQueue } from "./queue/queue.ts";
 * import { MemorySpool } from "./queue/spool.ts";
 * import { MemoryStore } from "./store/memory_store.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const queue = new OutboundQueue({ spool: new MemorySpool(), deliverer: { async *deliver() {} } });
 * const handler = mailHandler({ domain: "hamburger.edu", accounts, store: new MemoryStore(), queue, clock: { now: () => 0, setTimer: () => ({ cancel() {} }) } });
 * const stranger = { remote: "127.0.0.1:5000", helo: "x", esmtp: true, submission: false };
 * const envelope = { from: "a@b.c", to: [], params: { body: "7BIT" as const, smtputf8: false } };
 * assert.doesNotThrow(() => handler.rcpt!("bob@hamburger.edu", envelope, stranger));
 * assert.throws(() => handler.rcpt!("eve@example.org", envelope, stranger), { name: "SmtpReplyError" });
 * ```
 */
export function mailHandler(options: MailHandlerOptions): SmtpHandler {
  const { domain, accounts, store, queue, clock } = options;
  const policy = options.senderPolicy ?? "own";
  let seq = 0;
  const isLocal = (to: string) => domainOf(to) === domain || to.toLowerCase() === "postmaster";
  const userOf = (to: string) => {
    const local = (to.includes("@") ? localPartOf(to) : to).toLowerCase();
    if (local !== "postmaster" || accounts.has(local)) return local;
    return options.postmaster ?? accounts.users[0] ?? local;
  };

  async function accept(
    envelope: Envelope,
    message: Uint8Array,
    client: SmtpClientInfo,
  ): Promise<void> {
    const header = parseHeaders(message);
    const hops = header.getAll("Received").length;
    if (hops >= MAX_HOPS) throw new SmtpReplyError(REPLY.TooManyHops(hops));
    if (client.submission && client.user && policy !== "any") {
      // Every From: field (a second one is itself a forgery's trick), each mailbox in it, and a
      // field that names no readable mailbox at all.
      for (const value of header.getAll("from")) {
        const mailboxes = parseMailboxes(value);
        const forged = mailboxes.length === 0
          ? value.replace(/[^\x21-\x7e ]/g, "").slice(0, 80)
          : mailboxes.find((m) => !mayUseSender(m.address, client.user!, domain, policy))?.address;
        if (forged !== undefined) throw new SmtpReplyError(REPLY.FromNotOwned(forged, client.user));
      }
    }
    const at = clock.now();
    const received = receivedHeader({
      helo: client.helo,
      address: client.remote.replace(/:\d+$/, ""),
      by: domain,
      protocol: traceProtocol(client),
      id: `${at.toString(36)}${(seq++).toString(36)}`.toUpperCase(),
      for: envelope.to.length === 1 ? envelope.to[0] : undefined,
      authenticated: client.user,
      at,
    });
    const users = [...new Set(envelope.to.filter(isLocal).map(userOf))];
    const remote = envelope.to.filter((to) => !isLocal(to));
    // All or nothing: if one mailbox or the queue fails, undo the rest and answer 451, so the
    // client's retry neither loses nor duplicates the message. The queue comes last: once it
    // holds the message, the relay may send it at once.
    const returnPath = envelope.from;
    const local = await deliverLocally(store, message, { returnPath, users, trace: received });
    try {
      if (remote.length > 0) {
        await queue.enqueue({ from: envelope.from, to: remote }, prependHeader(received, message));
      }
    } catch (error) {
      await local.undo();
      throw error;
    }
    for (const { user, uid } of local.stored) {
      options.emit?.({ type: "stored", user, mailbox: "INBOX", uid, from: envelope.from, at });
    }
  }

  return {
    authenticate: async (user, password, client) => {
      const check = () =>
        user.includes("@") && domainOf(user) !== domain
          ? Promise.resolve(undefined)
          : accounts.verify(user, password);
      if (!options.logins) return await check();
      const outcome = await options.logins.attempt("SMTP", client.remote, user, check);
      if (outcome.ok) return outcome.user;
      if (outcome.lockedMs) {
        throw new SmtpReplyError(REPLY.LoginLocked(Math.ceil(outcome.lockedMs / 1000)));
      }
      return undefined;
    },
    mail: (from, _params, client) => {
      if (client.submission && client.user && !mayUseSender(from, client.user, domain, policy)) {
        throw new SmtpReplyError(REPLY.SenderNotOwned(from, client.user));
      }
    },
    rcpt: (to, _envelope, client) => {
      if (isLocal(to)) {
        if (!accounts.has(userOf(to))) throw new SmtpReplyError(REPLY.NoSuchUser(to));
        return;
      }
      if (!client.user) throw new SmtpReplyError(REPLY.RelayDenied(to));
    },
    data: accept,
  };
}
