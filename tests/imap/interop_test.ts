/**
 * Interop: real IMAP clients (curl, Python's imaplib, imapflow from npm, neomutt) read bob's
 * mailbox from an {@linkcode ImapServer} over a memory store, on a free loopback port.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ImapFlow } from "imapflow";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer } from "../../server/imap/server.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import { toolTest } from "../_tools.ts";

const accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bob's message, with CRLF, a folded header, 8-bit UTF-8 text and a line with only a dot. */
const MESSAGE = encoder.encode(
  "Return-Path: <alice@crepes.fr>\r\n" +
    "From: Alice <alice@crepes.fr>\r\n" +
    "To: Bob <bob@hamburger.edu>\r\n" +
    "Subject: Lunch tomorrow,\r\n at noon?\r\n" +
    "Date: Tue, 1 Sep 2026 09:00:00 +0000\r\n" +
    "Message-ID: <1@crepes.fr>\r\n" +
    "MIME-Version: 1.0\r\n" +
    "Content-Type: text/plain; charset=utf-8\r\n" +
    "Content-Transfer-Encoding: 8bit\r\n" +
    "\r\n" +
    "Hi Bob,\r\n.\r\n안녕하세요 - pickles at noon?\r\n",
);

function bobsImapflow(port: number): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: false,
    auth: { user: "bob", pass: "pickles" },
    logger: false,
  });
}

async function start() {
  const store = new MemoryStore();
  await store.deliver("bob", MESSAGE);
  await store.createMailbox("bob", "Work");
  const server = new ImapServer({ store, accounts, domain: "hamburger.edu" });
  return { store, server };
}

async function run(command: string, args: string[], stdin?: string) {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { HOME: Deno.makeTempDirSync() },
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(encoder.encode(stdin));
    await writer.close();
  }
  const timer = setTimeout(() => child.kill(), 20_000);
  try {
    return await child.output();
  } finally {
    clearTimeout(timer);
  }
}

toolTest("curl fetches a message by UID and gets the exact stored bytes", ["curl"], async () => {
  const { server } = await start();
  await using _ = server;
  const out = await run("curl", [
    "-s",
    "--max-time",
    "15",
    `imap://127.0.0.1:${server.port}/INBOX;UID=1`,
    "--user",
    "bob:pickles",
  ]);
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  assert.deepEqual(out.stdout, MESSAGE);
});

toolTest("curl lists mailboxes and searches with a custom command", ["curl"], async () => {
  const { server } = await start();
  await using _ = server;
  const base = `imap://127.0.0.1:${server.port}`;
  const list = await run("curl", [
    "-s",
    "--max-time",
    "15",
    `${base}/`,
    "--user",
    "bob@hamburger.edu:pickles",
  ]);
  assert.equal(
    decoder.decode(list.stdout),
    '* LIST (\\HasNoChildren) "." "INBOX"\r\n* LIST (\\HasNoChildren) "." "Work"\r\n',
  );
  const search = await run("curl", [
    "-s",
    "--max-time",
    "15",
    `${base}/INBOX`,
    "--user",
    "bob:pickles",
    "-X",
    "SEARCH UNSEEN",
  ]);
  assert.equal(decoder.decode(search.stdout), "* SEARCH 1\r\n");
  const refused = await run("curl", [
    "-s",
    "--max-time",
    "15",
    `${base}/`,
    "--user",
    "bob:ketchup",
  ]);
  assert.equal(refused.code, 67); // CURLE_LOGIN_DENIED
});

const PYTHON = `
import base64, imaplib, json, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
out = {}
out["login"] = m.login("bob", "pickles")[0]
out["list"] = [x.decode() for x in m.list()[1]]
out["select"] = m.select("INBOX")[1][0].decode()
typ, data = m.fetch("1", "(RFC822)")
out["rfc822"] = base64.b64encode(data[0][1]).decode()
out["flags_after_fetch"] = m.fetch("1", "(FLAGS)")[1][0].decode()
out["unseen_before"] = m.search(None, "UNSEEN")[1][0].decode()
out["store"] = m.store("1", "-FLAGS", "\\\\Seen")[1][0].decode()
out["unseen_after"] = m.search(None, "UNSEEN")[1][0].decode()
out["uid_search"] = m.uid("SEARCH", None, "FROM", "alice")[1][0].decode()
out["store_seen"] = m.store("1", "+FLAGS", "(\\\\Seen)")[1][0].decode()
out["unseen_last"] = m.search(None, "UNSEEN")[1][0].decode()
out["status"] = m.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)")[1][0].decode()
out["close"] = m.close()[0]
out["logout"] = m.logout()[0]
print(json.dumps(out))
`;

toolTest(
  "Python imaplib logs in, fetches RFC822, stores \\Seen and searches UNSEEN",
  ["python3"],
  async () => {
    const { server } = await start();
    await using _ = server;
    const out = await run("python3", ["-", String(server.port)], PYTHON);
    assert.equal(out.code, 0, decoder.decode(out.stderr));
    const result = JSON.parse(decoder.decode(out.stdout));
    assert.equal(result.login, "OK");
    assert.deepEqual(result.list, [
      '(\\HasNoChildren) "." "INBOX"',
      '(\\HasNoChildren) "." "Work"',
    ]);
    assert.equal(result.select, "1");
    assert.deepEqual(Uint8Array.from(atob(result.rfc822), (c) => c.charCodeAt(0)), MESSAGE);
    assert.equal(result.flags_after_fetch, "1 (FLAGS (\\Seen))");
    assert.equal(result.unseen_before, "");
    assert.equal(result.store, "1 (FLAGS ())");
    assert.equal(result.unseen_after, "1");
    assert.equal(result.uid_search, "1");
    assert.equal(result.store_seen, "1 (FLAGS (\\Seen))");
    assert.equal(result.unseen_last, "");
    assert.equal(result.status, '"INBOX" (MESSAGES 1 UNSEEN 0 UIDNEXT 2)');
    assert.equal(result.logout, "BYE");
  },
);

Deno.test("imapflow connects, opens INBOX, fetches source, envelope and structure, adds a flag", async () => {
  const { server, store } = await start();
  await using _ = server;
  const client = bobsImapflow(server.port);
  await client.connect();
  try {
    const box = await client.mailboxOpen("INBOX");
    assert.equal(box.exists, 1);
    assert.equal(box.uidNext, 2);
    const message = await client.fetchOne("1", {
      source: true,
      uid: true,
      flags: true,
      size: true,
    });
    assert.ok(message);
    assert.deepEqual(new Uint8Array(message.source!), MESSAGE);
    assert.equal(message.uid, 1);
    assert.equal(message.size, MESSAGE.length);
    assert.deepEqual([...message.flags ?? []], []);
    assert.equal(await client.messageFlagsAdd("1", ["\\Flagged"]), true);
    assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Flagged"]);
    const uids = await client.search({ flagged: true }, { uid: true });
    assert.deepEqual(uids, [1]);
    const parsed = await client.fetchOne("1", { envelope: true, bodyStructure: true });
    assert.ok(parsed);
    assert.equal(parsed.envelope?.subject, "Lunch tomorrow, at noon?");
    assert.deepEqual(parsed.envelope?.from, [{ name: "Alice", address: "alice@crepes.fr" }]);
    assert.equal(parsed.bodyStructure?.type, "text/plain");
    assert.deepEqual(parsed.bodyStructure?.parameters, { charset: "utf-8" });
    const list = await client.list();
    assert.deepEqual(list.map((entry) => entry.path), ["INBOX", "Work"]);
  } finally {
    await client.logout();
  }
});

/** Runs tmux on a private socket, so the test never touches a user's tmux server. */
function tmux(socket: string, args: string[]) {
  return new Deno.Command("tmux", {
    args: ["-L", socket, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
}

toolTest(
  "neomutt opens INBOX over IMAP and pipes the message it fetched",
  ["neomutt", "tmux"],
  async () => {
    const { server } = await start();
    await using _ = server;
    const home = await Deno.makeTempDir();
    await Deno.mkdir(`${home}/Mail`);
    const out = `${home}/piped.eml`;
    const socket = `imap-test-${server.port}`;
    const settings = "set imap_user=bob imap_pass=pickles ssl_starttls=no ssl_force_tls=no " +
      "pipe_decode=no wait_key=no";
    const command = `env HOME=${home} TERM=xterm neomutt -n -F /dev/null -e '${settings}' ` +
      `-f imap://127.0.0.1:${server.port}/INBOX`;
    await tmux(socket, ["new-session", "-d", "-x", "120", "-y", "30", command]);
    const screen = async () => decoder.decode((await tmux(socket, ["capture-pane", "-p"])).stdout);
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 100; i++) {
        const text = await screen();
        if (pattern.test(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`neomutt never showed ${pattern}: ${await screen()}`);
    };
    try {
      const index = await waitFor(/Msgs:1/);
      assert.match(index, /Alice +\(0\.\dK\) Lunch tomorrow, at noon\?/);
      await tmux(socket, ["send-keys", "-l", "|"]);
      await waitFor(/Pipe to command:/);
      await tmux(socket, ["send-keys", "-l", `cat > ${out}`]);
      await tmux(socket, ["send-keys", "Enter"]);
      for (let i = 0; i < 100; i++) {
        const size = await Deno.stat(out).then((s) => s.size, () => 0);
        if (size > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await tmux(socket, ["send-keys", "-l", "q"]);
    } finally {
      await tmux(socket, ["kill-server"]);
    }
    // neomutt pipes in the local format: LF line endings, content otherwise as stored.
    const piped = await Deno.readFile(out);
    assert.equal(decoder.decode(piped), decoder.decode(MESSAGE).replaceAll("\r\n", "\n"));
    await Deno.remove(home, { recursive: true });
  },
);

Deno.test("imapflow saves a sent message with APPEND and moves one to the trash with COPY", async () => {
  const { store, server } = await start();
  await using _ = server;
  const client = bobsImapflow(server.port);
  await client.connect();
  try {
    await client.mailboxCreate("Sent");
    await client.mailboxCreate("Trash");
    const sent = encoder.encode(
      "From: bob@hamburger.edu\r\nTo: alice@crepes.fr\r\nSubject: Re: Lunch\r\n\r\nYes!\r\n",
    );
    await client.append("Sent", Buffer.from(sent), ["\\Seen"]);
    const [saved] = await store.list("bob", "Sent");
    assert.deepEqual(saved.flags, ["\\Seen"]);
    assert.deepEqual(await store.read("bob", "Sent", saved.uid), sent);
    await client.mailboxOpen("INBOX");
    await client.messageCopy("1", "Trash");
    const [trashed] = await store.list("bob", "Trash");
    assert.deepEqual(await store.read("bob", "Trash", trashed.uid), MESSAGE);
  } finally {
    await client.logout();
  }
});

toolTest("Python imaplib APPENDs to Sent and COPYs to Trash", ["python3"], async () => {
  const { store, server } = await start();
  await using _ = server;
  const script = `
import imaplib, sys, time
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
imap.login("bob", "pickles")
assert imap.create("Sent")[0] == "OK"
assert imap.create("Trash")[0] == "OK"
msg = b"From: bob@hamburger.edu\\r\\nSubject: saved\\r\\n\\r\\nSaved copy\\r\\n"
typ, data = imap.append("Sent", "(\\\\Seen)", imaplib.Time2Internaldate(time.time()), msg)
assert typ == "OK", data
imap.select("INBOX")
typ, data = imap.copy("1", "Trash")
assert typ == "OK", data
imap.logout()
`;
  const out = await run("python3", ["-c", script, String(server.port)]);
  assert.equal(out.code, 0, decoder.decode(out.stderr));
  const [saved] = await store.list("bob", "Sent");
  assert.equal(
    decoder.decode(await store.read("bob", "Sent", saved.uid)),
    "From: bob@hamburger.edu\r\nSubject: saved\r\n\r\nSaved copy\r\n",
  );
  assert.deepEqual(saved.flags, ["\\Seen"]);
  assert.equal((await store.list("bob", "Trash")).length, 1);
});
