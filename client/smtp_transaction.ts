/**
 * The pieces of one SMTP mail transaction that need no socket: which MAIL parameters to give,
 * which messages not to send at all, and how message text goes into a transcript.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import type { SmtpReply } from "../protocol/smtp/reply.ts";
import type { Transcript } from "../protocol/transcript.ts";
import { hasEightBit, to7bit } from "../message/eight_bit.ts";

/** What the server offered, for {@linkcode localRefusal} and {@linkcode mailParameters}. */
export interface TransactionOptions {
  /** The server's EHLO extensions, keyword in upper case to parameters. */
  extensions: ReadonlyMap<string, string>;
}

/** Deadlines of RFC 5321 §4.5.3.2, in milliseconds. */
export interface SmtpTimeouts {
  /** For the 220 greeting (§4.5.3.2.1). @default 300000 */
  greeting: number;
  /** For the reply to EHLO, MAIL, RCPT, RSET, AUTH, QUIT (§4.5.3.2.2, §4.5.3.2.3). @default 300000 */
  command: number;
  /** For the 354 reply to DATA (§4.5.3.2.4). @default 120000 */
  dataStart: number;
  /** For each write of message text to complete (§4.5.3.2.5). @default 180000 */
  dataBlock: number;
  /** For the reply after the end-of-data line (§4.5.3.2.6). @default 600000 */
  dataEnd: number;
}

/** A message's envelope, as the client gives it with MAIL and RCPT. */
export interface SendEnvelope {
  /** The reverse-path; `""` for the null sender of a bounce. */
  from: string;
  /** The recipients. */
  to: string[];
}

/**
 * The steps of one mail transaction that a reply or a failure can belong to: `reset` (RSET
 * before a message that follows a failed one), `mail`, `rcpt`, `data` (DATA's 354 or its
 * refusal) and `end of data` (the text, and the reply after its final dot).
 */
export type TransactionStep = "reset" | "mail" | "rcpt" | "data" | "end of data";

/** A recipient that did not get the message, with the reply that said so and its step. */
export interface RecipientRefusal {
  /** The recipient. */
  address: string;
  /** The reply: its own RCPT refusal, or the one that ended the transaction. */
  reply: SmtpReply;
  /** The step `reply` answered. */
  step: TransactionStep;
}

/** What became of each recipient of one message. */
export interface SendResult {
  /** Recipients the server accepted; the message reached them if `reply` is 2xx. */
  accepted: string[];
  /** Recipients that did not get the message, each with its reply and step. */
  rejected: RecipientRefusal[];
  /** The reply that ended the transaction: to the end of data, or the refusal that stopped it. */
  reply: SmtpReply;
  /** The step `reply` answered: `end of data` when the message went through. */
  step: TransactionStep;
  /**
   * True when this client refused the message itself, without sending it: it is over the
   * server's SIZE, or needs SMTPUTF8 that the server lacks. `reply` then says `(local)`.
   */
  local?: boolean;
  /** Whether the body was converted to 7 bits because the server lacks 8BITMIME. */
  downgraded: boolean;
}

/** One message to send: its envelope and its bytes. */
export interface OutgoingMessage {
  /** Sender and recipients. */
  envelope: SendEnvelope;
  /** The message, CRLF line endings, not yet dot-stuffed. */
  message: Uint8Array;
}

/**
 * Why a message got no answer of its own: the connection failed, or the server closed it with
 * 421, while this message was under way or before its turn came.
 */
export interface SendFailure {
  /** The step the connection failed in; `mail` for a message whose turn never came. */
  step: TransactionStep;
  /** What failed: a `ConnectionError`, a `TimeoutError`, or an `SmtpReplyError` for a 421. */
  error: Error;
  /** The server's 421, when it closed the connection itself. */
  reply?: SmtpReply;
}

/** What became of one message of `SmtpClient.sendMany`: the server's answers, or a failure. */
export type SendManyResult<T extends OutgoingMessage = OutgoingMessage> =
  | { item: T; result: SendResult; failure?: undefined }
  | { item: T; failure: SendFailure; result?: undefined };

/** RFC 5321 §4.5.3.2's deadlines. */
export const DEFAULT_TIMEOUTS: SmtpTimeouts = {
  greeting: 300_000,
  command: 300_000,
  dataStart: 120_000,
  dataBlock: 180_000,
  dataEnd: 600_000,
};

const ASCII_ONLY = /^[\x20-\x7e]*$/;
const decoder = new TextDecoder();

/**
 * Decides not to send a message that the server said it would refuse: one over its SIZE
 * (RFC 1870 §6), or one with a non-ASCII address when it lacks SMTPUTF8 (RFC 6531 §3.2).
 *
 * @param envelope Sender and recipients.
 * @param message The message as it would be sent.
 * @param options The server's extensions.
 * @returns A refusal marked `(local)`, or `undefined` to go ahead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { localRefusal } from "./smtp_transaction.ts";
 *
 * const extensions = new Map([["SIZE", "10"]]);
 * const envelope = { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] };
 * assert.equal(localRefusal(envelope, new Uint8Array(11), { extensions })?.code, 552);
 * assert.equal(localRefusal({ ...envelope, to: ["밥@hamburger.edu"] }, new Uint8Array(1), { extensions })?.code, 553);
 * assert.equal(localRefusal(envelope, new Uint8Array(10), { extensions }), undefined);
 * ```
 */
export function localRefusal(
  envelope: { from: string; to: string[] },
  message: Uint8Array,
  options: TransactionOptions,
): SmtpReply | undefined {
  const { extensions } = options;
  const limit = Number(extensions.get("SIZE") ?? "0");
  if (limit > 0 && message.length > limit) {
    return {
      code: 552,
      enhanced: "5.3.4",
      lines: [`Message of ${message.length} bytes is over the server's SIZE ${limit} (local)`],
    };
  }
  const addresses = [envelope.from, ...envelope.to];
  if (!extensions.has("SMTPUTF8") && addresses.some((a) => !ASCII_ONLY.test(a))) {
    return {
      code: 553,
      enhanced: "5.6.7",
      lines: ["Non-ASCII address and the server does not offer SMTPUTF8 (local)"],
    };
  }
  return undefined;
}

/**
 * The ESMTP parameters of MAIL FROM for this message: `SIZE=n` (RFC 1870), `BODY=8BITMIME`
 * (RFC 6152) and `SMTPUTF8` (RFC 6531), each only when the server offered it and it applies.
 *
 * @param envelope Sender and recipients.
 * @param message The message as it will be sent.
 * @param options The server's extensions.
 * @returns The parameters, each with a leading space, or `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mailParameters } from "./smtp_transaction.ts";
 *
 * const extensions = new Map([["SIZE", "1000"], ["8BITMIME", ""]]);
 * const envelope = { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] };
 * assert.equal(mailParameters(envelope, new TextEncoder().encode("hé"), { extensions }), " SIZE=3 BODY=8BITMIME");
 * ```
 */
export function mailParameters(
  envelope: { from: string; to: string[] },
  message: Uint8Array,
  options: TransactionOptions,
): string {
  const { extensions } = options;
  let params = "";
  if (extensions.has("SIZE")) params += ` SIZE=${message.length}`;
  if (extensions.has("8BITMIME") && hasEightBit(message)) params += " BODY=8BITMIME";
  const addresses = [envelope.from, ...envelope.to];
  if (extensions.has("SMTPUTF8") && addresses.some((a) => !ASCII_ONLY.test(a))) {
    params += " SMTPUTF8";
  }
  return params;
}

/** Options of `SmtpClient.connect`. */
export interface SmtpClientOptions {
  /** The server's address. */
  hostname: string;
  /** The server's port. */
  port: number;
  /** The name this client gives in EHLO/HELO. @default "localhost" */
  clientName?: string;
  /** Deadlines; unset ones keep RFC 5321's values. @default RFC 5321 §4.5.3.2 */
  timeouts?: Partial<SmtpTimeouts>;
  /** Where to record the dialog. @default no recording */
  transcript?: Transcript;
  /** Times the deadlines and the transcript. @default the system clock */
  clock?: Clock;
  /** Say HELO instead of EHLO, as the course's dialog does. @default false */
  helo?: boolean;
  /** Message text lines per message that the transcript keeps. @default 20 */
  maxDataLinesRecorded?: number;
  /** TLS: STARTTLS when the server offers it, or TLS from the first byte. @default none */
  tls?: ClientTlsPolicy;
}

/** How an SMTP client uses TLS (RFC 3207 STARTTLS, RFC 8314 implicit TLS). */
export interface ClientTlsPolicy {
  /** The authorities to trust, PEM (the lab's CA). @default the runtime's built-in roots */
  ca?: string[];
  /**
   * Insist on TLS with a certificate that verifies: a server that does not offer STARTTLS, or
   * whose certificate does not check out, gets no message. Without it the client encrypts when
   * the server offers STARTTLS and notes whether the certificate verified (opportunistic
   * security, RFC 7435): safe from eavesdroppers, not from a server that pretends.
   * @default false
   */
  required?: boolean;
  /** TLS from the first byte (RFC 8314, port 465) instead of STARTTLS; it must verify. @default false */
  implicit?: boolean;
  /** The name the certificate must carry (and SNI). @default the hostname connected to */
  servername?: string;
}

/**
 * The message as it goes to this server: converted to 7 bits when the server lacks 8BITMIME
 * (RFC 6152 §3).
 *
 * @param message The message.
 * @param options The server's extensions.
 * @returns The bytes to send, and whether they were converted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepare } from "./smtp_transaction.ts";
 *
 * const korean = new TextEncoder().encode("Subject: hi\r\n\r\n안녕\r\n");
 * assert.equal(prepare(korean, { extensions: new Map([["8BITMIME", ""]]) }).downgraded, false);
 * assert.equal(prepare(korean, { extensions: new Map() }).downgraded, true);
 * ```
 */
export function prepare(
  message: Uint8Array,
  options: TransactionOptions,
): { bytes: Uint8Array; downgraded: boolean } {
  if (options.extensions.has("8BITMIME") || !hasEightBit(message)) {
    return { bytes: message, downgraded: false };
  }
  return { bytes: to7bit(message), downgraded: true };
}

/**
 * The commands of one mail transaction: MAIL FROM with its parameters, one RCPT TO per
 * recipient, and DATA.
 *
 * @param envelope Sender and recipients.
 * @param message The message as it will be sent.
 * @param options The server's extensions.
 * @returns The command lines, without CRLF.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transactionLines } from "./smtp_transaction.ts";
 *
 * assert.deepEqual(
 *   transactionLines({ from: "", to: ["alice@crepes.fr"] }, new Uint8Array(5), { extensions: new Map([["SIZE", "0"]]) }),
 *   ["MAIL FROM:<> SIZE=5", "RCPT TO:<alice@crepes.fr>", "DATA"],
 * );
 * ```
 */
export function transactionLines(
  envelope: SendEnvelope,
  message: Uint8Array,
  options: TransactionOptions,
): string[] {
  return [
    `MAIL FROM:<${envelope.from}>${mailParameters(envelope, message, options)}`,
    ...envelope.to.map((to) => `RCPT TO:<${to}>`),
    "DATA",
  ];
}

/** Options of {@linkcode recordText}. */
export interface RecordTextOptions {
  /** When it was sent. @default 0 */
  at?: number;
  /** Lines kept; the rest are counted in a note. @default 20 */
  limit?: number;
}

/**
 * Records message text in a transcript as the client's lines, the first `limit` of them, then
 * the end-of-data line.
 *
 * @param transcript Where to record.
 * @param message The message text.
 * @param options Time and line limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Transcript } from "../protocol/transcript.ts";
 * import { recordText } from "./smtp_transaction.ts";
 *
 * const t = new Transcript();
 * recordText(t, new TextEncoder().encode("Subject: hi\r\n\r\nA\r\nB\r\n"), { limit: 2 });
 * assert.equal(t.toString(), "C: Subject: hi\nC: \n*  (2 more lines of message text)\nC: .");
 * ```
 */
export function recordText(
  transcript: Transcript,
  message: Uint8Array,
  options: RecordTextOptions = {},
): void {
  const at = options.at ?? 0;
  const limit = options.limit ?? 20;
  let start = 0;
  let total = 0;
  for (let i = message.indexOf(10); i >= 0; i = message.indexOf(10, start)) {
    if (total < limit) {
      transcript.client(decoder.decode(message.subarray(start, i)).replace(/\r$/, ""), at);
    }
    total++;
    start = i + 1;
  }
  if (start < message.length) {
    if (total < limit) transcript.client(decoder.decode(message.subarray(start)), at);
    total++;
  }
  if (total > limit) transcript.note(`(${total - limit} more lines of message text)`, at);
  transcript.client(".", at);
}
