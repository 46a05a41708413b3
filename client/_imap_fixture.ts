// What the IMAP client tests share: bob's account, a memory store with one message in INBOX and
// a Work mailbox behind a real ImapServer on a free port, and a scripted server for transcripts.
import assert from "node:assert/strict";
import { LineBuffer } from "../protocol/line_buffer.ts";
import { Accounts } from "../server/accounts.ts";
import { ImapServer } from "../server/imap/server.ts";
import { MemoryStore } from "../server/store/memory_store.ts";
import { TcpListener } from "../runtime/tcp_listener.ts";

/** The domain's one account: bob, password pickles. */
export const accounts: Accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The message in bob's INBOX, UID 1. */
export const MESSAGE: Uint8Array = encoder.encode(
  "From: alice@crepes.fr\r\nSubject: hi\r\n\r\n안녕 Bob\r\n",
);

/** A store with {@linkcode MESSAGE} in INBOX and an empty Work, served on a free port. */
export async function start(): Promise<{ store: MemoryStore; server: ImapServer }> {
  const store = new MemoryStore();
  await store.deliver("bob", MESSAGE, { internalDate: Date.UTC(2026, 8, 1, 9) });
  await store.createMailbox("bob", "Work");
  return { store, server: new ImapServer({ store, accounts, domain: "hamburger.edu" }) };
}

/** Some bytes as text, for messages in assertions. */
export function text(bytes: Uint8Array | undefined): string {
  return decoder.decode(bytes);
}

/**
 * A scripted server: sends each `S:` line, and checks that each `C:` line (or literal) arrives.
 * Lines are compared without CRLF. After the script it keeps the connection open, silent.
 */
export function scripted(script: string[]): TcpListener {
  return new TcpListener(async (conn) => {
    const buffer = new LineBuffer();
    const chunk = new Uint8Array(4096);
    for (const step of script) {
      if (step.startsWith("S: ")) {
        await conn.write(encoder.encode(`${step.slice(3)}\r\n`));
        continue;
      }
      for (let i = 0; i < 100; i++) {
        const line = buffer.readLine();
        if (line instanceof Uint8Array) {
          assert.equal(decoder.decode(line), step.slice(3));
          break;
        }
        const n = await conn.read(chunk);
        if (n === null) return;
        buffer.push(chunk.subarray(0, n));
      }
    }
    // Keep the connection open until the client is done with it.
    await conn.read(chunk).catch(() => null);
  });
}
