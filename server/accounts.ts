/**
 * User accounts of one mail domain, with passwords kept only as salted PBKDF2 hashes.
 *
 * @module
 */
import { checkUserName } from "./store/store.ts";

/** Options of {@linkcode Accounts}. */
export interface AccountsOptions {
  /**
   * PBKDF2-SHA-256 iterations per password check. Higher is slower for an attacker and for us.
   * @default 100000
   */
  iterations?: number;
}

interface StoredPassword {
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array;
  iterations: number;
}

/**
 * The users of one domain. A password is never stored: only a random salt and the PBKDF2 hash
 * derived from it (WebCrypto), compared in constant time.
 *
 * @example Add a user and check a password
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "./accounts.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * assert.equal(accounts.has("Bob"), true);
 * assert.equal(await accounts.verify("bob", "pickles"), "bob");
 * assert.equal(await accounts.verify("bob", "ketchup"), undefined);
 * assert.equal(await accounts.verify("eve", "pickles"), undefined);
 * ```
 */
export class Accounts {
  #users = new Map<string, StoredPassword>();
  #iterations: number;

  /**
   * Creates an empty set of accounts.
   *
   * @param options Hashing cost.
   */
  constructor(options: AccountsOptions = {}) {
    this.#iterations = options.iterations ?? 100_000;
  }

  /** The user names, sorted. */
  get users(): string[] {
    return [...this.#users.keys()].sort();
  }

  /**
   * Whether a user exists.
   *
   * @param user A local part, any case.
   * @returns True when the account exists.
   */
  has(user: string): boolean {
    try {
      return this.#users.has(checkUserName(user));
    } catch {
      return false;
    }
  }

  /**
   * Adds a user, or replaces the password of an existing one.
   *
   * @param user A local part such as `bob`.
   * @param password The password in clear; only its hash is kept.
   */
  async add(user: string, password: string): Promise<void> {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const hash = await derive(password, salt, this.#iterations);
    this.#users.set(checkUserName(user), { salt, hash, iterations: this.#iterations });
  }

  /**
   * Checks a user's password.
   *
   * @param user The user name as the client sent it (a bare local part, or `local@domain`,
   *   whose domain the caller has checked).
   * @param password The password in clear.
   * @returns The canonical user name when the password is right, otherwise `undefined`.
   */
  async verify(user: string, password: string): Promise<string | undefined> {
    const local = user.includes("@") ? user.slice(0, user.lastIndexOf("@")) : user;
    let name: string;
    try {
      name = checkUserName(local);
    } catch {
      return undefined;
    }
    const stored = this.#users.get(name);
    // Hash even for an unknown user, so timing does not tell which users exist.
    const salt = stored?.salt ?? new Uint8Array(16);
    const hash = await derive(password, salt, stored?.iterations ?? this.#iterations);
    if (!stored) return undefined;
    let diff = hash.length ^ stored.hash.length;
    for (let i = 0; i < hash.length && i < stored.hash.length; i++) {
      diff |= hash[i] ^ stored.hash[i];
    }
    return diff === 0 ? name : undefined;
  }
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}
