/**
 * SMTP server throughput, measured with the project's shared load generator
 * (`../shared/tools/smtp-load/smtp-load.mjs` under Node; `SMTP_LOAD` names another copy). Two
 * groups, each server in its own process on 127.0.0.1, all started first:
 *
 * - bare servers, keeping messages in memory or dropping them: the toolkit's SmtpServer beside
 *   Postfix's smtp-sink, nodemailer's smtp-server on Node, aiosmtpd and the Deno floor (canned
 *   replies, no session: how far the runtime itself goes);
 * - the MX path, storing into a Maildir with fsync: the toolkit's MX as the lab builds it, for
 *   the generator's recipient sink0@sink.test (transcripts and event log on), beside a private
 *   Postfix (`_postfix.ts`) whose delivery into the Maildir, after its 250, is timed too.
 *
 * Cases: 1 KiB and 100 KiB messages over 1 and 16 connections, pipelined and lock-step. For
 * each case, for each round, each server once (so a slow moment of this shared machine hits
 * them all alike); the best rate is shown and the median in parentheses, with the server's CPU
 * time per message (/proc, every process of the server) and the toolkit's ratio to each other
 * server. Then the memory 1,000 idle sessions hold (after EHLO), per server.
 *
 *   deno task bench smtp      (or: deno run -A bench/smtp_bench.ts [--quick])
 *
 * `--quick` (or `BENCH_QUICK=1`): smaller runs, one round, in under about three minutes.
 * `BENCH_ROUNDS=N` sets the rounds (default 3); `BENCH_CASES=TEXT` keeps the cases whose label
 * holds TEXT. Needs root for Postfix.
 *
 * @module
 */
import { loadAverage } from "./_proc.ts";
import { BENCH_V8_FLAGS } from "./_v8_flags.ts";
import {
  ENVELOPE,
  GENERATOR,
  type IdleSessions,
  idleSessions,
  type LoadResult,
  runLoad,
} from "./_smtp_load.ts";
import { groupTable, type SmtpCase, SmtpResults } from "./_smtp_report.ts";
import { killEverything, type Memory, type SmtpTarget, targetSpecs } from "./_smtp_targets.ts";

const QUICK = Deno.args.includes("--quick") || Deno.env.get("BENCH_QUICK") === "1";
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? (QUICK ? 1 : 3));
/** The bound of every measured run (the generator's --max-seconds). */
const MAX_SECONDS = QUICK ? 1.5 : 5;
const IDLE_SESSIONS = 1000;
/** The bound of each server's warm-up before a case's runs. */
const WARM_UP_SECONDS = 1.5;
/** How long the servers sit idle before the idle memory's baseline and settled readings. */
const SETTLE_MS = QUICK ? 0 : 45_000;

/** Messages per run: about 3 s (0.6 s quick) at the fastest bare server. */
function sized(n: number): number {
  return QUICK ? Math.round(n / 5) : n;
}
/** `BENCH_CASES=TEXT`: only the cases whose label holds TEXT (say "100 KiB, 1 conn,"). */
const ONLY = Deno.env.get("BENCH_CASES");
const CASES: SmtpCase[] = [];
for (const size of [1024, 100 * 1024]) {
  for (const conns of [1, 16]) {
    for (const pipeline of [true, false]) {
      const msgs = size === 1024 ? (pipeline ? 25_000 : 12_000) : 3000;
      const label = `${size / 1024} KiB, ${conns} conn${conns > 1 ? "s" : ""}, ` +
        (pipeline ? "pipelined" : "lock-step");
      if (ONLY && !label.includes(ONLY)) continue;
      CASES.push({
        label,
        size,
        conns,
        pipeline,
        msgs: sized(msgs),
      });
    }
  }
}

const work = await Deno.makeTempDir({ prefix: "smtp-bench-" });
// Postfix's daemons (user postfix) and virtual(8) (nobody) must get into its directories.
await Deno.chmod(work, 0o755);
const targets: SmtpTarget[] = [];
/** The messages each server answered 250 to, warm-ups included. */
const sent = new Map<SmtpTarget, number>();

async function cleanUp(): Promise<void> {
  await Promise.all(targets.map((t) => t.stop().catch(() => {})));
  await killEverything();
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the servers`);
    cleanUp().finally(() => Deno.exit(130));
  });
}

const nodeVersion = await new Deno.Command("node", { args: ["--version"], stdout: "piped" })
  .output().then((o) => new TextDecoder().decode(o.stdout).trim()).catch(() => "");
if (!nodeVersion) throw new Error("node not found: the load generator runs under Node");

console.log(
  `SMTP servers under the shared load generator, one interleaved run
  generator: ${GENERATOR} (node ${nodeVersion}), in its own process for every run
  load average at start: ${loadAverage()} (${navigator.hardwareConcurrency} CPUs, shared)
  rounds: ${ROUNDS}${QUICK ? " (--quick)" : ""}; each run at most ${MAX_SECONDS} s ` +
    `(--max-seconds; a bounded run counts what it finished)
  every server on 127.0.0.1, a free port each; envelope MAIL FROM:<${ENVELOPE.from}> ` +
    `RCPT TO:<${ENVELOPE.to}>
  server CPU: utime + stime from /proc/PID/stat of every process of the server (Postfix: the
    master's process tree, children it reaped included), before and after a run, / messages
  STARTTLS cases dropped: the shared generator speaks no TLS
  V8 flags of the toolkit's MX (BENCH_V8_FLAGS): ${BENCH_V8_FLAGS || "none"}; the bare Deno
    servers run with Deno's defaults`,
);

try {
  const specs = targetSpecs(work);
  for (const spec of specs) {
    if (spec.missing) console.log(`  skipped: ${spec.name}: ${spec.missing}`);
  }
  // All at once, all before any is measured.
  const started = await Promise.allSettled(
    specs.filter((spec) => !spec.missing).map((spec) => spec.start()),
  );
  for (const outcome of started) if (outcome.status === "fulfilled") targets.push(outcome.value);
  const failed = started.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;

  const memory = await idleMemory(targets);

  const results = new SmtpResults();
  const began = performance.now();
  for (const c of CASES) {
    const elapsed = Math.round((performance.now() - began) / 1000);
    console.error(`[${elapsed} s] ${c.label}: ${c.msgs} messages a run`);
    // A warm-up, not counted: Postfix's first smtpd processes, and V8's compilers. A V8 server
    // still compiles its hot code in the second 25,000 messages of a shape (its helper threads
    // took 2.4 us of CPU a message there, 11 in the first, none after 100,000), so a warm-up
    // of a twentieth of a run measured the first round of a V8 server half cold.
    for (const target of targets) {
      await measure(target, c, {
        msgs: Math.max(50, Math.round(c.msgs / 4)),
        maxSeconds: QUICK ? 0.5 : WARM_UP_SECONDS,
      });
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Each round's figures, for reading a best or a median that looks out of line.
      const seen: string[] = [];
      for (const target of targets) {
        if (results.failure(c.label, target.name)) continue;
        const run = await measure(target, c, { msgs: c.msgs, maxSeconds: MAX_SECONDS });
        if (typeof run === "string") {
          results.fail(c.label, target.name, run);
        } else {
          results.add(c.label, target.name, run);
          seen.push(`${target.name} ${count(run.rate)} (${count(run.cpuUs)} µs)`);
        }
      }
      console.error(`  round ${round + 1}: ${seen.join(" · ")}`);
    }
  }
  for (const target of targets) {
    // What the generator saw accepted must be what the server counted (stored, for an MX).
    const accepted = await target.accepted();
    const sentTo = sent.get(target) ?? 0;
    if (accepted !== undefined && accepted !== sentTo) {
      console.error(
        `warning: ${target.name} counted ${accepted} messages, the generator ${sentTo}`,
      );
    }
  }

  const names = (group: "bare" | "mx") =>
    targets.filter((t) => t.group === group).map((t) => t.name);
  console.log(
    `\nBare servers (messages kept in memory or dropped): msg/s best of ${ROUNDS} ` +
      `(median), server CPU µs/msg (median); ratios: toolkit best / other best ` +
      `(median / median)`,
  );
  for (const line of groupTable(results, { cases: CASES, targets: names("bare") })) {
    console.log(line);
  }
  console.log(
    `\nMX path (${ENVELOPE.domain}, into ${ENVELOPE.user}'s Maildir, fsync on): accepted msg/s ` +
      `best of ${ROUNDS} (median), server CPU µs/msg (median, delivery included); the toolkit ` +
      `stores before its 250, Postfix after it (delivered: until the last file is in new/); ` +
      `ratios as above`,
  );
  const mx = names("mx");
  for (
    const line of groupTable(results, {
      cases: CASES,
      targets: mx,
      delivered: mx.filter((n) => n.startsWith("Postfix")),
    })
  ) console.log(line);
  for (const [why, mark] of results.notes()) console.log(`  n/a${mark}: ${why}`);

  const settle = `${SETTLE_MS / 1000} s idle`;
  console.log(
    `\nIdle memory: RSS after ${count(IDLE_SESSIONS)} idle connections after EHLO minus RSS ` +
      `before, / ${count(IDLE_SESSIONS)}: 300 ms after they opened ("at once"), and after ` +
      `${settle} ("settled");\n  then for ${count(2 * IDLE_SESSIONS)} more (at once), and all. ` +
      `The baseline is read after ${settle} too.\n  (VmRSS of the server process, read after ` +
      `the control channel's "stats", which collects garbage where it can)`,
  );
  const width = Math.max(...targets.map((t) => t.name.length)) + 2;
  for (const [name, text] of memory) {
    // A second line (the V8 heap) goes under the first one's figures.
    console.log(`  ${name.padEnd(width)}${text.replaceAll("\n", `\n  ${" ".repeat(width)}`)}`);
  }
  console.log(`\nload average at end: ${loadAverage()}`);
} catch (error) {
  // Servers stopped under a run: the signal's clean-up exits, with nothing more printed.
  if (interrupted) await new Promise(() => {});
  throw error;
} finally {
  await cleanUp();
}

function count(n: number): string {
  return Math.round(n).toLocaleString("en");
}

/**
 * One run of one server: the generator's rate, the server's CPU per message (delivery
 * included for Postfix, whose delivered rate is measured too), then the mailbox emptied.
 *
 * @returns The run, or why it failed.
 */
async function measure(
  target: SmtpTarget,
  c: SmtpCase,
  bounds: { msgs: number; maxSeconds: number },
): Promise<{ rate: number; cpuUs: number; deliveredRate?: number } | string> {
  const cpuBefore = target.cpuSeconds();
  const result: LoadResult = await runLoad({
    port: target.port,
    conns: c.conns,
    size: c.size,
    pipeline: c.pipeline,
    ...bounds,
    from: ENVELOPE.from,
    to: ENVELOPE.to,
  });
  sent.set(target, (sent.get(target) ?? 0) + result.msgs_ok);
  const stored = result.msgs_ok > 0 ? await target.settle(result.msgs_ok) : undefined;
  const cpuUs = (target.cpuSeconds() - cpuBefore) / Math.max(1, result.msgs_ok) * 1e6;
  await target.empty();
  if (result.errors > 0 || result.msgs_ok === 0) {
    // Without the case and the connection, so that one cause gets one note.
    return `${target.name}: ${
      result.error_samples[0]?.replace(/^conn\d+: /, "") ?? "nothing sent"
    }`;
  }
  let deliveredRate: number | undefined;
  if (stored) {
    if (stored.count < result.msgs_ok) {
      return `${target.name}: not all of a run's messages delivered within 60 s`;
    }
    const seconds = Math.max(result.seconds, (stored.lastAt - result.startedAt) / 1000);
    deliveredRate = result.msgs_ok / seconds;
  } else if (target.group === "mx") {
    deliveredRate = result.msgs_per_s; // stored before the 250
  }
  return { rate: result.msgs_per_s, cpuUs, deliveredRate };
}

/**
 * RSS growth per idle session after EHLO, as a table cell per server: over the first 1,000 (the
 * aim's figure), at once and settled; over 2,000 more, and over all 3,000. For a server on V8,
 * also the live heap per session and the young generation's size at each step.
 *
 * A V8 process grows its young generation, by MiB at once, while many new objects survive (a
 * thousand sessions arriving together), and shrinks it once it has been quiet for a while (V8's
 * memory reducer, about 15 to 30 s here). The settled reading, after every server sat idle for
 * {@linkcode SETTLE_MS} with its sessions open, shows whether RSS follows (so far it has not: the
 * pages stay resident). The baseline is read after the same wait, because a fresh process's
 * young generation still holds its start-up, and new sessions fitted into it unseen. The servers
 * settle side by side, so the wait is paid twice in all, not twice per server.
 */
async function idleMemory(targets: SmtpTarget[]): Promise<Map<string, string>> {
  const cells = new Map<string, string>();
  const measured: { target: SmtpTarget; steps: Memory[]; held: IdleSessions[] }[] = [];
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await pause(SETTLE_MS);
    for (const target of targets) {
      const before = await target.memory();
      if (before === undefined) {
        cells.set(
          target.name,
          "n/a (a process per session: its master's memory says nothing of them)",
        );
      } else measured.push({ target, steps: [before], held: [] });
    }
    const opened = [0, IDLE_SESSIONS, 3 * IDLE_SESSIONS];
    for (const m of measured) {
      m.held.push(await idleSessions(m.target.port, IDLE_SESSIONS, { timeoutMs: 60_000 }));
      await pause(300);
      m.steps.push((await m.target.memory())!);
    }
    if (SETTLE_MS > 0) {
      await pause(SETTLE_MS);
      for (const m of measured) m.steps.push((await m.target.memory())!);
    }
    for (const m of measured) {
      m.held.push(await idleSessions(m.target.port, opened[2] - opened[1], { timeoutMs: 60_000 }));
      await pause(300);
      m.steps.push((await m.target.memory())!);
      for (const sessions of m.held.splice(0)) sessions.close();
      await pause(300);
      cells.set(m.target.name, memoryCell(m.steps, opened));
    }
  } catch (error) {
    for (const m of measured) {
      if (!cells.has(m.target.name)) {
        cells.set(m.target.name, `failed: ${(error as Error).message}`);
      }
    }
  } finally {
    for (const m of measured) for (const sessions of m.held) sessions.close();
  }
  return new Map(targets.map((t) => [t.name, cells.get(t.name) ?? "n/a"]));
}

// steps: before, 1,000 at once, [1,000 settled,] 3,000 at once.
function memoryCell(steps: Memory[], opened: number[]): string {
  const [before, first, ...rest] = steps;
  const settled = rest.length > 1 ? rest[0] : undefined;
  const all = rest[rest.length - 1];
  const per = (from: Memory, to: Memory, count: number) =>
    ((to.rss - from.rss) / 1024 / count).toFixed(1);
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const firstCount = opened[1], nextCount = opened[2] - opened[1];
  let cell = `${per(before, first, firstCount)} KiB/conn at once, ` +
    (settled ? `${per(before, settled, firstCount)} settled` : "not settled (--quick)") +
    `; next ${count(nextCount)}: ${per(first, all, nextCount)}; all ${count(opened[2])}: ` +
    `${per(before, all, opened[2])}   (RSS ${steps.map((s) => mib(s.rss)).join(" -> ")} MiB)`;
  const heaps = steps.flatMap((s) => s.heap ? [s.heap] : []);
  if (heaps.length === steps.length) {
    const live = (all.heap!.used - before.heap!.used) / opened[2];
    cell += `\nV8 heap: ${count(live)} B of live objects a session; heap held ` +
      `${heaps.map((heap) => mib(heap.committed)).join(" -> ")} MiB, of it the young ` +
      `generation ${heaps.map((heap) => mib(heap.young)).join(" -> ")} MiB`;
  }
  return cell;
}
