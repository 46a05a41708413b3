/**
 * A private Postfix for the SMTP bench: Debian's postfix started with `postfix -c DIR start` from
 * a main.cf and master.cf the bench writes into a temporary directory, with its own queue and
 * data directories there, so nothing in /etc/postfix is read or changed (run as root,
 * `postfix -c` needs no `alternate_config_directories`, and no /etc/postfix/main.cf at all).
 * It is the MX for the generator's recipient (`ENVELOPE`, sink0@sink.test): one smtpd listener on
 * a free 127.0.0.1 port (nothing on port 25), no DNS, that address a virtual mailbox delivered by
 * virtual(8) into a Maildir, every other recipient refused (not an open relay). Postfix answers
 * 250 once its queue file is synced and delivers afterwards, so the bench counts what reached
 * the Maildir's `new/` too.
 *
 * @module
 */
import { join } from "node:path";
import { processTree } from "./_proc.ts";
import { ENVELOPE } from "./_smtp_load.ts";

const POSTFIX = "/usr/sbin/postfix";
const DAEMONS = "/usr/lib/postfix/sbin";
/** Who owns the Maildir: virtual(8) delivers as this uid and gid. */
const MAIL_USER = { uid: 65534, gid: 65534 };

/**
 * Why Postfix cannot run here, or undefined when it can.
 *
 * @returns A reason for a "skipped:" line.
 */
export function postfixMissing(): string | undefined {
  for (const path of [POSTFIX, join(DAEMONS, "master"), join(DAEMONS, "virtual")]) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} not found (apt-get install postfix)`;
    }
  }
  if (Deno.uid() !== 0) return "a private Postfix (postfix -c DIR start) needs root";
  return undefined;
}

/** The main.cf the bench writes. */
export function postfixMainCf(dir: string): string {
  return `# The SMTP bench's private Postfix: nothing from /etc/postfix is read.
compatibility_level = 3.6
queue_directory = ${join(dir, "queue")}
data_directory = ${join(dir, "data")}
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${join(dir, "maillog")}
maillog_file_prefixes = ${dir}
myhostname = ${ENVELOPE.domain}
mydomain = ${ENVELOPE.domain}
myorigin = ${ENVELOPE.domain}
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_banner = $myhostname ESMTP
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
biff = no
# The MX: ${ENVELOPE.domain}'s mailboxes, nothing else (relaying refused, as the toolkit's MX does).
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
virtual_mailbox_domains = ${ENVELOPE.domain}
virtual_mailbox_base = ${join(dir, "mail")}
virtual_mailbox_maps = texthash:${join(dir, "vmailbox")}
virtual_uid_maps = static:${MAIL_USER.uid}
virtual_gid_maps = static:${MAIL_USER.gid}
# 16 concurrent sessions and their deliveries, unthrottled.
default_process_limit = 100
in_flow_delay = 0
`;
}

/**
 * The master.cf the bench writes: the smtpd listener on `port` instead of the `smtp inet` line
 * on port 25, the services a virtual delivery needs, none chrooted (the queue is in /tmp).
 */
export function postfixMasterCf(port: number): string {
  return `# service type private unpriv chroot wakeup maxproc command
127.0.0.1:${port} inet n - n - - smtpd
cleanup    unix  n - n -   0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n -   - trivial-rewrite
bounce     unix  - - n -   0 bounce
defer      unix  - - n -   0 bounce
trace      unix  - - n -   0 bounce
verify     unix  - - n -   1 verify
proxymap   unix  - - n -   - proxymap
anvil      unix  - - n -   1 anvil
scache     unix  - - n -   1 scache
error      unix  - - n -   - error
retry      unix  - - n -   - error
discard    unix  - - n -   - discard
virtual    unix  - n n -   - virtual
postlog    unix-dgram n - n - 1 postlogd
`;
}

/** One running private Postfix. */
export class Postfix {
  readonly dir: string;
  readonly port: number;
  /** The master process: the top of every process of this instance. */
  readonly masterPid: number;
  static #running = new Set<Postfix>();

  private constructor(dir: string, port: number, masterPid: number) {
    this.dir = dir;
    this.port = port;
    this.masterPid = masterPid;
  }

  /** Stops every instance this process started and has not stopped yet. */
  static async stopAll(): Promise<void> {
    await Promise.all([...Postfix.#running].map((postfix) => postfix.stop()));
  }

  /**
   * Writes the configuration into `dir`, starts Postfix and waits until it accepts connections.
   *
   * @param dir An empty directory, which the postfix user must be able to traverse.
   * @returns The running instance.
   */
  static async start(dir: string): Promise<Postfix> {
    await Deno.chmod(dir, 0o755);
    for (const sub of ["queue", "data", "mail"]) await Deno.mkdir(join(dir, sub));
    const postfixUser = await idOf("postfix");
    await Deno.chown(join(dir, "data"), postfixUser, null);
    await Deno.chown(join(dir, "mail"), MAIL_USER.uid, MAIL_USER.gid);
    const port = freePort();
    await Deno.writeTextFile(join(dir, "main.cf"), postfixMainCf(dir));
    await Deno.writeTextFile(join(dir, "master.cf"), postfixMasterCf(port));
    await Deno.writeTextFile(join(dir, "vmailbox"), `${ENVELOPE.to} ${ENVELOPE.user}/\n`);
    const started = await postfix(dir, "start");
    const pid = await masterPid(dir);
    if (!started.success || pid === undefined) {
      await postfix(dir, "abort");
      throw new Error(`postfix -c ${dir} start failed: ${started.text}${await tail(dir)}`);
    }
    const instance = new Postfix(dir, port, pid);
    Postfix.#running.add(instance);
    const deadline = performance.now() + 15_000;
    for (;;) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        return instance;
      } catch {
        if (performance.now() > deadline) {
          await instance.stop();
          throw new Error(`Postfix does not listen on ${port}${await tail(dir)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** The recipient's Maildir, where virtual(8) delivers. */
  get maildir(): string {
    return join(this.dir, "mail", ENVELOPE.user);
  }

  /** The messages delivered into the Maildir's `new/` so far, and when the last one was written. */
  delivered(): { count: number; lastAt: number } {
    let count = 0;
    let lastAt = 0;
    try {
      for (const entry of Deno.readDirSync(join(this.maildir, "new"))) {
        count++;
        const mtime = Deno.statSync(join(this.maildir, "new", entry.name)).mtime?.getTime() ?? 0;
        lastAt = Math.max(lastAt, mtime);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return { count, lastAt };
  }

  /**
   * Waits until `count` messages are in the Maildir's `new/`, polling, at most `timeoutMs`.
   *
   * @returns What is there by then.
   */
  async waitDelivered(
    count: number,
    timeoutMs: number,
  ): Promise<{ count: number; lastAt: number }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Counting first (cheap), stat-ing every file only once all are there.
      let seen = 0;
      try {
        for (const _ of Deno.readDirSync(join(this.maildir, "new"))) seen++;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      if (seen >= count || performance.now() > deadline) return this.delivered();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Removes the delivered messages, so that the next run starts with an empty Maildir.
   *
   * @returns How many there were.
   */
  async empty(): Promise<number> {
    const dir = join(this.maildir, "new");
    let names: string[] = [];
    try {
      names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    for (const name of names) await Deno.remove(join(dir, name));
    return names.length;
  }

  /** The last lines of Postfix's log. */
  async log(lines = 20): Promise<string> {
    return (await tail(this.dir, lines)).trim();
  }

  /**
   * `postfix -c DIR stop`, then `abort`, then SIGKILL for whatever of the master's process tree
   * is still there, so that no master is left running.
   */
  async stop(): Promise<void> {
    if (!Postfix.#running.delete(this)) return;
    await postfix(this.dir, "stop");
    const deadline = performance.now() + 10_000;
    while (processTree(this.masterPid).length > 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (processTree(this.masterPid).length > 0) await postfix(this.dir, "abort");
    for (const pid of processTree(this.masterPid)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** Runs `postfix -c DIR command`. */
async function postfix(dir: string, command: string): Promise<{ success: boolean; text: string }> {
  const out = await new Deno.Command(POSTFIX, {
    args: ["-c", dir, command],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  return { success: out.success, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/** The master's pid from its pid file, if it runs with this configuration directory. */
async function masterPid(dir: string): Promise<number | undefined> {
  const file = join(dir, "queue", "pid", "master.pid");
  const pid = Number((await Deno.readTextFile(file).catch(() => "")).trim());
  if (!pid) return undefined;
  // The master's command line does not name DIR; its environment does (MAIL_CONFIG).
  const environ = await Deno.readTextFile(`/proc/${pid}/environ`).catch(() => "");
  return environ.split("\0").includes(`MAIL_CONFIG=${dir}`) ? pid : undefined;
}

async function tail(dir: string, lines = 20): Promise<string> {
  const text = await Deno.readTextFile(join(dir, "maillog")).catch(() => "");
  return text ? "\n" + text.trimEnd().split("\n").slice(-lines).join("\n") : "";
}

async function idOf(user: string): Promise<number> {
  const out = await new Deno.Command("id", { args: ["-u", user], stdout: "piped" }).output();
  const uid = Number(new TextDecoder().decode(out.stdout).trim());
  if (!out.success || !Number.isInteger(uid)) throw new Error(`No user "${user}" for Postfix`);
  return uid;
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
