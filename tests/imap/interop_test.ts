/**
 * Interop: real IMAP clients with their default settings do what a user does with bob's
 * mailbox on the lab's hamburger.edu (Maildir on disk, filled by alice through SMTP): log in,
 * list, read, flag, move to Trash, expunge, append to Sent, and see new mail arrive while idle.
 * Python's imaplib, curl and imapflow here; neomutt in `neomutt_test.ts`.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ImapFlow } from "imapflow";
import { runTool, toolTest } from "../_tools.ts";
import { assertSession, mailLab, RunningTool, SENT_COPY } from "./_mail_clients.ts";

const decoder = new TextDecoder();
const SPECIAL_USE_LIST = [
  '(\\HasNoChildren) "." "INBOX"',
  '(\\HasNoChildren \\Drafts) "." "Drafts"',
  '(\\HasNoChildren \\Junk) "." "Junk"',
  '(\\HasNoChildren \\Sent) "." "Sent"',
  '(\\HasNoChildren \\Trash) "." "Trash"',
];

// imaplib has no IDLE before Python 3.14, so the script sends it on imaplib's own connection.
const PYTHON = `
import base64, imaplib, json, sys
port, password, copy_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def say(**fields): print(json.dumps(fields), flush=True)
m = imaplib.IMAP4("127.0.0.1", port)
m.login("bob", password)
say(list=[x.decode() for x in m.list()[1]])
say(exists=m.select("INBOX")[1][0].decode())
typ, data = m.uid("FETCH", "1", "(BODY[])")
say(read=base64.b64encode(data[0][1]).decode())
say(flagged=m.uid("STORE", "2", "+FLAGS", "(\\\\Flagged)")[1][0].decode())
typ, data = m.uid("MOVE", "3", "Trash")
say(moved=typ, copyuid=m.untagged_responses.get("COPYUID", [b""])[0].decode())
m.uid("STORE", "1", "+FLAGS", "(\\\\Deleted)")
say(expunged=[x.decode() for x in m.expunge()[1]])
typ, data = m.append("Sent", "(\\\\Seen)", None, open(copy_file, "rb").read())
say(appended=typ, appenduid=m.untagged_responses.get("APPENDUID", [b""])[0].decode())
tag = m._new_tag()
m.send(tag + b" IDLE\\r\\n")
say(idle=m.readline().decode().strip())
say(pushed=m.readline().decode().strip())
m.send(b"DONE\\r\\n")
while True:
    line = m.readline().decode().strip()
    if line.startswith(tag.decode()): break
say(done=line)
say(logout=m.logout()[0])
`;

toolTest("Python imaplib: list, read, flag, move to Trash, expunge, append to Sent, IDLE", [
  "python3",
], async () => {
  await using lab = await mailLab();
  const copyFile = await Deno.makeTempFile();
  await Deno.writeFile(copyFile, SENT_COPY);
  const password = lab.lab.agentOptions("bob@hamburger.edu").password;
  const python = new RunningTool("python3", ["-c", PYTHON, String(lab.port), password, copyFile]);
  const event = async (pattern: RegExp) => JSON.parse(await python.waitFor(pattern));
  assert.deepEqual((await event(/"list"/)).list, SPECIAL_USE_LIST);
  assert.equal((await event(/"exists"/)).exists, "3");
  const read = Uint8Array.from(atob((await event(/"read"/)).read), (c) => c.charCodeAt(0));
  assert.match((await event(/"flagged"/)).flagged, /^2 \(UID 2 FLAGS \(.*\\Flagged.*\)\)$/);
  const moved = await event(/"moved"/);
  assert.equal(moved.moved, "OK");
  assert.match(moved.copyuid, /^\d+ 3 1$/);
  // imaplib hands back every EXPUNGE it heard since the last call: MOVE's, then EXPUNGE's.
  assert.deepEqual((await event(/"expunged"/)).expunged, ["3", "1"]);
  assert.match((await event(/"appenduid"/)).appenduid, /^\d+ 1$/);
  assert.equal((await event(/"idle"/)).idle, "+ idling");
  await lab.deliverFourth();
  assert.equal((await event(/"pushed"/)).pushed, "* 2 EXISTS");
  assert.match((await event(/"done"/)).done, /OK IDLE terminated/);
  assert.equal((await event(/"logout"/)).logout, "BYE");
  const { code, stderr } = await python.finish();
  assert.equal(code, 0, stderr);
  await assertSession(lab, read);
  await Deno.remove(copyFile);
});

toolTest("curl: list, read, flag, move to Trash, expunge, append to Sent, and poll", [
  "curl",
], async () => {
  await using lab = await mailLab();
  const password = lab.lab.agentOptions("bob@hamburger.edu").password;
  const base = `imap://127.0.0.1:${lab.port}`;
  const curl = async (url: string, ...args: string[]) => {
    const out = await new Deno.Command("curl", {
      args: ["-sS", "--max-time", "15", url, "--user", `bob:${password}`, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, decoder.decode(out.stderr));
    return out.stdout;
  };
  const list = decoder.decode(await curl(`${base}/`));
  assert.deepEqual(list.trimEnd().split("\r\n"), SPECIAL_USE_LIST.map((l) => `* LIST ${l}`));
  const read = await curl(`${base}/INBOX;UID=1`);
  await curl(`${base}/INBOX`, "-X", "UID STORE 2 +FLAGS (\\Flagged)");
  await curl(`${base}/INBOX`, "-X", "UID MOVE 3 Trash");
  await curl(`${base}/INBOX`, "-X", "UID STORE 1 +FLAGS (\\Deleted)");
  assert.equal(decoder.decode(await curl(`${base}/INBOX`, "-X", "EXPUNGE")), "* 1 EXPUNGE\r\n");
  // curl uploads with APPEND and the \Seen flag.
  const copyFile = await Deno.makeTempFile();
  await Deno.writeFile(copyFile, SENT_COPY);
  await curl(`${base}/Sent`, "-T", copyFile);
  // curl cannot IDLE: it finds the new message by searching again, as a polling client does.
  await lab.deliverFourth();
  assert.equal(
    decoder.decode(await curl(`${base}/INBOX`, "-X", "UID SEARCH ALL")),
    "* SEARCH 2 4\r\n",
  );
  const refused = await runTool("curl", [
    "-s",
    "--max-time",
    "15",
    `${base}/`,
    "-u",
    "bob:ketchup",
  ]);
  assert.equal(refused.code, 67); // CURLE_LOGIN_DENIED
  await assertSession(lab, read);
  await Deno.remove(copyFile);
});

Deno.test("imapflow: list, read, flag, move to Trash, expunge, append to Sent, IDLE", async () => {
  await using lab = await mailLab();
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: lab.port,
    secure: false,
    // The lab offers STARTTLS, which imapflow takes by default: it must trust the lab's CA.
    tls: { ca: [lab.lab.ca] },
    auth: { user: "bob", pass: lab.lab.agentOptions("bob@hamburger.edu").password },
    logger: false,
  });
  await client.connect();
  try {
    const list = await client.list();
    // imapflow orders the special-use mailboxes its own way.
    assert.deepEqual(Object.fromEntries(list.map((box) => [box.path, box.specialUse ?? ""])), {
      INBOX: "\\Inbox",
      Drafts: "\\Drafts",
      Junk: "\\Junk",
      Sent: "\\Sent",
      Trash: "\\Trash",
    });
    const lock = await client.getMailboxLock("INBOX");
    try {
      const message = await client.fetchOne("1", { source: true, envelope: true }, { uid: true });
      assert.ok(message);
      assert.equal(message.envelope?.subject, "Lunch?");
      const read = new Uint8Array(message.source!);
      assert.equal(await client.messageFlagsAdd("2", ["\\Flagged"], { uid: true }), true);
      const moved = await client.messageMove("3", "Trash", { uid: true });
      assert.ok(moved);
      assert.equal(moved.uidMap?.get(3), 1);
      assert.equal(await client.messageDelete("1", { uid: true }), true);
      const appended = await client.append("Sent", Buffer.from(SENT_COPY), ["\\Seen"]);
      assert.ok(appended);
      assert.equal(appended.uid, 1);
      // imapflow idles by itself 15 s after its last command; idle() starts it now.
      const arrived = new Promise<{ count: number }>((resolve) => client.once("exists", resolve));
      const idling = client.idle();
      for (let i = 0; i < 100 && !/\+ idling/.test(lab.imapDialog()); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await lab.deliverFourth();
      assert.equal((await arrived).count, 2);
      assert.match(lab.imapDialog(), /C \S+ IDLE\nS \+ idling\n(S .*\n)*S \* 2 EXISTS/);
      assert.equal(await client.noop(), undefined); // ends the IDLE
      await idling;
      await assertSession(lab, read);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
});
