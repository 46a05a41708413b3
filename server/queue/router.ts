/**
 * Where a domain's mail goes. The lab uses a static table (domain → host and port); a classroom
 * of several machines can use DNS MX records instead.
 *
 * @module
 */

/** One place to deliver a domain's mail. */
export interface Route {
  /** A host name or IP address. */
  host: string;
  /** The SMTP port. */
  port: number;
  /** The mail exchanger's name when `host` is one of its addresses (DNS). */
  name?: string;
}

/**
 * A domain's routes could not be found. `permanent` is true when the answer is final (no such
 * domain, a null MX): the queue then fails the recipients at once instead of retrying.
 */
export class RouteError extends Error {
  /** Whether trying again later cannot help. */
  readonly permanent: boolean;
  /**
   * Creates the error.
   *
   * @param message What failed, quoting the domain.
   * @param options Whether it is permanent, and the cause.
   */
  constructor(message: string, options: ErrorOptions & { permanent?: boolean } = {}) {
    super(message, options);
    this.name = "RouteError";
    this.permanent = options.permanent ?? false;
  }
}

/** Finds the servers that take a domain's mail, in the order to try them. */
export interface Router {
  /**
   * Looks up a domain.
   *
   * @param domain The domain in lower case.
   * @returns Routes in preference order; empty when the domain has none.
   * @throws {RouteError} When the lookup fails (temporarily, or for good).
   */
  routes(domain: string): Promise<Route[]>;
}

/** Options of {@linkcode StaticRouter}. */
export interface StaticRouterOptions {
  /** Asked about domains the table does not hold (a `DnsRouter` in a classroom). @default none: such domains have no route */
  fallback?: Router;
}

/**
 * A fixed table of routes, the lab's router, optionally falling back to another router (DNS) for
 * the domains it does not hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StaticRouter } from "./router.ts";
 *
 * const router = new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: 20025 } });
 * assert.deepEqual(await router.routes("Hamburger.EDU"), [{ host: "127.0.0.1", port: 20025 }]);
 * assert.deepEqual(await router.routes("example.com"), []);
 * ```
 */
export class StaticRouter implements Router {
  #table = new Map<string, Route[]>();
  #fallback?: Router;

  /**
   * Creates a router from a table.
   *
   * @param table Domain to one route or a list in preference order.
   * @param options A router for the other domains.
   */
  constructor(table: Record<string, Route | Route[]> = {}, options: StaticRouterOptions = {}) {
    for (const [domain, route] of Object.entries(table)) this.set(domain, route);
    this.#fallback = options.fallback;
  }

  /**
   * Adds or replaces a domain's routes.
   *
   * @param domain The domain.
   * @param route One route or a list in preference order.
   */
  set(domain: string, route: Route | Route[]): void {
    this.#table.set(domain.toLowerCase(), Array.isArray(route) ? [...route] : [route]);
  }

  /**
   * Removes a domain.
   *
   * @param domain The domain.
   */
  delete(domain: string): void {
    this.#table.delete(domain.toLowerCase());
  }

  routes(domain: string): Promise<Route[]> {
    const routes = this.#table.get(domain.toLowerCase());
    if (!routes && this.#fallback) return this.#fallback.routes(domain);
    return Promise.resolve([...(routes ?? [])]);
  }
}

/**
 * Whether a host is a loopback address (127.0.0.0/8, ::1, localhost): the only places the relay
 * sends to unless the lab's configuration allows a network.
 *
 * @param host A host name or IP address.
 * @returns True for loopback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./router.ts";
 *
 * assert.equal(isLoopback("127.0.0.2"), true);
 * assert.equal(isLoopback("::1"), true);
 * assert.equal(isLoopback("192.0.2.1"), false);
 * assert.equal(isLoopback("mx.example.com"), false);
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && v4[1] === "127" && v4.slice(2).every((n) => Number(n) <= 255);
}
