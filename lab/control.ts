/**
 * The lab's control endpoint: how `deno task queue` and `deno task fault` reach a running lab.
 * A tiny HTTP server on 127.0.0.1 only, on a free port, that answers only requests carrying a
 * random token. The lab writes the port and the token to `<dataDir>/control.json` (readable by
 * its owner only) and removes the file when it stops; the CLIs read it there.
 *
 * ```
 * GET    /queue?domain=D&server=S   the queued messages (JSON)
 * GET    /queue/ID                  one message
 * POST   /queue/flush               {"domain"?, "server"?}: make them due now
 * DELETE /queue/ID                  delete without a bounce
 * POST   /fault                     {"domain", "words": ["451", "--for", "10m"]}
 * GET    /?token=T                  the lab's page (see page.ts), /state and /events for it
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { type Claim, claimFile } from "./data_lock.ts";
import type { Lab } from "./lab.ts";
import { deleteQueued, findQueued, flushQueues, parseFault, queuedEntries } from "./operator.ts";
import { labPage, PUBLIC_ASSETS } from "./page.ts";

/** What `control.json` holds. */
export interface ControlInfo {
  /** The endpoint, such as `http://127.0.0.1:43210`. */
  url: string;
  /** The token to send as `Authorization: Bearer <token>`. */
  token: string;
  /** The lab's process. */
  pid: number;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function same(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The endpoint's requests as a function of `Request`, testable without a socket.
 *
 * @param lab The running lab.
 * @param token The token every request must carry.
 * @returns The handler.
 *
 * @example List the queues
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lab } from "./lab.ts";
 * import { controlHandler } from "./control.ts";
 *
 * await using lab = await Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000 });
 * const handle = controlHandler(lab, "secret");
 * const denied = await handle(new Request("http://127.0.0.1/queue"));
 * assert.equal(denied.status, 401);
 * const listed = await handle(new Request("http://127.0.0.1/queue", { headers: { authorization: "Bearer secret" } }));
 * assert.deepEqual((await listed.json()).entries, []);
 * ```
 */
export function controlHandler(
  lab: Lab,
  token: string,
  closing?: AbortSignal,
): (request: Request) => Promise<Response> {
  const page = labPage(lab, closing);
  return async (request) => {
    const url = new URL(request.url);
    // The page's script and style hold no data: a browser fetches them without the token.
    if (PUBLIC_ASSETS.has(url.pathname)) return (await page(request, url.pathname))!;
    // The lab's page is for a browser, which cannot send the header: its GETs may carry the
    // token in the address instead (as a notebook server's link does).
    const auth = request.headers.get("authorization") ??
      (request.method === "GET" ? `Bearer ${url.searchParams.get("token") ?? ""}` : "");
    if (!same(auth, `Bearer ${token}`)) return json({ error: "Missing or wrong token" }, 401);
    const path = url.pathname.replace(/\/+$/, "");
    const shown = await page(request, path);
    if (shown) return shown;
    const id = /^\/queue\/([A-Za-z0-9_-]{1,64})$/.exec(path)?.[1];
    const body = request.method === "POST"
      ? await request.json().catch(() => ({})) as Record<string, unknown>
      : {};
    const now = lab.clock.now();
    try {
      if (request.method === "GET" && path === "/queue") {
        const filter = {
          domain: url.searchParams.get("domain") ?? undefined,
          server: url.searchParams.get("server") ?? undefined,
        };
        return json({ now, entries: queuedEntries(lab.servers, filter) });
      }
      if (request.method === "POST" && path === "/queue/flush") {
        const filter = {
          domain: body.domain as string | undefined,
          server: body.server as string | undefined,
        };
        return json({ flushed: flushQueues(lab.servers, filter) });
      }
      if (request.method === "GET" && id) {
        const found = findQueued(lab.servers, id);
        return found
          ? json({ now, server: found.server.domain, entry: found.entry })
          : json({ error: `No queued message "${id}"` }, 404);
      }
      if (request.method === "DELETE" && id) {
        return await deleteQueued(lab.servers, id)
          ? json({ deleted: id })
          : json({ error: `No queued message "${id}"` }, 404);
      }
      if (request.method === "POST" && path === "/fault") {
        const { action, options } = parseFault((body.words ?? []) as string[]);
        return json({ state: await lab.fault(String(body.domain ?? ""), action, options) });
      }
    } catch (error) {
      return json({ error: (error as Error).message }, 400);
    }
    return json({ error: `No such request "${request.method} ${path}"` }, 404);
  };
}

/** Options of {@linkcode ControlServer.start}. */
export interface ControlServerOptions {
  /** Where to write `control.json`. @default the lab's data directory */
  dir?: string;
}

/** The running control endpoint. */
export class ControlServer implements AsyncDisposable {
  /** Where the CLIs find it. */
  readonly info: ControlInfo;
  /** The file holding `info`. */
  readonly file: string;
  #server: Deno.HttpServer;
  #closing: AbortController;
  #claim: Claim;

  private constructor(
    server: Deno.HttpServer,
    info: ControlInfo,
    claim: Claim,
    closing: AbortController,
  ) {
    this.#server = server;
    this.#closing = closing;
    this.#claim = claim;
    this.info = info;
    this.file = claim.file;
  }

  /**
   * Starts the endpoint on 127.0.0.1 and writes `control.json`.
   *
   * @param lab The running lab.
   * @param options Where to write the file.
   * @returns The endpoint.
   */
  static async start(lab: Lab, options: ControlServerOptions = {}): Promise<ControlServer> {
    const token = Array.from(crypto.getRandomValues(new Uint8Array(24)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const closing = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      controlHandler(lab, token, closing.signal),
    );
    const info = { url: `http://127.0.0.1:${server.addr.port}`, token, pid: Deno.pid };
    const dir = options.dir ?? lab.config.dataDir;
    await Deno.mkdir(dir, { recursive: true });
    // A crashed lab's file is taken over; a running lab's is not touched (nor, when this one
    // stops, deleted).
    let claim: Claim;
    try {
      claim = await claimFile(join(dir, "control.json"), { url: info.url, token });
    } catch (error) {
      await server.shutdown();
      throw error;
    }
    return new ControlServer(server, info, claim, closing);
  }

  /** Stops the endpoint and removes `control.json`. */
  async close(): Promise<void> {
    await this.#claim.release();
    this.#closing.abort(); // the lab page's event streams end, so shutdown does not wait on them
    await this.#server.shutdown();
  }

  /** Same as {@linkcode ControlServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
