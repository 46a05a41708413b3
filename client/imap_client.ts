/**
 * The IMAP-lite reader a user agent uses (RFC 3501): log in, list and select mailboxes, fetch,
 * search and flag messages. Every response is parsed, literals included; a tagged NO or BAD is
 * thrown as an {@linkcode ImapResponseError}; every read has a timeout.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { ImapResponseError } from "../protocol/imap/error.ts";
import {
  type CommandReply,
  type FetchedMessage,
  type ListEntry,
  readFetch,
  readList,
  readSearch,
  readSelected,
  type SelectedInfo,
  tokenText,
} from "../protocol/imap/response_data.ts";
import { formatAstring } from "../protocol/imap/response.ts";
import { type ImapResponse, ResponseParser } from "../protocol/imap/response_parser.ts";
import type { Transcript } from "../protocol/transcript.ts";
import { LineConnection, TimeoutError } from "./line_connection.ts";
import { systemClock } from "../runtime/system_clock.ts";

/** Options of {@linkcode ImapClient.connect}. */
export interface ImapClientOptions {
  /** The server's address. @default "127.0.0.1" */
  hostname?: string;
  /** The server's port. @default 143 */
  port?: number;
  /** Where to record the dialog (passwords masked). @default undefined (no record) */
  transcript?: Transcript;
  /** How long to wait for any read before giving up and closing. @default 10000 */
  timeoutMs?: number;
  /** Times the reads. @default systemClock */
  clock?: Clock;
}

/** A command argument: raw text (an atom, a set, a list), or `{ string }` to quote or send as a literal. */
export type CommandArg = string | { string: string };

/** Options of {@linkcode ImapClient.fetch}, {@linkcode ImapClient.search} and {@linkcode ImapClient.store}. */
export interface UidOptions {
  /** Use UIDs rather than sequence numbers. @default false */
  uid?: boolean;
}

const encoder = new TextEncoder();
const formatArg = (arg: CommandArg) =>
  typeof arg === "string" ? arg : formatAstring(arg.string) ?? "{...}";
const MAX_LITERAL = 64 * 1024 * 1024;

/**
 * An IMAP connection, one command at a time.
 *
 * @example Read bob's first message from a server on a free port
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
 * await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * await using server = new ImapServer({ store, accounts });
 * await using client = await ImapClient.connect({ port: server.port });
 * await client.login("bob", "pickles");
 * assert.equal((await client.select("INBOX")).exists, 1);
 * const [message] = await client.fetch("1", "(UID BODY.PEEK[])");
 * assert.equal(new TextDecoder().decode(message.sections["BODY[]"]), "Subject: hi\r\n\r\nHello\r\n");
 * await client.logout();
 * ```
 */
export class ImapClient implements AsyncDisposable {
  #line: LineConnection;
  #transcript?: Transcript;
  #clock: Clock;
  #timeoutMs: number;
  #tag = 0;
  #closed = false;
  #bye = false;
  #greeting = "";
  #capabilities: string[] = [];

  private constructor(conn: Deno.Conn, options: ImapClientOptions) {
    this.#transcript = options.transcript;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#line = new LineConnection(conn, { clock: this.#clock, maxLineLength: 1024 * 1024 });
  }

  /**
   * Connects and reads the greeting.
   *
   * @param options Address, transcript and timeout.
   * @returns The connected client.
   */
  static async connect(options: ImapClientOptions = {}): Promise<ImapClient> {
    const hostname = options.hostname ?? "127.0.0.1";
    const port = options.port ?? 143;
    const conn = await Deno.connect({ hostname, port });
    const client = new ImapClient(conn, options);
    options.transcript?.note(`connected to ${hostname}:${port}`, client.#clock.now());
    try {
      const greeting = await client.#readResponse();
      if (greeting.kind !== "status" || greeting.status !== "OK") {
        throw new ImapResponseError("NO", "Server refused the connection");
      }
      client.#greeting = greeting.text;
      client.#noteCapabilities(greeting.code);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /** The greeting's text. */
  get greeting(): string {
    return this.#greeting;
  }

  /** The capabilities the server announced last. */
  get capabilities(): readonly string[] {
    return this.#capabilities;
  }

  /**
   * Sends one command and reads its responses up to the tagged one.
   *
   * @param name The command name, such as `NOOP` or `UID FETCH`.
   * @param args Its arguments.
   * @returns The untagged responses and the tagged OK.
   * @throws {ImapResponseError} When the server answers NO or BAD.
   */
  async command(name: string, args: readonly CommandArg[] = []): Promise<CommandReply> {
    const tag = `a${++this.#tag}`;
    await this.#send(tag, name, args);
    const untagged: ImapResponse[] = [];
    for (;;) {
      const response = await this.#readResponse();
      if (response.kind === "status" && response.tag === tag) {
        if (response.status !== "OK") {
          const status = response.status === "BAD" ? "BAD" : "NO";
          throw new ImapResponseError(status, response.text, { code: response.code, tag });
        }
        this.#noteCapabilities(response.code);
        return { untagged, code: response.code, text: response.text };
      }
      if (response.kind === "data" && response.name === "CAPABILITY") {
        this.#capabilities = response.args.map(tokenText);
      }
      untagged.push(response);
    }
  }

  /**
   * Logs in with LOGIN.
   *
   * @param user The user name.
   * @param password The password (sent quoted or as a literal; masked in the transcript).
   */
  async login(user: string, password: string): Promise<void> {
    await this.command("LOGIN", [{ string: user }, { string: password }]);
  }

  /**
   * Lists mailboxes.
   *
   * @param reference The reference name.
   * @param pattern The pattern, with `*` and `%`.
   * @returns The entries.
   */
  async list(reference = "", pattern = "*"): Promise<ListEntry[]> {
    const reply = await this.command("LIST", [{ string: reference }, { string: pattern }]);
    return readList(reply.untagged);
  }

  /**
   * Opens a mailbox with SELECT, or EXAMINE when `readOnly`.
   *
   * @param mailbox The mailbox name.
   * @param readOnly Whether to EXAMINE.
   * @returns What the server told of it.
   */
  async select(mailbox: string, readOnly = false): Promise<SelectedInfo> {
    const reply = await this.command(readOnly ? "EXAMINE" : "SELECT", [{ string: mailbox }]);
    return readSelected(reply.untagged, reply.code);
  }

  /**
   * Fetches message data.
   *
   * @param set A sequence set such as `1:*`.
   * @param items The items, such as `(UID FLAGS BODY.PEEK[])`.
   * @param options Whether the set holds UIDs.
   * @returns One entry per message, in the order received.
   */
  async fetch(set: string, items: string, options: UidOptions = {}): Promise<FetchedMessage[]> {
    const reply = await this.command(options.uid ? "UID FETCH" : "FETCH", [set, items]);
    return readFetch(reply.untagged);
  }

  /**
   * Searches the selected mailbox.
   *
   * @param criteria Such as `UNSEEN FROM "alice"`.
   * @param options Whether to return UIDs.
   * @returns The matching sequence numbers or UIDs.
   */
  async search(criteria: string, options: UidOptions = {}): Promise<number[]> {
    const reply = await this.command(options.uid ? "UID SEARCH" : "SEARCH", [criteria]);
    return readSearch(reply.untagged);
  }

  /**
   * Changes flags with STORE.
   *
   * @param set The messages.
   * @param action `+FLAGS`, `-FLAGS` or `FLAGS`, optionally with `.SILENT`.
   * @param flags Such as `["\\Seen"]`.
   * @param options Whether the set holds UIDs.
   * @returns The FETCH responses that report the new flags.
   */
  async store(
    set: string,
    action: string,
    flags: readonly string[],
    options: UidOptions = {},
  ): Promise<FetchedMessage[]> {
    const reply = await this.command(options.uid ? "UID STORE" : "STORE", [
      set,
      action,
      `(${flags.join(" ")})`,
    ]);
    return readFetch(reply.untagged);
  }

  /**
   * Sends NOOP: the way to poll for new mail.
   *
   * @returns The untagged responses (EXISTS, EXPUNGE, FETCH).
   */
  async noop(): Promise<ImapResponse[]> {
    return (await this.command("NOOP")).untagged;
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
    if (this.#closed) return;
    this.#closed = true;
    this.#line.close();
    this.#transcript?.note("connection closed", this.#clock.now());
  }

  /** Logs out if still connected, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#closed) await this.logout().catch(() => this.close());
  }

  #noteCapabilities(code: string | undefined): void {
    if (code?.toUpperCase().startsWith("CAPABILITY ")) {
      this.#capabilities = code.split(" ").slice(1);
    }
  }

  async #send(tag: string, name: string, args: readonly CommandArg[]): Promise<void> {
    const nonSync = this.#capabilities.includes("LITERAL+");
    let line = `${tag} ${name}`;
    let shown = name === "LOGIN" ? `${tag} LOGIN ${formatArg(args[0] ?? "")} ****` : undefined;
    for (const arg of args) {
      const wire = typeof arg === "string" ? arg : formatAstring(arg.string);
      if (wire !== undefined) {
        line += ` ${wire}`;
        continue;
      }
      const bytes = encoder.encode((arg as { string: string }).string);
      line += ` {${bytes.length}${nonSync ? "+" : ""}}`;
      await this.#write(line, shown);
      if (shown !== undefined) shown = "";
      if (!nonSync) {
        const go = await this.#readResponse();
        if (go.kind !== "continuation") {
          throw new ImapResponseError("NO", "Server refused the literal");
        }
      }
      await this.#writeBytes(bytes, name === "LOGIN" ? "****" : `(${bytes.length} bytes)`);
      line = "";
    }
    await this.#write(line, shown);
  }

  async #write(line: string, shown?: string): Promise<void> {
    await this.#writeBytes(encoder.encode(`${line}\r\n`), shown ?? line);
  }

  async #writeBytes(bytes: Uint8Array, shown: string): Promise<void> {
    if (shown !== "") this.#transcript?.client(shown, this.#clock.now());
    await this.#line.write(bytes);
  }

  async #readResponse(): Promise<ImapResponse> {
    const parser = new ResponseParser();
    for (;;) {
      const line = await this.#readLine();
      this.#transcript?.server(line, this.#clock.now());
      const progress = parser.pushLine(line);
      if (progress.done) {
        if (progress.response.kind === "status" && progress.response.status === "BYE") {
          this.#bye = true;
        }
        return progress.response;
      }
      if (progress.literal.size > MAX_LITERAL) {
        this.close();
        throw new ImapResponseError(
          "BAD",
          `Server literal too large: ${progress.literal.size} bytes`,
        );
      }
      const bytes = await this.#readBytes(progress.literal.size);
      this.#transcript?.server(`(${bytes.length} bytes)`, this.#clock.now());
      parser.pushLiteral(bytes);
    }
  }

  async #readLine(): Promise<string> {
    return await this.#io(() => this.#line.readLine(this.#timeoutMs, "an IMAP response"));
  }

  async #readBytes(size: number): Promise<Uint8Array> {
    return await this.#io(() => this.#line.readBytes(size, this.#timeoutMs));
  }

  /** Reads with the connection's deadline; a timeout or a close ends the client. */
  async #io<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.close();
      if (error instanceof TimeoutError) {
        throw new Deno.errors.TimedOut(
          `No answer from the IMAP server within ${this.#timeoutMs} ms`,
        );
      }
      const why = this.#bye ? "after BYE" : "unexpectedly";
      throw new Deno.errors.ConnectionReset(`The IMAP server closed the connection ${why}`, {
        cause: error,
      });
    }
  }
}
