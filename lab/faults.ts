/**
 * Fault injection for a domain's SMTP server, a lab feature: so that a lab, a test or a notebook
 * can watch the other side's queue cope, the server answers 421 (it refuses connections), 451
 * (try again later) or 550 (refused for good) for a while, or answers slowly. The faults sit in
 * front of the server's hooks (`MailServer`'s `wrapHandler`) and switch what its MX port does
 * (`refuseSmtp`); the protocol code knows nothing of them. Every fault's duration is read from
 * the server's clock, so a manual clock ends it too.
 *
 * @module
 */
import type { Clock, Timer } from "../protocol/clock.ts";
import { type SmtpReply, SmtpReplyError } from "../protocol/smtp/reply.ts";
import { systemClock } from "../runtime/system_clock.ts";
import type { SmtpHandler } from "../server/smtp/types.ts";
import { MailServer, type MailServerOptions } from "../server/mail_server.ts";

/** The command whose hook answers with the injected reply. */
export type FaultStage = "mail" | "rcpt" | "data";

/** One fault in force. */
export interface SmtpFault {
  /** `reply`: answer with `reply`; `slow`: wait `delayMs` before each answer. */
  kind: "reply" | "slow";
  /** The reply given (`reply` faults). */
  reply?: SmtpReply;
  /** Where it is given: at connection (421) or at a command's hook. */
  stage?: FaultStage | "connect";
  /** The delay before each answer (`slow` faults). */
  delayMs?: number;
  /** When it ends, in milliseconds since the epoch; unset while it lasts until cleared. */
  until?: number;
}

/** Options of {@linkcode SmtpFaults.reply} and {@linkcode SmtpFaults.slow}. */
export interface FaultOptions {
  /** How long the fault lasts. @default until cleared */
  forMs?: number;
  /** For 4xx and 5xx other than 421: the command that gets the reply. @default "rcpt" */
  stage?: FaultStage;
}

/** Options of {@linkcode SmtpFaults}. */
export interface SmtpFaultsOptions {
  /** Reads the time and ends faults. @default the system clock */
  clock?: Clock;
  /** The server's domain, named in a 421. @default "localhost" */
  domain?: string;
  /** Called when a 421 fault begins or ends (the server then swaps what listens). @default nothing */
  onChange?: () => void | Promise<void>;
}

const TEXT: Record<number, [string, string]> = {
  421: ["4.3.2", "Service not available, closing transmission channel"],
  450: ["4.2.1", "Mailbox unavailable, try again later"],
  451: ["4.3.0", "Local error in processing, try again later"],
  452: ["4.3.1", "Insufficient system storage"],
  550: ["5.7.1", "Mailbox unavailable, message refused"],
  552: ["5.3.4", "Message too big"],
  554: ["5.3.0", "Transaction failed"],
};

/**
 * The reply a fault of this code gives, marked as injected so that nobody mistakes it for a real
 * problem.
 *
 * @param code A 4xx or 5xx code.
 * @param domain The server's domain.
 * @returns The reply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { faultReply } from "./faults.ts";
 *
 * assert.deepEqual(faultReply(451, "hamburger.edu"), {
 *   code: 451, enhanced: "4.3.0", lines: ["Local error in processing, try again later (fault injected by the lab)"],
 * });
 * assert.match(faultReply(421, "hamburger.edu").lines[0], /^hamburger\.edu Service not available/);
 * ```
 */
export function faultReply(code: number, domain: string): SmtpReply {
  if (!Number.isInteger(code) || code < 400 || code > 599) {
    throw new RangeError(`A fault replies with a 4xx or 5xx code, not "${code}"`);
  }
  const [enhanced, text] = TEXT[code] ?? [`${Math.floor(code / 100)}.0.0`, "Injected failure"];
  const lines = [`${code === 421 ? `${domain} ` : ""}${text} (fault injected by the lab)`];
  return { code, enhanced, lines };
}

/**
 * The faults in force on one SMTP server.
 *
 * @example 451 at RCPT for ten minutes of a manual clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { SmtpFaults } from "./faults.ts";
 *
 * const clock = new ManualClock();
 * const faults = new SmtpFaults({ clock, domain: "hamburger.edu" });
 * const handler = faults.wrap({});
 * const client = { remote: "", helo: "crepes.fr", esmtp: true, submission: false };
 * const envelope = { from: "alice@crepes.fr", to: [], params: { body: "7BIT" as const, smtputf8: false } };
 * await faults.reply(451, { forMs: 10 * 60_000 });
 * await assert.rejects(async () => await handler.rcpt!("bob@hamburger.edu", envelope, client), { message: /^451 4\.3\.0/ });
 * clock.advance(10 * 60_000);
 * await handler.rcpt!("bob@hamburger.edu", envelope, client);
 * assert.deepEqual(faults.active, []);
 * ```
 */
export class SmtpFaults {
  #clock: Clock;
  #domain: string;
  #onChange?: () => void | Promise<void>;
  #faults: SmtpFault[] = [];
  #timer?: Timer;
  #waiting = new Map<() => void, object>();
  #released = new WeakSet<object>();
  #changing: Promise<void> = Promise.resolve();

  /**
   * Creates an empty set of faults.
   *
   * @param options The clock, the domain, and who to tell of a 421 fault.
   */
  constructor(options: SmtpFaultsOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#domain = options.domain ?? "localhost";
    this.#onChange = options.onChange;
  }

  /** The faults in force now. */
  get active(): SmtpFault[] {
    const now = this.#clock.now();
    this.#faults = this.#faults.filter((f) => f.until === undefined || f.until > now);
    return this.#faults.map((f) => ({ ...f }));
  }

  /** The 421 that refuses connections now, if such a fault is in force. */
  get refusing(): SmtpReply | undefined {
    return this.active.find((f) => f.stage === "connect")?.reply;
  }

  /**
   * Makes the server answer with `code`: 421 refuses every connection at once (the greeting is
   * 421 and the connection closes, RFC 5321 §3.1); other codes answer the hook of `stage`.
   * Replaces an earlier reply fault.
   *
   * @param code A 4xx or 5xx code, such as 421, 451 or 550.
   * @param options How long, and at which command.
   * @returns Once the server answers so.
   */
  async reply(code: number, options: FaultOptions = {}): Promise<void> {
    const reply = faultReply(code, this.#domain);
    const stage = code === 421 ? "connect" : options.stage ?? "rcpt";
    const wasRefusing = this.refusing !== undefined;
    this.#faults = this.#faults.filter((f) => f.kind !== "reply");
    this.#faults.push({ kind: "reply", reply, stage, until: this.#until(options) });
    await this.#changed(wasRefusing);
  }

  /**
   * Makes the server wait before each answer it sends, the greeting included. Replaces an
   * earlier slow fault.
   *
   * @param delayMs The wait, in milliseconds of the server's clock.
   * @param options How long the fault lasts.
   */
  slow(delayMs: number, options: Pick<FaultOptions, "forMs"> = {}): void {
    if (!(delayMs >= 0)) {
      throw new RangeError(`A delay is a number of milliseconds, not "${delayMs}"`);
    }
    this.#faults = this.#faults.filter((f) => f.kind !== "slow");
    this.#faults.push({ kind: "slow", delayMs, until: this.#until(options) });
  }

  /**
   * Ends every fault.
   *
   * @returns Once the server answers normally.
   */
  async clear(): Promise<void> {
    const wasRefusing = this.refusing !== undefined;
    this.#faults = [];
    this.release();
    await this.#changed(wasRefusing);
  }

  /**
   * Lets every answer held back by a `slow` fault go now (the server is closing, or the faults
   * were cleared): a manual clock that is never advanced must not hold a server open.
   */
  release(): void {
    for (const [go, session] of this.#waiting) {
      this.#released.add(session); // its next commands are not held back either
      go();
    }
    this.#waiting.clear();
  }

  /**
   * Puts the faults in front of a server's hooks.
   *
   * @param handler The server's hooks.
   * @returns Hooks that consult the faults first.
   */
  wrap(handler: SmtpHandler): SmtpHandler {
    return {
      ...handler,
      pace: (client) => {
        const own = this.#pace(client);
        const inner = handler.pace?.(client);
        return own && inner ? own.then(() => inner) : own ?? inner;
      },
      mail: (from, params, client) => {
        this.#gate("mail");
        return handler.mail?.(from, params, client);
      },
      rcpt: (to, envelope, client) => {
        this.#gate("rcpt");
        return handler.rcpt?.(to, envelope, client);
      },
      data: (envelope, message, client) => {
        this.#gate("data");
        return handler.data?.(envelope, message, client);
      },
    };
  }

  /**
   * Resolves once the server answers as the faults say: after a 421 fault began or ended, what
   * listens on the port takes a moment to change.
   */
  async settled(): Promise<void> {
    await this.#changing;
  }

  /** One line per fault in force, for the lab's log and CLI. */
  toString(): string {
    const now = this.#clock.now();
    const lines = this.active.map((f) => {
      const what = f.kind === "slow"
        ? `slow: ${f.delayMs} ms before each answer`
        : `answers ${f.reply!.code} at ${f.stage}`;
      return f.until === undefined
        ? what
        : `${what}, for ${Math.ceil((f.until - now) / 1000)} s more`;
    });
    return lines.length > 0 ? lines.join("\n") : "no faults";
  }

  #until(options: { forMs?: number }): number | undefined {
    return options.forMs === undefined ? undefined : this.#clock.now() + options.forMs;
  }

  #gate(stage: FaultStage): void {
    if (this.#faults.length === 0) return;
    const fault = this.active.find((f) => f.kind === "reply" && f.stage === stage);
    if (fault?.reply) throw new SmtpReplyError(fault.reply);
  }

  // Every answer waits out a slow fault: the greeting, EHLO, 354 and QUIT's 221 as much as MAIL's.
  #pace(session: object): Promise<void> | undefined {
    if (this.#faults.length === 0 || this.#released.has(session)) return undefined;
    const slow = this.active.find((f) => f.kind === "slow");
    if (!slow?.delayMs) return undefined;
    return new Promise<void>((resolve) => {
      const go = () => {
        timer.cancel();
        this.#waiting.delete(go);
        resolve();
      };
      const timer = this.#clock.setTimer(slow.delayMs!, go);
      this.#waiting.set(go, session);
    });
  }

  async #changed(wasRefusing: boolean): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    const refusal = this.active.find((f) => f.stage === "connect");
    if (refusal?.until !== undefined) {
      this.#timer = this.#clock.setTimer(refusal.until - this.#clock.now(), () => {
        this.#timer = undefined;
        this.#change();
      });
    }
    if (wasRefusing !== (refusal !== undefined)) await this.#change();
  }

  #change(): Promise<void> {
    // A port that cannot switch (taken meanwhile) is said, not swallowed; the next change retries.
    const change = this.#changing.then(() => this.#onChange?.()).catch((error) =>
      console.error(`${this.#domain}: the SMTP port could not follow the fault:`, error)
    );
    this.#changing = change;
    return change;
  }
}

/** A domain's server and the faults in front of it. */
export interface FaultyServer {
  /** The server. */
  server: MailServer;
  /** Its faults. */
  faults: SmtpFaults;
}

/**
 * Starts a domain's mail server with faults in front of its MX port: reply faults answer its
 * hooks, and a 421 fault makes the port refuse every connection until it ends.
 *
 * @param options The server's options.
 * @returns The running server and its faults.
 *
 * @example A 421 fault refuses connections, clearing it serves again
 * ```ts
 * import assert from "node:assert/strict";
 * import { startWithFaults } from "./faults.ts";
 *
 * const { server, faults } = await startWithFaults({ domain: "hamburger.edu" });
 * await faults.reply(421);
 * assert.equal(server.smtpRunning, true);
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.ports.smtp });
 * const buf = new Uint8Array(200);
 * assert.match(new TextDecoder().decode(buf.subarray(0, (await conn.read(buf)) ?? 0)), /^421 4\.3\.2 /);
 * conn.close();
 * await faults.clear();
 * await server.close();
 * ```
 */
export async function startWithFaults(options: MailServerOptions): Promise<FaultyServer> {
  const faults: SmtpFaults = new SmtpFaults({
    clock: options.clock,
    domain: options.domain.toLowerCase(),
    onChange: async () => {
      const refusal = faults.refusing;
      // Answers a slow fault holds back would hold the sessions that the 421 must end.
      if (refusal) faults.release();
      await server.refuseSmtp(refusal);
    },
  });
  const wrap = options.wrapHandler;
  const server = await MailServer.start({
    ...options,
    wrapHandler: (handler) => faults.wrap(wrap ? wrap(handler) : handler),
  });
  return { server, faults };
}
