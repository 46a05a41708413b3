/**
 * The two-domain lab of the HTTP tests, in memory on free ports, and a small cookie-keeping
 * client for its HTTP interfaces.
 *
 * @module
 */
import { MailServer } from "../../server/mail_server.ts";
import { StaticRouter } from "../../server/queue/router.ts";

/** crepes.fr (alice) and hamburger.edu (bob), routed to each other. */
export interface WebLab extends AsyncDisposable {
  crepes: MailServer;
  hamburger: MailServer;
}

/** Starts the two servers. */
export async function webLab(): Promise<WebLab> {
  const router = new StaticRouter();
  const start = (domain: string, users: Record<string, string>) =>
    MailServer.start({ domain, users, router, passwordIterations: 1000 });
  const crepes = await start("crepes.fr", { alice: "ketchup" });
  const hamburger = await start("hamburger.edu", { bob: "pickles" });
  router.set("crepes.fr", { host: "127.0.0.1", port: crepes.ports.smtp });
  router.set("hamburger.edu", { host: "127.0.0.1", port: hamburger.ports.smtp });
  return {
    crepes,
    hamburger,
    [Symbol.asyncDispose]: async () => {
      await Promise.all([crepes.close(), hamburger.close()]);
    },
  };
}

/** A browser-like client of one HTTP interface: keeps the session cookie, says its origin. */
export class WebClient {
  readonly base: string;
  cookie = "";

  constructor(server: MailServer) {
    this.base = `http://127.0.0.1:${server.ports.http}`;
  }

  /** Logs in; throws unless the server said 200. */
  static async login(server: MailServer, user: string, password: string): Promise<WebClient> {
    const client = new WebClient(server);
    const response = await client.post("/api/login", { user, password });
    if (response.status !== 200) {
      throw new Error(`login: ${response.status} ${await response.text()}`);
    }
    await response.body?.cancel();
    return client;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie && !headers.has("cookie")) headers.set("cookie", this.cookie);
    const response = await fetch(`${this.base}${path}`, { ...init, headers });
    const set = response.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0];
    return response;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  async json<T = unknown>(path: string): Promise<T> {
    const response = await this.get(path);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return await response.json() as T;
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", origin: this.base, ...headers },
      body: JSON.stringify(body),
    });
  }
}
