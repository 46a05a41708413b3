import assert from "node:assert/strict";
import { ImapResponseError } from "../protocol/imap/error.ts";
import { LineBuffer } from "../protocol/line_buffer.ts";
import { Transcript } from "../protocol/transcript.ts";
import { Accounts } from "../server/accounts.ts";
import { ImapServer } from "../server/imap/server.ts";
import { MemoryStore } from "../server/store/memory_store.ts";
import { TcpListener } from "../runtime/tcp_listener.ts";
import { ImapClient } from "./imap_client.ts";

const accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MESSAGE = encoder.encode("From: alice@crepes.fr\r\nSubject: hi\r\n\r\n안녕 Bob\r\n");

async function start() {
  const store = new MemoryStore();
  await store.deliver("bob", MESSAGE, { internalDate: Date.UTC(2026, 8, 1, 9) });
  await store.createMailbox("bob", "Work");
  return { store, server: new ImapServer({ store, accounts, domain: "hamburger.edu" }) };
}

/**
 * A scripted server: sends each `S:` line, and checks that each `C:` line (or literal) arrives.
 * Lines are compared without CRLF.
 */
function scripted(script: string[]): TcpListener {
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

Deno.test("ImapClient logs in, lists, selects, fetches, searches and stores", async () => {
  const { server, store } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  assert.equal(client.greeting, "hamburger.edu IMAP4rev1 ready");
  assert.ok(client.capabilities.includes("LITERAL+"));
  await client.login("bob@hamburger.edu", "pickles");
  assert.deepEqual(await client.list(), [
    { name: "INBOX", delimiter: ".", attributes: ["\\HasNoChildren"] },
    { name: "Work", delimiter: ".", attributes: ["\\HasNoChildren"] },
  ]);
  const box = await client.select("INBOX");
  assert.equal(box.exists, 1);
  assert.equal(box.uidNext, 2);
  assert.equal(box.unseen, 1);
  assert.equal(box.readOnly, false);
  assert.ok(box.uidValidity > 0);
  assert.deepEqual(box.permanentFlags, [
    "\\Seen",
    "\\Answered",
    "\\Flagged",
    "\\Deleted",
    "\\Draft",
  ]);
  const [message] = await client.fetch(
    "1",
    "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[] BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
  );
  assert.equal(message.seq, 1);
  assert.equal(message.uid, 1);
  assert.deepEqual(message.flags, []);
  assert.equal(message.size, MESSAGE.length);
  assert.equal(message.internalDate, Date.UTC(2026, 8, 1, 9));
  assert.deepEqual(message.sections["BODY[]"], MESSAGE);
  assert.equal(
    decoder.decode(message.sections["BODY[HEADER.FIELDS (SUBJECT)]"]),
    "Subject: hi\r\n\r\n",
  );
  assert.deepEqual(await client.search("UNSEEN"), [1]);
  const stored = await client.store("1", "+FLAGS", ["\\Seen"], { uid: true });
  assert.deepEqual(stored, [{ seq: 1, uid: 1, flags: ["\\Seen"], sections: {} }]);
  assert.deepEqual(await client.search("UNSEEN", { uid: true }), []);
  await store.deliver("bob", encoder.encode("Subject: more\r\n\r\n"));
  const changes = await client.noop();
  assert.deepEqual(changes.map((r) => r.kind === "data" ? `${r.number} ${r.name}` : r.kind), [
    "2 EXISTS",
  ]);
  assert.equal((await client.select("Work", true)).readOnly, true);
  await client.logout();
});

Deno.test("ImapClient throws the server's NO as an ImapResponseError with its code", async () => {
  const { server } = await start();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  await assert.rejects(() => client.login("bob", "ketchup"), (error: unknown) => {
    assert.ok(error instanceof ImapResponseError);
    assert.equal(error.status, "NO");
    assert.equal(error.code, "AUTHENTICATIONFAILED");
    assert.equal(error.tag, "a1");
    return true;
  });
  await client.login("bob", "pickles");
  await assert.rejects(() => client.select("Nowhere"), {
    name: "ImapResponseError",
    code: "NONEXISTENT",
  });
  await assert.rejects(() => client.command("FROB"), { name: "ImapResponseError", status: "BAD" });
});

Deno.test("ImapClient sends a password that cannot be quoted as a literal, masked in its transcript", async () => {
  const store = new MemoryStore();
  const seen: string[] = [];
  const authenticate = (user: string, password: string) => {
    seen.push(password);
    return Promise.resolve(password === '비밀 "번호"' ? user : undefined);
  };
  await using server = new ImapServer({ store, authenticate });
  const transcript = new Transcript();
  await using client = await ImapClient.connect({ port: server.port, transcript });
  await client.login("bob", '비밀 "번호"');
  assert.deepEqual(seen, ['비밀 "번호"']);
  assert.deepEqual(transcript.lines("C"), ["a1 LOGIN bob ****", "****"]);
  assert.ok(!transcript.toString().includes("비밀"));
});

Deno.test("ImapClient waits for the go-ahead when the server lacks LITERAL+", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1] ready",
    "C: a1 LOGIN bob {6}",
    "S: + go ahead",
    "C: naïve",
    "S: a1 OK done",
  ]);
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "naïve");
});

Deno.test("ImapClient parses a transcript replayed by a scripted server", async () => {
  await using server = scripted([
    "S: * OK [CAPABILITY IMAP4rev1 LITERAL+] hamburger.edu ready",
    "C: a1 FETCH 1:2 (UID BODY[])",
    "S: * 1 FETCH (UID 7 BODY[] {5}",
    "S: hello)",
    "S: * 2 FETCH (UID 8 BODY[] NIL)",
    'S: * 2 FETCH (FLAGS (\\Seen) INTERNALDATE " 1-Sep-2026 11:00:00 +0200")',
    "S: a1 OK FETCH completed",
  ]);
  await using client = await ImapClient.connect({ port: server.port });
  const messages = await client.fetch("1:2", "(UID BODY[])");
  assert.equal(messages.length, 2);
  assert.equal(decoder.decode(messages[0].sections["BODY[]"]), "hello");
  assert.deepEqual(messages[1], {
    seq: 2,
    uid: 8,
    flags: ["\\Seen"],
    internalDate: Date.UTC(2026, 8, 1, 9),
    sections: { "BODY[]": new Uint8Array() },
  });
});

Deno.test("ImapClient gives up on a silent server after its timeout", async () => {
  await using server = scripted(["S: * OK [CAPABILITY IMAP4rev1] ready", "C: a1 NOOP"]);
  const client = await ImapClient.connect({ port: server.port, timeoutMs: 100 });
  const started = Date.now();
  await assert.rejects(() => client.noop(), Deno.errors.TimedOut);
  assert.ok(Date.now() - started < 2000);
  client.close();
});
