/**
 * The SMTP bench's two ways of loading a server: the shared load generator
 * (`../shared/tools/smtp-load/smtp-load.mjs`, run with Node, `SMTP_LOAD` to use another copy),
 * which sends the measured messages, and many idle sessions held open after EHLO, for memory.
 *
 * @module
 */
import { sharedTool } from "../tests/_tools.ts";

/** The generator's script. */
export const GENERATOR: string = Deno.env.get("SMTP_LOAD") ??
  sharedTool("smtp-load/smtp-load.mjs");

/**
 * The envelope of every measured message. The generator's lock-step mode sends exactly this
 * whatever `--from` and `--to` say, so the MX servers are made for this recipient (domain
 * sink.test, mailbox sink0) and pipelined runs send the same envelope through `--from`/`--to`.
 */
export const ENVELOPE = {
  from: "load@loadgen.test",
  to: "sink0@sink.test",
  domain: "sink.test",
  user: "sink0",
} as const;

/** One run of the generator. */
export interface LoadOptions {
  /** The server's port on 127.0.0.1. */
  port: number;
  /** Persistent connections. */
  conns: number;
  /** Messages in all, shared by the connections. */
  msgs: number;
  /** Bytes of DATA content per message. */
  size: number;
  /** MAIL, RCPT and DATA in one write (RFC 2920), else lock-step. */
  pipeline: boolean;
  /** No message is started after this; the run then reports `truncated`. */
  maxSeconds: number;
  /** The envelope sender. */
  from: string;
  /** The one recipient. */
  to: string;
}

/** What the generator reports (its `--json` line), and when it ended. */
export interface LoadResult {
  msgs_ok: number;
  seconds: number;
  msgs_per_s: number;
  errors: number;
  truncated: boolean;
  error_samples: string[];
  /** The wall-clock time the generator's measured run began, in epoch milliseconds. */
  startedAt: number;
}

/**
 * Runs the generator once and parses its report (it exits 2 when truncated or on errors, and
 * still reports). The generator is stopped once it has reported: after its last QUIT it waits
 * for a 2 s timer it never clears, which would add 2 s to every run of the bench.
 *
 * @param options The run.
 * @returns The report.
 * @throws {Error} When the generator exits or times out without a report.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    GENERATOR,
    ...["--host", "127.0.0.1", "--port", String(options.port)],
    ...["--conns", String(options.conns), "--msgs", String(options.msgs)],
    ...["--size", String(options.size), "--max-seconds", String(options.maxSeconds)],
    ...["--from", options.from, "--to", options.to, "--json"],
    ...(options.pipeline ? ["--pipeline"] : []),
  ];
  const child = new Deno.Command("node", { args, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), (options.maxSeconds + 60) * 1000);
  const errors = new Response(child.stderr).text();
  let text = "";
  let report: Omit<LoadResult, "startedAt"> | undefined;
  try {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const nl = text.indexOf("\n");
      if (nl < 0) continue;
      try {
        report = JSON.parse(text.slice(0, nl));
      } catch {
        throw new Error(`smtp-load.mjs printed no report but: ${text.slice(0, nl)}`);
      }
      break;
    }
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGTERM");
    } catch {
      // exited already
    }
  }
  const endedAt = Date.now();
  const status = await child.status;
  if (!report) {
    throw new Error(
      `smtp-load.mjs printed no report (exit ${status.code}): ${text}${await errors}`,
    );
  }
  await errors;
  return { ...report, startedAt: endedAt - report.seconds * 1000 };
}

/** Sessions held open by {@linkcode idleSessions}. */
export interface IdleSessions {
  /** Closes them all. */
  close(): void;
}

/**
 * Opens `count` connections, reads each greeting, sends EHLO and reads its whole reply, and
 * leaves them idle. In batches of 100: smtp-server waits about 100 ms before it greets (it
 * watches for clients that talk first).
 *
 * @param port The server's port on 127.0.0.1.
 * @param count How many.
 * @param options `timeoutMs`: how long opening them all may take. @default 60000
 * @returns The open sessions.
 * @throws {Error} When a session is refused, or they are not all open in time.
 */
export async function idleSessions(
  port: number,
  count: number,
  options: { timeoutMs?: number } = {},
): Promise<IdleSessions> {
  const conns: Deno.TcpConn[] = [];
  const close = () => conns.forEach((conn) => conn.close());
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`Only ${conns.length} of ${count} sessions open after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    for (let batch = 0; batch < count; batch += 100) {
      const opening = Array.from({ length: Math.min(100, count - batch) }, async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        conns.push(conn);
        await reply(conn, "220");
        await conn.write(new TextEncoder().encode("EHLO loadgen.test\r\n"));
        await reply(conn, "250");
      });
      await Promise.race([Promise.all(opening), late]);
    }
  } catch (error) {
    close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { close };
}

/** Reads one whole reply (its last line is `code` and a space), failing on any other code. */
async function reply(conn: Deno.Conn, code: string): Promise<void> {
  const buf = new Uint8Array(4096);
  let text = "";
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) throw new Error(`Connection closed before a ${code} reply: ${text}`);
    text += new TextDecoder("latin1").decode(buf.subarray(0, n));
    const lines = text.split("\r\n");
    for (const line of lines.slice(0, -1)) {
      if (!line.startsWith(code)) throw new Error(`Expected ${code}, got "${line}"`);
      if (line[3] === " " || line.length === 3) return;
    }
  }
}
