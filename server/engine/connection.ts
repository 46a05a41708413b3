/**
 * The connection engine: the one loop that serves a connection of any line protocol. It reads
 * bytes, hands them to the session, writes what comes back, runs the session's timer, sends what
 * the session pushes unasked, upgrades to TLS when the session says so (STARTTLS), records the
 * connection's notes in the transcript, and reports a session's failure instead of swallowing it.
 *
 * @module
 */
import type { Clock, Timer } from "../../protocol/clock.ts";
import type { Transcript } from "../../protocol/transcript.ts";
import { describeTls, type ServerTls } from "../../runtime/tls.ts";
import type { TcpTransport, Transport } from "../../runtime/transport.ts";
import { OutputPool } from "./output_pool.ts";
import type { ProtocolSession, ServedSession, SessionOutput } from "./protocol_session.ts";

/**
 * Options of {@linkcode Connection}: one object for all of a server's connections, so that an
 * idle connection holds no copy of it. `Info` is what the server knows of each connection (its
 * number, its address), handed back with every report.
 */
export interface ConnectionOptions<Info> {
  /** Runs the session's timer. */
  clock: Clock;
  /** The server's TLS settings, for STARTTLS and implicit TLS. @default none (no TLS) */
  tls?: ServerTls;
  /** Run the TLS handshake before the greeting (RFC 8314 implicit TLS). @default false */
  implicitTls?: boolean;
  /** How long a TLS handshake may take. @default 30000 */
  handshakeTimeoutMs?: number;
  /** How long the goodbye of a shutdown may take to send before the connection is cut. @default 1000 */
  goodbyeTimeoutMs?: number;
  /** Told when the session fails (a bug): never swallowed. */
  onError: (error: unknown, info: Info) => void;
  /** Told once the connection is closed and the session with it. @default nothing */
  onClosed?: (connection: Connection<Info>) => void;
}

const encoder = new TextEncoder();
const output = new OutputPool(); // shared by every connection of the process

/**
 * One served connection.
 *
 * @example Serve one connection with a session that echoes lines back in upper case
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "../../runtime/system_clock.ts";
 * import { TcpTransport } from "../../runtime/transport.ts";
 * import { Connection } from "./connection.ts";
 *
 * let closed = false;
 * const shout = {
 *   get closed() { return closed; },
 *   deadline: Infinity,
 *   start: () => ({ data: "hello\r\n" }),
 *   receive(bytes: Uint8Array) {
 *     const text = new TextDecoder().decode(bytes);
 *     closed = text.startsWith("bye");
 *     return { data: text.toUpperCase(), close: closed };
 *   },
 *   tick: () => undefined,
 *   secured() {},
 *   shutdown: () => ({ data: "going\r\n" }),
 *   fail: () => ({}),
 * };
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const options = { clock: systemClock, onError: (error: unknown) => { throw error; } };
 * const transport = new TcpTransport(await listener.accept());
 * const served = new Connection(transport, { session: shout }, options, "demo").run();
 * const read = async () => {
 *   const buffer = new Uint8Array(64);
 *   return new TextDecoder().decode(buffer.subarray(0, (await client.read(buffer)) ?? 0));
 * };
 * assert.equal(await read(), "hello\r\n");
 * await client.write(new TextEncoder().encode("bye now\r\n"));
 * assert.equal(await read(), "BYE NOW\r\n");
 * await served;
 * client.close();
 * ```
 */
export class Connection<Info = unknown> {
  /** What the server knows of this connection, as it gave it. */
  readonly info: Info;
  #plain: TcpTransport;
  #transport: Transport;
  #session: ProtocolSession;
  #transcript: Transcript | undefined;
  #options: ConnectionOptions<Info>;
  #timer: Timer | undefined;
  #armedAt = Infinity;
  #writing: Promise<void> | undefined; // the last write, while it is on its way
  #ending = false;

  /**
   * Prepares to serve a connection; {@linkcode Connection.run} serves it.
   *
   * @param transport The accepted connection.
   * @param served The protocol's session for it, and its transcript.
   * @param options The server's clock, TLS and reports, shared by its connections.
   * @param info What the server knows of the connection, for its reports.
   */
  constructor(
    transport: TcpTransport,
    served: ServedSession,
    options: ConnectionOptions<Info>,
    info: Info,
  ) {
    this.info = info;
    this.#plain = transport;
    this.#transport = transport;
    this.#session = served.session;
    this.#transcript = served.transcript;
    this.#options = options;
  }

  /** The session this connection runs. */
  get session(): ProtocolSession {
    return this.#session;
  }

  #note(text: string): void {
    this.#transcript?.note(text, this.#options.clock.now());
  }

  /**
   * Serves the connection until either side ends it; never rejects.
   */
  async run(): Promise<void> {
    if (this.#transcript) {
      this.#note(`TCP connection from ${this.#transport.remote} to ${this.#transport.local}`);
    }
    try {
      if (this.#options.implicitTls && !(await this.#secure())) return;
      if (!(await this.#greet())) return;
      // The hot path: one read, one call into the session, one write. What a turn makes (the
      // answer, its bytes) lives in #answer's frame, not here: a suspended async function keeps
      // its locals, and an idle connection waits in this one. For the same reason the loop's own
      // locals are cleared before the next wait: the last read's view, a settled promise.
      for (;;) {
        let bytes: Uint8Array | null = await this.#transport.read();
        if (bytes === null) break;
        let more = this.#answer(bytes);
        bytes = null;
        if (more !== true && more !== false) more = await more;
        if (!more) break;
      }
    } catch (error) {
      // The peer reset the connection or a write failed: the dialog is over, nobody to tell.
      if (!this.#ending) this.#note(`Connection lost: ${(error as Error).message}`);
    } finally {
      // What is on its way (a session's last words, a pushed goodbye) may still leave, briefly.
      this.#ending = true;
      if (this.#writing) await within(this.#writing, this.#options.goodbyeTimeoutMs ?? 1000);
      this.#end();
      this.#call(() => this.#session.close?.());
      this.#note("TCP connection closed");
      this.#options.onClosed?.(this);
    }
  }

  // The greeting goes out as any answer does: false when the connection is to end.
  #greet(): boolean | Promise<boolean> {
    const greeting = this.#call(() => this.#session.start((out) => this.#push(out)));
    if (greeting === undefined) return false;
    return greeting instanceof Promise
      ? greeting.then((out) => this.#send(out))
      : this.#send(greeting);
  }

  // One turn: the session's answer to what was read, written; whether to read again.
  #answer(bytes: Uint8Array): boolean | Promise<boolean> {
    let answer: SessionOutput | Promise<SessionOutput>;
    try {
      answer = this.#session.receive(bytes);
    } catch (error) {
      this.#failed(error);
      return false;
    }
    if (!(answer instanceof Promise)) return this.#send(answer);
    return answer.then((out) => this.#send(out), (error) => {
      this.#failed(error);
      return false;
    });
  }

  #send(out: SessionOutput): boolean | Promise<boolean> {
    const data = out.data;
    if (!data || data.length === 0) return this.#after(out);
    // Text into a pooled buffer over plain TCP, whose write is done with it once it settles; TLS
    // may keep what it was given for longer.
    const pooled = typeof data === "string" && this.#transport.tls === undefined
      ? output.encode(data)
      : undefined;
    const bytes = pooled ?? (typeof data === "string" ? encoder.encode(data) : data);
    const sent = this.#queue(bytes);
    return sent.then(() => {
      if (pooled) output.give(pooled);
      this.#written(sent);
      return this.#after(out);
    });
  }

  // After an answer is written: closes, starts TLS, or moves the timer on.
  #after(out: SessionOutput): boolean | Promise<boolean> {
    if (out.close || this.#session.closed || this.#ending) return false;
    if (out.startTls) return this.#secure().then((ok) => ok && this.#rearm());
    return this.#rearm();
  }

  #rearm(): boolean {
    this.#arm(); // only when the deadline moved earlier
    return !this.#ending && !this.#session.closed;
  }

  /**
   * Ends the session because the server is shutting down: sends its goodbye (for at most
   * `goodbyeTimeoutMs`) and closes the connection.
   */
  async shutdown(): Promise<void> {
    if (this.#ending) return;
    if (!this.#session.closed) {
      const out = this.#call(() => this.#session.shutdown());
      if (out?.data) await within(this.#write(out.data), this.#options.goodbyeTimeoutMs ?? 1000);
    }
    this.#end();
  }

  // A session's own failure is reported, answered with its last words, and ends the connection.
  #call<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
  }

  #failed(error: unknown): void {
    this.#note(`Internal error: ${(error as Error)?.message ?? String(error)}`);
    this.#options.onError(error, this.info);
    let last: SessionOutput | undefined;
    try {
      last = this.#session.fail(error);
    } catch {
      // the session cannot even say goodbye
    }
    if (last?.data) this.#write(last.data).catch(() => {});
    this.#ending = true;
  }

  async #write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (bytes.length === 0) return await this.#writing;
    const sent = this.#queue(bytes);
    try {
      await sent;
    } finally {
      this.#written(sent);
    }
  }

  // Writes in order: straight to the transport when nothing else is on its way (the usual case),
  // after the write before it otherwise (output pushed by a timer meanwhile). The caller hands
  // the write to #written once it has settled.
  #queue(bytes: Uint8Array): Promise<void> {
    const transport = this.#transport;
    const before = this.#writing;
    const sent = before ? before.then(() => transport.write(bytes)) : transport.write(bytes);
    this.#writing = sent;
    return sent;
  }

  #written(sent: Promise<void>): void {
    if (this.#writing === sent) this.#writing = undefined;
  }

  // Output ahead of an answer, or that no input caused: written in order with the rest; it may
  // end the connection. Settles once written, never rejects.
  #push(out: SessionOutput): Promise<void> {
    if (this.#ending) return Promise.resolve();
    const sent = out.data ? this.#write(out.data) : this.#writing ?? Promise.resolve();
    if (out.close || this.#session.closed) {
      this.#ending = true;
      return sent.catch(() => {}).finally(() => this.#end());
    }
    return sent.catch(() => this.#end());
  }

  async #secure(): Promise<boolean> {
    const tls = this.#options.tls;
    if (!tls || this.#transport.tls) {
      this.#failed(new Error("The session asked for TLS where none is available"));
      return false;
    }
    if (this.#writing) await this.#writing;
    try {
      this.#transport = await this.#plain.startTls({
        server: tls,
        timeoutMs: this.#options.handshakeTimeoutMs,
      });
    } catch (error) {
      this.#note((error as Error).message);
      return false;
    }
    const info = this.#transport.tls!;
    this.#note(describeTls(info));
    return this.#call(() => (this.#session.secured(info), true)) ?? false;
  }

  // One timer per connection, set to the session's deadline; input moves the deadline on, and
  // the timer, when it fires early, asks the session and waits again.
  #arm(): void {
    const deadline = this.#session.deadline;
    if (this.#ending || deadline >= this.#armedAt) return;
    this.#timer?.cancel();
    this.#armedAt = deadline;
    const clock = this.#options.clock;
    this.#timer = clock.setTimer(Math.max(0, deadline - clock.now()), () => {
      this.#timer = undefined;
      this.#armedAt = Infinity;
      const out = this.#call(() => this.#session.tick(clock.now()));
      if (out) this.#push(out);
      else if (this.#ending) this.#end();
      this.#arm();
    });
  }

  #end(): void {
    this.#ending = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#transport.close();
  }
}

// Waits for `work` for at most `ms`, whatever becomes of it.
async function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  await Promise.race([work.catch(() => {}), late]);
  clearTimeout(timer);
}
