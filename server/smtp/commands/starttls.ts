/**
 * STARTTLS (RFC 3207): the client asks to turn the connection into a TLS one. After the 220, the
 * handshake runs, and then the dialog starts afresh inside TLS: the server forgets the EHLO name,
 * the login and any message under way (§4.2), and commands the client sent before the handshake
 * are discarded, never executed (the flaw of CVE-2011-0411).
 *
 * @module
 */
import { REPLY } from "../../../protocol/smtp/replies.ts";
import type { SmtpCommand } from "../context.ts";

/** STARTTLS: answered 220, then the TLS handshake. */
export const STARTTLS: SmtpCommand = {
  syntax: "STARTTLS",
  states: ["greeted"],
  outOfOrder: () => REPLY.NestedMail,
  run(context, args) {
    if (args !== "") return REPLY.Syntax(this.syntax);
    if (context.client.tls) return REPLY.TlsActive;
    if (!context.options.starttls) return REPLY.TlsNotOffered;
    return { reply: REPLY.StartTls, next: { input: "tls" } };
  },
};
