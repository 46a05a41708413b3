/**
 * Running a student's program for a grader: any language, its task in its environment, input on
 * stdin if the assignment has some, and a time limit after which it is killed.
 *
 * @module
 */

/** The program could not be started at all: the grader's mistake, not the student's. */
export class GradeError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed.
   */
  constructor(message: string) {
    super(message);
    this.name = "GradeError";
  }
}

/** Options of {@linkcode runProgram}. */
export interface RunOptions {
  /** Variables added to the program's environment (it inherits the grader's too). */
  env?: Record<string, string>;
  /** The program's working directory. @default the grader's */
  cwd?: string;
  /** What the program reads on stdin. @default nothing (stdin is closed) */
  stdin?: Uint8Array;
  /** How long the program may run before it is killed. */
  timeLimitMs: number;
  /** The clock that {@linkcode ProgramRun.stoppedAt} is read on. @default performance.now */
  now?: () => number;
}

/** How the program ended. */
export interface ProgramRun {
  /** Its exit code (a signal's number plus 128 when killed). */
  code: number;
  /** Whether the time limit killed it. */
  timedOut: boolean;
  /** When it was killed, on the `now` clock. */
  stoppedAt?: number;
  /** What it printed on stdout. */
  stdout: Uint8Array;
  /** The last 2,000 characters it printed on stderr. */
  stderr: string;
}

/**
 * Runs the program to its end or to the time limit.
 *
 * @param command The program and its arguments, such as `["python3", "client.py"]`.
 * @param options Its environment, stdin and time limit.
 * @returns How it ended and what it printed.
 * @throws {GradeError} When there is no program or it cannot be started.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runProgram } from "./grade_run.ts";
 *
 * const run = await runProgram([Deno.execPath(), "eval", "Deno.stdout.write(await new Response(Deno.stdin.readable).bytes())"], {
 *   stdin: new TextEncoder().encode("echo"), timeLimitMs: 10_000,
 * });
 * assert.equal(new TextDecoder().decode(run.stdout), "echo");
 * assert.equal(run.timedOut, false);
 * ```
 */
export async function runProgram(
  command: readonly string[],
  options: RunOptions,
): Promise<ProgramRun> {
  const [program, ...args] = command;
  if (!program) throw new GradeError("No program to grade: give its command after --");
  const now = options.now ?? (() => performance.now());
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      // Its own process group, so that the time limit stops what it started too (a shell's
      // children, a build tool's program).
      detached: true,
    }).spawn();
  } catch (error) {
    throw new GradeError(`Cannot run "${program}": ${(error as Error).message}`);
  }
  let stoppedAt: number | undefined;
  const killGroup = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // the whole group has ended
    }
  };
  const timer = setTimeout(() => {
    stoppedAt = now();
    killGroup();
  }, options.timeLimitMs);
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    // A program that never reads its input must not stall the grader.
    writer.write(options.stdin).then(() => writer.close()).catch(() => {});
  }
  const stdout = new Response(child.stdout).bytes();
  const stderr = new Response(child.stderr).text();
  const status = await child.status;
  clearTimeout(timer);
  // What it left running in the background goes too, and with it the last hold on the pipes.
  killGroup();
  const [out, err] = await Promise.all([stdout, stderr]);
  return {
    code: status.code,
    timedOut: stoppedAt !== undefined,
    stoppedAt,
    stdout: out,
    stderr: err.slice(-2000),
  };
}
