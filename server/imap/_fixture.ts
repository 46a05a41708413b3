// What the ImapSession tests share: bob's account, two messages in a memory store on a manual
// clock, and a session driven by hand, logged in and with INBOX selected when a test wants it.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { formatStatus } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import { Transcript } from "../../protocol/transcript.ts";
import { Accounts } from "../accounts.ts";
import { MemoryStore } from "../store/memory_store.ts";
import type { ImapSessionOptions } from "./options.ts";
import { ImapSession } from "./session.ts";

/** The domain's one account: bob, password pickles. */
export const accounts: Accounts = new Accounts({ iterations: 1000 });
await accounts.add("bob", "pickles");

/** The first message in bob's INBOX; the second is "Subject: Second", seen and flagged. */
export const MESSAGE = "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Lunch\r\n" +
  "Date: Tue, 1 Sep 2026 09:00:00 +0000\r\n\r\nPickles at noon?\r\n";

/** The tagged OK of a command that has nothing more to say, as a line. */
export function done(tag: string, name: string): string {
  return formatStatus(tag, RESPONSE.Completed(name));
}

/** A greeted session on a fresh store, with `send` for one line and its response lines. */
export async function setup(options: Partial<ImapSessionOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 8, 1, 9, 0, 0));
  const store = new MemoryStore({ clock });
  const encoder = new TextEncoder();
  await store.deliver("bob", encoder.encode(MESSAGE));
  await store.deliver("bob", encoder.encode("Subject: Second\r\n\r\nTwo\r\n"), {
    flags: ["\\Seen", "\\Flagged"],
    internalDate: Date.UTC(2026, 7, 15),
  });
  const transcript = new Transcript();
  const session = new ImapSession({
    store,
    accounts,
    clock,
    transcript,
    domain: "hamburger.edu",
    ...options,
  });
  session.greeting();
  const send = async (line: string) => (await session.receiveLine(line)).lines;
  return { clock, store, session, transcript, send };
}

/** {@linkcode setup}, then bob logged in (tag a1) with INBOX selected (tag a2). */
export async function selected(options: Partial<ImapSessionOptions> = {}) {
  const context = await setup(options);
  assert.match((await context.send("a1 LOGIN bob pickles")).at(-1)!, /^a1 OK/);
  const select = await context.send("a2 SELECT INBOX");
  assert.equal(select.at(-1), formatStatus("a2", RESPONSE.Selected(false)));
  return context;
}
