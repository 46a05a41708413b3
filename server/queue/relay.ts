/**
 * The relay: the SMTP client side of a mail server. It takes the queued messages for one
 * destination domain, finds the domain's servers through the router, and sends the messages over
 * as few connections as it can: one persistent connection (지속 연결) at first, a second one
 * when many messages wait, never more than the per-destination limit. What became of each
 * recipient comes back with the server's reply and the step it answered.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import { SmtpReplyError } from "../../protocol/smtp/reply.ts";
import type { TranscriptFactory } from "../../protocol/transcript.ts";
import {
  CannotConnectError,
  type ClientTlsPolicy,
  type SendManyResult,
  SmtpClient,
  type SmtpTimeouts,
  StartTlsError,
} from "../../client/smtp_client.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import {
  type Deliverer,
  type DeliveryResult,
  type DeliveryStep,
  type Destination,
  outcomesFor,
  type RecipientOutcome,
  type RelayItem,
  statusOfReply,
} from "./delivery.ts";
import { answerWaiting, type CommonOutcome, RelayRun } from "./relay_run.ts";
import { isLoopback, type Route, RouteError, type Router } from "./router.ts";

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
  /**
   * STARTTLS towards the next server (RFC 3207): opportunistic, or `required`, trusting `ca`;
   * the certificate must name the MX host (or its address). Each relay transcript shows it.
   * @default no TLS
   */
  tls?: ClientTlsPolicy;
}

/** What the relay has done since it was made. */
export interface RelayStats {
  /** TCP connections that reached an SMTP greeting. */
  connections: number;
  /** Messages sent with a 250 at the end of DATA. */
  messages: number;
}

// A connection that failed before any message: nothing was said about a message, so it waits.
function failure(step: DeliveryStep, error: unknown, remote?: string): CommonOutcome {
  const said = error instanceof SmtpReplyError
    ? { reply: error.reply }
    : { error: (error as Error).message };
  return { status: "deferred", step, ...said, ...(remote ? { remote } : {}) };
}

// What the messages left behind get when a connection broke in another message's transaction.
function notSent(error: Error, remote: string): CommonOutcome {
  const text = `Not sent, the connection to ${remote} ended: ${error.message}`;
  return { status: "deferred", step: "mail", error: text, remote };
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
 * const items = [{
 *   id: "q1",
 *   envelope: { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
 *   message: new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"),
 * }];
 * for await (const { outcomes: [bob] } of relay.deliver({ domain: "hamburger.edu", waiting: 1 }, items)) {
 *   assert.equal(bob.status, "delivered");
 *   assert.equal(bob.step, "end of data");
 *   assert.equal(bob.reply?.code, 250);
 * }
 * assert.deepEqual(relay.stats, { connections: 1, messages: 1 });
 * ```
 */
export class Relay implements Deliverer {
  #options: RelayOptions;
  #clock: Clock;
  #clients = new Set<SmtpClient>();
  #runs = new Set<RelayRun>();
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
   * Sends a destination's messages, trying its routes in order, over one connection or a few
   * that take from `messages` in turn.
   *
   * @param destination The domain, and how many messages wait (for a second connection).
   * @param messages The messages; each one taken gets a result, delivered or not.
   * @returns One result per message taken, as each is known.
   */
  async *deliver(
    destination: Destination,
    messages: AsyncIterable<RelayItem> | Iterable<RelayItem>,
  ): AsyncGenerator<DeliveryResult> {
    const run = new RelayRun(destination, messages);
    this.#runs.add(run);
    try {
      const routes = await this.#route(destination.domain);
      if (!Array.isArray(routes)) return yield* answerWaiting(run, routes);
      run.routes = routes;
      this.#spawn(run);
      yield* run.results();
      // The last connection to end failed: what it left waiting is told why, and waits.
      if (run.failure) yield* answerWaiting(run, run.failure);
    } finally {
      run.stop();
      this.#runs.delete(run);
    }
  }

  /** Closes every open connection; deliveries under way end with their messages deferred. */
  close(): void {
    for (const run of this.#runs) run.halt();
    for (const client of this.#clients) client.close();
  }

  async #route(domain: string): Promise<Route[] | CommonOutcome> {
    let routes: Route[];
    try {
      routes = await this.#options.router.routes(domain);
    } catch (error) {
      const permanent = error instanceof RouteError && error.permanent;
      const status = permanent ? "failed" : "deferred";
      return { status, step: "route", error: (error as Error).message };
    }
    if (routes.length === 0) {
      return { status: "failed", step: "route", error: `No route to ${domain}` };
    }
    const allowed = routes.filter((r) => this.#options.allowNetwork || isLoopback(r.host));
    if (allowed.length > 0) return allowed;
    const where = routes.map((r) => `${r.host}:${r.port}`).join(", ");
    const text = `${where} is not a loopback address and the lab allows no network`;
    const reply = { code: 550, enhanced: "5.7.0", lines: [text] };
    return { status: "failed", step: "route", reply, local: true };
  }

  #spawn(run: RelayRun): void {
    run.work(this.#work(run));
  }

  #maybeSpawn(run: RelayRun): void {
    const max = this.#options.maxConnectionsPerDestination ?? 2;
    const backlog = this.#options.backlogPerConnection ?? 10;
    const { workers, destination } = run;
    if (workers.size < max && destination.waiting > backlog * workers.size) this.#spawn(run);
  }

  // The routes in order, until one greets. A server's own words tell most, so a reply is
  // kept over a later route's connection error.
  async #connect(
    run: RelayRun,
  ): Promise<{ client: SmtpClient; remote: string } | CommonOutcome> {
    const failures: CommonOutcome[] = [];
    for (const route of run.routes) {
      const remote = `${route.host}:${route.port}`;
      try {
        const tls = this.#options.tls;
        const client = await SmtpClient.connect({
          hostname: route.host,
          port: route.port,
          tls: tls && { ...tls, servername: route.name ?? route.host },
          clientName: this.#options.clientName,
          clock: this.#clock,
          timeouts: this.#options.timeouts,
          transcript: this.#options.transcripts?.({
            protocol: "SMTP",
            remote,
            local: this.#options.clientName,
            peer: run.destination.domain,
          }),
        });
        this.#stats.connections++;
        return { client, remote };
      } catch (error) {
        const refused = error instanceof CannotConnectError;
        failures.push(failure(refused ? "connect" : "greeting", error, refused ? "" : remote));
      }
    }
    const answered = failures.findLast((f) => f.reply);
    if (answered) return answered;
    const error = failures.map((f) => f.error).join("; ");
    return { ...failures.at(-1)!, error };
  }

  // One connection's life, then another while each one carries mail: a server that closes after
  // some messages is reconnected to, one that fails before carrying any is left for the retry.
  // Resolves to why the last connection failed, if it did.
  async #work(run: RelayRun): Promise<CommonOutcome | undefined> {
    let last: CommonOutcome | undefined;
    while (!run.halted) {
      const connected = await this.#connect(run);
      if (!("client" in connected)) return connected;
      const { client, remote } = connected;
      this.#clients.add(client);
      let carried = 0;
      let broken = await client.hello().then(
        () => undefined,
        (error) => failure(error instanceof StartTlsError ? "tls" : "hello", error, remote),
      );
      try {
        const messages = run.messages(() => this.#maybeSpawn(run));
        for await (const sent of broken ? [] : client.sendMany(messages)) {
          const outcomes = this.#outcomes(sent, remote);
          if (sent.failure) broken ??= notSent(sent.failure.error, remote);
          else if (sent.result.reply.code < 300) {
            this.#stats.messages++;
            carried++;
          }
          await run.emit({ item: sent.item, outcomes });
        }
      } catch (error) {
        client.close(); // the line itself failed: the run ends with its error
        throw error;
      } finally {
        this.#clients.delete(client);
      }
      if (!broken && !client.closed) {
        await client.quit().catch(() => {});
        return undefined;
      }
      client.close();
      last = broken ?? last;
      if (carried === 0) break;
    }
    return last;
  }

  #outcomes(sent: SendManyResult<RelayItem>, remote: string): RecipientOutcome[] {
    if (sent.failure) {
      const { step, reply, error } = sent.failure;
      const said = reply ? { reply } : { error: error.message };
      return outcomesFor(sent.item, { status: "deferred", step, ...said, remote });
    }
    const { result } = sent;
    return sent.item.envelope.to.map((address): RecipientOutcome => {
      if (result.accepted.includes(address) && result.reply.code < 300) {
        return { address, status: "delivered", step: result.step, reply: result.reply, remote };
      }
      const { reply, step } = result.rejected.find((r) => r.address === address) ?? result;
      const status = statusOfReply(reply);
      return { address, status, step, reply, ...(result.local ? { local: true } : { remote }) };
    });
  }
}
