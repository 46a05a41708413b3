/**
 * The user agent's mailboxes over IMAP: each task one session (LOGIN, SELECT, the task,
 * LOGOUT), as `session.ts` opens it, with the commands of `folders.ts`.
 *
 * @module
 */
import type { MailAccess } from "./access.ts";
import {
  expungeMessage,
  fetchMessage,
  listFolders,
  listMessages,
  moveMessage,
  noMessage,
  searchMessages,
  specialMailbox,
  userFlags,
} from "./folders.ts";
import { type SessionOptions, withImap, withMailbox } from "./session.ts";
import { watchMailbox } from "./watch.ts";

/**
 * The mailboxes of one account over IMAP.
 *
 * @param session The account and its IMAP server.
 * @returns The way to its mailboxes.
 */
export function imapAccess(session: SessionOptions): MailAccess {
  return {
    mailboxes: () => withImap(session, listFolders),
    list: (mailbox) =>
      withMailbox(session, mailbox, async (client, box) => {
        return box.exists === 0 ? [] : await listMessages(client, "1:*");
      }),
    search: (text, where) =>
      withMailbox(session, where.mailbox, (client) => searchMessages(client, text, where.in)),
    fetch: (uid, where) => {
      const body = where.markSeen ? "BODY[]" : "BODY.PEEK[]";
      const items = `(UID${where.internalDate ? " INTERNALDATE" : ""} ${body})`;
      return withMailbox(session, where.mailbox, (client) => {
        return fetchMessage(client, uid, { mailbox: where.mailbox, items });
      });
    },
    move: (uid, where) =>
      withMailbox(session, where.from, (client) => moveMessage(client, uid, where)),
    trash: (uid, mailbox) =>
      withMailbox(session, mailbox, async (client) => {
        const trash = await specialMailbox(client, "\\Trash");
        if (trash !== mailbox) return await moveMessage(client, uid, { from: mailbox, to: trash });
        await expungeMessage(client, uid, mailbox);
        return undefined;
      }),
    delete: (uid, mailbox) =>
      withMailbox(session, mailbox, (client) => expungeMessage(client, uid, mailbox)),
    flag: (uid, flags, where) =>
      withMailbox(session, where.mailbox, async (client) => {
        const action = where.on ? "+FLAGS" : "-FLAGS";
        const changed = await client.store(String(uid), action, flags, { uid: true });
        const now = changed.find((m) => m.uid === uid)?.flags;
        if (!now) throw noMessage(uid, where.mailbox);
        return userFlags(now);
      }),
    watch: (mailbox, onNews, options) =>
      withMailbox(session, mailbox, (client) => watchMailbox(client, onNews, options)),
  };
}
