/**
 * What a hostile IMAP client cannot do to the lab's Maildir store: leave its own store through a
 * mailbox name (path tricks, NUL, very long names, modified UTF-7 that decodes to them), touch
 * another user's mailboxes, or smuggle a forged response line through an error text. Every such
 * command gets a tagged NO or BAD and the session goes on; nothing on disk outside the user's
 * own mailboxes changes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer } from "../../server/imap/server.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");
await accounts.add("alice", "ketchup");

/** Names that would leave bob's store, or reach alice's, were they used as paths. */
const HOSTILE = [
  "../alice",
  "../alice/Maildir",
  "..",
  ".",
  "../../../../etc",
  "/etc",
  "/tmp/x",
  "a/../../alice",
  "Work/..",
  "..Work",
  "Work..Trash",
  ".Trash",
  "INBOX/../../alice",
  "\\\\server\\share",
  "C:\\Windows",
  "x".repeat(10_000),
  "&AC4ALgAv-alice", // modified UTF-7 for "../alice": a non-canonical encoding of ASCII
  "&AC8-etc", // "/etc"
  "&Jjo-&Jjo", // a base64 run never closed
];

/** Every file and folder under `dir`, with its size, as lines. */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const lines: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    const info = await Deno.lstat(path);
    lines.push(`${prefix}${entry.name} ${info.isDirectory ? "dir" : info.size}`);
    if (info.isDirectory) lines.push(...await tree(path, `${prefix}${entry.name}/`));
  }
  return lines.sort();
}

/** A raw client: sends a command (literals as {n+}), returns the lines up to its tagged answer. */
class Raw {
  #conn: Deno.TcpConn;
  #seen = "";
  #tag = 0;
  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }
  static async open(port: number): Promise<Raw> {
    const raw = new Raw(await Deno.connect({ hostname: "127.0.0.1", port }));
    await raw.#until(/^\* OK .*\r\n/m);
    return raw;
  }
  async #until(pattern: RegExp): Promise<string> {
    const buf = new Uint8Array(65536);
    while (!pattern.test(this.#seen)) {
      const n = await this.#conn.read(buf);
      if (n === null) throw new Error(`Closed; got ${JSON.stringify(this.#seen)}`);
      this.#seen += decoder.decode(buf.subarray(0, n));
    }
    const text = this.#seen;
    this.#seen = "";
    return text;
  }
  /** Sends `parts` joined by spaces, each string part as a LITERAL+ literal. */
  async command(name: string, ...parts: (string | { literal: string })[]): Promise<string[]> {
    const tag = `t${++this.#tag}`;
    let line = `${tag} ${name}`;
    for (const part of parts) {
      if (typeof part === "string") line += ` ${part}`;
      else line += ` {${encoder.encode(part.literal).length}+}\r\n${part.literal}`;
    }
    await this.#conn.write(encoder.encode(`${line}\r\n`));
    const text = await this.#until(new RegExp(`^${tag} [^\\r\\n]*\\r\\n`, "m"));
    return text.split("\r\n").filter((l) => l !== "");
  }
  close(): void {
    this.#conn.close();
  }
}

async function start() {
  const root = await Deno.makeTempDir({ prefix: "imap-security-" });
  const store = new MaildirStore({ root, fsync: false });
  await store.deliver("alice", encoder.encode("Subject: private\r\n\r\nAlice's secret\r\n"));
  await store.deliver("bob", encoder.encode("Subject: hi\r\n\r\nHello Bob\r\n"));
  const server = new ImapServer({ store, accounts, domain: "hamburger.edu" });
  return {
    root,
    store,
    server,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Every command that names a mailbox, with that name as a literal. */
function commandsNaming(name: string): [string, ...(string | { literal: string })[]][] {
  const it = { literal: name };
  return [
    ["CREATE", it],
    ["SELECT", it],
    ["EXAMINE", it],
    ["STATUS", it, "(MESSAGES)"],
    ["DELETE", it],
    ["RENAME", it, "Elsewhere"],
    ["RENAME", "Work", it],
    ["SUBSCRIBE", it],
    ["UNSUBSCRIBE", it],
    ["APPEND", it, { literal: "Subject: x\r\n\r\nx\r\n" }],
    ["LIST", '""', it],
    ["LSUB", '""', it],
  ];
}

Deno.test("IMAP mailbox names never leave the user's store, whatever the command", async () => {
  await using lab = await start();
  const raw = await Raw.open(lab.server.port);
  try {
    await raw.command("LOGIN", "bob", "pickles");
    await raw.command("CREATE", "Work");
    const alice = await tree(join(lab.root, "alice"));
    const outside = (await tree(lab.root)).filter((l) => !l.startsWith("bob"));
    for (const name of HOSTILE) {
      for (const [command, ...args] of commandsNaming(name)) {
        const lines = await raw.command(command, ...args);
        const tagged = lines.at(-1)!;
        if (command === "LIST" || command === "LSUB") {
          // A pattern that matches nothing is no error: only bob's own mailboxes may show.
          assert.match(tagged, /^t\d+ (OK|NO|BAD)/, `${command} ${name.slice(0, 40)}`);
          for (const line of lines.slice(0, -1)) {
            assert.match(
              line,
              /^\* (LIST|LSUB) \([^)]*\) "\." "?(INBOX|Drafts|Junk|Sent|Trash|Work)"?$/,
            );
          }
        } else {
          assert.match(tagged, /^t\d+ (NO|BAD) /, `${command} ${name.slice(0, 40)}: ${tagged}`);
          assert.doesNotMatch(tagged, /SERVERBUG/, `${command} ${name.slice(0, 40)}`);
        }
      }
      await raw.command("SELECT", "INBOX");
      // COPY and MOVE with a hostile target.
      for (const command of ["COPY", "MOVE"]) {
        const [tagged] = (await raw.command(command, "1", { literal: name })).slice(-1);
        assert.match(tagged, /^t\d+ (NO|BAD) /, `${command} ${name.slice(0, 40)}: ${tagged}`);
      }
      await raw.command("UNSELECT");
    }
    assert.deepEqual(await tree(join(lab.root, "alice")), alice, "alice's store is untouched");
    assert.deepEqual(
      (await tree(lab.root)).filter((l) => !l.startsWith("bob")),
      outside,
      "nothing appeared beside bob's store",
    );
    assert.equal((await lab.store.list("bob", "INBOX")).length, 1, "bob's message still there");
    assert.match((await raw.command("NOOP")).at(-1)!, /^t\d+ OK NOOP completed$/, "still serving");
  } finally {
    raw.close();
  }
});

Deno.test("IMAP gives one user no way to another's mailboxes", async () => {
  await using lab = await start();
  const raw = await Raw.open(lab.server.port);
  try {
    await raw.command("LOGIN", "bob", "pickles");
    const listed = await raw.command("LIST", '""', "*");
    assert.ok(listed.every((l) => !/alice|private/i.test(l)), listed.join("\n"));
    for (
      const name of ["alice", "~alice", "#alice", "alice.INBOX", "Other Users.alice", "#shared"]
    ) {
      const [tagged] = (await raw.command("SELECT", { literal: name })).slice(-1);
      assert.match(tagged, /^t\d+ NO /, `${name}: ${tagged}`);
    }
    // LOGIN as alice with bob's password, or as bob with alice's, fails.
    const other = await Raw.open(lab.server.port);
    try {
      assert.match((await other.command("LOGIN", "alice", "pickles")).at(-1)!, /^t1 NO /);
      assert.match((await other.command("LOGIN", "bob", "ketchup")).at(-1)!, /^t2 NO /);
    } finally {
      other.close();
    }
    const status = await raw.command("STATUS", "INBOX", "(MESSAGES)");
    assert.match(
      status[0],
      /^\* STATUS "?INBOX"? \(MESSAGES 1\)$/,
      "bob sees only his one message",
    );
  } finally {
    raw.close();
  }
});

Deno.test("IMAP error texts never carry a client's CR, LF or NUL: no forged response lines", async () => {
  await using lab = await start();
  const raw = await Raw.open(lab.server.port);
  try {
    await raw.command("LOGIN", "bob", "pickles");
    const forged = "x\r\n* 99 EXISTS\r\nt9 OK [READ-WRITE] SELECT completed\r\n\0";
    for (const command of ["SELECT", "CREATE", "DELETE", "STATUS"]) {
      const args = command === "STATUS"
        ? [{ literal: forged }, "(MESSAGES)"]
        : [{ literal: forged }];
      const lines = await raw.command(command, ...args);
      assert.equal(lines.length, 1, `${command}: one tagged line, nothing forged: ${lines}`);
      assert.match(lines[0], /^t\d+ (NO|BAD) /);
      assert.doesNotMatch(lines[0], /\0/);
    }
  } finally {
    raw.close();
  }
});
