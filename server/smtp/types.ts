/**
 * The data an SMTP session works with: its state, the envelope of the message under way, the
 * facts about the client, and the hooks through which a server decides what to accept.
 *
 * @module
 */
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import type { TlsInfo } from "../../runtime/tls.ts";

/**
 * Where a session is (RFC 5321 §4.1.4): `fresh` before HELO/EHLO, `greeted` between messages,
 * `mail` after MAIL, `rcpt` after at least one accepted RCPT, `data` while message text arrives,
 * `closed` after QUIT or a 421.
 */
export type SmtpState = "fresh" | "greeted" | "mail" | "rcpt" | "data" | "closed";

/**
 * What the session expects next: a command, DATA text lines, BDAT chunk bytes, an AUTH answer,
 * or (after STARTTLS) a TLS handshake.
 */
export type SmtpInput = "command" | "data" | "chunk" | "auth" | "tls";

/** ESMTP parameters given with MAIL FROM (RFC 1870, RFC 6152, RFC 6531). */
export interface MailParameters {
  /** The size the client declared (`SIZE=n`). */
  size?: number;
  /** The body type (`BODY=8BITMIME`); `7BIT` when not given. */
  body: "7BIT" | "8BITMIME";
  /** Whether the client asked for SMTPUTF8. */
  smtputf8: boolean;
}

/** The envelope of one message: who it is from and to, as given by MAIL and RCPT. */
export interface Envelope {
  /** The reverse-path; `""` for the null sender `<>` of a bounce. */
  from: string;
  /** The accepted forward-paths, in order. */
  to: string[];
  /** MAIL's parameters. */
  params: MailParameters;
}

/** What a session knows about its client. */
export interface SmtpClientInfo {
  /** The client's address as `host:port`. */
  remote: string;
  /** The name the client gave in HELO or EHLO. */
  helo: string;
  /** Whether the client said EHLO (and so may use extensions). */
  esmtp: boolean;
  /** The authenticated user, if the client logged in. */
  user?: string;
  /** Whether this is the submission port (AUTH offered and required). */
  submission: boolean;
  /** The TLS protecting the connection, after STARTTLS or on an implicit-TLS port. */
  tls?: TlsInfo;
}

/**
 * Hooks a server supplies to decide about each step, named after the verbs. A missing hook
 * accepts. A hook refuses by throwing an `SmtpReplyError` with the reply to send; a full disk
 * (`StorageFullError`, or the system's ENOSPC) becomes `452 4.3.1`, and any other error `451 4.3.0`,
 * so that the client keeps the message and tries again.
 */
export interface SmtpHandler {
  /**
   * Checks a user name and password from AUTH.
   *
   * @returns The canonical user name, or `undefined` when they are wrong.
   */
  authenticate?(
    user: string,
    password: string,
    client: SmtpClientInfo,
  ): Promise<string | undefined>;
  /**
   * Holds back each answer the server is about to send, the greeting included (the lab's `slow`
   * fault). Returning nothing sends it at once.
   */
  pace?(client: SmtpClientInfo): Promise<void> | undefined;
  /** Decides on the sender of MAIL FROM. */
  mail?(from: string, params: MailParameters, client: SmtpClientInfo): void | Promise<void>;
  /** Decides on one recipient of RCPT TO. */
  rcpt?(to: string, envelope: Envelope, client: SmtpClientInfo): void | Promise<void>;
  /**
   * Takes a whole message: stores or queues it. When it returns, the server answers 250, so it
   * must have kept the message safely first. The message is the handler's to keep; a small one is
   * a view of a buffer it shares with others, so read it through the view, not its `.buffer`.
   *
   * @returns A reply to send instead of the default 250, or nothing.
   */
  data?(
    envelope: Envelope,
    message: Uint8Array,
    client: SmtpClientInfo,
  ): void | SmtpReply | Promise<void | SmtpReply>;
}
