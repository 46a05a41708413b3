// Output hygiene of the SMTP server (RFC 5321 §4.2): a reply that echoes what the client sent (an
// address, a parameter, a From: field's mailbox, a hook's text) is still one line per reply
// line, `NNN[ -]text` and CRLF, with no control character inside the text. (A message with a
// bare CR or a NUL is refused before its From: is read.)
import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../../lab/config.ts";
import { Lab } from "../../lab/lab.ts";
import { SmtpReplyError } from "../../protocol/smtp/reply.ts";
import { RawSmtp } from "../_raw.ts";
import { testServer } from "../smtp/_server.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// RFC 5321 §4.2: Reply-code [ SP / "-" textstring ], textstring = 1*(%d09 / %d32-126); this
// server writes even HT escaped.
const REPLY_LINE = /^[2-5]\d\d(?:[ -][\x20-\x7e]*)?$/;

/** Reads the raw bytes of one whole reply: its lines, split at CRLF only. */
async function rawReply(conn: Deno.TcpConn, pending: { bytes: string }): Promise<string[]> {
  const buffer = new Uint8Array(4096);
  for (;;) {
    const lines = pending.bytes.split("\r\n");
    const done = lines.slice(0, -1).findIndex((line) => !/^\d{3}-/.test(line));
    if (done >= 0) {
      pending.bytes = lines.slice(done + 1).join("\r\n");
      return lines.slice(0, done + 1);
    }
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`Closed after ${JSON.stringify(pending.bytes)}`);
    pending.bytes += decoder.decode(buffer.subarray(0, n));
  }
}

function assertReplyLines(lines: string[], what: string): void {
  for (const line of lines) assert.match(line, REPLY_LINE, `${what}: ${JSON.stringify(line)}`);
}

Deno.test("SmtpServer replies to commands with control characters in one clean line each", async () => {
  const { server } = testServer();
  await using _ = server;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const pending = { bytes: "" };
  try {
    assertReplyLines(await rawReply(conn, pending), "greeting");
    const commands = [
      "EHLO crepes.fr",
      "MAIL FROM:<a@b.c> X\rY=1",
      "MAIL FROM:<a@b.c> X\tY=1",
      "MAIL FROM:<a\tb@crepes.fr>",
      "MAIL FROM:<alice@crepes.fr>",
      "RCPT TO:<bob\x00@hamburger.edu>",
      "RCPT TO:<eve\x7f@hamburger.edu>",
      "RCPT TO:<eve\t@hamburger.edu>",
      "RCPT TO:<bob@hamburger.edu> NOTIFY=\x1b[31m",
      "RCPT TO:<eve@hamburger.edu>",
      "HELP MAIL\t\x01",
      "VRFY \x0bbob",
      "FOO\x08BAR",
      "NOOP",
    ];
    for (const command of commands) {
      await conn.write(encoder.encode(`${command}\r\n`));
      const reply = await rawReply(conn, pending);
      assertReplyLines(reply, JSON.stringify(command));
    }
  } finally {
    conn.close();
  }
});

Deno.test("SmtpServer escapes the control characters of a hook's refusal", async () => {
  const { server } = testServer({
    handler: {
      rcpt(to) {
        // A hook that echoes what a store or a policy service said, line breaks and all.
        throw new SmtpReplyError({
          code: 550,
          enhanced: "5.1.1",
          lines: [`${to}: refused\r\n250 2.1.5 OK`, "see\x00below\n221 bye"],
        });
      },
    },
  });
  await using _ = server;
  const raw = await RawSmtp.connect(server.port);
  try {
    await raw.reply();
    assert.equal(await raw.command("EHLO crepes.fr"), 250);
    assert.equal(await raw.command("MAIL FROM:<alice@crepes.fr>"), 250);
    await raw.write("RCPT TO:<bob@hamburger.edu>\r\n");
    assert.deepEqual(await raw.reply(), [
      "550-5.1.1 bob@hamburger.edu: refused\\x0d\\x0a250 2.1.5 OK",
      "550 5.1.1 see\\x00below\\x0a221 bye",
    ]);
    assert.equal(await raw.command("NOOP"), 250, "the next reply is NOOP's, not a forged one");
  } finally {
    raw.close();
  }
});

Deno.test("submission names a forged From: mailbox holding VT, ESC and DEL in one clean line", async () => {
  await using lab = await Lab.start({
    config: DEFAULT_CONFIG,
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: lab.server("crepes.fr").ports.submission,
  });
  const pending = { bytes: "" };
  const say = async (line: string) => {
    await conn.write(encoder.encode(line));
    const reply = await rawReply(conn, pending);
    assertReplyLines(reply, JSON.stringify(line));
    return reply;
  };
  try {
    await rawReply(conn, pending);
    await say("EHLO alice-laptop\r\n");
    assert.match((await say(`AUTH PLAIN ${btoa("\0alice\0ketchup")}\r\n`))[0], /^235 /);
    await say("MAIL FROM:<alice@crepes.fr>\r\n");
    await say("RCPT TO:<bob@hamburger.edu>\r\n");
    await say("DATA\r\n");
    const refused = await say(
      'From: "a\x0bb\x7fc\x1b[2J"@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: x\r\n\r\nHi\r\n.\r\n',
    );
    assert.match(refused[0], /^550 5\.7\.1 From: <a\\x0bb\\x7fc\\x1b\[2J@crepes\.fr> /);
    assert.match((await say("NOOP\r\n"))[0], /^250 /);
  } finally {
    conn.close();
  }
});
