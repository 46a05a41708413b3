/**
 * The HTTP interface on a port: `Deno.serve` in front of {@linkcode HttpApi}, and of the pages
 * a browser asks for (webmail, the lab's page) when a page handler is given.
 *
 * @module
 */
import { HttpApi, type HttpApiOptions } from "./api.ts";
import { HttpFront } from "./front.ts";

/** Options of {@linkcode HttpServer}. */
export interface HttpServerOptions extends HttpApiOptions {
  /** The address to listen on. @default "127.0.0.1" */
  hostname?: string;
  /** The port; 0 picks a free one. @default 0 */
  port?: number;
  /** From a request's first byte to the end of its header, then `408`. @default 30000 */
  headerTimeoutMs?: number;
  /** Silence both ways before a connection is closed. @default 1800000 */
  idleTimeoutMs?: number;
  /** Connections at once (the last fifth kept for newcomers). @default 1000 */
  maxConnections?: number;
  /** Connections at once from one address. @default 100 */
  maxConnectionsPerAddress?: number;
  /** Answers what is not under `/api/` (pages, scripts); 404 when unset. @default none */
  pages?: (request: Request) => Response | Promise<Response>;
}

/**
 * One domain's HTTP interface, listening.
 *
 * @example Ask who is logged in, without a cookie
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { Accounts } from "../accounts.ts";
 * import { mailHandler } from "../mail_handler.ts";
 * import { OutboundQueue } from "../queue/queue.ts";
 * import { MemorySpool } from "../queue/spool.ts";
 * import { MemoryStore } from "../store/memory_store.ts";
 * import { HttpServer } from "./server.ts";
 *
 * const clock = new ManualClock();
 * const accounts = new Accounts({ iterations: 1000 });
 * const store = new MemoryStore({ clock });
 * const queue = new OutboundQueue({ spool: new MemorySpool(), deliverer: { async *deliver() {} }, clock });
 * const handler = mailHandler({ domain: "hamburger.edu", accounts, store, queue, clock });
 * await using server = new HttpServer({ domain: "hamburger.edu", accounts, store, queue, handler, clock });
 * const response = await fetch(`http://127.0.0.1:${server.port}/api/me`);
 * assert.equal(response.status, 401);
 * assert.deepEqual(await response.json(), { error: "Log in first" });
 * ```
 */
export class HttpServer implements AsyncDisposable {
  /** The API behind it. */
  readonly api: HttpApi;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #front!: HttpFront;

  /**
   * Starts listening.
   *
   * @param options The server's parts, address and port.
   */
  constructor(options: HttpServerOptions) {
    this.api = new HttpApi(options);
    const pages = options.pages;
    // Deno.serve listens privately; the front takes the public port (see front.ts).
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request, info) => {
        const remote = this.#front.clientOf(info.remoteAddr.port);
        if (remote === undefined) {
          return new Response("Connect to the HTTP interface's public port\n", { status: 403 });
        }
        const { pathname } = new URL(request.url);
        if (pathname === "/api" || pathname.startsWith("/api/") || !pages) {
          return this.api.handle(request, { remote });
        }
        return pages(request);
      },
    );
    try {
      this.#front = new HttpFront({
        hostname: options.hostname ?? "127.0.0.1",
        port: options.port ?? 0,
        upstreamPort: this.#server.addr.port,
        clock: options.clock,
        headerTimeoutMs: options.headerTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        maxConnections: options.maxConnections,
        maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      });
    } catch (error) {
      this.#server.shutdown();
      throw error;
    }
  }

  /** The port it listens on. */
  get port(): number {
    return this.#front.port;
  }

  /** The address it listens on. */
  get hostname(): string {
    return this.#front.hostname;
  }

  /** Stops listening and ends the connections (event streams included). */
  async close(): Promise<void> {
    this.api.endStreams();
    await this.#front.close();
    await this.#server.shutdown();
  }

  /** Same as {@linkcode HttpServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
