/**
 * imaptest's stress mode (Dovecot's IMAP tester) against one server: several clients work on
 * one mailbox at once and every answer is checked against imaptest's model of the mailbox.
 * Gives commands per second (the sum of the "Totals:" row over the seconds run) and the
 * "Error:" lines.
 *
 * @module
 */

/** What one stress run did. */
export interface StressResult {
  /** Commands per second, all kinds together. */
  opsPerSecond: number;
  /** Each command kind's count (Logi, Sele, Fetc, ...). */
  totals: Map<string, number>;
  /** imaptest's "Error:" lines. */
  errors: string[];
}

/** Options of {@linkcode stress}. */
export interface StressOptions {
  /** The imaptest binary. */
  imaptest: string;
  /** The mbox it APPENDs from. */
  mbox: string;
  /** The server's port on 127.0.0.1. */
  port: number;
  /** An account whose INBOX it may fill and empty. */
  user: string;
  /** Its password. */
  password: string;
  /** Clients at once. @default 5 */
  clients?: number;
  /** Seconds to run. @default 10 */
  secs?: number;
}

/**
 * Runs imaptest's stress mode once.
 *
 * @param options The binary, the server and the load.
 * @returns Its totals and errors.
 */
export async function stress(options: StressOptions): Promise<StressResult> {
  const secs = options.secs ?? 10;
  const out = await new Deno.Command(options.imaptest, {
    args: [
      "host=127.0.0.1",
      `port=${options.port}`,
      `user=${options.user}`,
      `pass=${options.password}`,
      `mbox=${options.mbox}`,
      `clients=${options.clients ?? 5}`,
      `secs=${secs}`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout((secs + 60) * 1000),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const errors = text.split("\n").filter((line) => line.startsWith("Error:"));
  const at = text.lastIndexOf("Totals:");
  if (at < 0) throw new Error(`imaptest printed no totals:\n${text.slice(-2000)}`);
  const lines = text.slice(at).split("\n").slice(1).filter((l) => l.trim() !== "");
  const names = lines[0].trim().split(/\s+/);
  const counts = lines.find((l) => /^\s*\d+(\s+\d+)+\s*$/.test(l))?.trim().split(/\s+/).map(Number);
  if (!counts) throw new Error(`Cannot read imaptest's totals:\n${text.slice(at)}`);
  const totals = new Map(names.map((name, i) => [name, counts[i] ?? 0]));
  const sum = counts.reduce((a, b) => a + b, 0);
  return { opsPerSecond: sum / secs, totals, errors };
}
