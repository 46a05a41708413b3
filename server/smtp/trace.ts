/**
 * Trace header fields (RFC 5321 §4.4): every server that takes a message adds a `Received:`
 * line on top, and the server that delivers it adds `Return-Path:` with the envelope sender.
 *
 * @module
 */
import { formatDate } from "../../message/date.ts";
import { concatBytes } from "../../protocol/byte_builder.ts";

/** The `with` word of a `Received:` line (RFC 3848). */
export type TraceProtocol = "SMTP" | "ESMTP" | "ESMTPS" | "ESMTPA" | "ESMTPSA";

/**
 * The `with` word for a client, as RFC 3848 names it.
 *
 * @param client Whether it said EHLO, is inside TLS, and logged in.
 * @returns Such as `ESMTPSA`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { traceProtocol } from "./trace.ts";
 *
 * assert.equal(traceProtocol({ esmtp: false }), "SMTP");
 * assert.equal(traceProtocol({ esmtp: true, tls: true }), "ESMTPS");
 * assert.equal(traceProtocol({ esmtp: true, tls: true, user: "alice" }), "ESMTPSA");
 * ```
 */
export function traceProtocol(
  client: { esmtp: boolean; tls?: unknown; user?: string },
): TraceProtocol {
  if (!client.esmtp) return "SMTP";
  const secure = client.tls ? "S" : "";
  const auth = client.user ? "A" : "";
  return `ESMTP${secure}${auth}` as TraceProtocol;
}

/** What a `Received:` line records of one hop. */
export interface ReceivedFields {
  /** The name the client gave in HELO/EHLO. */
  helo: string;
  /** The client's IP address. */
  address: string;
  /** This server's name. */
  by: string;
  /**
   * RFC 3848: `SMTP` after HELO, `ESMTP` after EHLO, with `S` added inside TLS and `A` after AUTH
   * (`ESMTPS`, `ESMTPA`, `ESMTPSA`). A reader of the header sees which hops were encrypted.
   */
  protocol: TraceProtocol;
  /** An identifier of this transaction, for logs. */
  id: string;
  /** The recipient, when there is exactly one. */
  for?: string;
  /**
   * The login, when the client authenticated: written as Postfix writes it with
   * `smtpd_sasl_authenticated_header`, so a reader sees which account sent the message.
   */
  authenticated?: string;
  /** When, in milliseconds since the epoch. */
  at: number;
}

/**
 * Formats a `Received:` header field, folded over several lines, CRLF included.
 *
 * ```
 * Time-stamp-line = "Received:" FWS Stamp <CRLF>
 * Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
 * ```
 *
 * @param fields What to record.
 * @returns The header field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { receivedHeader } from "./trace.ts";
 *
 * const field = receivedHeader({
 *   helo: "crepes.fr",
 *   address: "127.0.0.1",
 *   by: "hamburger.edu",
 *   protocol: "ESMTP",
 *   id: "a1b2c3",
 *   for: "bob@hamburger.edu",
 *   at: Date.UTC(2026, 8, 1, 9, 0, 0),
 * });
 * assert.equal(
 *   field,
 *   "Received: from crepes.fr ([127.0.0.1])\r\n" +
 *     "\tby hamburger.edu with ESMTP id a1b2c3\r\n" +
 *     "\tfor <bob@hamburger.edu>; Tue, 01 Sep 2026 09:00:00 +0000\r\n",
 * );
 * ```
 */
export function receivedHeader(fields: ReceivedFields): string {
  const forPart = fields.for ? `\r\n\tfor <${fields.for}>` : "";
  // A comment (RFC 5322 §3.2.2) may not hold an unescaped parenthesis or backslash.
  const login = fields.authenticated?.replace(/[()\\\r\n]/g, "");
  const authPart = login ? `\r\n\t(Authenticated sender: ${login})` : "";
  return `Received: from ${fields.helo} ([${fields.address}])${authPart}\r\n` +
    `\tby ${fields.by} with ${fields.protocol} id ${fields.id}${forPart}; ${
      formatDate(fields.at)
    }\r\n`;
}

/**
 * Formats the `Return-Path:` field that the final delivery adds (RFC 5321 §4.4).
 *
 * @param from The envelope sender; `""` for the null sender.
 * @returns The header field, CRLF included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { returnPathHeader } from "./trace.ts";
 *
 * assert.equal(returnPathHeader("alice@crepes.fr"), "Return-Path: <alice@crepes.fr>\r\n");
 * assert.equal(returnPathHeader(""), "Return-Path: <>\r\n");
 * ```
 */
export function returnPathHeader(from: string): string {
  return `Return-Path: <${from}>\r\n`;
}

/**
 * Puts header text in front of a message.
 *
 * @param header One or more header fields, each ending in CRLF.
 * @param message The message.
 * @returns A new array: the fields, then the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prependHeader } from "./trace.ts";
 *
 * const out = prependHeader("X-A: 1\r\n", new TextEncoder().encode("Subject: hi\r\n\r\n"));
 * assert.equal(new TextDecoder().decode(out), "X-A: 1\r\nSubject: hi\r\n\r\n");
 * ```
 */
export function prependHeader(header: string, message: Uint8Array): Uint8Array {
  return concatBytes([new TextEncoder().encode(header), message]);
}
