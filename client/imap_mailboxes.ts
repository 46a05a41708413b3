/**
 * What an IMAP client can do with mailboxes once logged in (RFC 3501 §6.3): list them with their
 * special uses (RFC 6154), create, delete and rename them, subscribe, ask their STATUS, APPEND a
 * message (with the new UID, RFC 4315) and SELECT one. {@linkcode ImapClient} builds on it.
 *
 * @module
 */
import { formatImapDateTime } from "../protocol/imap/date.ts";
import {
  type AppendUid,
  type ListEntry,
  readAppendUid,
  readList,
  readSelected,
  readStatus,
  type SelectedInfo,
  type SpecialUseAttribute,
  type StatusInfo,
} from "../protocol/imap/response_data.ts";
import { ImapConnection } from "./imap_connection.ts";
import { formatFlagList } from "./imap_wire.ts";

/** A counter STATUS can report (RFC 3501 §6.3.10; HIGHESTMODSEQ from RFC 7162). */
export type StatusItem =
  | "MESSAGES"
  | "RECENT"
  | "UIDNEXT"
  | "UIDVALIDITY"
  | "UNSEEN"
  | "HIGHESTMODSEQ";

/** Options of {@linkcode ImapMailboxCommands.append}. */
export interface AppendOptions {
  /** The flags the message starts with, such as `["\\Seen"]`. @default [] */
  flags?: readonly string[];
  /** Its internal date, in milliseconds since the epoch. @default the server's clock */
  internalDate?: number;
}

/**
 * The commands of the authenticated state: those on mailboxes as wholes.
 *
 * @example Make a mailbox, put a message in it, count
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
 * await client.create("Recipes");
 * await client.append("Recipes", new TextEncoder().encode("Subject: Pickles\r\n\r\n"));
 * assert.equal((await client.status("Recipes", ["MESSAGES"])).messages, 1);
 * ```
 */
export class ImapMailboxCommands extends ImapConnection {
  /**
   * Lists mailboxes (LIST, RFC 3501 §6.3.8). Each entry's attributes include its special use
   * when the server shows them (RFC 6154 §2); `specialUse(entry)` reads it.
   *
   * @param reference The reference name.
   * @param pattern The pattern, with `*` and `%`.
   * @returns The entries.
   *
   * @example Find the mailbox for sent mail
   * ```ts
   * import assert from "node:assert/strict";
   * import { specialUse } from "../protocol/imap/response_data.ts";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store: new MemoryStore(), authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * const sent = (await client.list()).find((entry) => specialUse(entry) === "\\Sent");
   * assert.equal(sent?.name, "Sent");
   * ```
   */
  async list(reference = "", pattern = "*"): Promise<ListEntry[]> {
    const reply = await this.command("LIST", [{ string: reference }, { string: pattern }]);
    return readList(reply.untagged);
  }

  /**
   * Creates a mailbox (CREATE, RFC 3501 §6.3.3), with a special use where the server has
   * CREATE-SPECIAL-USE (RFC 6154 §3).
   *
   * @param mailbox The new name; parents are made as needed.
   * @param options Its special use, such as `\Archive`. @default none
   * @throws {ImapResponseError} `NO [ALREADYEXISTS]` when it exists.
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
   * await client.create("Old", { specialUse: "\\Archive" });
   * const old = (await client.list("", "Old"))[0];
   * assert.ok(old.attributes.includes("\\Archive"));
   * await assert.rejects(client.create("Old"), { code: "ALREADYEXISTS" });
   * ```
   */
  async create(mailbox: string, options: { specialUse?: SpecialUseAttribute } = {}): Promise<void> {
    const use = options.specialUse ? [`(USE (${options.specialUse}))`] : [];
    await this.command("CREATE", [{ string: mailbox }, ...use]);
  }

  /**
   * Deletes a mailbox and its messages (DELETE, RFC 3501 §6.3.4).
   *
   * @param mailbox Its name.
   * @throws {ImapResponseError} `NO [NONEXISTENT]` when there is no such mailbox.
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
   * await client.create("Scratch");
   * await client.delete("Scratch");
   * assert.deepEqual(await client.list("", "Scratch"), []);
   * ```
   */
  async delete(mailbox: string): Promise<void> {
    await this.command("DELETE", [{ string: mailbox }]);
  }

  /**
   * Renames a mailbox and its children (RENAME, RFC 3501 §6.3.5).
   *
   * @param from The current name.
   * @param to The new name.
   * @throws {ImapResponseError} `NO [NONEXISTENT]` when there is no such mailbox.
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
   * await client.create("Work");
   * await client.rename("Work", "Course");
   * assert.deepEqual((await client.list("", "Course")).map((e) => e.name), ["Course"]);
   * ```
   */
  async rename(from: string, to: string): Promise<void> {
    await this.command("RENAME", [{ string: from }, { string: to }]);
  }

  /**
   * Subscribes to a mailbox (SUBSCRIBE, RFC 3501 §6.3.6): LSUB and `LIST (SUBSCRIBED)` show it.
   *
   * @param mailbox Its name (it need not exist).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { readList } from "../protocol/imap/response_data.ts";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store: new MemoryStore(), authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.subscribe("Sent");
   * const reply = await client.command("LSUB", [{ string: "" }, { string: "*" }]);
   * assert.deepEqual(readList(reply.untagged, "LSUB").map((e) => e.name), ["Sent"]);
   * ```
   */
  async subscribe(mailbox: string): Promise<void> {
    await this.command("SUBSCRIBE", [{ string: mailbox }]);
  }

  /**
   * Ends a subscription (UNSUBSCRIBE, RFC 3501 §6.3.7); the mailbox stays.
   *
   * @param mailbox Its name.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { readList } from "../protocol/imap/response_data.ts";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store: new MemoryStore(), authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * await client.subscribe("Sent");
   * await client.unsubscribe("Sent");
   * const reply = await client.command("LSUB", [{ string: "" }, { string: "*" }]);
   * assert.deepEqual(readList(reply.untagged, "LSUB"), []);
   * ```
   */
  async unsubscribe(mailbox: string): Promise<void> {
    await this.command("UNSUBSCRIBE", [{ string: mailbox }]);
  }

  /**
   * Asks a mailbox's counters without selecting it (STATUS, RFC 3501 §6.3.10).
   *
   * @param mailbox Its name.
   * @param items The counters wanted. @default ["MESSAGES", "UNSEEN", "UIDNEXT", "UIDVALIDITY"]
   * @returns The counters asked for.
   * @throws {ImapResponseError} `NO [NONEXISTENT]` when there is no such mailbox.
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
   * const inbox = await client.status("INBOX");
   * assert.equal(inbox.messages, 1);
   * assert.equal(inbox.unseen, 1);
   * assert.equal(inbox.uidNext, 2);
   * ```
   */
  async status(
    mailbox: string,
    items: readonly StatusItem[] = ["MESSAGES", "UNSEEN", "UIDNEXT", "UIDVALIDITY"],
  ): Promise<StatusInfo> {
    const reply = await this.command("STATUS", [{ string: mailbox }, `(${items.join(" ")})`]);
    return readStatus(reply.untagged) ?? { name: mailbox };
  }

  /**
   * Puts a message into a mailbox (APPEND, RFC 3501 §6.3.11), as a client keeps Sent and
   * Drafts. The message goes as a literal: at once with LITERAL+, else after the go-ahead.
   *
   * @param mailbox The mailbox.
   * @param message The whole message, CRLF line endings.
   * @param options Its flags and internal date.
   * @returns Its UIDVALIDITY and UID when the server has UIDPLUS (APPENDUID, RFC 4315 §3).
   * @throws {ImapResponseError} `NO [TRYCREATE]` when the mailbox does not exist.
   *
   * @example Save a sent message, seen
   * ```ts
   * import assert from "node:assert/strict";
   * import { ImapServer } from "../server/imap/server.ts";
   * import { MemoryStore } from "../server/store/memory_store.ts";
   * import { ImapClient } from "./imap_client.ts";
   *
   * const store = new MemoryStore();
   * const authenticate = (user: string) => Promise.resolve(user);
   * await using server = new ImapServer({ store, authenticate });
   * await using client = await ImapClient.connect({ port: server.port });
   * await client.login("bob", "pickles");
   * const message = new TextEncoder().encode("Subject: Lunch\r\n\r\nNoon?\r\n");
   * const saved = await client.append("Sent", message, { flags: ["\\Seen"] });
   * assert.deepEqual(await store.read("bob", "Sent", saved!.uid), message);
   * ```
   */
  async append(
    mailbox: string,
    message: Uint8Array,
    options: AppendOptions = {},
  ): Promise<AppendUid | undefined> {
    const flags = options.flags?.length ? [formatFlagList(options.flags)] : [];
    const date = options.internalDate === undefined
      ? []
      : [`"${formatImapDateTime(options.internalDate)}"`];
    const reply = await this.command("APPEND", [
      { string: mailbox },
      ...flags,
      ...date,
      { literal: message },
    ]);
    return readAppendUid(reply.code);
  }

  /**
   * Opens a mailbox with SELECT, or EXAMINE when `readOnly` (RFC 3501 §6.3.1, §6.3.2).
   *
   * @param mailbox The mailbox name.
   * @param readOnly Whether to EXAMINE.
   * @returns What the server told of it.
   * @throws {ImapResponseError} `NO [NONEXISTENT]` when there is no such mailbox.
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
   * const trash = await client.select("Trash", true);
   * assert.equal(trash.exists, 0);
   * assert.equal(trash.readOnly, true);
   * ```
   */
  async select(mailbox: string, readOnly = false): Promise<SelectedInfo> {
    const reply = await this.command(readOnly ? "EXAMINE" : "SELECT", [{ string: mailbox }]);
    return readSelected(reply.untagged, reply.code);
  }
}
