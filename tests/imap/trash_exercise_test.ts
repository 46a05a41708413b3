// Chapter 2.3.3's exercise, "move a message to the trash in raw IMAP", solved both ways its
// hint gives, with the same imapTelnet the notebook uses: a student who follows the hint must
// see the check pass.
import assert from "node:assert/strict";
import { Lab } from "../../lab/lab.ts";
import { imapTelnet } from "../../lab/telnet.ts";
import { ManualClock } from "../../protocol/clock.ts";
import { UserAgent } from "../../ua/agent.ts";

const SOLUTIONS = {
  "MOVE (RFC 6851)": ["a3 MOVE 1 Trash"],
  "COPY, STORE \\Deleted, EXPUNGE (RFC 3501)": [
    "a3 COPY 1 Trash",
    "a4 STORE 1 +FLAGS (\\Deleted)",
    "a5 EXPUNGE",
  ],
};

for (const [way, commands] of Object.entries(SOLUTIONS)) {
  Deno.test(`The trash exercise of chapter 2.3.3 can be solved with ${way}`, async () => {
    await using lab = await Lab.start({
      freePorts: true,
      storage: "memory",
      clock: new ManualClock(),
      passwordIterations: 1000,
    });
    const alice = new UserAgent(lab.agentOptions("alice@crepes.fr"));
    for (const subject of ["Do you like ketchup?", "How about pickles?"]) {
      await alice.send({ to: "bob@hamburger.edu", subject, text: "Alice\n" });
    }
    await lab.idle();
    const hamburger = lab.server("hamburger.edu");
    const dialog = await imapTelnet(
      ["a1 LOGIN bob pickles", "a2 SELECT INBOX", ...commands, "a9 LOGOUT"],
      { port: hamburger.ports.imap },
    );
    for (const line of commands) {
      const tag = line.split(" ")[0];
      assert.ok(dialog.lines("S").some((l) => l.startsWith(`${tag} OK`)), `${line}: OK`);
    }
    const subjects = async (mailbox: string) => {
      const found: string[] = [];
      for (const { uid } of await hamburger.store.list("bob", mailbox)) {
        const text = new TextDecoder().decode(await hamburger.store.read("bob", mailbox, uid));
        found.push(/^Subject: (.*)$/m.exec(text)?.[1] ?? "");
      }
      return found;
    };
    assert.deepEqual(await subjects("Trash"), ["Do you like ketchup?"]);
    assert.deepEqual(await subjects("INBOX"), ["How about pickles?"]);
  });
}
