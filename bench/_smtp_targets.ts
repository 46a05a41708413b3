/**
 * The SMTP bench's servers behind one shape, each in its own process, all started before any
 * is measured. Bare servers keep messages in memory or drop them: the toolkit's SmtpServer,
 * nodemailer's smtp-server on Node, aiosmtpd, the Deno floor (canned replies and no session,
 * `servers/deno_floor.ts`: what Deno itself allows), all four answering a control channel on
 * stdin (`servers/_stats.ts`), and Postfix's smtp-sink. MX servers store into sink0's Maildir
 * (`ENVELOPE`, the generator's own recipient): the toolkit's MX as the lab builds it
 * (`servers/toolkit_mx.ts`) and a private Postfix (`_postfix.ts`).
 *
 * @module
 */
import { join } from "node:path";
import { JsonLines } from "./_json_lines.ts";
import { v8FlagsArg } from "./_v8_flags.ts";
import { freePort, Postfix, postfixMissing } from "./_postfix.ts";
import { residentBytes, treeCpuSeconds } from "./_proc.ts";

const here = new URL(".", import.meta.url).pathname;
const encoder = new TextEncoder();
const SMTP_SINK = "/usr/sbin/smtp-sink";
const PYTHON = "/usr/bin/python3";

/** Which servers a target is compared with. */
export type Group = "bare" | "mx";

/** How a run's messages ended up stored, for servers that store after their 250. */
export interface Stored {
  /** Messages in the mailbox. */
  count: number;
  /** When the last one was written, in epoch milliseconds. */
  lastAt: number;
}

/** A V8 server's heap, as `servers/_stats.ts` reports it. */
export interface HeapFigures {
  /** Bytes of live objects, after a collection. */
  used: number;
  /** Bytes the heap holds in all, live or not. */
  committed: number;
  /** Bytes of the young generation (new space and its large objects). */
  young: number;
}

/** What a server holds: its resident memory, and its V8 heap when it has one. */
export interface Memory {
  /** Resident bytes (VmRSS) of its process. */
  rss: number;
  /** Its V8 heap; undefined for a server without one (aiosmtpd, smtp-sink). */
  heap?: HeapFigures;
}

/** One server under test. */
export interface SmtpTarget {
  /** Its name in the tables. */
  readonly name: string;
  /** Bare (memory) or MX (Maildir). */
  readonly group: Group;
  /** Its SMTP port on 127.0.0.1. */
  readonly port: number;
  /** The CPU seconds its processes used so far. */
  cpuSeconds(): number;
  /**
   * Its resident memory after a garbage collection where it has one, and its V8 heap where it
   * runs on V8, read together; undefined: not measured.
   */
  memory(): Promise<Memory | undefined>;
  /** The messages it counted as accepted so far; undefined when it keeps no count. */
  accepted(): Promise<number | undefined>;
  /**
   * After a run, waits (at most a minute) until `count` messages are in the mailbox, for a
   * server that stores after its 250; undefined for one that stores before it or not at all.
   */
  settle(count: number): Promise<Stored | undefined>;
  /** Empties the mailbox, so that every run starts with an empty one. */
  empty(): Promise<void>;
  /** Stops its processes. */
  stop(): Promise<void>;
}

/** A target to start, or the reason it cannot run here. */
export interface TargetSpec {
  name: string;
  group: Group;
  /** Why it is skipped, when it is. */
  missing?: string;
  start(): Promise<SmtpTarget>;
}

/** The child processes started and not yet stopped. */
const children = new Set<Deno.ChildProcess>();

/** Kills every server process the targets started, Postfix's too (for an interrupted bench). */
export async function killEverything(): Promise<void> {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  await Promise.all([...children].map((child) => child.status));
  children.clear();
  await Postfix.stopAll();
}

/**
 * Every target of the bench, in the tables' order.
 *
 * @param work A temporary directory for the MX targets' mailboxes.
 * @returns Their specifications.
 */
export function targetSpecs(work: string): TargetSpec[] {
  // Bare servers on Deno's defaults, as a program that imports SmtpServer runs; the MX with
  // BENCH_V8_FLAGS when they are set.
  const deno = ["run", "-A", "--v8-flags=--expose-gc"];
  const lab = ["run", "-A", ...v8FlagsArg("--expose-gc")];
  const script = (name: string) => join(here, "servers", name);
  const child = (spec: ChildSpec & { missing?: string }): TargetSpec => ({
    ...spec,
    start: () => controlled(spec),
  });
  return [
    child({
      name: "toolkit SmtpServer",
      group: "bare",
      command: Deno.execPath(),
      args: [...deno, script("toolkit_smtp.ts")],
    }),
    {
      name: "smtp-sink",
      group: "bare",
      missing: exists(SMTP_SINK) ? undefined : `${SMTP_SINK} not found (apt-get install postfix)`,
      start: smtpSink,
    },
    child({
      name: "smtp-server (Node)",
      group: "bare",
      command: "node",
      args: ["--expose-gc", script("smtp_server.mjs")],
    }),
    child({
      name: "aiosmtpd",
      group: "bare",
      missing: aiosmtpdMissing(),
      command: PYTHON,
      args: [script("aiosmtpd_sink.py")],
    }),
    child({
      name: "Deno floor (canned replies)",
      group: "bare",
      command: Deno.execPath(),
      args: [...deno, script("deno_floor.ts")],
    }),
    child({
      name: "toolkit MX (Maildir)",
      group: "mx",
      command: Deno.execPath(),
      args: [...lab, script("toolkit_mx.ts"), "--root", join(work, "toolkit-mx")],
    }),
    {
      name: "Postfix MX (Maildir)",
      group: "mx",
      missing: postfixMissing(),
      start: () => postfixTarget(join(work, "postfix")),
    },
  ];
}

/** A server process with a control channel: its name, group and command line. */
interface ChildSpec {
  name: string;
  group: Group;
  command: string;
  args: string[];
}

/** A server with the control channel of `servers/_stats.ts` on its stdin and stdout. */
async function controlled(spec: ChildSpec): Promise<SmtpTarget> {
  const { name, group, command, args } = spec;
  const process = new Deno.Command(command, {
    args,
    cwd: join(here, ".."),
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  children.add(process);
  const lines = new JsonLines(process.stdout);
  const writer = process.stdin.getWriter();
  const ask = async (line: string, timeoutMs = 30_000) => {
    await writer.write(encoder.encode(line + "\n"));
    return await lines.next(timeoutMs);
  };
  const stop = async () => {
    if (!children.delete(process)) return;
    await writer.write(encoder.encode("exit\n")).catch(() => {});
    await writer.close().catch(() => {});
    const exited = await Promise.race([
      process.status.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!exited) process.kill("SIGKILL");
    await process.status;
    await lines.cancel();
  };
  let port: number;
  try {
    port = (await lines.next(60_000)).port;
  } catch (error) {
    await stop();
    throw new Error(`${name} did not start: ${(error as Error).message}`);
  }
  return {
    name,
    group,
    port,
    cpuSeconds: () => treeCpuSeconds(process.pid),
    memory: async () => {
      // Which collects the garbage first, where the server can; aiosmtpd answers with no heap.
      const { heap } = await ask("stats") as unknown as { heap?: HeapFigures };
      return { rss: residentBytes(process.pid)!, heap };
    },
    // Counted without a collection: runs follow each other as in service, with no forced GC.
    accepted: async () => (await ask("count")).accepted,
    settle: () => Promise.resolve(undefined),
    empty: async () => {
      if (group === "mx") await ask("empty", 600_000);
    },
    stop,
  };
}

/**
 * Postfix's smtp-sink: `smtp-sink -u nobody -m 2000 127.0.0.1:PORT 1024` (1024: the listen
 * backlog). `-m`: it serves at most 256 sessions at once by default, and leaves the rest queued
 * in the kernel until its 100 s read timeout ends an idle one: the 1,000 idle sessions would
 * take minutes to open.
 */
async function smtpSink(): Promise<SmtpTarget> {
  const port = freePort();
  const process = new Deno.Command(SMTP_SINK, {
    args: ["-u", "nobody", "-m", "5000", `127.0.0.1:${port}`, "1024"],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  children.add(process);
  const stop = async () => {
    if (!children.delete(process)) return;
    try {
      process.kill("SIGTERM");
    } catch {
      // exited already
    }
    await process.status;
  };
  await listening(port, () => stop());
  return {
    name: "smtp-sink",
    group: "bare",
    port,
    cpuSeconds: () => treeCpuSeconds(process.pid),
    memory: () => Promise.resolve({ rss: residentBytes(process.pid)! }),
    accepted: () => Promise.resolve(undefined),
    settle: () => Promise.resolve(undefined),
    empty: () => Promise.resolve(),
    stop,
  };
}

async function postfixTarget(dir: string): Promise<SmtpTarget> {
  await Deno.mkdir(dir);
  const postfix = await Postfix.start(dir);
  let emptied = 0; // delivered before the last empty()
  return {
    name: "Postfix MX (Maildir)",
    group: "mx",
    port: postfix.port,
    // The master and every process it forked: smtpd, cleanup, trivial-rewrite, qmgr, virtual.
    cpuSeconds: () => treeCpuSeconds(postfix.masterPid),
    // A process per session: the master's memory says nothing of what sessions hold.
    memory: () => Promise.resolve(undefined),
    accepted: () => Promise.resolve(emptied + postfix.delivered().count),
    settle: async (count) => {
      const stored = await postfix.waitDelivered(count, 60_000);
      if (stored.count < count) {
        console.error(
          `Postfix delivered ${stored.count} of ${count} within 60 s:\n${await postfix.log(5)}`,
        );
      }
      return stored;
    },
    empty: async () => {
      emptied += await postfix.empty();
    },
    stop: () => postfix.stop(),
  };
}

/** Waits until something accepts connections on `port` (15 s at most, then `fail`). */
async function listening(port: number, fail: () => Promise<void>): Promise<void> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      if (performance.now() > deadline) {
        await fail();
        throw new Error(`Nothing listens on port ${port}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function aiosmtpdMissing(): string | undefined {
  try {
    const out = new Deno.Command(PYTHON, {
      args: ["-c", "import aiosmtpd"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return out.success ? undefined : "python3-aiosmtpd not installed (apt-get install it)";
  } catch {
    return `${PYTHON} not found`;
  }
}
