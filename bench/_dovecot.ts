/**
 * A private Dovecot for the IMAP bench: Debian's dovecot-imapd run from a configuration the bench
 * writes (its own base and state directories, 127.0.0.1 only, a passwd-file, one Maildir per
 * user), in the foreground under `timeout` so that it dies even if the bench is killed, and
 * stopped with SIGTERM. Mail is delivered the way an MDA does it: written to `tmp/`, synced,
 * renamed into `new/`, owned by the mail user.
 *
 * @module
 */
import { join } from "node:path";

const DOVECOT = "/usr/sbin/dovecot";
const IMAP = "/usr/lib/dovecot/imap";
const DOVEADM = "/usr/bin/doveadm";
/** The account the imap processes run as (Dovecot refuses root for mail access). */
const MAIL_USER = { name: "nobody", group: "nogroup", uid: 65534, gid: 65534 };
/** Rounds timed to calibrate: about a second, so that starting doveadm is noise. */
const PROBE_ROUNDS = 500_000;
/** The longest one instance may live: the watchdog's limit. */
const LIFETIME_SECONDS = 1800;

/**
 * Why Dovecot cannot run here, or undefined when it can.
 *
 * @returns A reason for a "skipped:" line.
 */
export function dovecotMissing(): string | undefined {
  for (const path of [DOVECOT, IMAP, DOVEADM]) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} not found (apt-get install dovecot-imapd)`;
    }
  }
  if (Deno.uid() !== 0) return "Dovecot's mail user switch needs root";
  return undefined;
}

/**
 * A Dovecot password hash that costs about `targetMs` to check: PBKDF2 (Dovecot's, over
 * SHA-1) with its rounds scaled from a timed `doveadm pw`.
 *
 * @param password The password in clear.
 * @param targetMs The check time to match.
 * @returns The hash for the passwd-file, its rounds, and the time one check takes.
 */
export async function calibratedHash(
  password: string,
  targetMs: number,
): Promise<{ hash: string; rounds: number; ms: number }> {
  const timed = async (rounds: number) => {
    let best = Infinity;
    let hash = "";
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const out = await new Deno.Command(DOVEADM, {
        args: ["pw", "-s", "PBKDF2", "-r", String(rounds), "-p", password],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      best = Math.min(best, performance.now() - started);
      if (!out.success) {
        throw new Error(`doveadm pw failed: ${new TextDecoder().decode(out.stderr)}`);
      }
      hash = new TextDecoder().decode(out.stdout).trim();
    }
    return { best, hash };
  };
  const base = await timed(1);
  const probe = await timed(PROBE_ROUNDS);
  const perRound = Math.max(1e-6, (probe.best - base.best) / PROBE_ROUNDS);
  const rounds = Math.max(1000, Math.round(targetMs / perRound / 1000) * 1000);
  const { hash } = await timed(rounds);
  return { hash, rounds, ms: rounds * perRound };
}

/** Options of {@linkcode Dovecot.start}. */
export interface DovecotOptions {
  /**
   * A directory for the configuration, the logs and the runtime state; it and `mailRoot` must be
   * reachable by the users dovecot, dovenull and nobody (their parents at least 0711).
   */
  dir: string;
  /** The directory holding one Maildir per user (`<mailRoot>/<user>`). */
  mailRoot: string;
  /** The users and their hash (as from {@linkcode calibratedHash}). */
  users: string[];
  /** The passwd-file hash every user gets. */
  hash: string;
}

/** One running Dovecot. */
export class Dovecot {
  #process: Deno.ChildProcess;
  #dir: string;
  #instance: string;
  readonly port: number;
  static #running = new Set<Dovecot>();
  static #closed = false;

  /**
   * Stops every instance this process started and has not stopped yet (even one starting), and
   * refuses to start any more.
   */
  static async stopAll(): Promise<void> {
    Dovecot.#closed = true;
    await Promise.all([...Dovecot.#running].map((server) => server.stop()));
  }

  private constructor(process: Deno.ChildProcess, dir: string, instance: string, port: number) {
    this.#process = process;
    this.#dir = dir;
    this.#instance = instance;
    this.port = port;
  }

  /** The configuration the bench writes (printed by the bench). */
  static config(options: DovecotOptions & { port: number; instance: string }): string {
    const { dir, mailRoot, port, instance } = options;
    return `# The IMAP bench's private Dovecot: nothing from /etc/dovecot is read.
protocols = imap
listen = 127.0.0.1
instance_name = ${instance}
base_dir = ${join(dir, "run")}
state_dir = ${join(dir, "state")}
log_path = ${join(dir, "dovecot.log")}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mailRoot}/%u
mail_max_userip_connections = 100
passdb {
  driver = passwd-file
  args = ${join(dir, "passwd")}
}
userdb {
  driver = static
  args = uid=${MAIL_USER.name} gid=${MAIL_USER.group} home=${mailRoot}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  }

  /**
   * Writes the configuration, starts Dovecot and waits until it accepts connections.
   *
   * @param options Directories, users and their hash.
   * @returns The running server.
   */
  static async start(options: DovecotOptions): Promise<Dovecot> {
    const { dir } = options;
    await Deno.mkdir(join(dir, "run"), { recursive: true });
    await Deno.mkdir(join(dir, "state"), { recursive: true });
    // The login processes run as dovenull and the auth process as dovecot: they need a way in.
    await Deno.chmod(dir, 0o755);
    const port = freePort();
    const instance = `bench-imap-${Deno.pid}`;
    const conf = join(dir, "dovecot.conf");
    await Deno.writeTextFile(conf, Dovecot.config({ ...options, port, instance }));
    await Deno.writeTextFile(
      join(dir, "passwd"),
      options.users.map((u) => `${u}:${options.hash}\n`).join(""),
    );
    for (const user of options.users) await prepareMaildir(join(options.mailRoot, user));
    // A master stopped before in this directory may linger as a zombie where PID 1 reaps no
    // orphans (as in some containers): its master.pid then reads as a live Dovecot, and the new
    // master refuses to start. Every process of an earlier instance here was stopped already.
    await Deno.remove(join(dir, "run", "master.pid")).catch(() => {});
    if (Dovecot.#closed) throw new Error("Dovecot.stopAll was called: no more instances");
    const process = new Deno.Command("timeout", {
      args: ["-s", "TERM", "-k", "5", String(LIFETIME_SECONDS), DOVECOT, "-F", "-c", conf],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const server = new Dovecot(process, dir, instance, port);
    Dovecot.#running.add(server);
    const deadline = performance.now() + 15_000;
    for (;;) {
      try {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conn.close();
        return server;
      } catch {
        if (performance.now() > deadline) {
          await server.stop();
          throw new Error(`Dovecot did not start: ${await server.log()}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** The last lines of Dovecot's log. */
  async log(lines = 20): Promise<string> {
    const text = await Deno.readTextFile(join(this.#dir, "dovecot.log")).catch(() => "");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  /** The process ids of this instance's imap processes (one per logged-in session). */
  imapPids(): number[] {
    return this.#processes().filter((p) => p.comm === "imap").map((p) => p.pid);
  }

  #processes(): { pid: number; comm: string }[] {
    return processesMatching([this.#instance, join(this.#dir, "dovecot.conf")]);
  }

  /** Stops every process of this instance; kills what is left after 10 s. */
  async stop(): Promise<void> {
    Dovecot.#running.delete(this);
    try {
      this.#process.kill("SIGTERM");
    } catch {
      // already gone
    }
    const exited = await Promise.race([
      this.#process.status.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!exited) {
      try {
        this.#process.kill("SIGKILL");
      } catch {
        // gone meanwhile
      }
      await this.#process.status;
    }
    await this.#process.stderr.cancel().catch(() => {});
    for (const { pid } of this.#processes()) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

/**
 * Delivers a message as an MDA does: written into `tmp/`, synced, renamed into `new/`.
 *
 * @param maildir The user's Maildir.
 * @param bytes The message.
 * @param options `time` for the name and mtime (Dovecot's INTERNALDATE), `sync` to fsync.
 */
export async function deliverToMaildir(
  maildir: string,
  bytes: Uint8Array,
  options: { time?: number; sync?: boolean } = {},
): Promise<void> {
  const time = options.time ?? Date.now();
  const name = `${Math.floor(time / 1000)}.M${(time % 1000) * 1000}P${Deno.pid}Q${++delivered}` +
    `.bench,S=${bytes.length}`;
  const tmp = join(maildir, "tmp", name);
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  try {
    for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
    if (options.sync) await file.sync();
  } finally {
    file.close();
  }
  await Deno.chown(tmp, MAIL_USER.uid, MAIL_USER.gid);
  if (options.time !== undefined) await Deno.utime(tmp, time / 1000, time / 1000);
  await Deno.rename(tmp, join(maildir, "new", name));
}
let delivered = 0;

/** Makes a Maildir the mail user owns (keeping what is in it). */
async function prepareMaildir(maildir: string): Promise<void> {
  for (const sub of ["tmp", "new", "cur"]) {
    await Deno.mkdir(join(maildir, sub), { recursive: true });
  }
  await Deno.chown(maildir, MAIL_USER.uid, MAIL_USER.gid);
  for (const sub of ["tmp", "new", "cur"]) {
    await Deno.chown(join(maildir, sub), MAIL_USER.uid, MAIL_USER.gid);
  }
}

/** A port that was free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The processes whose command line holds one of `needles`, with their command names. */
function processesMatching(needles: string[]): { pid: number; comm: string }[] {
  const found: { pid: number; comm: string }[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (!needles.some((needle) => cmdline.includes(needle))) continue;
      const comm = Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim();
      found.push({ pid: Number(entry.name), comm });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
