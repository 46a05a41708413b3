/**
 * Routing by DNS, as real mail servers route (RFC 5321 §5.1): the domain's MX records in
 * preference order, each exchanger's A and AAAA addresses in turn; the domain's own addresses
 * when it has no MX ("implicit MX"); and no delivery at all for a null MX (RFC 7505).
 *
 * The resolver is injected: `denoResolver()` asks the system's (or a given) name server through
 * `Deno.resolveDns`; tests and notebooks pass a {@linkcode StubResolver} so that they never
 * touch the network.
 *
 * @module
 */
import { type Route, RouteError, type Router } from "./router.ts";

/** One MX record. */
export interface MxRecord {
  /** Lower is tried first. */
  preference: number;
  /** The exchanger's host name, without a trailing dot; `""` for a null MX (`.`). */
  exchange: string;
}

/**
 * Answers the two questions a mail router asks. Both resolve to `[]` when the name has no such
 * records (NXDOMAIN or no data), and reject when the lookup itself fails (a temporary problem).
 */
export interface Resolver {
  /**
   * The MX records of a domain.
   *
   * @param domain The domain.
   * @returns Its records, in any order.
   */
  mx(domain: string): Promise<MxRecord[]>;
  /**
   * The addresses of a host, IPv4 (A) first, then IPv6 (AAAA).
   *
   * @param host The host name.
   * @returns Its addresses.
   */
  addresses(host: string): Promise<string[]>;
}

/** Options of {@linkcode denoResolver}. */
export interface DenoResolverOptions {
  /** The name server to ask. @default the system's */
  nameServer?: { ipAddr: string; port?: number };
}

function trimDot(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

/**
 * A resolver backed by `Deno.resolveDns` (needs `--allow-net`).
 *
 * @param options The name server.
 * @returns The resolver.
 *
 * @example Build one (it asks the network only when used)
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoResolver } from "./dns_router.ts";
 *
 * assert.equal(typeof denoResolver().mx, "function");
 * ```
 */
export function denoResolver(options: DenoResolverOptions = {}): Resolver {
  const opts = options.nameServer ? { nameServer: options.nameServer } : undefined;
  const orEmpty = <T>(promise: Promise<T[]>): Promise<T[]> =>
    promise.catch((error) => {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    });
  return {
    mx: async (domain) =>
      (await orEmpty(Deno.resolveDns(domain, "MX", opts))).map((r) => ({
        preference: r.preference,
        exchange: trimDot(r.exchange),
      })),
    addresses: async (host) => [
      ...await orEmpty(Deno.resolveDns(host, "A", opts)),
      ...await orEmpty(Deno.resolveDns(host, "AAAA", opts)),
    ],
  };
}

/** The records a {@linkcode StubResolver} answers with. */
export interface StubZone {
  /** MX records by domain. @default {} */
  mx?: Record<string, MxRecord[]>;
  /** Addresses (A and AAAA together) by host. @default {} */
  addresses?: Record<string, string[]>;
  /** Names whose lookups fail, as a name server that does not answer. @default [] */
  failing?: string[];
}

/**
 * A resolver that answers from a table: DNS for tests and notebooks, with no network.
 *
 * @example A null MX, an implicit MX and a failing name server
 * ```ts
 * import assert from "node:assert/strict";
 * import { StubResolver } from "./dns_router.ts";
 *
 * const dns = new StubResolver({
 *   mx: { "nomail.example": [{ preference: 0, exchange: "" }] },
 *   addresses: { "hamburger.edu": ["127.0.0.1"] },
 *   failing: ["broken.example"],
 * });
 * assert.deepEqual(await dns.mx("hamburger.edu"), []);
 * assert.deepEqual(await dns.addresses("hamburger.edu"), ["127.0.0.1"]);
 * await assert.rejects(dns.mx("broken.example"));
 * ```
 */
export class StubResolver implements Resolver {
  #zone: StubZone;

  /**
   * Creates a resolver over a table.
   *
   * @param zone The records.
   */
  constructor(zone: StubZone) {
    this.#zone = zone;
  }

  #check(name: string): void {
    if (this.#zone.failing?.includes(name.toLowerCase())) {
      throw new Error(`The name server did not answer for "${name}"`);
    }
  }

  mx(domain: string): Promise<MxRecord[]> {
    try {
      this.#check(domain);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(structuredClone(this.#zone.mx?.[domain.toLowerCase()] ?? []));
  }

  addresses(host: string): Promise<string[]> {
    try {
      this.#check(host);
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve([...(this.#zone.addresses?.[host.toLowerCase()] ?? [])]);
  }
}

/** Options of {@linkcode DnsRouter}. */
export interface DnsRouterOptions {
  /** Answers the lookups. @default denoResolver() */
  resolver?: Resolver;
  /** The SMTP port of every exchanger (a classroom may use another than 25). @default 25 */
  port?: number;
}

/**
 * Finds a domain's mail servers in DNS.
 *
 * @example MX records in preference order, each exchanger's addresses in turn
 * ```ts
 * import assert from "node:assert/strict";
 * import { DnsRouter, StubResolver } from "./dns_router.ts";
 *
 * const router = new DnsRouter({
 *   port: 2525,
 *   resolver: new StubResolver({
 *     mx: { "hamburger.edu": [{ preference: 20, exchange: "mx2.hamburger.edu" }, { preference: 10, exchange: "mx1.hamburger.edu" }] },
 *     addresses: { "mx1.hamburger.edu": ["127.0.0.1", "::1"], "mx2.hamburger.edu": ["127.0.0.2"] },
 *   }),
 * });
 * assert.deepEqual((await router.routes("hamburger.edu")).map((r) => `${r.name} ${r.host}:${r.port}`), [
 *   "mx1.hamburger.edu 127.0.0.1:2525",
 *   "mx1.hamburger.edu ::1:2525",
 *   "mx2.hamburger.edu 127.0.0.2:2525",
 * ]);
 * ```
 */
export class DnsRouter implements Router {
  #resolver: Resolver;
  #port: number;

  /**
   * Creates a router.
   *
   * @param options The resolver and the port.
   */
  constructor(options: DnsRouterOptions = {}) {
    this.#resolver = options.resolver ?? denoResolver();
    this.#port = options.port ?? 25;
  }

  async routes(domain: string): Promise<Route[]> {
    let records: MxRecord[];
    try {
      records = await this.#resolver.mx(domain);
    } catch (error) {
      throw new RouteError(`Cannot look up the MX records of "${domain}"`, { cause: error });
    }
    if (records.some((r) => r.exchange === "" || r.exchange === ".")) {
      // RFC 7505 §3: a null MX says the domain accepts no mail at all.
      throw new RouteError(`"${domain}" accepts no mail (null MX, RFC 7505)`, { permanent: true });
    }
    // RFC 5321 §5.1: lowest preference first; no MX at all means the domain itself.
    const hosts = records.length === 0
      ? [domain]
      : [...records].sort((a, b) => a.preference - b.preference).map((r) => r.exchange);
    const routes: Route[] = [];
    const failures: unknown[] = [];
    for (const host of new Set(hosts)) {
      try {
        for (const address of await this.#resolver.addresses(host)) {
          routes.push({ host: address, port: this.#port, name: host });
        }
      } catch (error) {
        failures.push(error);
      }
    }
    if (routes.length === 0 && failures.length > 0) {
      throw new RouteError(`Cannot look up the addresses of "${domain}"'s mail servers`, {
        cause: failures[0],
      });
    }
    if (routes.length === 0) {
      throw new RouteError(`"${domain}" has no mail server in DNS`, { permanent: true });
    }
    return routes;
  }
}
