/**
 * The grader's recording proxy: it stands in front of a real SMTP server on 127.0.0.1, passes
 * the first connection through, and records every chunk each way with its time. It holds the
 * server's greeting back (as Postfix's postscreen does) and each later reply a little, so that a
 * client that talks before it is answered shows in the timings.
 *
 * @module
 */
import { closeQuietly } from "../runtime/tcp_listener.ts";
import { writeAll } from "../runtime/transport.ts";
import type { CaptureChunk } from "./grade_dialog.ts";
import { type RunOptions, runProgram } from "./grade_run.ts";

/** Options of {@linkcode RecordingProxy}. */
export interface RecordingProxyOptions {
  /** Where the real server listens. */
  upstream: { hostname: string; port: number };
  /** How long the server's greeting is held back after the client connects. @default 1000 */
  greetingDelayMs?: number;
  /** How long each later chunk from the server is held back. @default 100 */
  replyDelayMs?: number;
}

/** What the proxy has recorded so far. */
export interface ProxyRecord {
  /** Whether a client connected. */
  connected: boolean;
  /** Every chunk each way; times in milliseconds since the proxy started listening. */
  chunks: CaptureChunk[];
  /** When the client closed its side, if it did. */
  clientClosedAt?: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A recording TCP proxy on 127.0.0.1, port 0, for one connection.
 *
 * @example Record a QUIT through the proxy
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpServer } from "../server/smtp/server.ts";
 * import { RecordingProxy } from "./grade_proxy.ts";
 *
 * await using server = new SmtpServer({ domain: "hamburger.edu" });
 * await using proxy = new RecordingProxy({ upstream: { hostname: "127.0.0.1", port: server.port }, greetingDelayMs: 50 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
 * const buffer = new Uint8Array(512);
 * await conn.read(buffer); // 220, 50 ms late
 * await conn.write(new TextEncoder().encode("QUIT\r\n"));
 * await conn.read(buffer); // 221
 * conn.close();
 * await proxy.finished(1000);
 * assert.deepEqual(proxy.record.chunks.map((c) => c.from), ["server", "client", "server"]);
 * assert.ok(proxy.record.chunks[0].at >= 50);
 * ```
 */
export class RecordingProxy implements AsyncDisposable {
  /** The port the client connects to. */
  readonly port: number;
  /** What was recorded. */
  readonly record: ProxyRecord = { connected: false, chunks: [] };
  #listener: Deno.TcpListener;
  #listening = true;
  #conns: Deno.TcpConn[] = [];
  #start = performance.now();
  #options: Required<RecordingProxyOptions>;
  #served: Promise<void>;

  /**
   * Starts listening.
   *
   * @param options The real server and the hold times.
   */
  constructor(options: RecordingProxyOptions) {
    this.#options = {
      upstream: options.upstream,
      greetingDelayMs: options.greetingDelayMs ?? 1000,
      replyDelayMs: options.replyDelayMs ?? 100,
    };
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.#listener.addr.port;
    this.#served = this.#serve();
  }

  /**
   * Milliseconds since the proxy started listening: the clock of {@linkcode ProxyRecord}.
   *
   * @returns The time now.
   */
  now(): number {
    return performance.now() - this.#start;
  }

  /**
   * Waits until the connection has ended both ways, or the grace time has passed, then closes
   * whatever is still open.
   *
   * @param graceMs How long to wait.
   */
  async finished(graceMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([this.#served, late]);
    clearTimeout(timer);
    await this.close();
  }

  /**
   * Runs the student's program against this proxy, waits for the connection to end, and returns
   * what was recorded with how the program ended. A close that the time limit's kill caused does
   * not count as the client closing.
   *
   * @param command The program and its arguments.
   * @param options Its environment, working directory and time limit.
   * @returns The record and the program's exit.
   * @throws {GradeError} When the program cannot be started.
   */
  async run(
    command: readonly string[],
    options: Omit<RunOptions, "now" | "stdin">,
  ): Promise<ProxyRecord & { exit: { code: number; timedOut: boolean; stderr: string } }> {
    const run = await runProgram(command, { ...options, now: () => this.now() });
    await this.finished(1000);
    const record = { ...this.record };
    if (run.stoppedAt !== undefined && (record.clientClosedAt ?? Infinity) >= run.stoppedAt) {
      delete record.clientClosedAt;
    }
    return { ...record, exit: { code: run.code, timedOut: run.timedOut, stderr: run.stderr } };
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.#stopListening();
    for (const conn of this.#conns) closeQuietly(conn);
    await this.#served;
  }

  /** Same as {@linkcode RecordingProxy.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #stopListening(): void {
    if (!this.#listening) return;
    this.#listening = false;
    this.#listener.close();
  }

  async #serve(): Promise<void> {
    let client: Deno.TcpConn;
    try {
      client = await this.#listener.accept();
    } catch {
      return; // closed before anyone connected
    }
    // One connection is graded; a second one is refused rather than mixed into the record.
    this.#stopListening();
    this.record.connected = true;
    const accepted = this.now();
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect(this.#options.upstream);
    } catch {
      closeQuietly(client);
      return;
    }
    this.#conns = [client, server];
    await Promise.all([
      this.#fromClient(client, server),
      this.#fromServer(server, client, accepted),
    ]);
    closeQuietly(client);
    closeQuietly(server);
  }

  async #fromClient(client: Deno.TcpConn, server: Deno.TcpConn): Promise<void> {
    for await (const bytes of chunks(client)) {
      this.record.chunks.push({ from: "client", at: this.now(), bytes });
      // Past the server's end the client is still recorded, up to its own end.
      await writeQuietly(server, bytes);
    }
    this.record.clientClosedAt ??= this.now();
    closeQuietly(server);
  }

  async #fromServer(server: Deno.TcpConn, client: Deno.TcpConn, accepted: number): Promise<void> {
    let first = true;
    for await (const bytes of chunks(server)) {
      const wait = first
        ? this.#options.greetingDelayMs - (this.now() - accepted)
        : this.#options.replyDelayMs;
      first = false;
      if (wait > 0) await delay(wait);
      // The time a reply counts from is when the client could read it.
      this.record.chunks.push({ from: "server", at: this.now(), bytes });
      if (!await writeQuietly(client, bytes)) break;
    }
    // The server hung up (after 221): the client sees the end, and may still close its side.
    await client.closeWrite().catch(() => {});
  }
}

/** The chunks a connection reads until its end, or until it is closed under the reader. */
async function* chunks(conn: Deno.TcpConn): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    let n: number | null;
    try {
      n = await conn.read(buffer);
    } catch {
      return;
    }
    if (n === null) return;
    yield buffer.slice(0, n);
  }
}

async function writeQuietly(conn: Deno.TcpConn, bytes: Uint8Array): Promise<boolean> {
  try {
    await writeAll(conn, bytes);
    return true;
  } catch {
    return false;
  }
}
