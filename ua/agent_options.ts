/**
 * What a `UserAgent` is made with (the account, its server's endpoints, which way to
 * send and to read) and what its methods answer.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import type { Transcript } from "../protocol/transcript.ts";
import type { SendResult } from "../client/smtp_client.ts";
import type { Endpoint } from "./errors.ts";

/** Options of `UserAgent`. */
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
  /**
   * The user's server's HTTP interface (80 in the course; the lab's `ports.http`), for `via`.
   * @default none
   */
  http?: Endpoint;
  /**
   * Which way to send (SMTP submission, or `POST /api/submit`) and to read (IMAP, or the HTTP
   * interface's mailbox routes); either `"http"` needs `http`. Over HTTP a search looks in From
   * and Subject only, and `saveSent(bytes)` still files over IMAP (the HTTP interface has no
   * way to file a message).
   * @default { send: "smtp", read: "imap" }
   */
  via?: { send?: "smtp" | "http"; read?: "imap" | "http" };
  /** Dates of new messages. @default the system clock */
  clock?: Clock;
  /** Called for each new connection (one for all of HTTP), to record its dialog. @default none */
  record?: (protocol: "SMTP" | "IMAP" | "HTTP") => Transcript | undefined;
  /**
   * Keep a copy of each message sent (by `send`, `reply` and `forward`) in the `\Sent` mailbox,
   * marked read, as mail clients do. Off by default: it takes an IMAP connection per message,
   * and some servers file sent mail themselves (this one does not). Sent over HTTP, the server
   * keeps the copy (`saveSent=1`).
   * @default false
   */
  saveSent?: boolean;
  /**
   * How long to wait for a server: for the greeting, and for each answer after it.
   * @default 30000
   */
  timeoutMs?: number;
}

/** What became of a message sent. */
export interface SentMessage {
  /** Its Message-ID. */
  messageId: string;
  /** What the submission server said of each recipient. */
  result: SendResult;
  /**
   * Where its copy in Sent went, with `saveSent` (and a server with UIDPLUS); sent over HTTP,
   * the UID alone.
   */
  saved?: { uid: number; uidValidity?: number };
  /** Why the copy could not be saved; the message was sent all the same. */
  saveError?: Error;
}

/** Options of `UserAgent.flag`. */
export interface FlagOptions {
  /** Set the flags (true) or clear them (false). @default true */
  on?: boolean;
  /** The message's mailbox. @default "INBOX" */
  mailbox?: string;
}
