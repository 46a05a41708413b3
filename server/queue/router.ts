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
}

/** Finds the servers that take a domain's mail, in the order to try them. */
export interface Router {
  /**
   * Looks up a domain.
   *
   * @param domain The domain in lower case.
   * @returns Routes in preference order; empty when the domain has none.
   */
  routes(domain: string): Promise<Route[]>;
}

/**
 * A fixed table of routes, the lab's router.
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

  /**
   * Creates a router from a table.
   *
   * @param table Domain to one route or a list in preference order.
   */
  constructor(table: Record<string, Route | Route[]> = {}) {
    for (const [domain, route] of Object.entries(table)) this.set(domain, route);
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

  /** The domains in the table. */
  get domains(): string[] {
    return [...this.#table.keys()].sort();
  }

  routes(domain: string): Promise<Route[]> {
    return Promise.resolve([...(this.#table.get(domain.toLowerCase()) ?? [])]);
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
