/**
 * The relay: the SMTP client side of a mail server. It takes the queued messages for one
 * destination domain, finds the domain's servers through the router, and sends the messages over
 * as few connections as it can: one persistent connection (지속 연결) at first, a second one
 * when many messages wait, never more than the per-destination limit.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { type SmtpReply, SmtpReplyError } from "../../protocol/smtp/reply.ts";
import type { TranscriptFactory } from "../../protocol/transcript.ts";
import { SmtpClient, type SmtpTimeouts } from "../../client/smtp_client.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import { isLoopback, type Route, RouteError, type Router } from "./router.ts";

/** One queued message, with the recipients to try at this destination. */
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
  /** The server that answered, as `host:port`, when one did. */
  remote?: string;
}

/**
 * The messages waiting for one destination domain. The relay's connections share it: each
 * takes the next message when it is free, and reports what became of it.
 */
export interface DeliveryBatch {
  /** The destination domain. */
  readonly domain: string;
  /** How many messages wait to be taken. */
  readonly waiting: number;
  /**
   * Takes the next message.
   *
   * @returns The message, or `undefined` when none waits.
   */
  next(): Promise<RelayItem | undefined>;
  /**
   * Records what became of one message's recipients; resolves once that is safely kept.
   *
   * @param item The message.
   * @param outcomes One per recipient.
   */
  report(item: RelayItem, outcomes: RecipientOutcome[]): Promise<void>;
}

/** Something that delivers a destination's messages: the relay, or a stand-in in tests. */
export interface Deliverer {
  /**
   * Delivers every message the batch holds, and reports each.
   *
   * @param batch The destination's messages.
   */
  deliver(batch: DeliveryBatch): Promise<void>;
  /** Breaks off every delivery under way (the server is closing). */
  close?(): void;
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
  /** Connections open at once to one destination domain. @default 2 */
  maxConnectionsPerDestination?: number;
  /** Messages waiting per open connection beyond which another connection opens. @default 10 */
  backlogPerConnection?: number;
}

/** What the relay has done since it was made. */
export interface RelayStats {
  /** TCP connections that reached an SMTP greeting. */
  connections: number;
  /** Messages sent with a 250 at the end of DATA. */
  messages: number;
}

function describe(reply: SmtpReply): string {
  return `${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ""} ${reply.lines.join(" ")}`;
}

function statusOf(reply: SmtpReply): RecipientOutcome["status"] {
  return reply.code < 400 ? "delivered" : reply.code < 500 ? "deferred" : "failed";
}

// A server's reply leads (so that a bounce can quote it as an SMTP diagnostic); a connection
// failure says where it happened first.
function explain(error: unknown, where: string): string {
  const message = (error as Error).message;
  if (error instanceof SmtpReplyError) return `${message} (at ${where})`;
  return message.includes(where.split(" ").at(-1)!) ? message : `${where}: ${message}`;
}

function every(item: RelayItem, outcome: Omit<RecipientOutcome, "address">): RecipientOutcome[] {
  return item.to.map((address) => ({ address, ...outcome }));
}

/** The shared state of one destination's connections. */
interface Run {
  batch: DeliveryBatch;
  routes: Route[];
  workers: Set<Promise<void>>;
}

/**
 * Delivers queued messages to other domains' servers.
 *
 * @example Relay one message to a local server
 * ```ts
 * import assert from "node:assert/strict";
 * import { Relay, type RecipientOutcome } from "./relay.ts";
 * import { StaticRouter } from "./router.ts";
 * import { SmtpServer } from "../smtp/server.ts";
 *
 * await using server = new SmtpServer({ domain: "hamburger.edu" });
 * const relay = new Relay({
 *   router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port: server.port } }),
 *   clientName: "crepes.fr",
 * });
 * const items = [{
 *   id: "q1", from: "alice@crepes.fr", to: ["bob@hamburger.edu"],
 *   message: new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"),
 * }];
 * const seen: RecipientOutcome[] = [];
 * await relay.deliver({
 *   domain: "hamburger.edu",
 *   get waiting() { return items.length; },
 *   next: () => Promise.resolve(items.shift()),
 *   report: (_item, outcomes) => {
 *     seen.push(...outcomes);
 *     return Promise.resolve();
 *   },
 * });
 * assert.equal(seen[0].status, "delivered");
 * assert.deepEqual(relay.stats, { connections: 1, messages: 1 });
 * ```
 */
export class Relay implements Deliverer {
  #options: RelayOptions;
  #clock: Clock;
  #clients = new Set<SmtpClient>();
  #stats: RelayStats = { connections: 0, messages: 0 };

  /**
   * Creates a relay.
   *
   * @param options Router, name, clock, limits and safety settings.
   */
  constructor(options: RelayOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Connections and messages so far. */
  get stats(): RelayStats {
    return { ...this.#stats };
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.#clients.size;
  }

  /**
   * Sends a destination's messages, trying its routes in order, over one connection or a few.
   *
   * @param batch The destination's messages; each is reported, delivered or not.
   */
  async deliver(batch: DeliveryBatch): Promise<void> {
    let routes: Route[];
    try {
      routes = await this.#options.router.routes(batch.domain);
    } catch (error) {
      const permanent = error instanceof RouteError && error.permanent;
      return await drain(batch, {
        status: permanent ? "failed" : "deferred",
        detail: permanent ? `550 5.1.2 ${(error as Error).message}` : `${(error as Error).message}`,
      });
    }
    if (routes.length === 0) {
      return await drain(batch, {
        status: "failed",
        detail: `550 5.1.2 No route to ${batch.domain}`,
      });
    }
    const allowed = routes.filter((r) => this.#options.allowNetwork || isLoopback(r.host));
    if (allowed.length === 0) {
      const where = routes.map((r) => `${r.host}:${r.port}`).join(", ");
      return await drain(batch, {
        status: "failed",
        detail: `550 5.7.0 ${where} is not a loopback address and the lab allows no network`,
      });
    }
    const run: Run = { batch, routes: allowed, workers: new Set() };
    this.#spawn(run);
    while (run.workers.size > 0) await Promise.all([...run.workers]);
  }

  /** Closes every open connection; deliveries under way end with their messages deferred. */
  close(): void {
    for (const client of this.#clients) client.close();
  }

  #spawn(run: Run): void {
    const worker: Promise<void> = this.#work(run).finally(() => run.workers.delete(worker));
    run.workers.add(worker);
  }

  #maybeSpawn(run: Run): void {
    const max = this.#options.maxConnectionsPerDestination ?? 2;
    const backlog = this.#options.backlogPerConnection ?? 10;
    if (run.workers.size < max && run.batch.waiting > backlog * run.workers.size) this.#spawn(run);
  }

  async #connect(run: Run): Promise<{ client: SmtpClient; remote: string } | string> {
    const errors: string[] = [];
    for (const route of run.routes) {
      const remote = `${route.host}:${route.port}`;
      try {
        const client = await SmtpClient.connect({
          hostname: route.host,
          port: route.port,
          clientName: this.#options.clientName,
          clock: this.#clock,
          timeouts: this.#options.timeouts,
          transcript: this.#options.transcripts?.({
            protocol: "SMTP",
            remote,
            local: this.#options.clientName,
          }),
        });
        this.#stats.connections++;
        return { client, remote };
      } catch (error) {
        errors.push(explain(error, `${route.name ? `${route.name} ` : ""}${remote}`));
      }
    }
    return errors.join("; ");
  }

  // One connection's life, then another while each one carries mail: a server that closes after
  // some messages is reconnected to, one that fails before carrying any is left for the retry.
  async #work(run: Run): Promise<void> {
    let lastError = "";
    for (;;) {
      const connected = await this.#connect(run);
      if (typeof connected === "string") {
        lastError = connected;
        break;
      }
      const { client, remote } = connected;
      this.#clients.add(client);
      let carried = 0;
      let next: RelayItem | undefined;
      try {
        await client.hello();
        for (let item = await run.batch.next(); item; item = next) {
          this.#maybeSpawn(run);
          // Taken ahead, so that its commands can follow this message's text (RFC 2920).
          next = await run.batch.next();
          const outcomes = await this.#sendOne(client, item, { remote, next });
          await run.batch.report(item, outcomes);
          if (outcomes.some((o) => o.status === "delivered")) carried++;
          if (client.closed) throw new Error(outcomes[0]?.detail ?? "Connection closed");
        }
        await client.quit().catch(() => {});
        return;
      } catch (error) {
        if (next) {
          const detail = `Not sent: the connection to ${remote} ended`;
          await run.batch.report(next, every(next, { status: "deferred", detail }));
        }
        lastError = explain(error, remote);
        client.close();
      } finally {
        this.#clients.delete(client);
      }
      if (carried === 0) break;
    }
    // The last connection standing leaves nothing behind: what it could not send waits.
    if (run.workers.size <= 1) await drain(run.batch, { status: "deferred", detail: lastError });
  }

  async #sendOne(
    client: SmtpClient,
    item: RelayItem,
    options: { remote: string; next?: RelayItem },
  ): Promise<RecipientOutcome[]> {
    const { remote, next } = options;
    try {
      const result = await client.send({ from: item.from, to: item.to }, item.message, {
        next: next && { envelope: { from: next.from, to: next.to }, message: next.message },
      });
      if (result.reply.code < 300) this.#stats.messages++;
      return item.to.map((address) => {
        if (result.accepted.includes(address)) {
          return { address, status: "delivered", detail: describe(result.reply), remote };
        }
        const reply = result.rejected.find((r) => r.address === address)?.reply ?? result.reply;
        return { address, status: statusOf(reply), detail: describe(reply), remote };
      });
    } catch (error) {
      client.close();
      return every(item, { status: "deferred", detail: (error as Error).message, remote });
    }
  }
}

// Reports what waits now with one outcome. Messages that join the line meanwhile stay for the
// next delivery, which looks the routes up and connects afresh.
async function drain(
  batch: DeliveryBatch,
  outcome: Omit<RecipientOutcome, "address">,
): Promise<void> {
  for (let left = batch.waiting; left > 0; left--) {
    const item = await batch.next();
    if (!item) return;
    await batch.report(item, every(item, outcome));
  }
}
