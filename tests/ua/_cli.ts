// The `deno task ua` tests' bench: the lab's servers in this process on free ports with memory
// stores, and the CLI's own main() run against them with its output captured, as a student
// would type it (the host and ports given, as for a lab on another machine).
import assert from "node:assert/strict";
import { DEFAULT_CONFIG, type LabConfigInput } from "../../lab/config.ts";
import { Lab } from "../../lab/lab.ts";
import { main } from "../../ua/cli.ts";

/** What one run printed, and its exit code. */
export interface Run {
  code: number;
  out: string;
  err: string;
  /** What went to standard output as bytes (`read --raw`). */
  bytes: Uint8Array;
}

/** The lab of the course, with carol beside bob at hamburger.edu (for reply all). */
export async function startLab(): Promise<Lab> {
  const config = structuredClone(DEFAULT_CONFIG) as LabConfigInput;
  config.domains[1].users.carol = "mustard";
  return await Lab.start({ config, freePorts: true, storage: "memory", passwordIterations: 1000 });
}

/** Runs the CLI with these arguments, as is. */
export async function ua(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const chunks: Uint8Array[] = [];
  const code = await main(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    write: (bytes) => {
      chunks.push(bytes.slice());
      return Promise.resolve();
    },
  });
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
  return { code, out: out.join("\n"), err: err.join("\n"), bytes };
}

/** Runs the CLI as one lab account, pointed at the lab's host and ports. */
export function as(lab: Lab, address: string): (...args: string[]) => Promise<Run> {
  const options = lab.agentOptions(address);
  const where = [
    "--host",
    options.submission.hostname,
    "--submission-port",
    String(options.submission.port),
    "--imap-port",
    String(options.imap.port),
    "--http-port",
    String(options.http.port),
    "--password",
    options.password,
  ];
  // The test's own options come last, so that they win (a wrong --password, say).
  return (command, ...args) => ua(command, "--user", address, ...where, ...args);
}

/** Asserts a run succeeded, and shows what it said when not. */
export function ok(run: Run): Run {
  assert.equal(run.code, 0, `exit ${run.code}\nout: ${run.out}\nerr: ${run.err}`);
  return run;
}

/** Asserts what a student must never see: stack lines, runtime error numbers, zod's JSON. */
export function readable(run: Run): void {
  const all = `${run.out}\n${run.err}`;
  assert.doesNotMatch(all, /ZodError|os error|^\s+at /m, all);
  assert.doesNotMatch(all, /"code":|\[\s*\{/, all);
}

/** A port on which nothing listens (taken, then given back). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();
