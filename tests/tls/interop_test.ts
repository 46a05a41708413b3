// Real clients with their TLS turned on, against the lab: swaks --tls, curl --ssl-reqd with
// --cacert (SMTP and IMAP, STARTTLS and the implicit-TLS ports), Python's smtplib.starttls and
// imaplib.starttls, nodemailer with requireTLS, imapflow, and neomutt with its default TLS
// settings given only the lab's CA. The relay between the two domains runs inside TLS too.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { Lab } from "../../lab/lab.ts";
import type { LabConfigInput } from "../../lab/config.ts";
import { DEFAULT_CONFIG } from "../../lab/config.ts";
import { runTool, toolTest } from "../_tools.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MESSAGE = "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Over TLS\r\n\r\n" +
  "Do you like ketchup?\r\n.A line that starts with a dot\r\n";

/** A lab in memory on free ports, with its CA written to a file for the clients. */
async function startLab(config: LabConfigInput = DEFAULT_CONFIG) {
  const lab = await Lab.start({
    config,
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const dir = await Deno.makeTempDir();
  const caFile = `${dir}/ca.pem`;
  await Deno.writeTextFile(caFile, lab.ca);
  return {
    lab,
    caFile,
    crepes: lab.server("crepes.fr"),
    hamburger: lab.server("hamburger.edu"),
    async [Symbol.asyncDispose]() {
      await lab.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Bob's INBOX holds exactly MESSAGE once (after the trace fields the servers added). */
async function assertDelivered(lab: Lab, label: string) {
  await lab.idle();
  const hamburger = lab.server("hamburger.edu");
  const inbox = await hamburger.store.list("bob", "INBOX");
  assert.equal(inbox.length, 1, `${label}: one message in bob's INBOX`);
  const bytes = decoder.decode(await hamburger.store.read("bob", "INBOX", inbox[0].uid));
  assert.ok(bytes.endsWith(MESSAGE), `${label}: stored bytes end with what was sent`);
  return bytes;
}

/** The relay's transcripts from crepes.fr say the hop to hamburger.edu ran inside TLS. */
function assertRelayedInTls(lab: Lab) {
  const relays = lab.transcriptsOf("relay", "crepes.fr");
  assert.ok(relays.length > 0, "crepes.fr relayed");
  const notes = relays.flatMap((t) => t.entries.filter((e) => e.side === "*").map((e) => e.text));
  assert.ok(
    notes.some((n) => /^TLS started \(TLSv1\.[23], .*certificate verified\)$/.test(n)),
    notes.join("; "),
  );
}

/** curl sends MESSAGE as alice to bob through `url`, with `tls` options such as --cacert. */
function curlSend(url: string, tls: string[]) {
  const envelope = ["--mail-from", "alice@crepes.fr", "--mail-rcpt", "bob@hamburger.edu"];
  return runTool("curl", [
    "-sS",
    "--max-time",
    "20",
    url,
    ...tls,
    "--user",
    "alice:ketchup",
    ...envelope,
    "-T",
    "-",
  ], MESSAGE);
}

/** curl reads bob's first message at `url`. */
function curlRead(url: string, tls: string[]) {
  return runTool("curl", ["-sS", "--max-time", "20", url, ...tls, "--user", "bob:pickles"]);
}

toolTest("swaks --tls submits through crepes.fr, and the relay to hamburger.edu runs in TLS", [
  "swaks",
], async () => {
  await using env = await startLab();
  const file = `${env.caFile}.eml`;
  await Deno.writeTextFile(file, MESSAGE.slice(0, -2)); // swaks ends the last line itself
  const { code, stdout, stderr } = await runTool("swaks", [
    "--server",
    `127.0.0.1:${env.crepes.ports.submission}`,
    "--tls",
    "--auth",
    "PLAIN",
    "--auth-user",
    "alice",
    "--auth-password",
    "ketchup",
    "--from",
    "alice@crepes.fr",
    "--to",
    "bob@hamburger.edu",
    "--data",
    `@${file}`,
    "--timeout",
    "30",
  ]);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /<- +220 2\.0\.0 Ready to start TLS/);
  assert.match(stdout, /=== TLS started with cipher /);
  await assertDelivered(env.lab, "swaks");
  assertRelayedInTls(env.lab);
  const submission = env.lab.transcriptsOf("submission", "crepes.fr")[0];
  assert.ok(submission.entries.some((e) => e.text.startsWith("TLS started (TLSv1.")));
});

toolTest(
  "curl --ssl-reqd --cacert sends by STARTTLS and reads the same bytes back over IMAP STARTTLS",
  [
    "curl",
  ],
  async () => {
    await using env = await startLab();
    const tls = ["--ssl-reqd", "--cacert", env.caFile];
    const sent = await curlSend(`smtp://127.0.0.1:${env.crepes.ports.submission}`, tls);
    assert.equal(sent.code, 0, sent.stderr);
    const stored = await assertDelivered(env.lab, "curl");
    const read = await curlRead(`imap://127.0.0.1:${env.hamburger.ports.imap}/INBOX;UID=1`, tls);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, stored, "IMAP inside TLS returns the stored bytes");
    const imap = env.lab.transcriptsOf("imap", "hamburger.edu")[0];
    const tlsAt = imap.entries.findIndex((e) => e.text.startsWith("TLS started"));
    const loginAt = imap.entries.findIndex((e) =>
      e.side === "C" && / (LOGIN|AUTHENTICATE) /.test(e.text)
    );
    assert.ok(tlsAt >= 0 && tlsAt < loginAt, "the password went over TLS");
  },
);

toolTest("curl uses the implicit-TLS ports: smtps:// to submissions and imaps:// to IMAPS", [
  "curl",
], async () => {
  await using env = await startLab();
  const trust = ["--cacert", env.caFile];
  const sent = await curlSend(`smtps://127.0.0.1:${env.crepes.ports.submissions}`, trust);
  assert.equal(sent.code, 0, sent.stderr);
  const stored = await assertDelivered(env.lab, "curl smtps");
  const imaps = `imaps://127.0.0.1:${env.hamburger.ports.imaps}/INBOX;UID=1`;
  const read = await curlRead(imaps, trust);
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout, stored);
  const untrusted = await curlRead(imaps, []);
  assert.equal(untrusted.code, 60, "without the lab CA, curl refuses the certificate");
});

toolTest("Python smtplib.starttls and imaplib.starttls (and IMAP4_SSL) with the lab CA", [
  "python3",
], async () => {
  await using env = await startLab();
  const script = `
import imaplib, smtplib, ssl, sys
ca, submission, imap, imaps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
with smtplib.SMTP("127.0.0.1", submission) as smtp:
    smtp.ehlo("alice-laptop")
    assert smtp.has_extn("starttls")
    smtp.starttls(context=ctx)
    smtp.ehlo("alice-laptop")
    smtp.login("alice", "ketchup")
    smtp.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], sys.stdin.buffer.read())
`;
  const sent = await runTool("python3", [
    "-c",
    script,
    env.caFile,
    String(env.crepes.ports.submission),
    "0",
    "0",
  ], MESSAGE);
  assert.equal(sent.code, 0, sent.stderr);
  const stored = await assertDelivered(env.lab, "smtplib");
  const reader = `
import imaplib, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[2]))
imap.starttls(ssl_context=ctx)
imap.login("bob", "pickles")
imap.select("INBOX")
typ, data = imap.fetch("1", "(BODY.PEEK[])")
sys.stdout.buffer.write(data[0][1])
imap.logout()
implicit = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[3]), ssl_context=ctx)
implicit.login("bob", "pickles")
assert implicit.select("INBOX")[1][0] == b"1"
implicit.logout()
`;
  const read = await runTool("python3", [
    "-c",
    reader,
    env.caFile,
    String(env.hamburger.ports.imap),
    String(env.hamburger.ports.imaps),
  ]);
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout, stored);
});

Deno.test("nodemailer with requireTLS submits over STARTTLS, trusting the lab CA", async () => {
  await using env = await startLab();
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: env.crepes.ports.submission,
    secure: false,
    requireTLS: true,
    auth: { user: "alice", pass: "ketchup" },
    tls: { ca: [env.lab.ca] },
  });
  try {
    await transport.sendMail({
      envelope: { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
      raw: Buffer.from(MESSAGE),
    });
  } finally {
    transport.close();
  }
  await assertDelivered(env.lab, "nodemailer");
  const submission = env.lab.transcriptsOf("submission", "crepes.fr")[0];
  assert.ok(submission.entries.some((e) => e.text.startsWith("TLS started")));
});

Deno.test("imapflow reads bob's message over STARTTLS, trusting the lab CA", async () => {
  await using env = await startLab();
  await env.hamburger.store.deliver("bob", encoder.encode(MESSAGE));
  const client = new ImapFlow({
    host: "127.0.0.1",
    port: env.hamburger.ports.imap,
    secure: false,
    doSTARTTLS: true,
    tls: { ca: [env.lab.ca] },
    auth: { user: "bob", pass: "pickles" },
    logger: false,
  });
  await client.connect();
  try {
    const lock = await client.getMailboxLock("INBOX");
    try {
      const message = await client.fetchOne("1", { source: true });
      assert.ok(message && message.source, "imapflow fetched the source");
      assert.equal(decoder.decode(message.source), MESSAGE);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
  const imap = env.lab.transcriptsOf("imap", "hamburger.edu")[0];
  assert.ok(imap.entries.some((e) => e.text.startsWith("TLS started")));
});

async function tmux(socket: string, args: string[]) {
  return await new Deno.Command("tmux", { args: ["-L", socket, ...args], stdout: "piped" })
    .output();
}

toolTest("neomutt with its default TLS settings, given only the lab CA, reads bob's INBOX", [
  "neomutt",
  "tmux",
], async () => {
  await using env = await startLab();
  await env.hamburger.store.deliver("bob", encoder.encode(MESSAGE));
  const home = await Deno.makeTempDir();
  try {
    // Only what a student writes in ~/.neomuttrc: the account and the lab's CA. neomutt's own
    // defaults do the rest: ssl_starttls=yes, ssl_force_tls=yes, certificate checks on.
    await Deno.writeTextFile(
      `${home}/.neomuttrc`,
      `set imap_user=bob\nset imap_pass=pickles\nset ssl_ca_certificates_file="${env.caFile}"\n` +
        `set folder=imap://127.0.0.1:${env.hamburger.ports.imap}/\nset spoolfile=+INBOX\n`,
    );
    const socket = `tls-test-${env.hamburger.ports.imap}`;
    const command = `env HOME=${home} TERM=xterm neomutt`;
    await tmux(socket, ["new-session", "-d", "-x", "120", "-y", "30", command]);
    const screen = async () => decoder.decode((await tmux(socket, ["capture-pane", "-p"])).stdout);
    try {
      let text = "";
      for (let i = 0; i < 100 && !/Msgs:1/.test(text); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        text = await screen();
      }
      assert.match(text, /Msgs:1/, `neomutt never opened INBOX: ${text}`);
      assert.match(text, /Over TLS/);
      await tmux(socket, ["send-keys", "-l", "q"]);
    } finally {
      await tmux(socket, ["kill-server"]);
    }
    const imap = env.lab.transcriptsOf("imap", "hamburger.edu");
    assert.ok(
      imap.some((t) => t.entries.some((e) => e.text.startsWith("TLS started"))),
      "neomutt used STARTTLS",
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

toolTest(
  "A domain with requireTls refuses a login in the clear and takes it inside TLS",
  ["curl"],
  async () => {
    const config = structuredClone(DEFAULT_CONFIG);
    config.domains[0].requireTls = true;
    await using env = await startLab(config);
    const submission = `smtp://127.0.0.1:${env.crepes.ports.submission}`;
    const clear = await curlSend(submission, []);
    assert.notEqual(clear.code, 0, "no login without TLS");
    const transcript = env.lab.transcriptsOf("submission", "crepes.fr")[0];
    assert.ok(transcript.lines("S").includes("530 5.7.0 Must issue a STARTTLS command first"));
    const secure = await curlSend(submission, ["--ssl-reqd", "--cacert", env.caFile]);
    assert.equal(secure.code, 0, secure.stderr);
    await assertDelivered(env.lab, "curl with requireTls");
  },
);
