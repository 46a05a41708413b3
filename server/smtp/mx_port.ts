/**
 * What answers on a domain's SMTP (MX) port: the real server, nothing at all (stopped, as if the
 * machine were down), or a stand-in that greets every connection with a refusal such as 421 and
 * closes it, as an overloaded server does (RFC 5321 §3.1). The port number stays the same
 * throughout, so routes to it stay right.
 *
 * @module
 */
import { formatReply, type SmtpReply } from "../../protocol/smtp/reply.ts";
import { TcpListener } from "../../runtime/tcp_listener.ts";
import { writeAll } from "../../runtime/transport.ts";
import type { SmtpServer } from "./server.ts";

/** Options of {@linkcode MxPort}. */
export interface MxPortOptions {
  /** The port to open first; 0 picks a free one, kept from then on. @default 0 */
  port?: number;
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
}

/**
 * A domain's SMTP port that can be stopped, started, and made to refuse.
 *
 * @example Stop, start, and refuse with 421
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpServer } from "./server.ts";
 * import { MxPort } from "./mx_port.ts";
 *
 * const port = new MxPort((p) => new SmtpServer({ domain: "hamburger.edu", port: p }));
 * await port.refuse({ code: 421, enhanced: "4.3.2", lines: ["hamburger.edu Service not available"] });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: port.port });
 * const buf = new Uint8Array(200);
 * const n = await conn.read(buf);
 * assert.match(new TextDecoder().decode(buf.subarray(0, n!)), /^421 /);
 * conn.close();
 * await port.stop();
 * assert.equal(port.running, false);
 * await port.refuse(undefined);
 * port.start();
 * assert.equal(port.running, true);
 * await port.close();
 * ```
 */
export class MxPort {
  #listen: (port: number) => SmtpServer;
  #options: MxPortOptions;
  #server?: SmtpServer;
  #refuser?: TcpListener;
  #port: number;
  #wanted = true;
  #refusal: SmtpReply | undefined;

  /**
   * Opens the port at once.
   *
   * @param listen Starts the real server on a port.
   * @param options The port, the address and the faults.
   */
  constructor(listen: (port: number) => SmtpServer, options: MxPortOptions = {}) {
    this.#listen = listen;
    this.#options = options;
    this.#port = options.port ?? 0;
    this.#open();
  }

  /** The port (also while stopped). */
  get port(): number {
    return this.#port;
  }

  /** Whether anything answers on the port (the server, or the 421 stand-in). */
  get running(): boolean {
    return this.#server !== undefined || this.#refuser !== undefined;
  }

  /** The real server while it listens. */
  get server(): SmtpServer | undefined {
    return this.#server;
  }

  /** Closes the port, as if the machine were down. */
  async stop(): Promise<void> {
    this.#wanted = false;
    await this.#shut();
  }

  /**
   * Opens the port again.
   *
   * @param port Another port. @default the port it had
   */
  start(port: number = this.#port): void {
    if (port !== this.#port && this.running) return;
    this.#port = port;
    this.#wanted = true;
    this.#open();
  }

  /** The reply every connection gets while the port refuses, if it does. */
  get refusal(): SmtpReply | undefined {
    return this.#refusal;
  }

  /**
   * Makes the port greet every connection with `reply` and close it, or (with `undefined`) serve
   * again.
   *
   * @param reply The refusal, such as a 421; `undefined` to serve.
   * @returns Once the right listener is on the port.
   */
  async refuse(reply: SmtpReply | undefined): Promise<void> {
    this.#refusal = reply;
    if (!this.#wanted) return;
    const refusing = reply !== undefined;
    if (refusing && this.#server) {
      const server = this.#server;
      this.#server = undefined;
      await server.close(); // says 421 to the sessions under way
      this.#open();
    } else if (!refusing && this.#refuser) {
      // The port is free only once the stand-in's pending accept has ended, a moment later: a
      // connection in that moment is refused, as when a real server restarts.
      const refuser = this.#refuser;
      this.#refuser = undefined;
      await refuser.close();
      this.#open();
    }
  }

  /** Closes whatever listens. */
  async close(): Promise<void> {
    this.#wanted = false;
    await this.#shut();
  }

  async #shut(): Promise<void> {
    const server = this.#server;
    const refuser = this.#refuser;
    this.#server = undefined;
    this.#refuser = undefined;
    await Promise.all([server?.close(), refuser?.close()]);
  }

  #open(): void {
    if (this.running) return;
    const refusal = this.#refusal;
    if (refusal) {
      const goodbye = new TextEncoder().encode(formatReply(refusal, true));
      this.#refuser = new TcpListener((conn) => writeAll(conn, goodbye), {
        hostname: this.#options.hostname,
        port: this.#port,
      });
      this.#port = this.#refuser.port;
    } else {
      this.#server = this.#listen(this.#port);
      this.#port = this.#server.port;
    }
  }
}
