/**
 * The IMAP bench's two servers behind one shape: filled once with the bench's messages, then
 * started fresh for each round, told to deliver one message while a client IDLEs, asked for
 * their peak memory, and stopped. The toolkit runs in its own Deno process
 * (`servers/toolkit_imap.ts`); Dovecot runs from the private configuration of `_dovecot.ts`.
 *
 * @module
 */
import { join } from "node:path";
import { deliverToMaildir, Dovecot } from "./_dovecot.ts";
import { benchMessage, idleMessage, messageDate } from "./_imap_messages.ts";
import { JsonLines } from "./_json_lines.ts";
import { v8FlagsArg } from "./_v8_flags.ts";
import { peakResidentBytes } from "./_proc.ts";

const here = new URL(".", import.meta.url).pathname;
const encoder = new TextEncoder();

/** A server started for one round. */
export interface RunningServer {
  /** Its IMAP port on 127.0.0.1. */
  port: number;
  /** Delivers IDLE message `k` to bob's INBOX the server's own way; resolves once it is done. */
  deliver(k: number): Promise<void>;
  /** The peak resident memory of the process serving the sessions so far, in bytes. */
  peak(): Promise<number>;
  /** Stops every process it started. */
  stop(): Promise<void>;
}

/** One contender of the bench. */
export interface Target {
  /** `toolkit` or `Dovecot`. */
  name: string;
  /** Delivers messages 1..`count` into `user`'s mailbox before any server runs. */
  fill(user: string, count: number): Promise<{ ms: number }>;
  /** Starts a fresh server process over the mailboxes filled so far. */
  start(): Promise<RunningServer>;
  /** The errors the server logged so far (Dovecot's log; the toolkit's go to standard error). */
  readonly problems: string[];
}

/** The toolkit processes running (serving, starting or filling). */
const children = new Set<Deno.ChildProcess>();
let closed = false;

/**
 * Kills every server process the targets started and did not stop yet, Dovecot's too: for a
 * bench interrupted at any point (a signal while a server is still starting, say). No server
 * starts after it.
 */
export async function killEverything(): Promise<void> {
  closed = true;
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  await Promise.all([...children].map((child) => child.status));
  await Dovecot.stopAll();
}

/** Options of {@linkcode toolkitTarget}. */
export interface ToolkitTargetOptions {
  /** The store's root directory. */
  root: string;
  /** Every account the server has (bob and the stress users). */
  users: string[];
  /** Their password. */
  password: string;
  /** Serve without transcripts (not the lab's way). @default false */
  bare?: boolean;
}

/**
 * The toolkit: `servers/toolkit_imap.ts` in its own process over a MaildirStore at `root`.
 *
 * @param options The root, the users and their password.
 * @returns The target.
 */
export function toolkitTarget(options: ToolkitTargetOptions): Target {
  const script = join(here, "servers", "toolkit_imap.ts");
  const spawn = (args: string[]) => {
    if (closed) throw new Error("killEverything was called: no more servers");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...v8FlagsArg(), script, "--root", options.root, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
      cwd: join(here, ".."),
    }).spawn();
    children.add(child);
    child.status.finally(() => children.delete(child));
    return child;
  };
  return {
    name: "toolkit",
    problems: [],
    async fill(user, count) {
      if (user !== "bob") throw new Error(`The toolkit's fill delivers to bob, not "${user}"`);
      const child = spawn(["--fill", String(count)]);
      await child.stdin.close();
      const lines = new JsonLines(child.stdout);
      try {
        const { ms } = await lines.next(600_000);
        return { ms };
      } finally {
        await lines.cancel();
        await child.status;
      }
    },
    async start() {
      const args = ["--users", options.users.join(","), "--password", options.password];
      const child = spawn(options.bare ? [...args, "--bare"] : args);
      const lines = new JsonLines(child.stdout);
      const writer = child.stdin.getWriter();
      const ask = async (line: string, timeoutMs = 60_000) => {
        await writer.write(encoder.encode(`${line}\n`));
        return await lines.next(timeoutMs);
      };
      let port: number;
      try {
        port = (await lines.next(120_000)).port;
      } catch (error) {
        child.kill("SIGKILL");
        await child.status;
        throw error;
      }
      let turn = Promise.resolve();
      return {
        port,
        deliver(k) {
          const done = turn.then(() => ask(`deliver ${k}`)).then(() => {});
          turn = done.catch(() => {});
          return done;
        },
        async peak() {
          await turn;
          return (await ask("stats")).hwm;
        },
        async stop() {
          await writer.write(encoder.encode("exit\n")).catch(() => {});
          await writer.close().catch(() => {});
          const exited = await Promise.race([
            child.status.then(() => true),
            new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
          ]);
          if (!exited) {
            child.kill("SIGKILL");
            await child.status;
          }
          await lines.cancel();
        },
      };
    },
  };
}

/** Options of {@linkcode dovecotTarget}. */
export interface DovecotTargetOptions {
  /** A directory for the configuration, logs and runtime state. */
  dir: string;
  /** The directory of the users' Maildirs. */
  mailRoot: string;
  /** Every account. */
  users: string[];
  /** The passwd-file hash of their password. */
  hash: string;
}

/**
 * Debian's Dovecot from the bench's private configuration, over Maildirs at `mailRoot`.
 *
 * @param options Directories, users and the hash.
 * @returns The target.
 */
export function dovecotTarget(options: DovecotTargetOptions): Target {
  const bob = join(options.mailRoot, "bob");
  const problems: string[] = [];
  return {
    name: "Dovecot",
    problems,
    async fill(user, count) {
      const maildir = join(options.mailRoot, user);
      for (const sub of ["tmp", "new", "cur"]) {
        await Deno.mkdir(join(maildir, sub), { recursive: true });
      }
      const started = performance.now();
      for (let n = 1; n <= count; n++) {
        await deliverToMaildir(maildir, benchMessage(n), { time: messageDate(n) });
      }
      return { ms: performance.now() - started };
    },
    async start() {
      const server = await Dovecot.start(options);
      let peak = 0;
      return {
        port: server.port,
        // The MDA's way, with the fsync a careful MDA (and Dovecot's own LDA) does.
        deliver: (k) => deliverToMaildir(bob, idleMessage(k), { sync: true }),
        peak() {
          for (const pid of server.imapPids()) peak = Math.max(peak, peakResidentBytes(pid));
          return Promise.resolve(peak);
        },
        async stop() {
          await server.stop();
          const log = await server.log(Infinity);
          for (const line of log.split("\n")) {
            if (/: (Error|Fatal|Panic):/.test(line) && !problems.includes(line)) {
              problems.push(line);
            }
          }
        },
      };
    },
  };
}
