/**
 * The IMAP client a user agent uses (RFC 3501 and the extensions real clients rely on: IDLE,
 * UIDPLUS, MOVE, SPECIAL-USE, SORT, ENABLE). It logs in, manages mailboxes, and fetches,
 * searches, sorts, flags, copies, moves and expunges messages. Every response is parsed,
 * literals included; a tagged NO or BAD is thrown as an `ImapResponseError` with the server's
 * code; every read has a timeout.
 *
 * @module
 */
import {
  type CopyUid,
  type FetchedMessage,
  readCopyUid,
  readExpunge,
  readFetch,
  readSearch,
  readSort,
} from "../protocol/imap/response_data.ts";
import { ImapMailboxCommands } from "./imap_mailboxes.ts";
import { type CommandArg, formatFlagList, ImapWire, type ImapWireOptions } from "./imap_wire.ts";

export type { CommandArg } from "./imap_wire.ts";

/** Options of {@linkcode ImapClient.connect}: where, the timeout, the clock, the transcript. */
export type ImapClientOptions = ImapWireOptions;

/** Options of the commands that take a set of messages. */
export interface UidOptions {
  /** Use UIDs rather than sequence numbers. @default false */
  uid?: boolean;
}

/** A SORT criterion (RFC 5256 §3); `REVERSE` turns the one after it around. */
export type SortCriterion =
  | "REVERSE"
  | "ARRIVAL"
  | "CC"
  | "DATE"
  | "FROM"
  | "SIZE"
  | "SUBJECT"
  | "TO";

/** Search criteria: raw text such as `UNSEEN FROM alice`, or arguments with strings to quote. */
export type SearchCriteria = string | readonly CommandArg[];

/**
 * The criteria as arguments; text beyond ASCII needs `CHARSET UTF-8` in SEARCH (RFC 3501 §6.4.4).
 *
 * @param criteria The caller's criteria.
 * @returns The arguments, and whether they need a charset.
 */
function searchArgs(criteria: SearchCriteria): { args: readonly CommandArg[]; utf8: boolean } {
  if (typeof criteria === "string") return { args: [criteria], utf8: false };
  const utf8 = criteria.some((arg) =>
    typeof arg !== "string" && "string" in arg && /[\u0080-\uffff]/.test(arg.string)
  );
  return { args: criteria, utf8 };
}

/**
 * An IMAP connection, one command at a time: with {@linkcode ImapConnection}'s commands of any
 * state and {@linkcode ImapMailboxCommands}' commands on mailboxes, these on the selected one.
 *
 * @example Read bob's first message from a server on a free port
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "../server/accounts.ts";
 * import { ImapServer } from "../server/imap/server.ts";
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { ImapClient } from "./imap_client.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * const store = new MemoryStore();
 * await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\nHello\r\n"));
 * await using server = new ImapServer({ store, accounts });
 * await using client = await ImapClient.connect({ port: server.port });
 * await client.login("bob", "pickles");
 * assert.equal((await client.select("INBOX")).exists, 1);
 * const [message] = await client.fetch("1", "(UID BODY.PEEK[])");
 * assert.equal(new TextDecoder().decode(message.sections["BODY[]"]), "Subject: hi\r\n\r\nHello\r\n");
 * await client.logout();
 * ```
 */
export class ImapClient extends ImapMailboxCommands {
  /**
   * Connects and reads the greeting.
   *
   * @param options Address, transcript and timeout.
   * @returns The connected client.
   * @throws {ImapResponseError} When the server refuses the connection.
   */
  static async connect(options: ImapClientOptions = {}): Promise<ImapClient> {
    const wire = await ImapWire.open(options);
    return new ImapClient(wire, await ImapClient.greet(wire));
  }

  /**
   * Fetches message data (FETCH, RFC 3501 §6.4.5).
   *
   * @param set A sequence set such as `1:*`.
   * @param items The items, such as `(UID FLAGS BODY.PEEK[])`.
   * @param options Whether the set holds UIDs.
   * @returns One entry per message, in the order received.
   */
  async fetch(set: string, items: string, options: UidOptions = {}): Promise<FetchedMessage[]> {
    const reply = await this.command(options.uid ? "UID FETCH" : "FETCH", [set, items]);
    return readFetch(reply.untagged);
  }

  /**
   * Searches the selected mailbox (SEARCH, RFC 3501 §6.4.4). Give the criteria as text, or as
   * arguments whose `{ string }` values are quoted (or sent as literals) for you; text beyond
   * ASCII is searched as UTF-8.
   *
   * @param criteria Such as `UNSEEN FROM alice`, or `["SUBJECT", { string: "안녕" }]`.
   * @param options Whether to return UIDs.
   * @returns The matching sequence numbers or UIDs.
   *
   * @example Find a Korean subject
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * await store.deliver("bob", new TextEncoder().encode("Subject: Lunch\r\n\r\n"));
   * await store.deliver("bob", new TextEncoder().encode("Subject: 안녕하세요\r\n\r\n"));
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * assert.deepEqual(await client.search(["SUBJECT", { string: "안녕" }]), [2]);
   * assert.deepEqual(await client.search("UNSEEN", { uid: true }), [1, 2]);
   * ```
   */
  async search(criteria: SearchCriteria, options: UidOptions = {}): Promise<number[]> {
    const { args, utf8 } = searchArgs(criteria);
    const charset = utf8 ? ["CHARSET", "UTF-8"] : [];
    const reply = await this.command(options.uid ? "UID SEARCH" : "SEARCH", [...charset, ...args]);
    return readSearch(reply.untagged);
  }

  /**
   * Sorts the messages that match the criteria (SORT, RFC 5256), on servers that announce SORT.
   *
   * @param criteria Such as `["REVERSE", "DATE"]`.
   * @param search Which messages. @default "ALL"
   * @param options Whether to return UIDs.
   * @returns The sequence numbers or UIDs, in sorted order.
   * @throws {ImapResponseError} `BAD` from a server without SORT.
   *
   * @example Newest first, where the server sorts
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * for (const day of [3, 1, 2]) {
   *   const date = `Date: ${day} Sep 2026 09:00:00 +0000\r\n\r\n`;
   *   await store.deliver("bob", new TextEncoder().encode(date));
   * }
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * if (client.capabilities.includes("SORT")) {
   *   assert.deepEqual(await client.sort(["REVERSE", "DATE"]), [1, 3, 2]);
   * }
   * ```
   */
  async sort(
    criteria: readonly SortCriterion[],
    search: SearchCriteria = "ALL",
    options: UidOptions = {},
  ): Promise<number[]> {
    const name = options.uid ? "UID SORT" : "SORT";
    // RFC 5256 §3: SORT always names a charset, and every server knows UTF-8.
    const args = [`(${criteria.join(" ")})`, "UTF-8", ...searchArgs(search).args];
    return readSort((await this.command(name, args)).untagged);
  }

  /**
   * Changes flags and keywords (STORE, RFC 3501 §6.4.6).
   *
   * @param set The messages.
   * @param action `+FLAGS`, `-FLAGS` or `FLAGS`, optionally with `.SILENT`.
   * @param flags Such as `["\\Seen"]` or a keyword such as `"$Important"`.
   * @param options Whether the set holds UIDs.
   * @returns The FETCH responses that report the new flags (none with `.SILENT`).
   * @throws {TypeError} For a flag that is no atom (a keyword with a space).
   *
   * @example Flag a message with a keyword
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\n"), { flags: ["\\Seen"] });
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * const [message] = await client.store("1", "+FLAGS", ["$Important"], { uid: true });
   * assert.ok(message.flags?.includes("$Important"));
   * assert.deepEqual((await store.list("bob", "INBOX"))[0].flags, ["\\Seen", "$Important"]);
   * ```
   */
  async store(
    set: string,
    action: string,
    flags: readonly string[],
    options: UidOptions = {},
  ): Promise<FetchedMessage[]> {
    const name = options.uid ? "UID STORE" : "STORE";
    const reply = await this.command(name, [set, action, formatFlagList(flags)]);
    return readFetch(reply.untagged);
  }

  /**
   * Copies messages to another mailbox (COPY, RFC 3501 §6.4.7).
   *
   * @param set The messages.
   * @param mailbox The target.
   * @param options Whether the set holds UIDs.
   * @returns Each source UID with its copy's UID, when the server has UIDPLUS (COPYUID).
   * @throws {ImapResponseError} `NO [TRYCREATE]` when the target does not exist.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * await store.deliver("bob", new TextEncoder().encode("Subject: hi\r\n\r\n"));
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * const copied = await client.copy("1", "Drafts");
   * assert.equal(copied?.uids.get(1), 1);
   * assert.equal((await client.status("INBOX")).messages, 1);
   * ```
   */
  async copy(set: string, mailbox: string, options: UidOptions = {}): Promise<CopyUid | undefined> {
    const reply = await this.command(options.uid ? "UID COPY" : "COPY", [set, { string: mailbox }]);
    return readCopyUid(reply);
  }

  /**
   * Moves messages to another mailbox (MOVE, RFC 6851): copied there and expunged here in one
   * step, so nothing is left flagged `\Deleted`. The EXPUNGE responses are in the connection's
   * `onUntagged`.
   *
   * @param set The messages.
   * @param mailbox The target.
   * @param options Whether the set holds UIDs.
   * @returns Each source UID with its UID in the target, when the server has UIDPLUS.
   * @throws {ImapResponseError} `NO [TRYCREATE]` when the target does not exist.
   *
   * @example Throw a message away
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * await store.deliver("bob", new TextEncoder().encode("Subject: spam\r\n\r\n"));
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * const moved = await client.move("1", "Trash", { uid: true });
   * assert.equal((await store.list("bob", "Trash"))[0].uid, moved?.uids.get(1));
   * assert.deepEqual(await store.list("bob", "INBOX"), []);
   * ```
   */
  async move(set: string, mailbox: string, options: UidOptions = {}): Promise<CopyUid | undefined> {
    const reply = await this.command(options.uid ? "UID MOVE" : "MOVE", [set, { string: mailbox }]);
    return readCopyUid(reply);
  }

  /**
   * Removes the messages flagged `\Deleted` (EXPUNGE, RFC 3501 §6.4.3), or only those of a UID
   * set (UID EXPUNGE, RFC 4315 §2.1), so that another client's `\Deleted` stays.
   *
   * @param options The UIDs to consider. @default every message
   * @returns The sequence numbers expunged, as sent: each valid when it was sent.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * for (const s of ["one", "two", "three"]) {
   *   await store.deliver("bob", new TextEncoder().encode(`Subject: ${s}\r\n\r\n`), { flags: ["\\Deleted"] });
   * }
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * assert.deepEqual(await client.expunge({ uids: "2:3" }), [3, 2]);
   * assert.equal((await store.list("bob", "INBOX")).length, 1);
   * ```
   */
  async expunge(options: { uids?: string } = {}): Promise<number[]> {
    const reply = options.uids === undefined
      ? await this.command("EXPUNGE")
      : await this.command("UID EXPUNGE", [options.uids]);
    return readExpunge(reply.untagged);
  }

  /**
   * Leaves the selected mailbox without expunging anything (UNSELECT, RFC 3691).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store: new MemoryStore(), authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * await client.unselect();
   * await assert.rejects(client.fetch("1:*", "(UID)"), { status: "BAD" });
   * ```
   */
  async unselect(): Promise<void> {
    await this.command("UNSELECT");
  }

  /**
   * Leaves the selected mailbox, silently expunging its `\Deleted` messages (CLOSE,
   * RFC 3501 §6.4.2). Named so because `close()` closes the connection.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * await store.deliver("bob", new TextEncoder().encode("Subject: old\r\n\r\n"), { flags: ["\\Deleted"] });
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.select("INBOX");
   * await client.closeMailbox();
   * assert.deepEqual(await store.list("bob", "INBOX"), []);
   * ```
   */
  async closeMailbox(): Promise<void> {
    await this.command("CLOSE");
  }
}
