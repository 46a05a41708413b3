/**
 * The lab operator's verbs, shared by the `Lab` methods, the control endpoint and the CLIs:
 * look at the queues (`mailq`), and inject faults into a domain's SMTP server.
 *
 * @module
 */
import type { MailServer } from "../server/mail_server.ts";
import type { FaultStage, FaultyServer } from "./faults.ts";
import type { QueueEntry } from "../server/queue/spool.ts";
import { pendingDomains } from "../server/queue/entry_state.ts";
import { parseDuration } from "./config.ts";

/** What to do to a domain's SMTP server: stop it, start it, end its faults, slow it, or a reply code. */
export type FaultAction = "stop" | "start" | "clear" | "slow" | number;

/** Options of a fault. */
export interface LabFaultOptions {
  /** How long a reply or slow fault lasts, in milliseconds. @default until cleared */
  forMs?: number;
  /** The wait before each answer of a `slow` fault, in milliseconds. @default 5000 */
  delayMs?: number;
  /** The command answered with a 4xx or 5xx other than 421. @default "rcpt" */
  stage?: FaultStage;
}

/** Which queued messages an operator command is about. */
export interface QueueFilter {
  /** Only messages with recipients pending at this destination domain. @default every one */
  domain?: string;
  /** Only this lab server's queue. @default every server's */
  server?: string;
}

/**
 * Applies a fault to a server and says what it did.
 *
 * @param target The domain's server and its faults.
 * @param action The fault.
 * @param options Its duration, delay and stage.
 * @returns One line that describes the server's faults now.
 *
 * @example Make a server answer 451 for ten minutes
 * ```ts
 * import assert from "node:assert/strict";
 * import { startWithFaults } from "./faults.ts";
 * import { applyFault } from "./operator.ts";
 *
 * const target = await startWithFaults({ domain: "hamburger.edu" });
 * assert.match(await applyFault(target, 451, { forMs: 600_000 }), /answers 451 at rcpt, for 600 s more/);
 * assert.equal(await applyFault(target, "clear"), "hamburger.edu: no faults");
 * await target.server.close();
 * ```
 */
export async function applyFault(
  target: FaultyServer,
  action: FaultAction,
  options: LabFaultOptions = {},
): Promise<string> {
  const { server, faults } = target;
  if (action === "stop") {
    faults.release(); // held answers would hold the port open
    await server.stopSmtp();
  } else if (action === "start") server.startSmtp();
  else if (action === "clear") await faults.clear();
  else if (action === "slow") faults.slow(options.delayMs ?? 5000, options);
  else await faults.reply(action, options);
  const state = server.smtpRunning ? faults.toString() : "SMTP stopped";
  return `${server.domain}: ${state.replaceAll("\n", "; ")}`;
}

/**
 * Reads a fault from command-line words: `stop`, `start`, `clear`, `421`, `451 --for 10m`,
 * `550 --at mail`, `slow 5s --for 2m`.
 *
 * @param words The words after the domain.
 * @returns The action and its options.
 * @throws {TypeError} When the words do not name a fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFault } from "./operator.ts";
 *
 * assert.deepEqual(parseFault(["451", "--for", "10m"]), { action: 451, options: { forMs: 600_000 } });
 * assert.deepEqual(parseFault(["slow", "5s"]), { action: "slow", options: { delayMs: 5000 } });
 * assert.throws(() => parseFault(["explode"]), /Unknown fault "explode"/);
 * ```
 */
export function parseFault(words: string[]): { action: FaultAction; options: LabFaultOptions } {
  const [what, ...rest] = words;
  const options: LabFaultOptions = {};
  const duration = (text: string | undefined, flag: string) => {
    const ms = text === undefined ? undefined : parseDuration(text);
    if (ms === undefined) throw new TypeError(`Expected a duration after ${flag}, got "${text}"`);
    return ms;
  };
  let action: FaultAction;
  if (what === "stop" || what === "start" || what === "clear") action = what;
  else if (what === "slow") {
    action = what;
    options.delayMs = duration(rest.shift(), "slow");
  } else if (/^[45]\d\d$/.test(what ?? "")) action = Number(what);
  else {throw new TypeError(
      `Unknown fault "${what ?? ""}" (use stop, start, clear, 421, 451, 550 or slow)`,
    );}
  while (rest.length > 0) {
    const flag = rest.shift()!;
    if (flag === "--for") options.forMs = duration(rest.shift(), "--for");
    else if (flag === "--at" && /^(mail|rcpt|data)$/.test(rest[0] ?? "")) {
      options.stage = rest.shift() as FaultStage;
    } else {throw new TypeError(
        `Unknown option "${flag}" (use --for DURATION or --at mail|rcpt|data)`,
      );}
  }
  return { action, options };
}

/**
 * The queued messages of some servers, each marked with the server that holds it.
 *
 * @param servers The lab's servers.
 * @param filter Which messages.
 * @returns The entries, oldest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MailServer } from "../server/mail_server.ts";
 * import { queuedEntries } from "./operator.ts";
 *
 * await using server = await MailServer.start({ domain: "crepes.fr" });
 * assert.deepEqual(queuedEntries([server], { domain: "hamburger.edu" }), []);
 * ```
 */
export function queuedEntries(
  servers: readonly MailServer[],
  filter: QueueFilter = {},
): (QueueEntry & { server: string })[] {
  return servers
    .filter((s) => !filter.server || s.domain === filter.server.toLowerCase())
    .flatMap((s) => s.queue.list().map((entry) => ({ ...entry, server: s.domain })))
    .filter((e) => !filter.domain || pendingDomains(e).includes(filter.domain.toLowerCase()))
    .sort((a, b) => a.createdAt - b.createdAt);
}

/**
 * Finds a queued message by its identifier in any server's queue.
 *
 * @param servers The lab's servers.
 * @param id The queue identifier.
 * @returns The server and the entry, or `undefined`.
 */
export function findQueued(
  servers: readonly MailServer[],
  id: string,
): { server: MailServer; entry: QueueEntry } | undefined {
  for (const server of servers) {
    const entry = server.queue.get(id);
    if (entry) return { server, entry };
  }
  return undefined;
}

/**
 * Makes the matching queued messages due now.
 *
 * @param servers The lab's servers.
 * @param filter Which messages.
 * @returns How many were made due.
 */
export function flushQueues(servers: readonly MailServer[], filter: QueueFilter = {}): number {
  return servers
    .filter((s) => !filter.server || s.domain === filter.server.toLowerCase())
    .reduce((n, s) => n + s.queue.flush(filter.domain), 0);
}

/**
 * Deletes a queued message from whichever queue holds it, without a bounce.
 *
 * @param servers The lab's servers.
 * @param id The queue identifier.
 * @returns Whether a queue held it.
 */
export async function deleteQueued(servers: readonly MailServer[], id: string): Promise<boolean> {
  const found = findQueued(servers, id);
  return found ? await found.server.queue.remove(id) : false;
}
