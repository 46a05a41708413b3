import { toolTest } from "../../tests/_tools.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ManualClock } from "../../protocol/clock.ts";
import { MaildirStore } from "./maildir_store.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** A store in a fresh temporary root, removed at the end of the test. */
async function tempStore(clock = new ManualClock(Date.now())) {
  const root = await Deno.makeTempDir({ prefix: "maildir_interop_test_" });
  return {
    root,
    clock,
    store: new MaildirStore({ root, clock, fsync: false }),
    bob: join(root, "bob"),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

toolTest(
  "MaildirStore writes Maildirs that neomutt reads and flags",
  ["neomutt", "script"],
  async () => {
    {
      await using t = await tempStore();
      await t.store.deliver("bob", encode("Subject: first\r\n\r\nHello\r\n"));
      await t.store.deliver("bob", encode("Subject: second\r\n\r\nAgain\r\n"), {
        flags: ["\\Seen"],
      });
      const out = join(t.root, "piped");
      // neomutt wants a terminal; script(1) gives it one. The pushed keys pipe every message to a
      // file, flag every message, write the flags back and leave. Setting folder and spoolfile
      // spares the question whether to create ~/Mail (its answer would eat pushed keys), and
      // sleep_time=0 the second-long pauses after each message on the status line.
      const rc = join(t.root, "neomuttrc");
      await Deno.writeTextFile(
        rc,
        `set folder=${t.root} spoolfile=${t.bob} mbox_type=Maildir sleep_time=0 wait_key=no quit=yes
set pipe_split=yes pipe_decode=no mark_old=no move=no
push "<tag-pattern>~A<enter><tag-prefix><pipe-message>cat >> ${out}<enter><tag-prefix><flag-message><sync-mailbox><exit>"
`,
      );
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 10_000);
      const result = await new Deno.Command("/usr/bin/script", {
        args: ["-qec", `neomutt -n -F ${rc} -f ${t.bob}`, "/dev/null"],
        env: { TERM: "xterm", HOME: t.root },
        stdin: "null",
        stdout: "null",
        stderr: "null",
        signal: abort.signal,
      }).output().finally(() => clearTimeout(timer));
      assert.equal(result.code, 0);
      const piped = await Deno.readTextFile(out);
      assert.match(piped, /Subject: first/);
      assert.match(piped, /Subject: second/);
      assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => [m.uid, m.flags]), [
        [1, ["\\Flagged"]],
        [2, ["\\Seen", "\\Flagged"]],
      ]);
    }
  },
);

/** Runs a Dovecot master (no protocols: doveadm only) on a store's root, as its own user. */
async function dovecot(root: string) {
  const dir = await Deno.makeTempDir({ prefix: "maildir_dovecot_" });
  const [uid, gid] = Deno.uid() === 0 ? [65534, 65534] : [Deno.uid()!, Deno.gid()!];
  const user = Deno.uid() === 0 ? "root" : new TextDecoder().decode(
    (await new Deno.Command("id", { args: ["-un"] }).output()).stdout,
  ).trim();
  const config = join(dir, "dovecot.conf");
  await Deno.writeTextFile(
    config,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/log
protocols =
ssl = no
mail_location = maildir:${root}/%u
mail_uid = ${uid}
mail_gid = ${gid}
first_valid_uid = 0
first_valid_gid = 0
default_internal_user = ${user}
default_login_user = ${user}
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = home=${root}/%u
}
namespace inbox {
  inbox = yes
  separator = .
}
service anvil {
  chroot =
}
`,
  );
  // As root, Dovecot will not touch mail as root: the files become nobody's (root reads them).
  if (Deno.uid() === 0) {
    await new Deno.Command("chown", { args: ["-R", `${uid}:${gid}`, root] }).output();
  }
  const master = new Deno.Command("dovecot", {
    args: ["-F", "-c", config],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const doveadm = async (...args: string[]) => {
    const out = await new Deno.Command("doveadm", { args: ["-c", config, ...args] }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(`doveadm ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return text;
  };
  for (let i = 0; i < 50; i++) {
    try {
      await Deno.lstat(join(dir, "run", "auth-userdb"));
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    doveadm,
    [Symbol.asyncDispose]: async () => {
      master.kill("SIGTERM");
      await master.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

toolTest(
  "MaildirStore writes Maildirs that Dovecot reads, and reads what Dovecot writes",
  ["dovecot", "doveadm"],
  async () => {
    await using t = await tempStore();
    await t.store.ensureUser("bob");
    await t.store.deliver("bob", encode("Subject: one\r\n\r\nHello\r\n"), {
      flags: ["\\Seen", "$Label1"],
    });
    await t.store.deliver("bob", encode("Subject: two\r\n\r\nAgain\r\n"));
    await t.store.setFlags("bob", "INBOX", 2, ["NonJunk", "\\Flagged"]);
    await t.store.createMailbox("bob", "Work.Course");
    await t.store.setSubscribed("bob", "Work.Course", true);
    await using server = await dovecot(t.root);
    const fetched = await server.doveadm(
      "fetch",
      "-u",
      "bob",
      "flags hdr.subject",
      "mailbox",
      "INBOX",
      "all",
    );
    assert.match(fetched, /flags: \\Seen( \\Recent)? \$Label1\nhdr\.subject: one/);
    assert.match(fetched, /flags: \\Flagged( \\Recent)? NonJunk\nhdr\.subject: two/);
    assert.match(await server.doveadm("mailbox", "list", "-u", "bob"), /^Work\.Course$/m);
    assert.equal(await server.doveadm("mailbox", "list", "-s", "-u", "bob"), "Work.Course\n");
    await server.doveadm(
      "flags",
      "add",
      "-u",
      "bob",
      "$Forwarded \\Answered",
      "mailbox",
      "INBOX",
      "1",
    );
    await server.doveadm("mailbox", "subscribe", "-u", "bob", "Sent");
    assert.deepEqual((await t.store.list("bob", "INBOX")).map((m) => m.flags), [
      ["\\Seen", "\\Answered", "$Label1", "$Forwarded"],
      ["\\Flagged", "NonJunk"],
    ]);
    assert.deepEqual(await t.store.subscriptions("bob"), ["Sent", "Work.Course"]);
  },
);
