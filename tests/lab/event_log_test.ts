// The lab's event log keeps the events it shows; each dialog line goes only to whoever follows
// the log live (the lab page), and is made at all only when someone does.
import assert from "node:assert/strict";
import { Lab } from "../../lab/lab.ts";
import type { MailEvent, ServerEvent } from "../../server/events.ts";
import { TranscriptLog } from "../../server/transcript_log.ts";
import { RawSmtp } from "../_raw.ts";

async function sendOne(lab: Lab): Promise<void> {
  const raw = await RawSmtp.connect(lab.server("hamburger.edu").ports.smtp);
  await raw.code();
  for (
    const line of [
      "HELO crepes.fr",
      "MAIL FROM:<alice@crepes.fr>",
      "RCPT TO:<bob@hamburger.edu>",
      "DATA",
    ]
  ) {
    await raw.command(line);
  }
  await raw.write("Subject: Hi\r\n\r\nDo you like ketchup?\r\n.\r\n");
  assert.equal(await raw.code(), 250);
  await raw.command("QUIT");
  raw.close();
}

const isLine = (e: MailEvent) => e.type === "command" || e.type === "reply";

Deno.test("event log: dialog lines reach a live follower and are never kept among the shown events", async () => {
  await using lab = await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const followed: MailEvent[] = [];
  const stop = lab.log.subscribe((event) => followed.push(event));
  await sendOne(lab);
  stop();
  assert.ok(followed.some((e) => e.type === "command" && /^MAIL FROM:/i.test(e.text)));
  assert.ok(followed.some((e) => e.type === "reply" && e.text.startsWith("250")));
  assert.ok(!lab.log.events.some(isLine));
  assert.ok(lab.log.events.some((e) => e.type === "stored" && e.user === "bob"));
});

Deno.test("event log: with nobody following, the lab's log keeps the stored message and the transcript every line", async () => {
  await using lab = await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const before = lab.log.events.length;
  await sendOne(lab);
  const seen = lab.log.events.slice(before);
  assert.ok(!seen.some(isLine));
  assert.ok(seen.some((e) => e.type === "stored" && e.user === "bob"));
  const transcript = lab.server("hamburger.edu").transcripts.at(-1)!;
  assert.ok(transcript.lines("C").some((line) => /^MAIL FROM:/i.test(line)));
});

Deno.test("transcript log: a dialog line becomes an event only while someone follows", () => {
  const events: ServerEvent[] = [];
  let following = false;
  const log = new TranscriptLog({
    domain: "hamburger.edu",
    clock: { now: () => 0, setTimer: () => ({ cancel() {} }) },
    emit: (event) => events.push(event),
    following: () => following,
  });
  const transcript = log.factory("MX")({ protocol: "SMTP", remote: "127.0.0.1:4000", local: "" })!;
  transcript.client("HELO crepes.fr", 0);
  following = true;
  transcript.client("MAIL FROM:<alice@crepes.fr>", 0);
  const lines = events.filter((e) => e.type === "command").map((e) =>
    e.type === "command" && e.text
  );
  assert.deepEqual(lines, ["MAIL FROM:<alice@crepes.fr>"]);
  assert.equal(events.filter((e) => e.type === "connection").length, 1);
  assert.equal(transcript.lines("C").length, 2, "the transcript has both lines");
});
