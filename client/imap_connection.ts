/**
 * What an IMAP client can say in any state (RFC 3501 §6.1, §6.2): read the greeting, log in,
 * ask and follow the capabilities, ENABLE extensions (RFC 5161), poll with NOOP, wait for news
 * with IDLE (RFC 2177) and log out. {@linkcode ImapClient} builds on it.
 *
 * @module
 */
import { ImapResponseError } from "../protocol/imap/error.ts";
import { type CommandReply, readEnabled } from "../protocol/imap/response_data.ts";
import type { ImapResponse } from "../protocol/imap/response_parser.ts";
import { type IdleOptions, ImapIdle } from "./imap_idle.ts";
import type { CommandArg, ImapWire } from "./imap_wire.ts";

/**
 * One IMAP connection, one command at a time: the commands of any state. Get one from
 * {@linkcode ImapClient.connect}, which has the mailbox and message commands too.
 *
 * @example Log in and see the capabilities change
 * ```ts
 * import assert from "node:assert/strict";
 * import { ImapServer } from "../server/imap/server.ts";
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { ImapClient } from "./imap_client.ts";
 *
 * const authenticate = (user: string) => Promise.resolve(user);
 * await using server = new ImapServer({ store: new MemoryStore(), authenticate });
 * await using client = await ImapClient.connect({ port: server.port });
 * assert.ok(client.capabilities.includes("AUTH=PLAIN"));
 * await client.login("bob", "pickles");
 * assert.ok(!client.capabilities.includes("AUTH=PLAIN"));
 * assert.ok(client.capabilities.includes("MOVE"));
 * ```
 */
export class ImapConnection implements AsyncDisposable {
  #wire: ImapWire;
  #greeting: string;
  #idle?: ImapIdle;

  /**
   * Wraps a connection whose greeting was read. {@linkcode ImapClient.connect} makes it.
   *
   * @param wire The connection.
   * @param greeting The greeting's text.
   */
  protected constructor(wire: ImapWire, greeting: string) {
    this.#wire = wire;
    this.#greeting = greeting;
  }

  /**
   * Reads the greeting of a new connection; closes it when the server refuses.
   *
   * @param wire A connection just opened.
   * @returns The greeting's text.
   * @throws {ImapResponseError} When the greeting is not OK (a BYE: too many connections).
   */
  protected static async greet(wire: ImapWire): Promise<string> {
    try {
      const greeting = await wire.readResponse();
      if (greeting.kind !== "status" || greeting.status !== "OK") {
        throw new ImapResponseError("NO", "Server refused the connection");
      }
      return greeting.text;
    } catch (error) {
      wire.close();
      throw error;
    }
  }

  /** The greeting's text. */
  get greeting(): string {
    return this.#greeting;
  }

  /** The capabilities the server announced last; refreshed after LOGIN. */
  get capabilities(): readonly string[] {
    return this.#wire.capabilities;
  }

  /**
   * Sends one command and reads its responses up to the tagged one. Every untagged response
   * that came meanwhile (EXISTS, EXPUNGE, FETCH) is in the reply.
   *
   * @param name The command name, such as `NOOP` or `UID FETCH`.
   * @param args Its arguments.
   * @returns The untagged responses and the tagged OK.
   * @throws {ImapResponseError} When the server answers NO or BAD.
   * @throws {Error} While an IDLE runs: end it first.
   */
  async command(name: string, args: readonly CommandArg[] = []): Promise<CommandReply> {
    this.#free(name);
    return await this.#wire.command(name, args);
  }

  /**
   * Asks for the capabilities again (CAPABILITY, RFC 3501 §6.1.1).
   *
   * @returns The capabilities, also in {@linkcode ImapConnection.capabilities}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * await using server = new ImapServer({ store: new MemoryStore() });
   * await using client = await ImapClient.connect({ port: server.port });
   * assert.ok((await client.capability()).includes("IMAP4rev1"));
   * ```
   */
  async capability(): Promise<readonly string[]> {
    await this.command("CAPABILITY");
    return this.capabilities;
  }

  /**
   * Logs in with LOGIN. Capabilities change with the state (RFC 3501 §7.2.1): they come from the
   * OK's CAPABILITY code, or are asked for when the server sent none.
   *
   * @param user The user name.
   * @param password The password (sent quoted or as a literal; masked in the transcript).
   * @throws {ImapResponseError} `NO [AUTHENTICATIONFAILED]` for a wrong password.
   */
  async login(user: string, password: string): Promise<void> {
    const reply = await this.command("LOGIN", [{ string: user }, { string: password }]);
    const told = /^CAPABILITY /i.test(reply.code ?? "") ||
      reply.untagged.some((r) => r.kind === "data" && r.name === "CAPABILITY");
    if (!told) await this.capability();
  }

  /**
   * Turns extensions on (ENABLE, RFC 5161), such as `CONDSTORE`, which adds MODSEQ to FETCH.
   *
   * @param names The extensions.
   * @returns Those the server turned on.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store: new MemoryStore(), authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * assert.deepEqual(await client.enable("CONDSTORE", "X-UNKNOWN"), ["CONDSTORE"]);
   * ```
   */
  async enable(...names: string[]): Promise<string[]> {
    return readEnabled((await this.command("ENABLE", names)).untagged);
  }

  /**
   * Sends NOOP: the way to poll for new mail without IDLE.
   *
   * @returns The untagged responses (EXISTS, EXPUNGE, FETCH).
   */
  async noop(): Promise<ImapResponse[]> {
    return (await this.command("NOOP")).untagged;
  }

  /**
   * Starts IDLE (RFC 2177) and resolves once the server's `+` says it listens: from then on the
   * selected mailbox's news (EXISTS, EXPUNGE, FETCH FLAGS, RECENT) arrives as it happens. End it
   * with the handle's `done()`, the signal, or the timeout (29 minutes by default: RFC 2177 §3
   * asks clients to re-issue IDLE at least that often). No other command may be sent meanwhile.
   *
   * @param options A callback for each response, an AbortSignal, and the timeout.
   * @returns The running idle: iterate it, or read its `responses`.
   * @throws {ImapResponseError} When the server refuses IDLE.
   *
   * @example Hear of a new message, with a callback
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * const { promise: arrived, resolve } = Promise.withResolvers<number>();
   * const idle = await client.idle({
   *   onResponse: (r) => r.kind === "data" && r.name === "EXISTS" && resolve(r.number!),
   * });
   * await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\n"));
   * assert.equal(await arrived, 1);
   * await idle.done();
   * ```
   */
  async idle(options: IdleOptions = {}): Promise<ImapIdle> {
    this.#free("IDLE");
    this.#idle = await ImapIdle.start(this.#wire, options);
    return this.#idle;
  }

  /** Logs out and closes the connection. */
  async logout(): Promise<void> {
    try {
      await this.command("LOGOUT");
    } finally {
      this.close();
    }
  }

  /** Closes the connection without a word. */
  close(): void {
    this.#wire.close();
  }

  /** Ends a running IDLE, then logs out if still connected, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#idle?.done().catch(() => {});
    if (!this.#wire.closed) await this.logout().catch(() => this.close());
  }

  #free(name: string): void {
    if (this.#idle?.running) {
      throw new Error(`Cannot send "${name}" while IDLE runs: end it with done() first`);
    }
  }
}
