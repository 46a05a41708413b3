/**
 * One guard against password guessing for a whole server, shared by SMTP AUTH, IMAP LOGIN and
 * AUTHENTICATE, and the HTTP login: failures are counted per client address and per account over
 * a window, each failure waits longer than the one before, and past a limit the address or the
 * account is locked until its oldest failure leaves the window (a real user can wait it out; the
 * answer says how long). Password checks run through a gate: a few at once in all, one at a time
 * per address, so a flood from one address cannot starve everyone else's logins.
 *
 * The per-connection limit (`LoginThrottle`, three failures and the connection ends) stays; this
 * is what reconnecting cannot reset.
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";

/** Options of {@linkcode LoginGuard}. */
export interface LoginGuardOptions {
  /** Times the windows and the waits. */
  clock: Clock;
  /** Failures of one address, or for one account, within the window before it is locked. @default 10 */
  maxFailures?: number;
  /** The window failures are counted in. @default 15 minutes */
  windowMs?: number;
  /** The wait added to each failure after the first, at most 5 s. @default 1000 */
  failureDelayMs?: number;
  /** Password checks running at once, over all addresses. @default 4 */
  maxConcurrentChecks?: number;
  /** Checks of one address waiting for their turn; more are refused at once. @default 8 */
  maxWaitingPerAddress?: number;
  /** Told of every failure: for the server's log. */
  onFailure?: (failure: LoginFailure) => void;
}

/** A failed login, as the server logs it. */
export interface LoginFailure {
  /** Which service: `SMTP`, `IMAP` or `HTTP`. */
  service: string;
  /** The client's address, without its port. */
  address: string;
  /** The account tried. */
  user: string;
  /** Whether the attempt was refused without checking, because of a lock. */
  locked: boolean;
  /** When. */
  at: number;
}

/** What {@linkcode LoginGuard.attempt} found. */
export type LoginOutcome =
  | { ok: true; user: string }
  | { ok: false; lockedMs?: number };

/**
 * The address part of `host:port` or `[v6]:port`.
 *
 * @param remote Such as `127.0.0.1:5000`.
 * @returns Such as `127.0.0.1`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addressOf } from "./login_guard.ts";
 *
 * assert.equal(addressOf("10.0.0.7:51234"), "10.0.0.7");
 * assert.equal(addressOf("[::1]:143"), "::1");
 * assert.equal(addressOf("10.0.0.7"), "10.0.0.7");
 * ```
 */
export function addressOf(remote: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(remote);
  if (v6) return v6[1];
  return /^[^:]+:\d+$/.test(remote) ? remote.slice(0, remote.lastIndexOf(":")) : remote;
}

/**
 * The server's login guard.
 *
 * @example Ten failures lock the account for everyone; the answer says how long
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { LoginGuard } from "./login_guard.ts";
 *
 * const clock = new ManualClock();
 * const guard = new LoginGuard({ clock, failureDelayMs: 0 });
 * const wrong = () => Promise.resolve(undefined);
 * for (let i = 0; i < 10; i++) await guard.attempt("IMAP", `10.0.0.${i}`, "bob", wrong);
 * const locked = await guard.attempt("SMTP", "10.0.0.99", "bob", () => Promise.resolve("bob"));
 * assert.equal(locked.ok, false);
 * assert.ok(!locked.ok && locked.lockedMs! > 14 * 60_000);
 * clock.advance(15 * 60_000);
 * assert.deepEqual(await guard.attempt("SMTP", "10.0.0.99", "bob", () => Promise.resolve("bob")), { ok: true, user: "bob" });
 * ```
 */
export class LoginGuard {
  #failures = new Map<string, number[]>();
  #options: Required<Omit<LoginGuardOptions, "onFailure">> & Pick<LoginGuardOptions, "onFailure">;
  #running = 0;
  #runningFor = new Set<string>();
  #waiting: { address: string; go: () => void }[] = [];

  /**
   * Starts with no failures.
   *
   * @param options Limits, the clock and who to tell of failures.
   */
  constructor(options: LoginGuardOptions) {
    // Each with ??: an option given as undefined (not configured) keeps its default.
    this.#options = {
      clock: options.clock,
      onFailure: options.onFailure,
      maxFailures: options.maxFailures ?? 10,
      windowMs: options.windowMs ?? 15 * 60_000,
      failureDelayMs: options.failureDelayMs ?? 1000,
      maxConcurrentChecks: options.maxConcurrentChecks ?? 4,
      maxWaitingPerAddress: options.maxWaitingPerAddress ?? 8,
    };
  }

  /**
   * How long an address, or an account, stays locked.
   *
   * @param address The client's address (with or without its port).
   * @param user The account tried.
   * @returns Milliseconds until a login may be tried again; 0 when it may be now.
   */
  lockedFor(address: string, user: string): number {
    let wait = 0;
    for (const key of this.#keys(address, user)) {
      const recent = this.#recent(key);
      if (recent.length < this.#options.maxFailures) continue;
      wait = Math.max(wait, recent[0] + this.#options.windowMs - this.#options.clock.now());
    }
    return Math.max(0, wait);
  }

  /**
   * Tries a login: refused at once while locked, else the password check runs when the gate
   * lets it, and a failure is counted, logged and answered late.
   *
   * @param service `SMTP`, `IMAP` or `HTTP`, for the log.
   * @param address The client's address (with or without its port).
   * @param user The account tried.
   * @param check The password check: the canonical user name, or `undefined`.
   * @returns The user, or a failure with the lock's remaining time when locked.
   */
  async attempt(
    service: string,
    address: string,
    user: string,
    check: () => Promise<string | undefined>,
  ): Promise<LoginOutcome> {
    const host = addressOf(address);
    const lockedMs = this.lockedFor(host, user);
    if (lockedMs > 0) {
      this.#report(service, host, user, true);
      return { ok: false, lockedMs };
    }
    // Checked again once the gate lets it through: failures of others in the line may have
    // locked the account or the address meanwhile.
    let lockedLater = 0;
    let failures = 0;
    const name = await this.#gated(host, async () => {
      lockedLater = this.lockedFor(host, user);
      if (lockedLater > 0) return undefined;
      const found = await check();
      // Counted before the slot is handed on, so the next in line sees this failure.
      if (found === undefined) failures = this.#count(service, host, user);
      return found;
    });
    if (lockedLater > 0) {
      this.#report(service, host, user, true);
      return { ok: false, lockedMs: lockedLater };
    }
    if (name !== undefined) return { ok: true, user: name };
    // Refused by the gate (too many waiting from this address): a failure too.
    await this.#wait(failures || this.#count(service, host, user));
    return { ok: false };
  }

  // Counts a failure at once (a check waiting in line must see it) and says how often it
  // failed; the answer then waits longer the more failures, at most 5 s (#wait).
  #count(service: string, address: string, user: string): number {
    const now = this.#options.clock.now();
    let most = 0;
    for (const key of this.#keys(addressOf(address), user)) {
      const recent = this.#recent(key);
      recent.push(now);
      this.#failures.set(key, recent);
      most = Math.max(most, recent.length);
    }
    this.#report(service, addressOf(address), user, false);
    return most;
  }

  async #wait(failures: number): Promise<void> {
    const wait = Math.min(5000, this.#options.failureDelayMs * (failures - 1));
    if (wait > 0) await new Promise<void>((resolve) => this.#options.clock.setTimer(wait, resolve));
  }

  #keys(address: string, user: string): string[] {
    return [`address ${addressOf(address)}`, `user ${user.toLowerCase()}`];
  }

  #report(service: string, address: string, user: string, locked: boolean): void {
    this.#options.onFailure?.({ service, address, user, locked, at: this.#options.clock.now() });
  }

  // A few checks at once, one per address: a freed slot goes to the first waiting address that
  // has none running, handed over with the slot already taken.
  async #gated<T>(address: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
    const queued = this.#waiting.filter((w) => w.address === address).length;
    if (queued >= this.#options.maxWaitingPerAddress) return undefined;
    // In line, then the first free slot that an address without a running check may take.
    const turn = new Promise<void>((go) => this.#waiting.push({ address, go }));
    this.#next();
    await turn;
    try {
      return await check();
    } finally {
      this.#running--;
      this.#runningFor.delete(address);
      this.#next();
    }
  }

  #take(address: string): void {
    this.#running++;
    this.#runningFor.add(address);
  }

  #next(): void {
    while (this.#running < this.#options.maxConcurrentChecks) {
      const i = this.#waiting.findIndex((w) => !this.#runningFor.has(w.address));
      if (i < 0) return;
      const [turn] = this.#waiting.splice(i, 1);
      this.#take(turn.address);
      turn.go();
    }
  }

  #recent(key: string): number[] {
    const since = this.#options.clock.now() - this.#options.windowMs;
    const recent = (this.#failures.get(key) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, recent);
    return recent;
  }
}
