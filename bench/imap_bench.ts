/**
 * The toolkit's IMAP server on the path a user runs (the lab's ImapServer over a MaildirStore on
 * disk, in its own process) beside Debian's Dovecot (dovecot-imapd from a private configuration
 * this bench writes), on the same mailbox: the same deterministic messages, delivered through
 * the store's API for the toolkit and as Maildir files for Dovecot. One load client (this
 * process) runs the same session against both: connect + LOGIN + SELECT, `FETCH 1:* (FLAGS UID
 * ENVELOPE)`, `UID FETCH 1:1000 BODY[]`, a small fetch (p50), `SEARCH TEXT`, and the latency of
 * an IDLE notification after a delivery; cold and warm; at 10 and 10,000 messages; in rounds
 * that alternate the servers, and prints the medians and the ratios toolkit/Dovecot. Then
 * imaptest's stress mode against both. Speed is measured here, never asserted in tests.
 *
 *   deno task bench imap     (or: deno run -A bench/imap_bench.ts [--quick] [--bare])
 *
 * `--quick` (or `BENCH_QUICK=1`): sizes 10 and 1,000, one round, 5 s of imaptest.
 * `BENCH_ROUNDS=N` sets the rounds. `--bare`: the toolkit records no transcripts (not the lab's
 * way; to see what recording costs).
 *
 * Cold: a freshly started server process, its first session. Warm: the next session to the same
 * process. Before the rounds, each server serves one session to the freshly delivered mailbox
 * ("first session"), which builds what each keeps on disk (Dovecot's index, cache and uidlist;
 * the toolkit's summaries in toolkit-cache) and sets \Seen on messages 1..1000 (BODY[]); the
 * rounds then start from that state, so cold means a new process with its on-disk indexes in
 * place and the OS page cache warm (it is never dropped: the machine is shared).
 *
 * @module
 */
import { join } from "node:path";
import { Accounts } from "../server/accounts.ts";
import { hasTool, sharedTool } from "../tests/_tools.ts";
import { calibratedHash, Dovecot, dovecotMissing } from "./_dovecot.ts";
import { BENCH_V8_FLAGS } from "./_v8_flags.ts";
import { benchMessage, SEARCH_WORD } from "./_imap_messages.ts";
import {
  expected,
  measureSession,
  median,
  type Row,
  ROWS,
  type SessionResult,
} from "./_imap_rows.ts";
import {
  dovecotTarget,
  killEverything,
  type RunningServer,
  type Target,
  toolkitTarget,
} from "./_imap_targets.ts";
import { stress, type StressResult } from "./_imaptest.ts";

const QUICK = Deno.args.includes("--quick") || Deno.env.get("BENCH_QUICK") === "1";
const BARE = Deno.args.includes("--bare");
const SIZES = QUICK ? [10, 1000] : [10, 10_000];
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? (QUICK ? 1 : 3));
const STRESS_SECONDS = QUICK ? 5 : 10;
const PASSWORD = "pickles";
const STRESS_USERS = Array.from({ length: ROUNDS }, (_, i) => `stress${i + 1}`);
const IMAPTEST = sharedTool("imaptest/imaptest");
const STRESS_MBOX = sharedTool("imaptest/stress.mbox");

const work = await Deno.makeTempDir({ prefix: "imap-bench-" });
// Dovecot's auth, login and imap processes (users dovecot, dovenull, nobody) must get in.
await Deno.chmod(work, 0o755);
const live = new Set<RunningServer>();
let interrupted = false;

async function cleanUp(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop().catch(() => {})));
  live.clear();
  await killEverything();
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the servers`);
    cleanUp().finally(() => Deno.exit(130));
  });
}

/** Waits forever once a signal came (its clean-up exits), so that nothing more runs or prints. */
async function checkpoint(): Promise<void> {
  if (interrupted) await new Promise(() => {});
}

async function started(target: Target): Promise<RunningServer> {
  await checkpoint();
  const server = await target.start();
  live.add(server);
  return server;
}

async function stopped(server: RunningServer): Promise<void> {
  live.delete(server);
  await server.stop();
}

/** Each row's samples per server and phase. */
class Samples {
  #values = new Map<string, number[]>();
  #errors = new Map<string, string>();

  add(server: string, phase: string, result: SessionResult): void {
    for (const [row, value] of result) {
      const key = `${server}\0${phase}\0${row}`;
      if (value instanceof Error) this.#errors.set(key, value.message);
      else this.#values.set(key, [...this.#values.get(key) ?? [], value]);
    }
  }

  median(server: string, phase: string, row: Row): number | undefined {
    const values = this.#values.get(`${server}\0${phase}\0${row}`);
    return values?.length ? median(values) : undefined;
  }

  get errors(): string[] {
    return [...this.#errors].map(([key, message]) => `${key.replaceAll("\0", " / ")}: ${message}`);
  }
}

const ms = (v: number | undefined) =>
  v === undefined ? "error" : v >= 100 ? Math.round(v).toLocaleString("en") : v.toFixed(1);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? "-" : `${(a / b).toFixed(2)}x`;
const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
const cell = (text: string, width: number) => text.padStart(width);

function table(samples: Samples, phases: string[], names: string[]): string[] {
  const width = 36;
  const head = ["row".padEnd(width)];
  for (const phase of phases) {
    head.push(...names.map((n) => cell(`${n} ${phase}`, 15)), cell("ratio", 7));
  }
  const lines = [head.join(" | ")];
  for (const row of ROWS) {
    const cells = [row.padEnd(width)];
    for (const phase of phases) {
      const [ours, theirs] = names.map((n) => samples.median(n, phase, row));
      cells.push(cell(ms(ours), 15), cell(ms(theirs), 15), cell(ratio(ours, theirs), 7));
    }
    lines.push(cells.join(" | "));
  }
  return lines;
}

const missing = dovecotMissing();
if (missing) {
  console.log(`skipped: Dovecot is not usable here: ${missing}`);
  await cleanUp();
  Deno.exit(0);
}

try {
  const version = new TextDecoder().decode(
    (await new Deno.Command("/usr/sbin/dovecot", { args: ["--version"], stdout: "piped" }).output())
      .stdout,
  ).trim();
  // The toolkit checks passwords as the lab does (PBKDF2-SHA-256, the default iterations); the
  // Dovecot users get a PBKDF2 hash whose rounds make a check cost the same time.
  const accounts = new Accounts();
  await accounts.add("bob", PASSWORD);
  const checks: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await accounts.verify("bob", PASSWORD);
    checks.push(performance.now() - t);
  }
  const toolkitCheck = median(checks);
  const dovecotHash = await calibratedHash(PASSWORD, toolkitCheck);

  console.log(
    `IMAP server: the toolkit (the lab's ImapServer over a MaildirStore on disk, fsync on, ` +
      `${BARE ? "no transcripts" : "transcripts recorded as the lab does"}, its own Deno process)`,
  );
  console.log(`  vs Dovecot ${version} (dovecot-imapd, private configuration below, Maildir)`);
  console.log(`  the toolkit's V8 flags (BENCH_V8_FLAGS): ${BENCH_V8_FLAGS || "none"}`);
  console.log(
    `Password check: toolkit PBKDF2-SHA-256 100,000 iterations ${ms(toolkitCheck)} ms; ` +
      `Dovecot {PBKDF2} (SHA-1) ${dovecotHash.rounds.toLocaleString("en")} rounds ` +
      `${ms(dovecotHash.ms)} ms (calibrated to cost the same)`,
  );
  console.log(
    "Cold: a freshly started server process, its first session; warm: the next session to " +
      "the same process.\n  Both start from the state the first session after delivery left " +
      "on disk (indexes, caches, \\Seen on 1..1000); the OS page cache is never dropped.",
  );
  console.log(
    `Rounds: ${ROUNDS}, alternating which server goes first; each cell is the median ` +
      `(one-shot for the first session).`,
  );
  console.log(
    "IDLE: the toolkit's delivery is store.deliver in the server's process (fsync on), as the " +
      "lab's SMTP server does;\n  Dovecot's is an MDA's (write tmp/, fsync, rename into new/) " +
      "seen by its inotify watch, which waits\n  500 ms before it looks (NOTIFY_DELAY_MSECS in " +
      "Dovecot's src/lib-storage/mailbox-watch.c).",
  );

  const memory = new Map<string, number>();
  const growth = new Map<number, Samples>();
  let printedConfig = false;
  for (const size of SIZES) {
    const want = expected(size);
    let bytes = 0;
    for (let n = 1; n <= size; n++) bytes += benchMessage(n).length;
    const targets = [
      toolkitTarget({
        root: join(work, `toolkit-${size}`),
        users: ["bob"],
        password: PASSWORD,
        bare: BARE,
      }),
      dovecotTarget({
        dir: join(work, `dovecot-${size}`),
        mailRoot: join(work, `dovecot-${size}`, "mail"),
        users: ["bob"],
        hash: dovecotHash.hash,
      }),
    ];
    if (!printedConfig) {
      printedConfig = true;
      const dir = join(work, `dovecot-${size}`);
      const config = Dovecot.config({
        dir,
        mailRoot: join(dir, "mail"),
        users: ["bob"],
        hash: "",
        port: 0,
        instance: "bench-imap-PID",
      });
      console.log(`\nDovecot configuration (${dir}/dovecot.conf; the port is a free one):`);
      console.log(config.trimEnd().split("\n").map((l) => `  ${l}`).join("\n"));
    }
    const fills = [];
    for (const target of targets) fills.push(await target.fill("bob", size));
    console.log(
      `\n== ${size.toLocaleString("en")} messages (${mib(bytes)}; ${want.hits} contain ` +
        `"${SEARCH_WORD}"); filled in ${(fills[0].ms / 1000).toFixed(1)} s by store.deliver ` +
        `(fsync off while filling), ${(fills[1].ms / 1000).toFixed(1)} s as Maildir files`,
    );
    const samples = new Samples();
    for (const target of targets) {
      const server = await started(target);
      try {
        const { rows } = await measureSession(server, want, PASSWORD);
        samples.add(target.name, "first", rows);
      } finally {
        await stopped(server);
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const server = await started(target);
        try {
          const cold = await measureSession(server, want, PASSWORD);
          samples.add(target.name, "cold", cold.rows);
          const warm = await measureSession(server, want, PASSWORD);
          samples.add(target.name, "warm", warm.rows);
          const key = `${target.name} ${size}`;
          memory.set(key, Math.max(memory.get(key) ?? 0, cold.peak, warm.peak));
        } finally {
          await stopped(server);
        }
      }
    }
    await checkpoint();
    const names = targets.map((t) => t.name);
    console.log(`\nms, median of ${ROUNDS}; ratio = toolkit / Dovecot (lower is better)`);
    for (const line of table(samples, ["cold", "warm"], names)) console.log(line);
    console.log("\nFirst session after delivery (one sample each):");
    for (const line of table(samples, ["first"], names)) console.log(line);
    for (const error of samples.errors) console.log(`  error: ${error}`);
    for (const target of targets) {
      for (const note of target.problems) console.log(`  ${target.name} logged: ${note}`);
    }
    growth.set(size, samples);
  }

  const [small, large] = [SIZES[0], SIZES.at(-1)!];
  console.log(
    `\nGrowth from ${small} to ${large.toLocaleString("en")} messages ` +
      `(warm median at ${large.toLocaleString("en")} / at ${small}):`,
  );
  for (const row of ROWS) {
    const parts = ["toolkit", "Dovecot"].map((name) => {
      const a = growth.get(large)!.median(name, "warm", row);
      const b = growth.get(small)!.median(name, "warm", row);
      return `${name} ${ratio(a, b)}`;
    });
    console.log(`  ${row.padEnd(36)} ${parts.join("   ")}`);
  }

  console.log(
    "\nPeak RSS (VmHWM) while serving: the toolkit's whole Deno process; Dovecot's imap " +
      "process of the session (its master, auth and login processes not counted):",
  );
  for (const [key, peak] of memory) console.log(`  ${key.padEnd(22)} messages: ${mib(peak)}`);

  const verdict = verdictLines(growth.get(large)!);
  console.log(`\nAim at ${large.toLocaleString("en")} messages:`);
  for (const line of verdict) console.log(`  ${line}`);

  await stressBoth(dovecotHash.hash);
} catch (error) {
  // After a signal, the servers were killed under the rounds: what failed then is no news.
  await checkpoint();
  throw error;
} finally {
  if (!interrupted) await cleanUp();
}

function verdictLines(samples: Samples): string[] {
  const over: string[] = [];
  for (const phase of ["cold", "warm"]) {
    for (const row of ROWS) {
      const r = (samples.median("toolkit", phase, row) ?? NaN) /
        (samples.median("Dovecot", phase, row) ?? NaN);
      if (!(r <= 2)) {
        over.push(`${phase} ${row} (${Number.isNaN(r) ? "error" : r.toFixed(2) + "x"})`);
      }
    }
  }
  const single = ROWS[3];
  const fast = ["cold", "warm"].map((phase) =>
    `${phase} ${
      ratio(samples.median("toolkit", phase, single), samples.median("Dovecot", phase, single))
    }`
  );
  return [
    over.length === 0 ? "within 2x of Dovecot on every row" : `over 2x: ${over.join("; ")}`,
    `single fetch faster than Dovecot (ratio < 1): ${fast.join(", ")}`,
  ];
}

async function stressBoth(hash: string): Promise<void> {
  const secs = STRESS_SECONDS;
  console.log(
    `\nimaptest stress (clients=5 secs=${secs}, mbox=stress.mbox, a fresh empty INBOX per run), ` +
      `${ROUNDS} alternating rounds, median:`,
  );
  const skip = [IMAPTEST, STRESS_MBOX, "/usr/lib/dovecot/libdovecot.so.0"].find((t) => !hasTool(t));
  if (skip) {
    console.log(`  skipped: ${skip} not found (set TOOLKIT_SHARED_TOOLS)`);
    return;
  }
  const targets = [
    toolkitTarget({
      root: join(work, "toolkit-stress"),
      users: STRESS_USERS,
      password: PASSWORD,
      bare: BARE,
    }),
    dovecotTarget({
      dir: join(work, "dovecot-stress"),
      mailRoot: join(work, "dovecot-stress", "mail"),
      users: STRESS_USERS,
      hash,
    }),
  ];
  const results = new Map<string, StressResult[]>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const server = await started(target);
      try {
        const result = await stress({
          imaptest: IMAPTEST,
          mbox: STRESS_MBOX,
          port: server.port,
          user: STRESS_USERS[round],
          password: PASSWORD,
          secs,
        });
        results.set(target.name, [...results.get(target.name) ?? [], result]);
      } finally {
        await stopped(server);
      }
    }
  }
  const rates = new Map<string, number>();
  for (const [name, runs] of results) {
    const rate = median(runs.map((r) => r.opsPerSecond));
    rates.set(name, rate);
    const errors = runs.flatMap((r) => r.errors);
    const logins = median(runs.map((r) => (r.totals.get("Logi") ?? 0) / secs));
    console.log(
      `  ${name.padEnd(8)} ${rate.toFixed(0).padStart(6)} commands/s ` +
        `(${logins.toFixed(0)} logins/s), ${errors.length} errors` +
        (errors.length ? `; first: ${errors[0].slice(0, 200)}` : ""),
    );
  }
  console.log(
    `  ratio toolkit / Dovecot: ${ratio(rates.get("toolkit"), rates.get("Dovecot"))} ` +
      "(higher is better here)",
  );
}
