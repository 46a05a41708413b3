/**
 * End-to-end tests of {@linkcode ImapServer} over real loopback sockets, with raw bytes for the
 * bad-input paths: what a misbehaving client sends must get BAD or NO, never a crash or a hang.
 */
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { formatStatus, type ImapStatusResponse } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import { Transcript } from "../../protocol/transcript.ts";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer, type ImapServerOptions } from "../../server/imap/server.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import { ImapClient } from "../../client/imap_client.ts";

const accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MESSAGE = "Subject: hi\r\n\r\nHello Bob\r\n";

/** A status response as it arrives: its line and CRLF. */
const wire = (tag: string, response: ImapStatusResponse) => `${formatStatus(tag, response)}\r\n`;
const done = (tag: string, name: string) => wire(tag, RESPONSE.Completed(name));

/** A raw client: writes bytes, reads until a pattern shows up or the connection ends. */
class RawClient {
  #conn: Deno.TcpConn;
  #seen = "";
  #closed = false;
  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }
  static async open(port: number): Promise<RawClient> {
    const client = new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
    await client.until(/^\* OK .*\r\n/);
    return client;
  }
  async send(text: string | Uint8Array): Promise<void> {
    await this.#conn.write(typeof text === "string" ? encoder.encode(text) : text);
  }
  /** Reads until `pattern` matches what arrived since the last call; returns that text. */
  async until(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const buf = new Uint8Array(65536);
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#seen)) {
      if (this.#closed) {
        throw new Error(`Closed before ${pattern}; got ${JSON.stringify(this.#seen)}`);
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}`);
      const n = await this.#conn.read(buf);
      if (n === null) this.#closed = true;
      else this.#seen += decoder.decode(buf.subarray(0, n));
    }
    const text = this.#seen;
    this.#seen = "";
    return text;
  }
  /** Reads until the server closes the connection; returns what arrived. */
  async rest(): Promise<string> {
    const buf = new Uint8Array(65536);
    for (let i = 0; i < 1000 && !this.#closed; i++) {
      const n = await this.#conn.read(buf);
      if (n === null) this.#closed = true;
      else this.#seen += decoder.decode(buf.subarray(0, n));
    }
    return this.#seen;
  }
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

async function start(options: Partial<ImapServerOptions> = {}) {
  const store = new MemoryStore();
  await store.deliver("bob", encoder.encode(MESSAGE));
  const server = new ImapServer({ store, accounts, domain: "hamburger.edu", ...options });
  return { store, server };
}

Deno.test("ImapServer answers pipelined commands sent in one write, in order", async () => {
  const { server } = await start();
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send(
    "a1 LOGIN bob pickles\r\na2 SELECT INBOX\r\na3 FETCH 1 BODY.PEEK[]\r\na4 LOGOUT\r\n",
  );
  const text = await client.rest();
  assert.match(text, /^a1 OK \[CAPABILITY [^\r]*\] Logged in\r\n/);
  assert.ok(
    text.includes(
      `* 1 FETCH (BODY[] {${MESSAGE.length}}\r\n${MESSAGE})\r\n${done("a3", "FETCH")}`,
    ),
  );
  assert.ok(
    text.endsWith(wire("*", RESPONSE.LoggingOut("hamburger.edu")) + done("a4", "LOGOUT")),
  );
});

Deno.test("ImapServer reassembles a command split across many small writes", async () => {
  const { server } = await start();
  await using _ = server;
  using client = await RawClient.open(server.port);
  for (const piece of ["a1 LO", "GIN bo", "b pick", "les\r", "\n"]) {
    await client.send(piece);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.match(await client.until(/a1 OK/), /a1 OK \[CAPABILITY/);
});

Deno.test("ImapServer sends a go-ahead for a synchronising literal and reads it", async () => {
  const { server } = await start();
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send("a1 LOGIN {3}\r\n");
  assert.equal(await client.until(/\r\n/), "+ Ready for literal data\r\n");
  await client.send("bob {7}\r\n");
  assert.equal(await client.until(/\r\n/), "+ Ready for literal data\r\n");
  await client.send("pickles\r\n");
  assert.match(await client.until(/a1 /), /^a1 OK /);
});

Deno.test("ImapServer answers garbage, NUL bytes, bad quotes and path tricks with BAD or NO", async () => {
  const { server } = await start();
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send("\0\0\0\r\n");
  assert.equal(await client.until(/\r\n/), wire("*", RESPONSE.Syntax("Invalid tag at column 1")));
  await client.send(Uint8Array.from([0xff, 0xfe, 0x20, 0x41, 13, 10]));
  assert.match(await client.until(/\r\n/), /^\S+ BAD /);
  await client.send('a1 LOGIN "bob pickles\r\n');
  assert.equal(
    await client.until(/\r\n/),
    wire("a1", RESPONSE.Syntax("Unterminated quoted string at column 10")),
  );
  await client.send("a2 LOGIN bob pickles\r\n");
  await client.until(/a2 OK[^\n]*\n/);
  await client.send('a3 SELECT "INBOX/../.."\r\na4 SELECT ../x\r\na5 CREATE "..\\\\x"\r\n');
  const text = await client.until(/a5 [^\n]*\n/);
  assert.ok(text.includes(wire("a3", RESPONSE.Cannot('Invalid mailbox name "INBOX/../.."'))));
  assert.ok(text.includes(wire("a4", RESPONSE.Cannot('Invalid mailbox name "../x"'))));
  assert.ok(text.includes(formatStatus("a5", RESPONSE.Cannot(""))), text);
  await client.send("a6 NOOP\r\n");
  assert.equal(await client.until(/\r\n/), done("a6", "NOOP"));
});

Deno.test("ImapServer refuses a line over the limit with a tagged BAD and goes on", async () => {
  const { server } = await start({ limits: { maxLineLength: 1024 } });
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send(`a1 NOOP ${"x".repeat(100_000)}\r\n`);
  // Tagged, so that the client waiting for a1 hears its answer instead of hanging.
  assert.equal(await client.until(/\r\n/), wire("a1", RESPONSE.LineTooLong(1024)));
  await client.send("a2 NOOP\r\n");
  assert.equal(await client.until(/\r\n/), done("a2", "NOOP"));
});

Deno.test("ImapServer hangs up on a LITERAL+ literal over the limit", async () => {
  const { server } = await start({ limits: { maxLiteralSize: 1000 } });
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send("a1 LOGIN bob {5000+}\r\n");
  assert.equal(await client.rest(), wire("*", RESPONSE.LiteralPlusTooLarge(1000)));
});

Deno.test("ImapServer says BYE and closes after three failed logins", async () => {
  const { server } = await start();
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send("a1 LOGIN bob x\r\na2 LOGIN bob y\r\na3 LOGIN bob@crepes.fr pickles\r\n");
  assert.equal(
    await client.rest(),
    ["a1", "a2", "a3"].map((tag) => wire(tag, RESPONSE.LoginFailed)).join("") +
      wire("*", RESPONSE.TooManyFailedLogins),
  );
});

Deno.test("ImapServer closes an idle connection with BYE when its clock passes the limit", async () => {
  const clock = new ManualClock();
  const { server } = await start({ clock, limits: { idleTimeoutMs: 30 * 60_000 } });
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send("a1 NOOP\r\n");
  await client.until(/a1 OK/);
  clock.advance(29 * 60_000);
  await client.send("a2 NOOP\r\n");
  await client.until(/a2 OK/);
  clock.advance(30 * 60_000);
  assert.equal(await client.rest(), wire("*", RESPONSE.IdleTimeout));
});

Deno.test("ImapServer refuses a connection over maxConnections with BYE [UNAVAILABLE]", async () => {
  const { server } = await start({ limits: { maxConnections: 1 } });
  await using _ = server;
  using first = await RawClient.open(server.port);
  using second = new RawClient(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
  assert.equal(await second.rest(), wire("*", RESPONSE.TooManyConnections));
  await first.send("a1 NOOP\r\n");
  assert.equal(await first.until(/\r\n/), done("a1", "NOOP"));
});

Deno.test("ImapServer shows a new delivery at NOOP, which is how clients poll", async () => {
  const { server, store } = await start();
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send("a1 LOGIN bob pickles\r\na2 SELECT INBOX\r\n");
  assert.match(await client.until(/a2 OK[^\n]*\n/), /\* 1 EXISTS\r\n/);
  await store.deliver("bob", encoder.encode("Subject: again\r\n\r\n"));
  await client.send("a3 NOOP\r\n");
  assert.equal(
    await client.until(/a3 [^\n]*\n/),
    `* 2 EXISTS\r\n* 2 RECENT\r\n${done("a3", "NOOP")}`,
  );
});

Deno.test("ImapServer records a transcript per connection and close() says BYE to live connections", async () => {
  const transcripts: Transcript[] = [];
  const { server } = await start({
    transcripts: (info) => {
      const t = new Transcript({ title: `${info.protocol} ${info.remote}` });
      transcripts.push(t);
      return t;
    },
  });
  using client = await RawClient.open(server.port);
  await client.send("a1 LOGIN bob pickles\r\n");
  await client.until(/a1 OK/);
  await server.close();
  // RFC 3501 §7.1.5: a server that shuts down says BYE first.
  assert.equal(await client.rest(), wire("*", RESPONSE.ShuttingDown));
  assert.equal(transcripts.length, 1);
  assert.match(transcripts[0].title, /^IMAP 127\.0\.0\.1:\d+$/);
  assert.deepEqual(transcripts[0].lines("C"), ["a1 LOGIN bob ****"]);
  assert.equal(transcripts[0].entries.at(-1)?.text, "TCP connection closed");
});

Deno.test("ImapServer serves a Maildir store: read, flag, expunge, and a new delivery at NOOP", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root, fsync: false });
    const bytes = encoder.encode(MESSAGE);
    await store.deliver("bob", bytes);
    await using server = new ImapServer({ store, accounts, domain: "hamburger.edu" });
    await using client = await ImapClient.connect({ port: server.port });
    await client.login("bob", "pickles");
    assert.equal((await client.select("INBOX")).exists, 1);
    const [message] = await client.fetch("1", "(UID BODY[])");
    assert.deepEqual(message.sections["BODY[]"], bytes);
    assert.deepEqual(message.flags, ["\\Seen", "\\Recent"]);
    await store.deliver("bob", encoder.encode("Subject: two\r\n\r\n"));
    const changes = await client.noop();
    assert.ok(changes.some((r) => r.kind === "data" && r.name === "EXISTS" && r.number === 2));
    await client.store("1", "+FLAGS", ["\\Deleted"]);
    const expunged = await client.command("EXPUNGE");
    assert.deepEqual(expunged.untagged.map((r) => r.kind === "data" && `${r.number} ${r.name}`), [
      "1 EXPUNGE",
    ]);
    assert.deepEqual((await store.list("bob", "INBOX")).map((m) => m.uid), [2]);
    await client.logout();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ImapServer keeps an idling client 30 minutes, and re-issuing IDLE restarts the timer", async () => {
  const clock = new ManualClock();
  const { server } = await start({ clock });
  await using _ = server;
  using client = await RawClient.open(server.port);
  await client.send("a1 LOGIN bob pickles\r\na2 SELECT INBOX\r\na3 IDLE\r\n");
  await client.until(/\+ idling\r\n/);
  clock.advance(29 * 60_000);
  // RFC 2177 §3: the client ends IDLE and issues it again within 29 minutes; that is activity.
  await client.send("DONE\r\n");
  await client.until(/a3 OK [^\n]*\n/);
  await client.send("a4 IDLE\r\n");
  await client.until(/\+ idling\r\n/);
  clock.advance(29 * 60_000);
  await client.send("DONE\r\na5 NOOP\r\n");
  assert.match(await client.until(/a5 [^\n]*\n/), /a4 OK [^\n]*\r\na5 OK NOOP completed\r\n$/);
  await client.send("a6 IDLE\r\n");
  await client.until(/\+ idling\r\n/);
  clock.advance(30 * 60_000);
  assert.equal(await client.rest(), wire("*", RESPONSE.IdleTimeout));
});

Deno.test("ImapServer streams a long FETCH and waits for a slow reader instead of holding it all", async () => {
  const store = new MemoryStore();
  const size = 1024 * 1024;
  const big = encoder.encode(`Subject: big\r\n\r\n${"x".repeat(size - 18)}\r\n`);
  for (let i = 0; i < 60; i++) await store.deliver("bob", big);
  let reads = 0;
  const read = store.read.bind(store);
  store.read = (user, mailbox, uid) => (reads++, read(user, mailbox, uid));
  await using server = new ImapServer({ store, accounts, domain: "hamburger.edu" });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(
    encoder.encode("a1 LOGIN bob pickles\r\na2 SELECT INBOX\r\na3 FETCH 1:* BODY.PEEK[]\r\n"),
  );
  // The client reads nothing for a while: the server fills the socket's buffers, then waits.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(reads < 40, `${reads} of 60 messages read while the client was not reading`);
  // Now it reads all: 60 literals of the full size, then the tagged OK.
  const buf = new Uint8Array(1024 * 1024);
  let tail = "";
  let received = 0;
  while (!/a3 OK[^\n]*\n$/.test(tail)) {
    const n = await conn.read(buf);
    if (n === null) throw new Error("closed early");
    received += n;
    tail = (tail + decoder.decode(buf.subarray(0, n))).slice(-200);
  }
  assert.ok(received > 60 * size, `${received} bytes`);
  assert.equal(reads, 60);
});

Deno.test("ImapServer lets go of a mailbox's watch when a client vanishes while selected or idle", async () => {
  const { server, store } = await start();
  await using _ = server;
  let watching = 0;
  const watch = store.watch.bind(store);
  store.watch = (user, listener) => {
    watching++;
    const stop = watch(user, listener);
    return () => (watching--, stop());
  };
  for (const last of ["a3 NOOP", "a3 IDLE"]) {
    const client = await RawClient.open(server.port);
    await client.send(`a1 LOGIN bob pickles\r\na2 SELECT INBOX\r\n${last}\r\n`);
    await client.until(/a3 OK|\+ idling/);
    assert.equal(watching, 1);
    client.close(); // no LOGOUT: the connection just ends
    for (let i = 0; i < 100 && watching > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(watching, 0, `after ${last}, the watch is gone`);
  }
});

Deno.test("ImapServer sees another program's delivery into its Maildir at NOOP, or a second later", async () => {
  const root = await Deno.makeTempDir();
  try {
    const clock = new ManualClock(Date.UTC(2026, 8, 1));
    const served = new MaildirStore({ root, fsync: false, clock });
    await served.deliver("bob", encoder.encode(MESSAGE));
    // Another process on the same folders: its changes reach the server only through the disk.
    const other = new MaildirStore({ root, fsync: false });
    await using server = new ImapServer({
      store: served,
      accounts,
      domain: "hamburger.edu",
      clock,
    });
    using client = await RawClient.open(server.port);
    await client.send("a1 LOGIN bob pickles\r\na2 SELECT INBOX\r\n");
    await client.until(/a2 OK[^\n]*\n/);
    await other.deliver("bob", encoder.encode("Subject: two\r\n\r\n2\r\n"));
    assert.match(
      await client.send("a3 NOOP\r\n").then(() => client.until(/a3 [^\n]*\n/)),
      /\* 2 EXISTS/,
    );
    await other.deliver("bob", encoder.encode("Subject: three\r\n\r\n3\r\n"));
    await client.send("a4 FETCH 1 UID\r\n");
    assert.doesNotMatch(await client.until(/a4 [^\n]*\n/), /EXISTS/, "trusted for a second");
    clock.advance(1000);
    await client.send("a5 FETCH 1 UID\r\n");
    assert.match(await client.until(/a5 [^\n]*\n/), /\* 3 EXISTS/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
