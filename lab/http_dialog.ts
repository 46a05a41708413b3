/**
 * HTTP as the course's transcripts show SMTP and IMAP: each request a `C:` line, each answer an
 * `S:` line with its status and a short view of the body, recorded in a {@linkcode Transcript}
 * that a notebook draws as a sequence diagram. It keeps the session cookie, as a browser does.
 *
 * @module
 */
import { Transcript } from "../protocol/transcript.ts";

/** Options of {@linkcode HttpDialog}. */
export interface HttpDialogOptions {
  /** The server's address, such as `http://127.0.0.1:20080`. */
  base: string;
  /** The client's name in the diagram. @default "browser" */
  client?: string;
  /** The server's name in the diagram. @default the base's host */
  server?: string;
}

/** What one request got back. */
export interface HttpAnswer<T = unknown> {
  /** The status, such as 200. */
  status: number;
  /** The body, parsed when it is JSON. */
  body: T;
}

const SHOWN = 160;

/**
 * A browser-like client that writes its dialog down.
 *
 * @example Log in to a server's HTTP interface and see the dialog
 * ```ts
 * import assert from "node:assert/strict";
 * import { MailServer } from "../server/mail_server.ts";
 * import { HttpDialog } from "./http_dialog.ts";
 *
 * await using server = await MailServer.start({ domain: "hamburger.edu", users: { bob: "pickles" }, passwordIterations: 1000 });
 * const web = new HttpDialog({ base: `http://127.0.0.1:${server.ports.http}`, client: "bob's browser" });
 * const login = await web.request("POST", "/api/login", { user: "bob", password: "pickles" });
 * assert.equal(login.status, 200);
 * assert.deepEqual(web.transcript.lines("C"), ['POST /api/login {"user":"bob","password":"****"}']);
 * assert.match(web.transcript.lines("S")[0], /^200 OK \{"user":"bob"/);
 * ```
 */
export class HttpDialog {
  /** The dialog so far. */
  readonly transcript: Transcript;
  #base: string;
  #cookie = "";

  /**
   * Prepares the client.
   *
   * @param options The server's address and the two names.
   */
  constructor(options: HttpDialogOptions) {
    this.#base = options.base.replace(/\/$/, "");
    this.transcript = new Transcript({
      role: "http",
      title: `HTTP ${options.client ?? "browser"} → ${options.server ?? new URL(this.#base).host}`,
      client: options.client ?? "browser",
      server: options.server ?? new URL(this.#base).host,
    });
  }

  /**
   * Sends one request (JSON when there is a body) and records both sides.
   *
   * @param method `GET`, `POST`, `DELETE`.
   * @param path Such as `/api/mailboxes`.
   * @param body What to send as JSON.
   * @returns The status and the parsed body.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { origin: this.#base };
    if (this.#cookie) headers.cookie = this.#cookie;
    const sent = body === undefined ? undefined : JSON.stringify(body);
    if (sent !== undefined) headers["content-type"] = "application/json";
    // A password is written down as the SMTP and IMAP transcripts write it: hidden.
    const shown = body === undefined
      ? ""
      : ` ${shorten(JSON.stringify(body, (k, v) => k === "password" ? "****" : v))}`;
    this.transcript.client(`${method} ${path}${shown}`, Date.now());
    const response = await fetch(`${this.#base}${path}`, { method, headers, body: sent });
    const cookie = response.headers.get("set-cookie");
    if (cookie) this.#cookie = cookie.split(";")[0];
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    const parsed = type.startsWith("application/json") && text ? JSON.parse(text) : text;
    const reason = response.statusText || "";
    this.transcript.server(
      `${response.status} ${reason}${text ? ` ${shorten(text)}` : ""}`,
      Date.now(),
    );
    return { status: response.status, body: parsed as T };
  }
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > SHOWN ? `${line.slice(0, SHOWN - 1)}…` : line;
}
