/**
 * The relay: the SMTP client side of a mail server. It takes queued messages for one domain,
 * finds the domain's server through the router, and sends them all over one connection.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import type { TranscriptFactory } from "../../protocol/transcript.ts";
import { SmtpClient, type SmtpTimeouts } from "../../client/smtp_client.ts";
import { systemClock } from "../../client/system_clock.ts";
import { isLoopback, type Route, type Router } from "./router.ts";

/** One queued message, with the recipients to try at this domain. */
export interface RelayItem {
  /** The queue identifier. */
  id: string;
  /** The envelope sender. */
  from: string;
  /** The recipients at this domain still pending. */
  to: string[];
  /** The message. */
  message: Uint8Array;
}

/** What became of one recipient in one attempt. */
export interface RecipientOutcome {
  /** The recipient. */
  address: string;
  /** Delivered; deferred (try again later: 4xx, no connection); or failed for good (5xx). */
  status: "delivered" | "deferred" | "failed";
  /** The reply or error, as text. */
  detail: string;
}

/** Options of {@linkcode Relay}. */
export interface RelayOptions {
  /** Finds each domain's servers. */
  router: Router;
  /** The name this server gives in EHLO. */
  clientName: string;
  /** Times deadlines and transcripts. @default the system clock */
  clock?: Clock;
  /** Decides per connection whether to record a transcript. @default record nothing */
  transcripts?: TranscriptFactory;
  /**
   * Allow destinations outside 127.0.0.0/8 and ::1. Off by default, so a lab or a notebook never
   * sends mail to the Internet by accident.
   * @default false
   */
  allowNetwork?: boolean;
  /** SMTP client deadlines. @default RFC 5321 §4.5.3.2 */
  timeouts?: Partial<SmtpTimeouts>;
}

function describe(reply: SmtpReply): string {
  return `${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ""} ${reply.lines.join(" ")}`;
}

function statusOf(reply: SmtpReply): RecipientOutcome["status"] {
  return reply.code < 400 ? "delivered" : reply.code < 500 ? "deferred" : "failed";
}

/**
 * Delivers queued messages to other domains' servers.
 *
 * @example Relay one message to a local server
 * ```ts
 * import assert from "node:assert/strict";
 * import { Relay } from "./relay.ts";
 * import { StaticRouter } from "./router.ts";
 * import { SmtpServer } from "../smtp/server.ts";
 *
 * await using server = new SmtpServer({ domain: "hamburger.edu" });
 * const relay = new Relay({
 *   router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: server.port } }),
 *   clientName: "crepes.fr",
 * });
 * const outcomes = await relay.deliver("hamburger.edu", [{
 *   id: "q1", from: "alice@crepes.fr", to: ["bob@hamburger.edu"],
 *   message: new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"),
 * }]);
 * assert.equal(outcomes.get("q1")?.[0].status, "delivered");
 * ```
 */
export class Relay {
  #options: RelayOptions;
  #clock: Clock;

  /**
   * Creates a relay.
   *
   * @param options Router, name, clock and safety settings.
   */
  constructor(options: RelayOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Sends messages to one domain over one connection, trying its routes in order.
   *
   * @param domain The destination domain.
   * @param items The messages and their recipients at that domain.
   * @returns Each message's per-recipient outcomes, by queue identifier.
   */
  async deliver(domain: string, items: RelayItem[]): Promise<Map<string, RecipientOutcome[]>> {
    const all = (status: RecipientOutcome["status"], detail: string) =>
      new Map(
        items.map((item) => [item.id, item.to.map((address) => ({ address, status, detail }))]),
      );
    let routes: Route[];
    try {
      routes = await this.#options.router.routes(domain);
    } catch (error) {
      return all("deferred", `Cannot look up ${domain}: ${(error as Error).message}`);
    }
    if (routes.length === 0) return all("failed", `No route to ${domain}`);
    const errors: string[] = [];
    for (const route of routes) {
      if (!this.#options.allowNetwork && !isLoopback(route.host)) {
        errors.push(
          `${route.host}:${route.port} is not a loopback address (the lab allows no network)`,
        );
        continue;
      }
      let client: SmtpClient;
      try {
        client = await SmtpClient.connect({
          hostname: route.host,
          port: route.port,
          clientName: this.#options.clientName,
          clock: this.#clock,
          timeouts: this.#options.timeouts,
          transcript: this.#options.transcripts?.({
            protocol: "SMTP",
            remote: `${route.host}:${route.port}`,
            local: this.#options.clientName,
          }),
        });
      } catch (error) {
        errors.push(`${route.host}:${route.port}: ${(error as Error).message}`);
        continue;
      }
      return await this.#sendAll(client, items);
    }
    const allRefused = errors.every((e) => e.includes("not a loopback address"));
    return all(allRefused ? "failed" : "deferred", errors.join("; "));
  }

  async #sendAll(client: SmtpClient, items: RelayItem[]): Promise<Map<string, RecipientOutcome[]>> {
    const outcomes = new Map<string, RecipientOutcome[]>();
    try {
      await client.hello();
      for (const item of items) {
        const result = await client.send({ from: item.from, to: item.to }, item.message);
        const finalStatus = statusOf(result.reply);
        const list: RecipientOutcome[] = result.rejected.map(({ address, reply }) => ({
          address,
          status: statusOf(reply),
          detail: describe(reply),
        }));
        for (const address of item.to) {
          if (list.some((o) => o.address === address)) continue;
          list.push({ address, status: finalStatus, detail: describe(result.reply) });
        }
        outcomes.set(item.id, list);
      }
      await client.quit();
    } catch (error) {
      client.close();
      const detail = (error as Error).message;
      for (const item of items) {
        if (!outcomes.has(item.id)) {
          outcomes.set(
            item.id,
            item.to.map((address) => ({ address, status: "deferred", detail })),
          );
        }
      }
    }
    return outcomes;
  }
}
