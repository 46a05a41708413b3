// Two sessions of one user on one store, as a phone and a laptop are: what each is told of the
// other's changes, and when (RFC 3501 §5.5 and §7.4.1, RFC 2177 for IDLE).
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { MemoryStore } from "../store/memory_store.ts";
import { accounts, done } from "./_fixture.ts";
import { ImapSession } from "./session.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A store with three messages in bob's INBOX and a way to open sessions on it. */
async function twoDevices() {
  const clock = new ManualClock(Date.UTC(2026, 8, 1, 9, 0, 0));
  const store = new MemoryStore({ clock });
  for (const subject of ["One", "Two", "Three"]) {
    await store.deliver("bob", encoder.encode(`Subject: ${subject}\r\n\r\n${subject}\r\n`));
  }
  const open = async () => {
    const session = new ImapSession({ store, accounts, clock, domain: "hamburger.edu" });
    const pushed: string[] = [];
    session.start(({ data }) => {
      pushed.push(typeof data === "string" ? data : decoder.decode(data));
    });
    const send = async (line: string) => (await session.receiveLine(line)).lines;
    await send("a1 LOGIN bob pickles");
    return { session, send, pushed };
  };
  return { store, open };
}

/** Lets the store's watchers and the session's pushes run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

Deno.test("ImapSession gives \\Recent to the first session that selects a new message only", async () => {
  const { store, open } = await twoDevices();
  const laptop = await open();
  const phone = await open();
  assert.ok((await laptop.send("a2 SELECT INBOX")).includes("* 3 RECENT"));
  assert.ok((await phone.send("a2 SELECT INBOX")).includes("* 0 RECENT"));
  await store.deliver("bob", encoder.encode("Subject: Four\r\n\r\n4\r\n"));
  // Whoever hears of it first claims it.
  assert.deepEqual(await phone.send("a3 NOOP"), ["* 4 EXISTS", "* 1 RECENT", done("a3", "NOOP")]);
  assert.deepEqual(await laptop.send("a3 NOOP"), ["* 4 EXISTS", "* 3 RECENT", done("a3", "NOOP")]);
  assert.deepEqual(await phone.send("a4 FETCH 4 FLAGS"), [
    "* 4 FETCH (FLAGS (\\Recent))",
    done("a4", "FETCH"),
  ]);
  assert.deepEqual(await laptop.send("a4 SEARCH RECENT"), ["* SEARCH 1 2 3", done("a4", "SEARCH")]);
});

Deno.test("ImapSession answers a STORE on a message another session expunged without NO, and tells EXPUNGE later", async () => {
  const { open } = await twoDevices();
  const laptop = await open();
  const phone = await open();
  await laptop.send("a2 SELECT INBOX");
  await phone.send("a2 SELECT INBOX");
  await phone.send("a3 STORE 2 +FLAGS.SILENT (\\Deleted)");
  assert.deepEqual(await phone.send("a4 EXPUNGE"), ["* 2 EXPUNGE", done("a4", "EXPUNGE")]);

  // The laptop still counts three messages: during STORE, FETCH and SEARCH an EXPUNGE would
  // renumber the messages under the client's feet (RFC 3501 §7.4.1), so none is sent.
  assert.deepEqual(await laptop.send("a3 STORE 2:3 +FLAGS (\\Seen)"), [
    "* 3 FETCH (FLAGS (\\Seen \\Recent))",
    done("a3", "STORE"),
  ]);
  const search = await laptop.send("a4 SEARCH SEEN");
  assert.deepEqual(search, ["* SEARCH 3", done("a4", "SEARCH")]);
  // NOOP may renumber: now the laptop hears of the expunge, and message 3 becomes 2.
  assert.deepEqual(await laptop.send("a5 NOOP"), ["* 2 EXPUNGE", done("a5", "NOOP")]);
  assert.deepEqual(await laptop.send("a6 FETCH 2 (UID FLAGS)"), [
    "* 2 FETCH (UID 3 FLAGS (\\Seen \\Recent))",
    done("a6", "FETCH"),
  ]);
  // The phone hears of the laptop's flag change at its next command.
  assert.deepEqual(await phone.send("a5 NOOP"), [
    // Unasked FETCH responses carry the UID, so the client needs no second look.
    "* 2 FETCH (UID 3 FLAGS (\\Seen))",
    done("a5", "NOOP"),
  ]);
});

Deno.test("ImapSession IDLE pushes EXISTS, FETCH FLAGS and EXPUNGE as they happen, until DONE", async () => {
  const { store, open } = await twoDevices();
  const laptop = await open();
  const phone = await open();
  await laptop.send("a2 SELECT INBOX");
  await phone.send("a2 SELECT INBOX");
  assert.deepEqual(await laptop.send("a3 IDLE"), ["+ idling"]);

  await store.deliver("bob", encoder.encode("Subject: Four\r\n\r\n4\r\n"));
  await settle();
  assert.deepEqual(laptop.pushed.splice(0), ["* 4 EXISTS\r\n* 4 RECENT\r\n"]);

  await phone.send("a3 STORE 1 +FLAGS (\\Flagged)");
  await settle();
  assert.deepEqual(laptop.pushed.splice(0), ["* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))\r\n"]);

  await phone.send("a4 STORE 2 +FLAGS.SILENT (\\Deleted)");
  await phone.send("a5 EXPUNGE");
  await settle();
  const news = laptop.pushed.splice(0).join("");
  assert.equal(
    news.replace("* 2 FETCH (UID 2 FLAGS (\\Deleted \\Recent))\r\n", ""),
    "* 2 EXPUNGE\r\n",
  );

  assert.deepEqual(await laptop.send("DONE"), [
    done("a3", "IDLE").replace("IDLE completed", "IDLE terminated"),
  ]);
  await store.deliver("bob", encoder.encode("Subject: Five\r\n\r\n5\r\n"));
  await settle();
  assert.deepEqual(laptop.pushed, [], "after DONE nothing more is pushed");
  assert.deepEqual(await laptop.send("a4 NOOP"), ["* 4 EXISTS", "* 4 RECENT", done("a4", "NOOP")]);
});

Deno.test("ImapSession IDLE wants DONE and restarts the idle timer; BAD for anything else", async () => {
  const { open } = await twoDevices();
  const laptop = await open();
  await laptop.send("a2 SELECT INBOX");
  const before = laptop.session.deadline;
  assert.deepEqual(await laptop.send("a3 IDLE"), ["+ idling"]);
  assert.match((await laptop.send("a4 NOOP")).at(-1)!, /^a3 BAD/);
  assert.ok(laptop.session.deadline >= before);
  assert.ok(laptop.session.deadline - before >= 0);
  // Thirty minutes at least (RFC 3501 §5.4).
  assert.ok(laptop.session.limits.idleTimeoutMs >= 30 * 60_000);
  assert.deepEqual(await laptop.send("a5 NOOP"), [done("a5", "NOOP")]);
});

Deno.test("ImapSession never says more RECENT than EXISTS when a delivery races its claim", async () => {
  const { store, open } = await twoDevices();
  const laptop = await open();
  await laptop.send("a2 SELECT INBOX");
  await store.deliver("bob", encoder.encode("Subject: Four\r\n\r\n4\r\n"));
  // Another delivery lands between the session's listing and its claim of the new messages.
  const claim = store.claimRecent.bind(store);
  store.claimRecent = async (user, mailbox) => {
    store.claimRecent = claim;
    await store.deliver("bob", encoder.encode("Subject: Five\r\n\r\n5\r\n"));
    return await claim(user, mailbox);
  };
  assert.deepEqual(await laptop.send("a3 NOOP"), ["* 4 EXISTS", "* 4 RECENT", done("a3", "NOOP")]);
  // The fifth, claimed early, is recent for this session when it is told of it.
  assert.deepEqual(await laptop.send("a4 NOOP"), ["* 5 EXISTS", "* 5 RECENT", done("a4", "NOOP")]);
});

Deno.test("ImapSession announces a keyword in FLAGS before a FETCH shows it, even one defined mid-sync", async () => {
  const { store, open } = await twoDevices();
  const laptop = await open();
  await laptop.send("a2 SELECT INBOX");
  await store.updateFlags("bob", { mailbox: "INBOX", uid: 1 }, { add: ["$Label1"] });
  // Another session defines $Label2 between this session's status call and its listing.
  const list = store.list.bind(store);
  store.list = async (user, mailbox) => {
    store.list = list;
    await store.updateFlags("bob", { mailbox: "INBOX", uid: 2 }, { add: ["$Label2"] });
    return await list(user, mailbox);
  };
  const lines = await laptop.send("a3 NOOP");
  const flags = lines.findIndex((l) => l.startsWith("* FLAGS"));
  assert.match(lines[flags], /\$Label1 \$Label2\)$/);
  const fetches = lines.filter((l) => / FETCH /.test(l));
  assert.equal(fetches.length, 2);
  assert.ok(lines.indexOf(fetches[0]) > flags, lines.join("\n"));
});
