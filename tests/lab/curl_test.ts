// curl, a real client, carries the course's message through the lab: submission with AUTH at
// crepes.fr, relay to hamburger.edu, and back out over IMAP with the same bytes.
import assert from "node:assert/strict";
import { Lab } from "../../lab/lab.ts";
import { toolTest } from "../_tools.ts";

const MESSAGE =
  "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Searching for the meaning of life.\r\n" +
  "\r\nDo you like ketchup?\r\n.How about pickles?\r\n";

async function curl(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const child = new Deno.Command("curl", {
    args: ["-sS", "--max-time", "20", ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

/** curl sends MESSAGE from alice to bob through the SMTP port given. */
function curlSend(port: number, extra: string[] = []) {
  const envelope = ["--mail-from", "alice@crepes.fr", "--mail-rcpt", "bob@hamburger.edu"];
  return curl([`smtp://127.0.0.1:${port}`, ...extra, ...envelope, "-T", "-"], MESSAGE);
}

toolTest(
  "curl sends through crepes.fr with AUTH, the relay delivers, curl reads the same bytes over IMAP",
  ["curl"],
  async () => {
    await using lab = await Lab.start({
      freePorts: true,
      storage: "memory",
      passwordIterations: 1000,
    });
    const crepes = lab.server("crepes.fr");
    const hamburger = lab.server("hamburger.edu");
    const sent = await curlSend(crepes.ports.submission, ["--user", "alice:ketchup"]);
    assert.equal(sent.code, 0, sent.stderr);
    await lab.idle();

    const stored = await hamburger.store.list("bob", "INBOX");
    assert.equal(stored.length, 1);
    const storedBytes = await hamburger.store.read("bob", "INBOX", stored[0].uid);
    assert.ok(
      new TextDecoder().decode(storedBytes).endsWith(MESSAGE),
      "dot-stuffing undone exactly once",
    );

    const read = await curl([
      `imap://127.0.0.1:${hamburger.ports.imap}/INBOX;UID=${stored[0].uid}`,
      "--user",
      "bob:pickles",
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(read.stdout, storedBytes);

    const submission = lab.transcripts.find((t) => t.title.includes("submission"))!;
    assert.ok(submission.lines("C").some((l) => l.startsWith("AUTH")), "curl logged in");
    assert.ok(!submission.toString().includes(btoa("\0alice\0ketchup")), "the password is masked");
  },
);

toolTest("curl without a login cannot relay through crepes.fr", ["curl"], async () => {
  await using lab = await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const crepes = lab.server("crepes.fr");
  const sent = await curlSend(crepes.ports.smtp);
  assert.notEqual(sent.code, 0);
  assert.match(sent.stderr, /554|relay/i);
  assert.equal(crepes.queue.list().length, 0);
});
