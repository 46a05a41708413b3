/**
 * What a benchmark reads about server processes from Linux's /proc: the CPU time of a process
 * and all its descendants (a Postfix master and the smtpd, cleanup, qmgr and virtual processes
 * it forks), a process's resident memory, and the machine's load average.
 *
 * @module
 */

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ, 100 on Linux everywhere). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  own: number;
  /** cutime + cstime: what its children that it waited for used, in ticks. */
  reaped: number;
}

/** One process's /proc/PID/stat, or undefined when it is gone. */
function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields start after ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const at = (field: number) => Number(fields[field - 3]);
  return { pid, ppid: at(4), own: at(14) + at(15), reaped: at(16) + at(17) };
}

/**
 * A process and every live descendant.
 *
 * @param root The process at the top.
 * @returns Their pids, `root` first; empty when `root` is gone.
 */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readStat(Number(entry.name));
    if (!stat) continue;
    children.set(stat.ppid, [...children.get(stat.ppid) ?? [], stat.pid]);
  }
  if (!readStat(root)) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...children.get(tree[i]) ?? []);
  return tree;
}

/**
 * The CPU time (user + system) a process and its descendants used so far: the live ones' own
 * time plus what every one of them collected from children that exited (so an smtpd that ended
 * between two readings still counts, once its master reaped it).
 *
 * @param root The process at the top.
 * @returns Seconds, at the kernel's 10 ms resolution.
 */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (stat) ticks += stat.own + stat.reaped;
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * A process's resident memory now (VmRSS of /proc/PID/status).
 *
 * @param pid The process.
 * @returns Bytes; 0 when the process is gone.
 */
export function residentBytes(pid: number): number {
  return statusBytes(pid, "VmRSS");
}

/**
 * A process's peak resident memory (VmHWM of /proc/PID/status).
 *
 * @param pid The process.
 * @returns Bytes; 0 when the process is gone.
 */
export function peakResidentBytes(pid: number): number {
  return statusBytes(pid, "VmHWM");
}

// One "Name:  N kB" line of /proc/PID/status, in bytes.
function statusBytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg gives them.
 *
 * @returns Such as `"0.32 1.41 1.71"`.
 */
export function loadAverage(): string {
  return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}
