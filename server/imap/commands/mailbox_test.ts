import assert from "node:assert/strict";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { SYSTEM_FLAGS } from "../../store/store.ts";
import { done, selected, setup } from "../_fixture.ts";
import { COMMANDS } from "./table.ts";

Deno.test("ImapSession SELECT reports counts and response codes", async () => {
  const { send, store } = await setup();
  await send("a1 LOGIN bob pickles");
  const lines = await send("a2 SELECT inbox");
  const { uidValidity } = await store.status("bob", "INBOX");
  assert.deepEqual(lines.slice(0, 4), [
    "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)",
    "* 2 EXISTS",
    "* 0 RECENT",
    formatStatus("*", RESPONSE.FirstUnseen(1)),
  ]);
  assert.equal(lines[4], formatStatus("*", RESPONSE.UidValidity(uidValidity)));
  assert.equal(lines[5], formatStatus("*", RESPONSE.UidNext(3)));
  assert.equal(lines[6], formatStatus("*", RESPONSE.PermanentFlags(SYSTEM_FLAGS)));
  assert.equal(lines[7], formatStatus("a2", RESPONSE.Selected(false)));
  const examine = await send("a3 EXAMINE INBOX");
  assert.ok(examine.includes(formatStatus("*", RESPONSE.PermanentFlags([]))));
  assert.equal(examine.at(-1), formatStatus("a3", RESPONSE.Selected(true)));
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

Deno.test("ImapSession LIST matches * and % wildcards, LSUB too", async () => {
  const { send, store } = await setup();
  await store.ensureUser("bob");
  await store.createMailbox("bob", "Work.Course");
  await store.createMailbox("bob", "Work.Course.Notes");
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send('a2 LIST "" *'), [
    '* LIST (\\HasNoChildren) "." "INBOX"',
    '* LIST (\\Noselect \\HasChildren) "." "Work"',
    '* LIST (\\HasChildren) "." "Work.Course"',
    '* LIST (\\HasNoChildren) "." "Work.Course.Notes"',
    done("a2", "LIST"),
  ]);
  assert.deepEqual(await send('a3 LIST "" %'), [
    '* LIST (\\HasNoChildren) "." "INBOX"',
    '* LIST (\\Noselect \\HasChildren) "." "Work"',
    done("a3", "LIST"),
  ]);
  assert.deepEqual(await send("a4 LIST Work. %"), [
    '* LIST (\\HasChildren) "." "Work.Course"',
    done("a4", "LIST"),
  ]);
  assert.deepEqual(await send('a5 LIST "" ""'), [
    '* LIST (\\Noselect) "." ""',
    done("a5", "LIST"),
  ]);
  assert.deepEqual(await send('a6 LSUB "" inbox'), [
    '* LSUB (\\HasNoChildren) "." "INBOX"',
    done("a6", "LSUB"),
  ]);
});

Deno.test("ImapSession CREATE and STATUS", async () => {
  const { send } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send("a2 CREATE Archive."), [done("a2", "CREATE")]);
  assert.deepEqual(await send("a3 CREATE Archive"), [
    formatStatus("a3", RESPONSE.AlreadyExists('Mailbox "Archive" exists already')),
  ]);
  assert.deepEqual(await send("a4 STATUS INBOX (MESSAGES UNSEEN UIDNEXT RECENT)"), [
    '* STATUS "INBOX" (MESSAGES 2 UNSEEN 1 UIDNEXT 3 RECENT 0)',
    done("a4", "STATUS"),
  ]);
  assert.deepEqual(await send("a5 STATUS INBOX (SIZE)"), [
    formatStatus("a5", RESPONSE.BadArguments('Unknown status item "SIZE"', COMMANDS.STATUS.syntax)),
  ]);
});
