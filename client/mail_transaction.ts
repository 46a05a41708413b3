/**
 * One mail transaction over an SMTP client connection: RSET when the last one failed, MAIL, one
 * RCPT per recipient, DATA, the text and the reply after it, in one batch with PIPELINING
 * (RFC 2920) or command by command. Each reply is kept with the step it answered, so that a
 * relay can tell a refusal at RCPT TO from one at the end of data.
 *
 * @module
 */
import { concatBytes } from "../protocol/byte_builder.ts";
import { dotStuff } from "../protocol/smtp/dot.ts";
import { type SmtpReply, SmtpReplyError } from "../protocol/smtp/reply.ts";
import {
  localRefusal,
  type OutgoingMessage,
  prepare,
  type RecipientRefusal,
  recordText,
  type SendResult,
  transactionLines,
  type TransactionStep,
} from "./smtp_transaction.ts";
import type { SmtpWire } from "./smtp_wire.ts";

const encoder = new TextEncoder();

/** A message taken for sending, as it goes to this server. */
export interface PendingMessage<T extends OutgoingMessage = OutgoingMessage> {
  /** The message as given. */
  item: T;
  /** Its bytes for this server (7-bit when the server lacks 8BITMIME). */
  bytes: Uint8Array;
  /** Whether `bytes` were converted to 7 bits. */
  downgraded: boolean;
  /** The refusal this client decides itself, if any: the message is not sent. */
  refusal?: SmtpReply;
  /** Its MAIL, RCPT and DATA lines for this server, without CRLF. */
  lines: string[];
  /** Its MAIL, RCPT and DATA went out after the previous message's text (RFC 2920 §3.1). */
  announced: boolean;
}

/** What a connection keeps between its transactions. */
export interface TransactionState {
  /** A transaction was begun and not ended by the end of data: the next begins with RSET. */
  dirty: boolean;
  /** A message was announced after the last text and waits for its turn. */
  announced: boolean;
  /** The step under way, or the one where the connection failed. */
  step: TransactionStep;
  /** Messages the server took. */
  messages: number;
}

/** Options of {@linkcode runTransaction}. */
export interface RunTransactionOptions {
  /** The connection's state, changed in place. */
  state: TransactionState;
  /** The server's EHLO extensions. */
  extensions: ReadonlyMap<string, string>;
  /**
   * The next message, being taken while this one is under way: with PIPELINING its commands
   * follow this message's text, unless it is refused here.
   * @default none
   */
  ahead?: Promise<PendingMessage | undefined>;
  /** Message text lines per message that the transcript keeps. @default 20 */
  maxDataLinesRecorded?: number;
}

/**
 * Prepares a message for this server: converted to 7 bits if need be, and refused here if the
 * server could not take it.
 *
 * @param item The message.
 * @param extensions The server's EHLO extensions.
 * @returns The message ready to send.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pendingMessage } from "./mail_transaction.ts";
 *
 * const item = { envelope: { from: "a@b.c", to: ["d@e.f"] }, message: new Uint8Array(20) };
 * assert.equal(pendingMessage(item, new Map([["SIZE", "10"]])).refusal?.code, 552);
 * assert.equal(pendingMessage(item, new Map()).refusal, undefined);
 * ```
 */
export function pendingMessage<T extends OutgoingMessage>(
  item: T,
  extensions: ReadonlyMap<string, string>,
): PendingMessage<T> {
  const { bytes, downgraded } = prepare(item.message, { extensions });
  const refusal = localRefusal(item.envelope, bytes, { extensions });
  const lines = transactionLines(item.envelope, bytes, { extensions });
  return { item, bytes, downgraded, refusal, lines, announced: false };
}

/**
 * Runs one mail transaction and says what became of each recipient, with the step of each reply.
 *
 * @param wire The connection, after EHLO.
 * @param current The message.
 * @param options The connection's state and extensions, and the next message.
 * @returns The result; a refusal decided here is marked `local`.
 * @throws {ConnectionError} When the connection fails (`state.step` says where).
 * @throws {TimeoutError} When the server does not answer in time.
 * @throws {SmtpReplyError} When the server says 421, or refuses RSET.
 *
 * @example One message, pipelined
 * ```ts
 * import assert from "node:assert/strict";
 * import { pendingMessage, runTransaction } from "./mail_transaction.ts";
 * import { SmtpWire } from "./smtp_wire.ts";
 * import { SmtpServer } from "../server/smtp/server.ts";
 *
 * await using server = new SmtpServer({ domain: "hamburger.edu" });
 * const wire = await SmtpWire.open({ hostname: "127.0.0.1", port: server.port });
 * await wire.readReply(1000, "the greeting");
 * await wire.command("EHLO crepes.fr", 1000);
 * const extensions = new Map([["PIPELINING", ""]]);
 * const item = { envelope: { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] }, message: new TextEncoder().encode("Hi\r\n") };
 * const state = { dirty: false, announced: false, step: "mail" as const, messages: 0 };
 * const result = await runTransaction(wire, pendingMessage(item, extensions), { state, extensions });
 * assert.deepEqual([result.reply.code, result.step], [250, "end of data"]);
 * wire.close();
 * ```
 */
export async function runTransaction(
  wire: SmtpWire,
  current: PendingMessage,
  options: RunTransactionOptions,
): Promise<SendResult> {
  const { state, extensions } = options;
  const { envelope } = current.item;
  const { bytes, downgraded } = current;
  if (current.refusal) {
    const reply = current.refusal;
    const rejected = envelope.to.map((address) => ({ address, reply, step: "mail" as const }));
    return { accepted: [], rejected, reply, step: "mail", local: true, downgraded };
  }
  const { command, dataStart, dataBlock, dataEnd } = wire.timeouts;
  if (current.announced) state.announced = false;
  else if (state.dirty) {
    state.step = "reset";
    const reset = await wire.command("RSET", command);
    if (reset.code !== 250) throw new SmtpReplyError(reset);
  }
  state.dirty = true;
  const { lines } = current;
  const rejected: RecipientRefusal[] = [];
  const accepted: string[] = [];
  const take = (address: string, reply: SmtpReply) => {
    if (reply.code === 250 || reply.code === 251) accepted.push(address);
    else rejected.push({ address, reply, step: "rcpt" });
  };
  // Every recipient gets a reply: its own RCPT refusal, or the one that ended the transaction.
  // After a refused MAIL, the RCPT replies say only that (503), so MAIL's reply stands for all.
  const failed = (reply: SmtpReply, step: TransactionStep): SendResult => ({
    accepted: [],
    rejected: envelope.to.map((address) =>
      (step !== "mail" && rejected.find((r) => r.address === address)) || { address, reply, step }
    ),
    reply,
    step,
    downgraded,
  });
  state.step = "mail";
  let mail: SmtpReply;
  let data: SmtpReply;
  if (extensions.has("PIPELINING")) {
    if (!current.announced) await wire.send(lines, command, "MAIL");
    mail = await wire.reply(command, "MAIL");
    state.step = "rcpt";
    for (const to of envelope.to) take(to, await wire.reply(command, "RCPT"));
    state.step = "data";
    data = await wire.reply(dataStart, "DATA");
    if (data.code === 354 && (mail.code !== 250 || accepted.length === 0)) {
      // RFC 2920 §3.1: DATA went through although nobody can receive it; end it empty.
      state.step = "end of data";
      await wire.send(["."], dataBlock, "the end of data");
      await wire.reply(dataEnd, "the end of DATA");
    }
  } else {
    mail = await wire.command(lines[0], command);
    if (mail.code !== 250) return failed(mail, "mail");
    state.step = "rcpt";
    for (const to of envelope.to) take(to, await wire.command(`RCPT TO:<${to}>`, command));
    if (accepted.length === 0) return failed(rejected[0]?.reply ?? mail, "rcpt");
    state.step = "data";
    data = await wire.command("DATA", dataStart);
  }
  if (mail.code !== 250) return failed(mail, "mail");
  if (accepted.length === 0) return failed(rejected[0]?.reply ?? data, "rcpt");
  if (data.code !== 354) return failed(data, "data");
  state.step = "end of data";
  const next = await options.ahead;
  const following = next && !next.refusal ? next.lines : [];
  const at = wire.now();
  if (wire.transcript) {
    recordText(wire.transcript, bytes, { at, limit: options.maxDataLinesRecorded });
    for (const line of following) wire.transcript.client(line, at);
  }
  let text = dotStuff(bytes);
  if (next && following.length > 0) {
    text = concatBytes([text, encoder.encode(following.join("\r\n") + "\r\n")]);
    next.announced = state.announced = true;
  }
  await wire.write(text, dataBlock, "the message text");
  const reply = await wire.reply(dataEnd, "the end of DATA");
  state.dirty = false; // the end of DATA ends the transaction, whatever the reply
  if (reply.code !== 250) return failed(reply, "end of data");
  state.messages++;
  return { accepted, rejected, reply, step: "end of data", downgraded };
}
