import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { SYSTEM_FLAGS } from "../../store/store.ts";
import { done, selected, setup } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

Deno.test("ImapSession SELECT reports counts, recent messages and response codes; EXAMINE takes nothing", async () => {
  const { send, store } = await setup();
  await send("a1 LOGIN bob pickles");
  const examine = await send("a2 EXAMINE INBOX");
  assert.ok(examine.includes("* 2 RECENT"), "EXAMINE shows the recent messages");
  assert.ok(examine.includes(formatStatus("*", RESPONSE.PermanentFlags([]))));
  assert.equal(examine.at(-1), formatStatus("a2", RESPONSE.Selected(true)));
  const lines = await send("a3 SELECT inbox");
  const { uidValidity, highestModseq } = await store.status("bob", "INBOX");
  assert.deepEqual(lines, [
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)",
    formatStatus("*", RESPONSE.PermanentFlags([...SYSTEM_FLAGS, "\\*"])),
    "* 2 EXISTS",
    "* 2 RECENT",
    formatStatus("*", RESPONSE.FirstUnseen(1)),
    formatStatus("*", RESPONSE.UidValidity(uidValidity)),
    formatStatus("*", RESPONSE.UidNext(3)),
    formatStatus("*", RESPONSE.HighestModseq(highestModseq)),
    formatStatus("a3", RESPONSE.Selected(false)),
  ]);
  assert.ok((await send("a4 SELECT INBOX")).includes("* 0 RECENT"), "SELECT took them");
});

Deno.test("ImapSession refuses missing mailboxes and names with path tricks", async () => {
  const { send, session } = await selected();
  assert.deepEqual(await send("a3 SELECT Nowhere"), [
    formatStatus("a3", RESPONSE.Nonexistent('No such mailbox "Nowhere"')),
  ]);
  assert.equal(session.state, "authenticated");
  for (const name of ["../x", '"INBOX/../.."', '"a/b"', "..", '"Work..x"']) {
    const [line] = await send(`a4 SELECT ${name}`);
    assert.ok(line.startsWith(formatStatus("a4", RESPONSE.Cannot("Invalid mailbox name "))), line);
    assert.ok(
      (await send(`a5 CREATE ${name}`))[0].startsWith(formatStatus("a5", RESPONSE.Cannot(""))),
    );
  }
});

Deno.test("ImapSession LIST matches * and % wildcards and shows special-use mailboxes", async () => {
  const { send, store } = await setup();
  await store.ensureUser("bob");
  await store.createMailbox("bob", "Work.Course");
  await store.createMailbox("bob", "Work.Course.Notes");
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send('a2 LIST "" *'), [
    '* LIST (\\HasNoChildren) "." "INBOX"',
    '* LIST (\\HasNoChildren \\Drafts) "." "Drafts"',
    '* LIST (\\HasNoChildren \\Junk) "." "Junk"',
    '* LIST (\\HasNoChildren \\Sent) "." "Sent"',
    '* LIST (\\HasNoChildren \\Trash) "." "Trash"',
    '* LIST (\\Noselect \\HasChildren) "." "Work"',
    '* LIST (\\HasChildren) "." "Work.Course"',
    '* LIST (\\HasNoChildren) "." "Work.Course.Notes"',
    done("a2", "LIST"),
  ]);
  assert.deepEqual(await send("a3 LIST Work. %"), [
    '* LIST (\\HasChildren) "." "Work.Course"',
    done("a3", "LIST"),
  ]);
  assert.deepEqual(await send('a4 LIST "" ""'), ['* LIST (\\Noselect) "." ""', done("a4", "LIST")]);
  assert.deepEqual(await send('a5 LIST (SPECIAL-USE) "" *'), [
    '* LIST (\\Drafts) "." "Drafts"',
    '* LIST (\\Junk) "." "Junk"',
    '* LIST (\\Sent) "." "Sent"',
    '* LIST (\\Trash) "." "Trash"',
    done("a5", "LIST"),
  ]);
});

Deno.test("ImapSession keeps subscriptions apart from mailboxes: LSUB and LIST (SUBSCRIBED)", async () => {
  const { send, store } = await setup();
  await store.ensureUser("bob");
  await store.createMailbox("bob", "Work.Course");
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send('a2 LSUB "" *'), [done("a2", "LSUB")], "nothing subscribed yet");
  await send("a3 SUBSCRIBE Work.Course");
  await send("a4 SUBSCRIBE Gone");
  assert.deepEqual(await send('a5 LSUB "" %'), [
    '* LSUB (\\Noselect) "." "Gone"',
    '* LSUB (\\Noselect) "." "Work"',
    done("a5", "LSUB"),
  ]);
  assert.deepEqual(await send('a6 LIST (SUBSCRIBED) "" *'), [
    '* LIST (\\NonExistent \\Subscribed) "." "Gone"',
    '* LIST (\\Subscribed) "." "Work.Course"',
    done("a6", "LIST"),
  ]);
  await send("a7 UNSUBSCRIBE Gone");
  assert.deepEqual(await send('a8 LSUB "" *'), ['* LSUB () "." "Work.Course"', done("a8", "LSUB")]);
});

Deno.test("ImapSession DELETE and RENAME mailboxes, INBOX's rename moving its messages", async () => {
  const { send, store } = await setup();
  await send("a1 LOGIN bob pickles");
  await send("a2 CREATE Work");
  await send("a2 CREATE Work.Course");
  assert.deepEqual(await send("a3 RENAME Work Old"), [done("a3", "RENAME")]);
  assert.deepEqual(
    (await store.mailboxes("bob")).map((m) => m.name).filter((n) => n.startsWith("Old")),
    ["Old", "Old.Course"],
  );
  assert.deepEqual(await send("a4 DELETE INBOX"), [formatStatus("a4", RESPONSE.DeleteInbox)]);
  assert.deepEqual(await send("a5 DELETE Old"), [done("a5", "DELETE")]);
  assert.ok((await store.mailboxes("bob")).some((m) => m.name === "Old.Course"), "children stay");
  assert.deepEqual(await send("a6 RENAME INBOX Saved"), [done("a6", "RENAME")]);
  assert.equal((await store.status("bob", "Saved")).messages, 2);
  assert.equal((await store.status("bob", "INBOX")).messages, 0);
  assert.match((await send("a7 DELETE Nowhere"))[0], /^a7 NO \[NONEXISTENT\]/);
});

Deno.test("ImapSession reads and writes mailbox names in modified UTF-7", async () => {
  const { send, store } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send("a2 CREATE Entw&APw-rfe"), [done("a2", "CREATE")]);
  assert.ok((await store.mailboxes("bob")).some((m) => m.name === "Entwürfe"));
  assert.deepEqual(await send('a3 LIST "" Entw*'), [
    '* LIST (\\HasNoChildren) "." "Entw&APw-rfe"',
    done("a3", "LIST"),
  ]);
  assert.match((await send("a4 CREATE Entw&APw"))[0], /^a4 NO \[CANNOT\] Invalid mailbox name/);
  assert.match((await send('a5 CREATE "Entwürfe"'))[0], /^a5 NO \[CANNOT\] Invalid mailbox name/);
});

Deno.test("ImapSession CREATE and STATUS", async () => {
  const { send } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send("a2 CREATE Archive."), [done("a2", "CREATE")]);
  assert.deepEqual(await send("a3 CREATE Archive"), [
    formatStatus("a3", RESPONSE.AlreadyExists('Mailbox "Archive" exists already')),
  ]);
  assert.deepEqual(await send("a4 STATUS INBOX (MESSAGES UNSEEN UIDNEXT RECENT)"), [
    '* STATUS "INBOX" (MESSAGES 2 UNSEEN 1 UIDNEXT 3 RECENT 2)',
    done("a4", "STATUS"),
  ]);
  assert.deepEqual(await send("a5 STATUS INBOX (SIZE)"), [
    formatStatus("a5", RESPONSE.BadArguments('Unknown status item "SIZE"', COMMANDS.STATUS.syntax)),
  ]);
});
