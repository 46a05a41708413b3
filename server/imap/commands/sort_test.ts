import assert from "node:assert/strict";
import { ManualClock } from "../../../protocol/clock.ts";
import { formatStatus } from "../../../protocol/imap/response.ts";
import { RESPONSE } from "../../../protocol/imap/responses.ts";
import { MemoryStore } from "../../store/memory_store.ts";
import { accounts, done } from "../_fixture.ts";
import { ImapSession } from "../session.ts";
import { COMMANDS } from "./table.ts";

const hour = (h: number) => Date.UTC(2026, 8, 1, h);

// Delivered in this order; UIDs 1 to 5. Arrival order differs from delivery order.
const MESSAGES = [
  {
    header: 'From: Zed <zed@x.org>\r\nTo: "Kim" <b@x.org>\r\nSubject: Re: [list] Budget\r\n' +
      "Date: Tue, 1 Sep 2026 12:00:00 +0200",
    internalDate: hour(9),
  },
  {
    header: "From: alice@crepes.fr\r\nTo: team: zoe@x.org;\r\nCc: carol@x.org\r\n" +
      "Subject: lunch (fwd)\r\nDate: Tue, 1 Sep 2026 09:30:00 +0000",
    internalDate: hour(7),
  },
  {
    header: "From: Bob <bob@hamburger.edu>\r\nTo: ann@x.org\r\nSubject: [fwd: Budget]",
    internalDate: hour(8),
  },
  {
    header: "From: =?UTF-8?Q?Aaron?= <zz@x.org>\r\nSubject: Fwd: Re: budget\r\n" +
      "Date: Tue, 1 Sep 2026 08:00:00 -0100",
    internalDate: hour(7),
  },
  { header: "From: yan@x.org\r\nSubject: Lunch", internalDate: hour(10), body: "x".repeat(100) },
];

async function mailbox() {
  const store = new MemoryStore({ clock: new ManualClock() });
  for (const { header, internalDate, body } of MESSAGES) {
    const bytes = new TextEncoder().encode(`${header}\r\n\r\n${body ?? "Hi"}\r\n`);
    await store.deliver("bob", bytes, { internalDate });
  }
  const session = new ImapSession({ store, accounts, domain: "hamburger.edu" });
  const send = async (line: string) => (await session.receiveLine(line)).lines;
  await send("a1 LOGIN bob pickles");
  await send("a2 SELECT INBOX");
  const sort = async (rest: string) => (await send(`s SORT ${rest}`))[0];
  return { send, sort };
}

Deno.test("ImapSession SORT orders by base subject, ties by sequence number even in REVERSE", async () => {
  const { sort } = await mailbox();
  // Base subjects: budget (1, 3, 4), lunch (2, 5).
  assert.equal(await sort("(SUBJECT) UTF-8 ALL"), "* SORT 1 3 4 2 5");
  assert.equal(await sort("(REVERSE SUBJECT) UTF-8 ALL"), "* SORT 2 5 1 3 4");
  assert.equal(await sort("(SUBJECT REVERSE ARRIVAL) UTF-8 ALL"), "* SORT 1 3 4 5 2");
});

Deno.test("ImapSession SORT orders by ARRIVAL, DATE and SIZE", async () => {
  const { sort } = await mailbox();
  assert.equal(await sort("(ARRIVAL) UTF-8 ALL"), "* SORT 2 4 3 1 5");
  assert.equal(await sort("(REVERSE ARRIVAL) UTF-8 ALL"), "* SORT 5 1 3 2 4");
  // Sent dates in UTC: 1 at 10:00, 2 at 09:30, 4 at 09:00; 3 and 5 have none and use their
  // arrival, 08:00 and 10:00; 1 and 5 tie and go by sequence number.
  assert.equal(await sort("(DATE) UTF-8 ALL"), "* SORT 3 4 2 1 5");
  assert.equal(await sort("(REVERSE DATE) UTF-8 ALL"), "* SORT 1 5 2 4 3");
  assert.equal((await sort("(SIZE) UTF-8 ALL")).split(" ").at(-1), "5");
  assert.equal((await sort("(REVERSE SIZE) UTF-8 ALL")).split(" ")[2], "5");
});

Deno.test("ImapSession SORT orders by the first address's mailbox, and by display name", async () => {
  const { sort } = await mailbox();
  // FROM: alice, bob, yan, zed, zz.
  assert.equal(await sort("(FROM) UTF-8 ALL"), "* SORT 2 3 5 1 4");
  // TO: "" (4, 5), ann, b, team (a group, by its name).
  assert.equal(await sort("(TO) UTF-8 ALL"), "* SORT 4 5 3 1 2");
  assert.equal(await sort("(CC) UTF-8 ALL"), "* SORT 1 3 4 5 2");
  // DISPLAYFROM: Aaron, alice@crepes.fr, Bob, yan@x.org, Zed.
  assert.equal(await sort("(DISPLAYFROM) UTF-8 ALL"), "* SORT 4 2 3 5 1");
  assert.equal(await sort("(REVERSE DISPLAYTO) UTF-8 ALL"), "* SORT 2 1 3 4 5");
});

Deno.test("ImapSession SORT sorts only what its search criteria find; UID SORT gives UIDs", async () => {
  const { send, sort } = await mailbox();
  assert.equal(await sort("(SUBJECT) US-ASCII SUBJECT lunch"), "* SORT 2 5");
  assert.equal(await sort("(ARRIVAL) UTF-8 2:4"), "* SORT 2 4 3");
  assert.equal(await sort("(DATE) UTF-8 DELETED"), "* SORT");
  await send("d STORE 1 +FLAGS (\\Deleted)");
  await send("x EXPUNGE");
  assert.deepEqual(await send("u UID SORT (REVERSE ARRIVAL) UTF-8 ALL"), [
    "* SORT 5 3 2 4",
    done("u", "UID SORT"),
  ]);
  assert.equal(await sort("(REVERSE ARRIVAL) UTF-8 ALL"), "* SORT 4 2 1 3");
});

Deno.test("ImapSession SORT MODSEQ appends the highest modseq and enables CONDSTORE", async () => {
  const { send, sort } = await mailbox();
  const stored = await send("t STORE 2 +FLAGS (\\Seen)");
  assert.doesNotMatch(stored[0], /MODSEQ/);
  const sorted = await sort("(ARRIVAL) UTF-8 MODSEQ 1");
  const modseq = /\(MODSEQ (\d+)\)$/.exec(sorted)?.[1];
  assert.equal(sorted, `* SORT 2 4 3 1 5 (MODSEQ ${modseq})`);
  assert.match((await send("t STORE 3 +FLAGS (\\Seen)"))[0], /MODSEQ \(\d+\)/);
});

Deno.test("ImapSession SORT refuses unknown charsets and criteria, and needs a mailbox", async () => {
  const { send, sort } = await mailbox();
  assert.equal(
    await sort("(DATE) KOI8-R ALL"),
    formatStatus("s", RESPONSE.BadCharset("KOI8-R", ["US-ASCII", "UTF-8"])),
  );
  assert.equal(
    await sort("(COLOR) UTF-8 ALL"),
    formatStatus(
      "s",
      RESPONSE.BadArguments('Unknown sort criterion "COLOR"', COMMANDS.SORT.syntax),
    ),
  );
  assert.match(await sort("(DATE) ALL"), /^s BAD /);
  await send("c CLOSE");
  assert.deepEqual(await send("s SORT (DATE) UTF-8 ALL"), [
    formatStatus("s", RESPONSE.NeedSelected("SORT")),
  ]);
});
