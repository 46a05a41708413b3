// A test SMTP server that keeps what it accepts in memory and knows one local user, bob.
import { REPLY } from "../../protocol/smtp/replies.ts";
import { SmtpReplyError } from "../../protocol/smtp/reply.ts";
import { SmtpServer, type SmtpServerOptions } from "../../server/smtp/server.ts";
import type { Envelope } from "../../server/smtp/types.ts";

/** What the server accepted. */
export interface Accepted {
  envelope: Envelope;
  bytes: Uint8Array;
  text: string;
}

/** Starts a server on a free port; close it with `await using`. */
export function testServer(
  options: Partial<SmtpServerOptions> = {},
): { server: SmtpServer; accepted: Accepted[] } {
  const accepted: Accepted[] = [];
  const server = new SmtpServer({
    domain: "hamburger.edu",
    handler: {
      rcpt(to) {
        if (to.toLowerCase().endsWith("@hamburger.edu") && !to.startsWith("bob")) {
          throw new SmtpReplyError(REPLY.NoSuchUser(to));
        }
      },
      data(envelope, bytes) {
        accepted.push({
          envelope: structuredClone(envelope),
          bytes,
          text: new TextDecoder().decode(bytes),
        });
      },
      authenticate: (user, password) =>
        Promise.resolve(user === "alice" && password === "ketchup" ? "alice" : undefined),
    },
    ...options,
  });
  return { server, accepted };
}
