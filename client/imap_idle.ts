/**
 * IDLE as a client runs it (RFC 2177): the client says IDLE, the server answers `+`, and from
 * then on it sends the selected mailbox's news (EXISTS, EXPUNGE, FETCH FLAGS, RECENT) as it
 * happens, until the client says DONE and the server answers the tagged OK.
 *
 * @module
 */
import type { Timer } from "../protocol/clock.ts";
import { ImapResponseError } from "../protocol/imap/error.ts";
import type { CommandReply } from "../protocol/imap/response_data.ts";
import type { ImapResponse } from "../protocol/imap/response_parser.ts";
import type { ImapWire } from "./imap_wire.ts";

/** Options of {@linkcode ImapClient.idle}. */
export interface IdleOptions {
  /**
   * Called with each untagged response as soon as it arrives. One that throws ends the idle
   * with its error and closes the connection, which is then out of step.
   * @default undefined (none)
   */
  onResponse?: (response: ImapResponse) => void;
  /** Ends the idle (DONE) when aborted. @default undefined (only `done()` or the timeout) */
  signal?: AbortSignal;
  /**
   * How long to idle before ending by itself with DONE. A server may log out a client that was
   * silent for 30 minutes, so RFC 2177 §3 asks clients to end IDLE and issue it again at least
   * every 29 minutes: idle in a loop to watch longer. The server's answer to DONE is then awaited
   * with the client's usual read timeout.
   * @default 1740000 (29 minutes)
   */
  timeoutMs?: number;
}

/** RFC 2177 §3: re-issue IDLE at least every 29 minutes. */
const IDLE_DEFAULT_MS = 29 * 60_000;
/** The longest wait a timer can hold (2^31 - 1 ms, about 24 days). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * A running IDLE. Its untagged responses arrive through `onResponse`, through `for await`, and
 * in `responses`; `done()` (or the signal, or the timeout) ends it. Leaving a `for await` loop
 * early ends the idle too, and waits for the server's OK.
 *
 * @example Watch bob's INBOX until a message arrives
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "../server/accounts.ts";
 * import { ImapServer } from "../server/imap/server.ts";
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { ImapClient } from "./imap_client.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const store = new MemoryStore();
 * await store.deliver("bob", new TextEncoder().encode("Subject: one\r\n\r\n"));
 * await using server = new ImapServer({ store, accounts });
 * await using client = await ImapClient.connect({ port: server.port });
 * await client.login("bob", "pickles");
 * await client.select("INBOX");
 * const idle = await client.idle({ timeoutMs: 5000 });
 * await store.deliver("bob", new TextEncoder().encode("Subject: two\r\n\r\n"));
 * for await (const news of idle) {
 *   if (news.kind === "data" && news.name === "EXISTS") {
 *     assert.equal(news.number, 2);
 *     break; // sends DONE and waits for the OK
 *   }
 * }
 * assert.equal(idle.running, false);
 * ```
 */
export class ImapIdle implements AsyncIterable<ImapResponse>, AsyncDisposable {
  #wire: ImapWire;
  #responses: ImapResponse[];
  #onResponse?: (response: ImapResponse) => void;
  #running = true;
  #stopping?: Promise<void>;
  #deadline?: Timer;
  #ended: Promise<CommandReply>;
  #waiters: (() => void)[] = [];

  private constructor(
    start: { wire: ImapWire; tag: string; responses: ImapResponse[] },
    options: IdleOptions & { timeoutMs: number },
  ) {
    this.#wire = start.wire;
    this.#responses = start.responses;
    this.#onResponse = options.onResponse;
    const stop = () => void this.#stop().catch(() => {});
    const timer = this.#wire.clock.setTimer(options.timeoutMs, stop);
    options.signal?.addEventListener("abort", stop, { once: true });
    // Reads wait longer than the idle lasts: its own timer ends it, then the deadline on DONE.
    const readTimeoutMs = Math.min(options.timeoutMs + this.#wire.timeoutMs, LONGEST_TIMER_MS);
    this.#ended = this.#run(start.tag, readTimeoutMs).finally(() => {
      timer.cancel();
      this.#deadline?.cancel();
      options.signal?.removeEventListener("abort", stop);
      this.#running = false;
      this.#wake();
    });
    this.#ended.catch(() => {}); // a failure is reported by done() and the iterator
    if (options.signal?.aborted) stop();
  }

  /**
   * Sends IDLE and waits for the server's `+`, so that what happens from then on is reported.
   * {@linkcode ImapClient.idle} calls this; use that.
   *
   * @param wire The connection, not busy with another command.
   * @param options The callback, the signal and the timeout.
   * @returns The running idle.
   * @throws {RangeError} For a timeout that is not a positive number of milliseconds.
   * @throws {ImapResponseError} When the server refuses IDLE.
   */
  static async start(wire: ImapWire, options: IdleOptions = {}): Promise<ImapIdle> {
    const timeoutMs = options.timeoutMs ?? IDLE_DEFAULT_MS;
    if (!(timeoutMs > 0 && timeoutMs <= LONGEST_TIMER_MS)) {
      throw new RangeError(`Invalid IDLE timeout ${timeoutMs}: give milliseconds above 0`);
    }
    const { tag, untagged: responses } = await wire.send("IDLE", []);
    await wire.goAhead(tag, responses);
    return new ImapIdle({ wire, tag, responses }, { ...options, timeoutMs });
  }

  /** Whether the idle still runs: until the server answered DONE, or the connection failed. */
  get running(): boolean {
    return this.#running;
  }

  /** Every untagged response received so far, in order. */
  get responses(): readonly ImapResponse[] {
    return this.#responses;
  }

  /**
   * Ends the idle: sends DONE (once, whoever asks) and waits for the tagged OK.
   *
   * @returns The reply: every untagged response of the idle and the tagged OK.
   * @throws {ImapResponseError} When the server answers NO or BAD.
   * @throws {Deno.errors.TimedOut} When the server does not answer DONE in the read timeout.
   */
  async done(): Promise<CommandReply> {
    await this.#stop();
    return await this.#ended;
  }

  /**
   * Yields each untagged response, those already received first, until the idle ends.
   *
   * @returns The iterator; leaving the loop early ends the idle.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<ImapResponse> {
    let next = 0;
    try {
      for (;;) {
        while (next < this.#responses.length) yield this.#responses[next++];
        if (!this.#running) break;
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
    } finally {
      await this.done();
    }
  }

  /** Ends the idle, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.done();
  }

  async #run(tag: string, timeoutMs: number): Promise<CommandReply> {
    const onResponse = (response: ImapResponse) => {
      this.#onResponse?.(response);
      this.#wake();
    };
    try {
      return await this.#wire.finish(tag, this.#responses, { timeoutMs, onResponse });
    } catch (error) {
      // Only a tagged NO or BAD leaves the dialog in step; after anything else, the connection
      // may still be idling, and no later command could be understood.
      if (!(error instanceof ImapResponseError)) this.#wire.close();
      throw error;
    }
  }

  #stop(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#stopping ??= (async () => {
      this.#deadline = this.#wire.deadline(this.#wire.timeoutMs);
      await this.#wire.writeLine("DONE");
    })();
    return this.#stopping;
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
