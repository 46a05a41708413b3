/**
 * Dovecot's compliance tester, imaptest, against the toolkit's IMAP server: every scripted test
 * whose capabilities the server advertises must pass, all of them on one server that keeps
 * running from the first test to the last (so each test also meets what the ones before it
 * left), for the Maildir store the lab uses and for the memory store. Its stress mode, five
 * clients working on one mailbox and checking every answer against a model of it, must report
 * no error.
 *
 * imaptest is in the workplace's `shared/tools/imaptest` (built for Debian 12) and links
 * Dovecot's library from Debian's `dovecot-core`.
 */
import assert from "node:assert/strict";
import { ImapClient } from "../../client/imap_client.ts";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer } from "../../server/imap/server.ts";
import { MaildirStore } from "../../server/store/maildir_store.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import type { MailboxStore } from "../../server/store/store.ts";
import { sharedTool, toolTest } from "../_tools.ts";

const RUN = sharedTool("imaptest/run.sh");
const IMAPTEST = sharedTool("imaptest/imaptest");
const TESTS = sharedTool("imaptest/tests");
const NEEDS = [RUN, IMAPTEST, "/usr/lib/dovecot/libdovecot.so.0"];

const accounts = new Accounts({ iterations: 1000 });
// The tests log in as bob; urlauth2 and the like want a second user with the same password.
await accounts.add("bob", "pickles");
await accounts.add("carol", "pickles");

async function serve(store: MailboxStore) {
  await store.ensureUser("bob");
  await store.ensureUser("carol");
  return new ImapServer({ store, accounts, domain: "hamburger.edu" });
}

/** The capabilities a logged-in client sees, upper case. */
async function advertised(port: number): Promise<Set<string>> {
  await using client = await ImapClient.connect({ port });
  await client.login("bob", "pickles");
  await client.command("CAPABILITY");
  const words = client.capabilities.map((w) => w.toUpperCase());
  await client.logout();
  return new Set(words);
}

/** Each test script's name and the capabilities its header asks for (none for a base test). */
async function scripts(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for await (const entry of Deno.readDir(TESTS)) {
    if (!entry.isFile || entry.name.endsWith(".mbox")) continue;
    const text = await Deno.readTextFile(`${TESTS}/${entry.name}`);
    const header = text.slice(0, text.indexOf("\n\n") + 1);
    const caps = /^capabilities:\s*(.*)$/im.exec(header)?.[1].trim().split(/\s+/) ?? [];
    found.set(entry.name, caps.map((c) => c.toUpperCase()));
  }
  return found;
}

async function runScripts(port: number) {
  const logs = await Deno.makeTempDir({ prefix: "imaptest-logs-" });
  const out = await new Deno.Command(RUN, {
    args: ["127.0.0.1", String(port), "bob", "pickles", "user2=carol"],
    env: { LOGDIR: logs, PER_TEST_TIMEOUT: "60" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const results = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^(PASS|FAIL|SKIP) ([^:\s]+)(.*)$/.exec(line);
    if (m) results.set(m[2], `${m[1]}${m[3]}`);
  }
  return { text, results, logs };
}

for (
  const [label, makeStore] of [
    ["Maildir", async () => new MaildirStore({ root: await Deno.makeTempDir(), fsync: false })],
    ["memory", () => Promise.resolve(new MemoryStore())],
  ] as const
) {
  toolTest(
    `imaptest: every test the server's capabilities allow passes, on one ${label} server`,
    NEEDS,
    async () => {
      await using server = await serve(await makeStore());
      const caps = await advertised(server.port);
      const { text, results, logs } = await runScripts(server.port);
      const failed = [...results].filter(([, r]) => r.startsWith("FAIL"));
      assert.deepEqual(failed, [], `imaptest failures (logs in ${logs}):\n${text}`);
      for (const [name, needs] of await scripts()) {
        const result = results.get(name) ?? "missing";
        if (needs.every((cap) => caps.has(cap))) {
          assert.equal(result, "PASS", `${name} needs only ${needs.join(" ") || "IMAP4rev1"}`);
        } else {
          assert.match(result, /^SKIP: server does not advertise/, name);
        }
      }
      await Deno.remove(logs, { recursive: true });
    },
  );
}

toolTest(
  "imaptest stress: 5 clients on one mailbox for 20 s, every answer as expected",
  NEEDS,
  async () => {
    await using server = await serve(
      new MaildirStore({ root: await Deno.makeTempDir(), fsync: false }),
    );
    const out = await new Deno.Command(IMAPTEST, {
      args: [
        "host=127.0.0.1",
        `port=${server.port}`,
        "user=bob",
        "pass=pickles",
        `mbox=${sharedTool("imaptest/stress.mbox")}`,
        "clients=5",
        "secs=20",
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    const errors = text.split("\n").filter((line) => /^Error:|error/i.test(line));
    assert.deepEqual(errors.slice(0, 20), [], text.slice(-3000));
    // The last row of totals: how many of each command ran. Logins and fetches must have happened.
    const totals = text.slice(text.lastIndexOf("Totals:")).trim().split("\n").at(-1)!;
    const [logins, , , selects, fetches] = totals.trim().split(/\s+/).map(Number);
    assert.ok(logins > 100 && selects > 100 && fetches > 100, `too little work done:\n${text}`);
  },
);
