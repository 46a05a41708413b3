/**
 * The SMTP bench's results and tables: every run's rate and server CPU per message, kept per
 * case and server; a table per group, the best rate with the median in parentheses, the median
 * CPU, and the toolkit's ratio to each other server (best over best, and median over median:
 * a disk's fsync latency wanders over minutes, and a best catches whoever ran in a quick spell).
 *
 * @module
 */

/** One load of the bench: a message size, connections, pipelined or lock-step. */
export interface SmtpCase {
  /** Such as `1 KiB, 16 conns, pipelined`. */
  label: string;
  /** Bytes of DATA content per message. */
  size: number;
  /** Persistent connections. */
  conns: number;
  /** MAIL, RCPT and DATA in one write (RFC 2920), else lock-step. */
  pipeline: boolean;
  /** Messages per run (runs also end at the time bound). */
  msgs: number;
}

/** What one run of one server measured. */
export interface RunResult {
  /** Messages accepted (250 after the final dot) per second. */
  rate: number;
  /** Server CPU time (user + system, all its processes) per message, in microseconds. */
  cpuUs: number;
  /** Messages in the Maildir per second, for a server that stores after its 250. */
  deliveredRate?: number;
}

/** Every run of the bench, and the servers that could not do a case. */
export class SmtpResults {
  #runs = new Map<string, RunResult[]>();
  #failures = new Map<string, string>();

  /** Records a run. */
  add(label: string, target: string, run: RunResult): void {
    const key = `${label}\n${target}`;
    this.#runs.set(key, [...this.#runs.get(key) ?? [], run]);
  }

  /** Records why a server cannot do a case (its later runs of that case are skipped). */
  fail(label: string, target: string, why: string): void {
    this.#failures.set(`${label}\n${target}`, why);
  }

  /** Why the server cannot do the case, if it cannot. */
  failure(label: string, target: string): string | undefined {
    return this.#failures.get(`${label}\n${target}`);
  }

  /** The runs of a server in a case. */
  runs(label: string, target: string): RunResult[] {
    return this.#runs.get(`${label}\n${target}`) ?? [];
  }

  /** The distinct failure reasons, each with its footnote mark. */
  notes(): Map<string, string> {
    const notes = new Map<string, string>();
    for (const why of this.#failures.values()) {
      if (!notes.has(why)) notes.set(why, "*".repeat(notes.size + 1));
    }
    return notes;
  }
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const count = (n: number) => Math.round(n).toLocaleString("en");
const pad = (text: string, width: number) => text.padEnd(width);

/** The best rate, the median in parentheses, then the median CPU per message. */
function cell(runs: RunResult[], pick: (run: RunResult) => number | undefined): string {
  const rates = runs.map(pick).filter((r): r is number => r !== undefined);
  if (rates.length === 0) return "-";
  const best = count(Math.max(...rates));
  return rates.length > 1 ? `${best} (${count(median(rates))})` : best;
}

function cpu(runs: RunResult[]): string {
  return runs.length ? `${count(median(runs.map((r) => r.cpuUs)))} µs` : "";
}

function ratio(
  ours: RunResult[],
  theirs: RunResult[],
  pick: (run: RunResult) => number | undefined = (run) => run.rate,
): string {
  const rates = (runs: RunResult[]) =>
    runs.map(pick).filter((r): r is number => r !== undefined && r > 0);
  const [a, b] = [rates(ours), rates(theirs)];
  if (a.length === 0 || b.length === 0) return "-";
  const best = `${(Math.max(...a) / Math.max(...b)).toFixed(2)}x`;
  if (a.length === 1 && b.length === 1) return best;
  return `${best} (${(median(a) / median(b)).toFixed(2)}x)`;
}

/**
 * A group's table: a row per case; per server its msg/s, best (median), and its CPU µs/msg;
 * then the first server's ratio to each other one. With `delivered`, a server's
 * delivered-into-the-Maildir rate gets a column and a ratio too.
 *
 * @param results The runs.
 * @param options The cases, the servers (the toolkit first), those with a delivered column.
 * @returns The table's lines.
 */
export function groupTable(
  results: SmtpResults,
  options: { cases: SmtpCase[]; targets: string[]; delivered?: string[] },
): string[] {
  const { cases, targets } = options;
  const delivered = new Set(options.delivered ?? []);
  const [ours, ...others] = targets;
  const notes = results.notes();
  // A column's value: its text, or a rate and a CPU figure, each aligned within the column.
  const columns: { head: string; value: (label: string) => string | [string, string] }[] = [];
  const failed = (label: string, target: string) => {
    const why = results.failure(label, target);
    return why === undefined ? undefined : `n/a${notes.get(why)}`;
  };
  for (const target of targets) {
    columns.push({
      head: target,
      value: (label) => {
        const runs = results.runs(label, target);
        return failed(label, target) ?? [cell(runs, (r) => r.rate), cpu(runs)];
      },
    });
    if (delivered.has(target)) {
      columns.push({
        head: "delivered",
        value: (label) =>
          failed(label, target) ?? cell(results.runs(label, target), (r) => r.deliveredRate),
      });
    }
  }
  for (const other of others) {
    const short = other.replace(/ \(.*\)$/, "");
    columns.push({
      head: `÷ ${short}`,
      value: (label) => ratio(results.runs(label, ours), results.runs(label, other)),
    });
    if (delivered.has(other)) {
      columns.push({
        head: "÷ delivered",
        value: (label) =>
          ratio(results.runs(label, ours), results.runs(label, other), (r) => r.deliveredRate),
      });
    }
  }
  const labelWidth = Math.max(...cases.map((c) => c.label.length)) + 2;
  const values = cases.map((c) => columns.map((column) => column.value(c.label)));
  const rows = values.map((row) =>
    row.map((value, i) => {
      if (typeof value === "string") return value;
      const rateWidth = Math.max(...values.map((r) => Array.isArray(r[i]) ? r[i][0].length : 0));
      return `${value[0].padEnd(rateWidth)}  ${value[1].padStart(8)}`;
    })
  );
  const widths = columns.map((column, i) =>
    Math.max(column.head.length, ...rows.map((row) => row[i].length)) + 2
  );
  const line = (first: string, texts: string[]) =>
    (pad(first, labelWidth) + texts.map((text, i) => pad(text, widths[i])).join("")).trimEnd();
  return [
    line("case", columns.map((column) => column.head)),
    ...cases.map((c, r) => line(c.label, rows[r])),
  ];
}
