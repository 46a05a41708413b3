// What the real-client IMAP tests share: a lab on disk (Maildir, as `deno task lab` keeps mail)
// whose bob has three messages that alice sent through SMTP, and the check that a client's
// session did what a user did with it: read message 1, flag message 2, move message 3 to Trash,
// expunge message 1, append a copy to Sent, and see a fourth message arrive while idle.
import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../../lab/config.ts";
import { Lab } from "../../lab/lab.ts";
import { UserAgent } from "../../ua/agent.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The message every client appends to Sent: CRLF lines, UTF-8, a line with a lone dot. */
export const SENT_COPY = encoder.encode(
  "From: Bob <bob@hamburger.edu>\r\nTo: Alice <alice@crepes.fr>\r\nSubject: Re: Lunch\r\n" +
    "Date: Tue, 1 Sep 2026 10:00:00 +0000\r\nMessage-ID: <re-1@hamburger.edu>\r\n" +
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n" +
    "Content-Transfer-Encoding: 8bit\r\n\r\nYes, at noon.\r\n.\r\n안녕 - Bob\r\n",
);

/** A lab whose bob@hamburger.edu has alice's three messages, on disk in a temporary folder. */
export async function mailLab() {
  const dataDir = await Deno.makeTempDir({ prefix: "imap-clients-" });
  const lab = await Lab.start({
    config: { ...DEFAULT_CONFIG, dataDir },
    freePorts: true,
    storage: "disk",
    passwordIterations: 1000,
  });
  const alice = new UserAgent(lab.agentOptions("alice@crepes.fr"));
  const hamburger = lab.server("hamburger.edu");
  const sent: Uint8Array[] = [];
  const send = async (subject: string) => {
    const composed = alice.compose({
      to: "Bob <bob@hamburger.edu>",
      subject,
      text: `${subject}\n.\nA line with a dot, and UTF-8: 크레페\nAlice\n`,
    });
    await alice.submit(composed);
    sent.push(composed.bytes);
    return composed.bytes;
  };
  for (const subject of ["Lunch?", "Ketchup or pickles?", "Old news"]) await send(subject);
  await lab.idle();
  const store = hamburger.store;
  const inbox = await store.list("bob", "INBOX");
  assert.equal(inbox.length, 3, "alice's three messages reached bob");
  /** The bytes bob's INBOX holds for each of alice's messages, before any client ran. */
  const stored = await Promise.all(inbox.map((m) => store.read("bob", "INBOX", m.uid)));
  return {
    lab,
    store,
    port: hamburger.ports.imap,
    sent,
    stored,
    /** Alice sends one more message and the lab relays it to bob. */
    async deliverFourth(): Promise<Uint8Array> {
      const bytes = await send("Arrived while you were idle");
      await lab.idle();
      return bytes;
    },
    /** The IMAP transcripts of hamburger.edu as text, to see what a client really sent. */
    imapDialog(): string {
      return lab.transcriptsOf("imap", "hamburger.edu")
        .flatMap((t) => t.entries.map((e) => `${e.side} ${e.text}`)).join("\n");
    },
    async [Symbol.asyncDispose]() {
      await lab.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** The lab of {@linkcode mailLab}. */
export type MailLab = Awaited<ReturnType<typeof mailLab>>;

/**
 * Checks the mailboxes after a client's session: message 1 read (its bytes as given) and
 * expunged, message 2 flagged, message 3 in Trash with the same bytes, SENT_COPY in Sent as
 * \Seen, and the fourth message in INBOX.
 *
 * @param lab The lab the client worked on.
 * @param read The bytes the client read of message 1.
 */
export async function assertSession(lab: MailLab, read: Uint8Array) {
  const { store, stored, sent } = lab;
  assert.equal(decoder.decode(read), decoder.decode(stored[0]), "read back = stored");
  assert.ok(decoder.decode(read).endsWith(decoder.decode(sent[0])), "stored = sent + trace");
  const inbox = await store.list("bob", "INBOX");
  assert.deepEqual(inbox.map((m) => m.uid), [2, 4], "1 expunged, 3 moved, 4 arrived");
  assert.ok(inbox[0].flags.includes("\\Flagged"), `message 2 flagged: ${inbox[0].flags}`);
  const fourth = decoder.decode(await store.read("bob", "INBOX", 4));
  assert.ok(fourth.endsWith(decoder.decode(sent[3])));
  const trash = await store.list("bob", "Trash");
  assert.equal(trash.length, 1, "one message in Trash");
  assert.deepEqual(await store.read("bob", "Trash", trash[0].uid), stored[2]);
  const copies = await store.list("bob", "Sent");
  assert.equal(copies.length, 1, "one message in Sent");
  assert.deepEqual(await store.read("bob", "Sent", copies[0].uid), SENT_COPY);
  assert.ok(copies[0].flags.includes("\\Seen"), `Sent copy seen: ${copies[0].flags}`);
}

/** A program running with piped stdin and stdout, read line by line as it prints. */
export class RunningTool {
  #child: Deno.ChildProcess;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending = "";
  #timer: ReturnType<typeof setTimeout>;
  /** Every line printed so far. */
  readonly lines: string[] = [];

  /**
   * Starts it; it is killed after `timeoutMs`.
   *
   * @param command The program.
   * @param args Its arguments.
   * @param timeoutMs The most it may run.
   */
  constructor(command: string, args: string[], timeoutMs = 30_000) {
    this.#child = new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { HOME: Deno.makeTempDirSync(), PYTHONUNBUFFERED: "1" },
    }).spawn();
    this.#reader = this.#child.stdout.getReader();
    this.#timer = setTimeout(() => this.#child.kill(), timeoutMs);
  }

  /** Reads printed lines until one matches; throws if the program ends first. */
  async waitFor(pattern: RegExp): Promise<string> {
    for (;;) {
      const seen = this.lines.find((line) => pattern.test(line));
      if (seen) return seen;
      const { value, done } = await this.#reader.read();
      if (done) throw new Error(`Ended before printing ${pattern}: ${this.lines.join("\n")}`);
      this.#pending += decoder.decode(value, { stream: true });
      const parts = this.#pending.split("\n");
      this.#pending = parts.pop()!;
      this.lines.push(...parts);
    }
  }

  /** Waits for the end; returns the exit code and standard error. */
  async finish(): Promise<{ code: number; stderr: string }> {
    for (;;) {
      const { value, done } = await this.#reader.read();
      if (done) break;
      this.#pending += decoder.decode(value, { stream: true });
    }
    this.lines.push(...this.#pending.split("\n").filter((l) => l !== ""));
    const stderr = decoder.decode(await new Response(this.#child.stderr).arrayBuffer());
    const { code } = await this.#child.status;
    clearTimeout(this.#timer);
    return { code, stderr };
  }
}
