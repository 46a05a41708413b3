// What Deno itself allows, as a benchmark target: an SMTP responder with no session behind it.
// It answers by the first letter of each command line with a canned reply (E: the EHLO lines,
// D: 354, Q: 221, any other: 250), and in message text only watches for CRLF "." CRLF (jumping
// from CR to CR), whose 250 counts a message. No parsing, no checks, no copy of the message: the
// least a Deno server can do per message with one read and one write per batch of input, so the
// toolkit's ratio to it is what its real session costs. Each connection reads as the toolkit's
// transport does: a 512-byte buffer of its own that grows while reads fill it and shrinks back
// when the peer goes quiet, with one read always pending, so its idle memory is Deno's floor for
// a server that waits on every connection.
//
//   deno run -A bench/servers/deno_floor.ts
//       prints {"port"}, then answers stdin as servers/_stats.ts says.
import { concatBytes } from "../../message/_bytes.ts";
import { writeAll } from "../../runtime/transport.ts";
import { serveStats } from "./_stats.ts";

const encoder = new TextEncoder();
const REPLIES = {
  ehlo: encoder.encode("250-floor.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"),
  ok: encoder.encode("250 OK\r\n"),
  data: encoder.encode("354 Go ahead\r\n"),
  bye: encoder.encode("221 Bye\r\n"),
};
const LF = 10;
/** CR LF "." CR LF: the end of message text. */
const END = [13, 10, 46, 13, 10];
const SMALL = 512, LARGE = 128 * 1024;

let accepted = 0;
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });

async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  await conn.write(encoder.encode("220 floor.test ESMTP\r\n"));
  let buffer = new Uint8Array(SMALL);
  let inText = false;
  let matched = 0; // of CR LF "." CR LF, in message text
  let lineStart = true;
  let first = 0;
  let quit = false;
  while (!quit) {
    const n = await conn.read(buffer);
    if (n === null) break;
    const replies: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      if (inText && matched === 0) {
        // Nothing of the end matched yet: it can only start at the next CR, found natively.
        const cr = buffer.indexOf(13, i);
        if (cr < 0 || cr >= n) break;
        i = cr;
      }
      const b = buffer[i];
      if (inText) {
        if (b === END[matched]) matched++;
        else matched = b === END[0] ? 1 : 0;
        if (matched === END.length) {
          inText = false;
          lineStart = true;
          accepted++;
          replies.push(REPLIES.ok);
        }
        continue;
      }
      if (lineStart) first = b | 0x20; // the command's first letter, in lower case
      lineStart = b === LF;
      if (!lineStart) continue;
      if (first === 0x65) { // e
        replies.push(REPLIES.ehlo);
      } else if (first === 0x64) { // d: the text starts after this line's CR LF
        replies.push(REPLIES.data);
        inText = true;
        matched = 2;
      } else if (first === 0x71) { // q
        replies.push(REPLIES.bye);
        quit = true;
      } else {
        replies.push(REPLIES.ok);
      }
    }
    if (replies.length > 0) await writeAll(conn, concatBytes(replies));
    if (n === buffer.length && buffer.length < LARGE) buffer = new Uint8Array(buffer.length * 4);
    else if (n < buffer.length / 64 && buffer.length > SMALL) buffer = new Uint8Array(SMALL);
  }
  conn.close();
}

(async () => {
  for await (const conn of listener) {
    serve(conn).catch(() => {
      try {
        conn.close();
      } catch {
        // closed already
      }
    });
  }
})();
await serveStats((listener.addr as Deno.NetAddr).port, () => accepted, () => listener.close());
