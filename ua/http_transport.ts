/**
 * How the user agent talks to its server's HTTP interface (`server/http/api.ts`): it logs in
 * once (`POST /api/login`), keeps the session cookie from `Set-Cookie` and sends it back in
 * `Cookie:`, logs in again when the session has expired (401), and sends no `Origin:` (the
 * server accepts a state-changing request without one from a client that is not a browser).
 * A server that cannot be reached becomes a `ServerConnectionError` naming "the HTTP interface"
 * and its host and port; a refused login, a `LoginRefusedError`; any other refusal, an
 * `HttpResponseError` with the status and the server's sentence.
 *
 * ```
 * C: POST /api/login {"user":"bob","password":"****"}
 * S: 200 {"user":"bob","address":"bob@hamburger.edu","domain":"hamburger.edu"}
 *    Set-Cookie: session_hamburger_edu=...; HttpOnly; SameSite=Strict
 * C: GET /api/mailboxes                      (Cookie: session_hamburger_edu=...)
 * S: 200 [{"name":"INBOX","messages":1,"unseen":1}, ...]
 * ```
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import type { Transcript } from "../protocol/transcript.ts";
import {
  type Endpoint,
  formatEndpoint,
  HttpResponseError,
  LoginRefusedError,
  ServerConnectionError,
} from "./errors.ts";

/** What the transport needs: the server, the account, the deadline and the recorder. */
export interface HttpTransportOptions {
  /** The server's HTTP interface. */
  endpoint: Endpoint;
  /** The login name. */
  user: string;
  /** The password. */
  password: string;
  /** Times the dialog's lines. */
  clock: Clock;
  /** How long to wait for each answer, in milliseconds. */
  timeoutMs: number;
  /** Called once, at the first request, to record the dialog. @default no recording */
  record?: () => Transcript | undefined;
}

/** One request: its query, and a JSON or raw body. */
export interface HttpRequest {
  /** Query parameters; an array repeats the name (`?to=a&to=b`). */
  query?: Record<string, string | number | readonly string[]>;
  /** A body sent as JSON. */
  json?: unknown;
  /** A body sent as is, with its type. */
  body?: { bytes: Uint8Array; type: string };
  /** Stops the request. */
  signal?: AbortSignal;
}

/** The JSON of a refusal. */
interface Refusal {
  error?: string;
  field?: string;
}

/** Why a request failed to reach the server, in a few words, from the runtime's error. */
function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `no answer within ${
      timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`
    }`;
  }
  // Deno's fetch says "fetch failed", and the socket's own error is its cause.
  const text = String((error as Error)?.cause ?? (error as Error)?.message ?? error);
  if (/connection refused/i.test(text)) return "connection refused";
  if (/connection reset/i.test(text)) return "connection reset";
  if (/dns error|lookup|resolve/i.test(text)) return "unknown host";
  if (/closed|incomplete|unexpected eof/i.test(text)) return "the server closed the connection";
  return text.replace(/^(Type)?Error: /, "").replace(/ \(os error \d+\)/g, "");
}

/**
 * A logged-in session with one server's HTTP interface.
 *
 * @example Bob lists his mailboxes over HTTP
 * ```ts
 * import assert from "node:assert/strict";
 * import { MailServer } from "../server/mail_server.ts";
 * import { systemClock } from "../runtime/system_clock.ts";
 * import { HttpTransport } from "./http_transport.ts";
 *
 * await using server = await MailServer.start({ domain: "hamburger.edu", users: { bob: "pickles" }, passwordIterations: 1000 });
 * const http = new HttpTransport({
 *   endpoint: { hostname: "127.0.0.1", port: server.ports.http },
 *   user: "bob",
 *   password: "pickles",
 *   clock: systemClock,
 *   timeoutMs: 5000,
 * });
 * const boxes = await http.json<{ name: string }[]>("GET", "/api/mailboxes");
 * assert.equal(boxes[0].name, "INBOX");
 * ```
 */
export class HttpTransport {
  #options: HttpTransportOptions;
  #base: string;
  #cookie?: string;
  #transcript?: Transcript;
  #recording = false;
  #bodies = new WeakMap<Response, AbortController>();

  /**
   * Prepares the session; it logs in at the first request.
   *
   * @param options The server, the account, the deadline and the recorder.
   */
  constructor(options: HttpTransportOptions) {
    this.#options = options;
    this.#base = `http://${formatEndpoint(options.endpoint)}`;
  }

  /** The server's HTTP interface. */
  get endpoint(): Endpoint {
    return this.#options.endpoint;
  }

  /**
   * Sends a request and reads its JSON answer.
   *
   * @param method Such as `GET`.
   * @param path Such as `/api/mailboxes`.
   * @param request The query and the body.
   * @returns The answer's JSON.
   */
  async json<T>(method: string, path: string, request: HttpRequest = {}): Promise<T> {
    const response = await this.request(method, path, request);
    return await this.#read(response, (r) => r.json()) as T;
  }

  /**
   * Sends a request and reads its answer's bytes, exactly as sent.
   *
   * @param method Such as `GET`.
   * @param path Such as `/api/mailboxes/INBOX/messages/1/raw`.
   * @returns The bytes.
   */
  async bytes(method: string, path: string): Promise<Uint8Array> {
    const response = await this.request(method, path);
    return new Uint8Array(await this.#read(response, (r) => r.arrayBuffer()));
  }

  /**
   * Sends a request, logged in (logging in again once if the session expired), and returns the
   * answer when it is a success.
   *
   * @param method Such as `POST`.
   * @param path Such as `/api/submit`.
   * @param request The query and the body.
   * @returns The response, its body not read yet.
   * @throws {ServerConnectionError} When the server cannot be reached or does not answer.
   * @throws {LoginRefusedError} When the server refuses the login.
   * @throws {HttpResponseError} When the server refuses the request.
   */
  async request(method: string, path: string, request: HttpRequest = {}): Promise<Response> {
    if (this.#cookie === undefined) await this.#login();
    let response = await this.#send(method, path, request);
    if (response.status === 401) {
      await response.body?.cancel();
      await this.#login();
      response = await this.#send(method, path, request);
    }
    if (!response.ok) throw await this.#refusal(response);
    return response;
  }

  async #login(): Promise<void> {
    const { user, password } = this.#options;
    const response = await this.#send("POST", "/api/login", { json: { user, password } });
    if (!response.ok) {
      const error = await this.#refusal(response);
      if (response.status !== 401) throw error;
      throw new LoginRefusedError("HTTP", this.#options.endpoint, {
        user,
        said: (error as HttpResponseError).said,
        cause: error,
      });
    }
    await response.body?.cancel();
    const cookie = response.headers.getSetCookie()[0]?.split(";")[0];
    if (!cookie) {
      throw new HttpResponseError(this.#options.endpoint, {
        status: response.status,
        said: "a login without a session cookie",
      });
    }
    this.#cookie = cookie;
  }

  async #send(method: string, path: string, request: HttpRequest): Promise<Response> {
    const url = new URL(path, this.#base);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const one of typeof value === "object" ? value : [value]) {
        url.searchParams.append(name, String(one));
      }
    }
    const headers: Record<string, string> = {};
    if (this.#cookie) headers.cookie = this.#cookie;
    let body: BodyInit | undefined;
    if (request.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.json);
    } else if (request.body) {
      headers["content-type"] = request.body.type;
      body = request.body.bytes as Uint8Array<ArrayBuffer>;
    }
    this.#note("client", `${method} ${url.pathname}${url.search}${shown(request)}`);
    const controller = new AbortController();
    const signal = request.signal
      ? AbortSignal.any([controller.signal, request.signal])
      : controller.signal;
    const timer = this.#deadline(controller);
    try {
      const response = await fetch(url, { method, headers, body, signal });
      this.#note("server", `${response.status} ${response.statusText}`.trim());
      this.#bodies.set(response, controller);
      return response;
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw this.#lost(error, false);
    } finally {
      clearTimeout(timer);
    }
  }

  // Each wait has its own deadline (the headers, then the body), as the IMAP client's answers
  // do; an event stream's body has none.
  #deadline(controller: AbortController): ReturnType<typeof setTimeout> {
    const ms = this.#options.timeoutMs;
    return setTimeout(() => controller.abort(new DOMException("No answer", "TimeoutError")), ms);
  }

  /** Reads a body within the deadline; a body cut short is a lost connection. */
  async #read<T>(response: Response, read: (response: Response) => Promise<T>): Promise<T> {
    const controller = this.#bodies.get(response);
    const timer = controller && this.#deadline(controller);
    try {
      return await read(response);
    } catch (error) {
      throw this.#lost(error, true);
    } finally {
      clearTimeout(timer);
    }
  }

  async #refusal(response: Response): Promise<HttpResponseError> {
    let refusal: Refusal = {};
    try {
      refusal = await this.#read(response, (r) => r.json()) as Refusal;
    } catch {
      // Not JSON (a proxy's page, say): the status text says enough.
    }
    const said = refusal.error ?? (response.statusText || "no reason given");
    this.#note("server", `  ${said}`);
    return new HttpResponseError(this.#options.endpoint, {
      status: response.status,
      said,
      ...(refusal.field ? { field: refusal.field } : {}),
    });
  }

  #lost(error: unknown, connected: boolean): ServerConnectionError {
    return new ServerConnectionError("HTTP", this.#options.endpoint, {
      reason: reasonOf(error, this.#options.timeoutMs),
      connected,
      cause: error,
    });
  }

  #note(side: "client" | "server", line: string): void {
    if (!this.#recording) {
      this.#recording = true;
      this.#transcript = this.#options.record?.();
    }
    this.#transcript?.[side](line, this.#options.clock.now());
  }
}

// A password is written down as the SMTP and IMAP transcripts write it: hidden.
function shown(request: HttpRequest): string {
  if (request.body) return ` (${request.body.bytes.length} bytes of ${request.body.type})`;
  if (request.json === undefined) return "";
  return ` ${JSON.stringify(request.json, (k, v) => k === "password" ? "****" : v)}`;
}
