// Real SMTP clients against the toolkit's server: curl, swaks, Python's smtplib and nodemailer,
// each sending a plain, an 8-bit, a UTF-8-address and a large message. The stored bytes are
// compared with what the client sent.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import nodemailer from "nodemailer";
import { runTool, toolTest } from "../_tools.ts";
import { type Accepted, testServer } from "./_server.ts";

const encoder = new TextEncoder();

/** The four messages, CRLF line ends, the last line without its CRLF (the clients add it). */
function messages(): Record<string, { from: string; bytes: Uint8Array }> {
  const large = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${"abcdefghij".repeat(8)}`)
    .join("\r\n");
  return {
    plain: {
      from: "alice@crepes.fr",
      bytes: encoder.encode(
        "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: plain\r\n\r\nDo you like ketchup?\r\n.How about pickles?",
      ),
    },
    eightBit: {
      from: "alice@crepes.fr",
      bytes: encoder.encode(
        "From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n안녕하세요, Bob! Ça va?",
      ),
    },
    utf8Address: {
      from: "앨리스@crepes.fr",
      bytes: encoder.encode(
        "From: 앨리스@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: utf8\r\n\r\nfrom a UTF-8 address",
      ),
    },
    large: {
      from: "alice@crepes.fr",
      bytes: encoder.encode(
        `From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: large\r\n\r\n${large}`,
      ),
    },
  };
}

const withCrlf = (bytes: Uint8Array) => new Uint8Array([...bytes, 13, 10]);

function assertStored(accepted: Accepted[], from: string, sent: Uint8Array, label: string) {
  const got = accepted.find((a) => a.envelope.from === from && a.bytes.length === sent.length);
  assert.ok(
    got,
    `${label}: no stored message of ${sent.length} bytes from ${from}; got sizes ${
      accepted.map((a) => a.bytes.length)
    }`,
  );
  assert.deepEqual(got.bytes, sent, `${label}: stored bytes differ`);
  assert.deepEqual(got.envelope.to, ["bob@hamburger.edu"]);
}

/** swaks's arguments: alice logs in and sends from `from` to bob. */
function swaks(port: number, from: string, extra: string[] = []): string[] {
  const auth = ["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "ketchup"];
  const envelope = ["--from", from, "--to", "bob@hamburger.edu"];
  return ["--server", `127.0.0.1:${port}`, ...envelope, ...auth, ...extra, "--timeout", "30"];
}

toolTest(
  "curl sends plain, 8-bit, UTF-8-address and large messages that are stored byte for byte",
  ["curl"],
  async () => {
    const { server, accepted } = testServer({ maxMessageSize: 20 * 1024 * 1024 });
    await using _ = server;
    for (const [label, { from, bytes }] of Object.entries(messages())) {
      const sent = withCrlf(bytes);
      const out = await runTool("curl", [
        "-sS",
        "--max-time",
        "30",
        `smtp://127.0.0.1:${server.port}`,
        "--mail-from",
        from,
        "--mail-rcpt",
        "bob@hamburger.edu",
        "-T",
        "-",
      ], sent);
      assert.equal(out.code, 0, `${label}: ${out.stderr}`);
      assertStored(accepted, from, sent, `curl ${label}`);
    }
  },
);

toolTest(
  "swaks sends plain, 8-bit and large messages with pipelining and AUTH, stored byte for byte",
  ["swaks"],
  async () => {
    const { server, accepted } = testServer({ submission: true, maxMessageSize: 20 * 1024 * 1024 });
    await using _ = server;
    const all = messages();
    for (const label of ["plain", "eightBit", "large"] as const) {
      const { from, bytes } = all[label];
      const file = await Deno.makeTempFile();
      await Deno.writeFile(file, bytes);
      const out = await runTool(
        "swaks",
        swaks(server.port, from, ["--pipeline", "--data", `@${file}`]),
      );
      await Deno.remove(file);
      assert.equal(out.code, 0, `${label}: ${out.stdout.slice(-2000)}`);
      // swaks ends the text with its own CRLF after the file's last line.
      assertStored(accepted, from, withCrlf(bytes), `swaks ${label}`);
    }
    // swaks has no SMTPUTF8 option: a UTF-8 sender without it is refused, as RFC 6531 requires.
    const utf8 = await runTool("swaks", swaks(server.port, "앨리스@crepes.fr"));
    assert.match(utf8.stdout, /553 5\.6\.7/);
  },
);

const PYTHON = `
import smtplib, sys, json, base64
from email.message import EmailMessage
port = int(sys.argv[1])
cases = json.loads(sys.stdin.read())
with smtplib.SMTP("127.0.0.1", port, local_hostname="crepes.fr") as smtp:
    smtp.login("alice", "ketchup")
    for case in cases:
        smtp.sendmail(case["from"], ["bob@hamburger.edu"], base64.b64decode(case["bytes"]),
                      mail_options=["SMTPUTF8"] if case["utf8"] else [])
    msg = EmailMessage()
    msg["From"] = "앨리스 <앨리스@crepes.fr>"
    msg["To"] = "bob@hamburger.edu"
    msg["Subject"] = "send_message with SMTPUTF8"
    msg.set_content("안녕하세요")
    smtp.send_message(msg)
print("sent")
`;

toolTest("Python smtplib logs in and sends every kind of message, and send_message uses SMTPUTF8", [
  "python3",
], async () => {
  const { server, accepted } = testServer({ submission: true, maxMessageSize: 20 * 1024 * 1024 });
  await using _ = server;
  const all = messages();
  const cases = Object.entries(all).map(([label, { from, bytes }]) => ({
    label,
    from,
    utf8: label === "utf8Address",
    bytes: btoa(Array.from(withCrlf(bytes), (b) => String.fromCharCode(b)).join("")),
  }));
  const out = await runTool(
    "python3",
    ["-c", PYTHON, String(server.port)],
    encoder.encode(JSON.stringify(cases)),
  );
  assert.equal(out.code, 0, out.stderr);
  for (const [label, { from, bytes }] of Object.entries(all)) {
    assertStored(accepted, from, withCrlf(bytes), `smtplib ${label}`);
  }
  const last = accepted.at(-1)!;
  assert.equal(last.envelope.from, "앨리스@crepes.fr");
  assert.equal(last.envelope.params.smtputf8, true);
  assert.match(last.text, /^From: 앨리스 <앨리스@crepes\.fr>\r\n/m);
});

Deno.test("nodemailer sends raw plain, 8-bit, UTF-8-address and large messages, stored byte for byte", async () => {
  const { server, accepted } = testServer({ maxMessageSize: 20 * 1024 * 1024 });
  await using _ = server;
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: server.port,
    secure: false,
    ignoreTLS: true,
    name: "crepes.fr",
  });
  try {
    for (const [label, { from, bytes }] of Object.entries(messages())) {
      const sent = withCrlf(bytes);
      const info = await transport.sendMail({
        envelope: { from, to: ["bob@hamburger.edu"] },
        raw: Buffer.from(sent),
      });
      assert.match(info.response, /^250 /, label);
      assertStored(accepted, from, sent, `nodemailer ${label}`);
    }
    const composed = await transport.sendMail({
      from: "앨리스 <앨리스@crepes.fr>",
      to: "bob@hamburger.edu",
      subject: "héllo",
      text: "안녕하세요\n",
    });
    assert.match(composed.response, /^250 /);
    assert.equal(accepted.at(-1)?.envelope.params.smtputf8, true);
  } finally {
    transport.close();
  }
});
