/**
 * Who is logged in to the HTTP interface: a random token in a cookie that scripts cannot read
 * (HttpOnly) and that no other site's page sends (SameSite=Strict), and how often a login may
 * fail before the interface makes the next one wait.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";

/**
 * The session cookie's name for a mail domain. Cookies belong to a host, not to a port, so the
 * lab's two webmails on 127.0.0.1 would share one cookie and log each other out; each domain's
 * server has its own name.
 *
 * @param domain The mail domain.
 * @returns Such as `session_crepes_fr`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sessionCookieName } from "./sessions.ts";
 *
 * assert.equal(sessionCookieName("hamburger.edu"), "session_hamburger_edu");
 * ```
 */
export function sessionCookieName(domain: string): string {
  return `session_${domain.toLowerCase().replace(/[^a-z0-9]/g, "_")}`;
}

/** One logged-in browser or client. */
export interface HttpSession {
  /** The user's name in the store (the local part). */
  user: string;
  /** When it was last used, by the clock. */
  lastUsed: number;
}

/**
 * The logged-in sessions, forgotten after `idleMs` without a request.
 *
 * @example Log in, find the session by the cookie, log out
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../../protocol/clock.ts";
 * import { HttpSessions } from "./sessions.ts";
 *
 * const sessions = new HttpSessions({ clock: new ManualClock() });
 * const cookie = sessions.open("bob");
 * assert.match(cookie, /HttpOnly; SameSite=Strict/);
 * const request = new Request("http://x/", { headers: { cookie: cookie.split(";")[0] } });
 * assert.equal(sessions.find(request)?.user, "bob");
 * sessions.close(request);
 * assert.equal(sessions.find(request), undefined);
 * ```
 */
export class HttpSessions {
  #sessions = new Map<string, HttpSession>();
  #clock: Clock;
  #idleMs: number;
  #cookie: string;

  /**
   * Starts with nobody logged in.
   *
   * @param options The clock, the mail domain (for the cookie's name), and how long an unused
   *   session lasts (default 8 hours).
   */
  constructor(options: { clock: Clock; domain?: string; idleMs?: number }) {
    this.#clock = options.clock;
    this.#idleMs = options.idleMs ?? 8 * 3600_000;
    this.#cookie = sessionCookieName(options.domain ?? "mail");
  }

  /**
   * Opens a session for a user who just logged in.
   *
   * @param user The user.
   * @returns The `Set-Cookie` value that carries it.
   */
  open(user: string): string {
    const token = randomToken();
    this.#sessions.set(token, { user, lastUsed: this.#clock.now() });
    return `${this.#cookie}=${token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  /**
   * The session a request's cookie names, when it is still open.
   *
   * @param request The request.
   * @returns The session, or undefined.
   */
  find(request: Request): HttpSession | undefined {
    const token = tokenOf(request, this.#cookie);
    const session = token === undefined ? undefined : this.#sessions.get(token);
    if (!session) return undefined;
    const now = this.#clock.now();
    if (now - session.lastUsed > this.#idleMs) {
      this.#sessions.delete(token!);
      return undefined;
    }
    session.lastUsed = now;
    return session;
  }

  /**
   * Ends the session a request's cookie names.
   *
   * @param request The request.
   * @returns The `Set-Cookie` value that clears the cookie.
   */
  close(request: Request): string {
    const token = tokenOf(request, this.#cookie);
    if (token !== undefined) this.#sessions.delete(token);
    return `${this.#cookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function tokenOf(request: Request, cookie: string): string | undefined {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === cookie) return value.join("=");
  }
  return undefined;
}
