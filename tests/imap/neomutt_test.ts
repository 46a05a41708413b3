/**
 * Interop: neomutt, driven through tmux as a user at a terminal drives it, does with bob's
 * mailbox on the lab's hamburger.edu what the other clients of `interop_test.ts` do: log in
 * (STARTTLS, certificate checked against the lab CA), list, read, flag, move to Trash, expunge,
 * append to Sent, and see new mail arrive while idle. Every step waits for the screen to show
 * its result, as the user would, and the mailboxes are checked in the store at the end.
 */
import assert from "node:assert/strict";
import { toolTest } from "../_tools.ts";
import { mailLab, SENT_COPY } from "./_mail_clients.ts";

const decoder = new TextDecoder();

/** How long one step may take to show on the screen, on a loaded machine. */
const STEP_MS = 10_000;

/** Polls `check` every 100 ms until it gives something other than undefined, for `ms`. */
async function until<T>(check: () => T | undefined | Promise<T | undefined>, ms = STEP_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A program in a 120x30 tmux pane on a private tmux server (never the user's). */
class Terminal implements AsyncDisposable {
  readonly #socket: string;
  #socketPath = "";

  /** A terminal on the tmux server named `socket`; {@linkcode start} puts a program in it. */
  constructor(socket: string) {
    this.#socket = socket;
  }

  /** Starts `command` in a new detached session. */
  async start(command: string) {
    // -f /dev/null: the user's ~/.tmux.conf must not change the pane.
    const started = await this.#tmux(
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      "120",
      "-y",
      "30",
      command,
    );
    assert.equal(started.code, 0, `tmux new-session failed: ${started.stderr}`);
    this.#socketPath = (await this.#tmux("display-message", "-p", "#{socket_path}")).stdout.trim();
  }

  async #tmux(...args: string[]) {
    const out = await new Deno.Command("tmux", {
      args: ["-u", "-L", this.#socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  }

  /** The pane as text, one line per row. */
  async screen(): Promise<string> {
    return (await this.#tmux("capture-pane", "-p")).stdout;
  }

  /** Presses keys by tmux name (`Enter`, `Tab`, `C-u`). */
  async press(...keys: string[]) {
    await this.#tmux("send-keys", ...keys);
  }

  /** Types text as it is. */
  async type(text: string) {
    await this.#tmux("send-keys", "-l", text);
  }

  /** Waits until the screen matches every pattern; returns it, or throws with what it shows. */
  async waitFor(patterns: RegExp[], ms = STEP_MS): Promise<string> {
    let screen = "";
    const seen = await until(async () => {
      screen = await this.screen();
      return patterns.every((p) => p.test(screen)) ? screen : undefined;
    }, ms);
    if (seen === undefined) {
      const missing = patterns.filter((p) => !p.test(screen)).join(", ");
      throw new Error(`The screen never showed ${missing} within ${ms} ms:\n${screen}`);
    }
    return seen;
  }

  /** Whether the tmux server still runs (it ends with its last pane). */
  async running(): Promise<boolean> {
    return (await this.#tmux("has-session")).code === 0;
  }

  async [Symbol.asyncDispose]() {
    await this.#tmux("kill-server");
    // tmux leaves its socket file behind when the server ends.
    if (this.#socketPath) await Deno.remove(this.#socketPath).catch(() => {});
  }
}

/** The bytes with every CRLF turned into LF, as neomutt hands a message to a pipe. */
function crlfToLf(bytes: Uint8Array): Uint8Array {
  return bytes.filter((b, i) => !(b === 0x0d && bytes[i + 1] === 0x0a));
}

toolTest("neomutt in tmux: list, read, flag, move to Trash, expunge, append to Sent, IDLE", [
  "neomutt",
  "tmux",
], async () => {
  await using lab = await mailLab();
  const home = await Deno.makeTempDir({ prefix: "neomutt-home-" });
  try {
    const password = lab.lab.agentOptions("bob@hamburger.edu").password;
    await Deno.writeTextFile(`${home}/ca.pem`, lab.lab.ca);
    // A reply bob wrote offline, in a local Maildir (read: the `S` flag), to file into Sent.
    for (const dir of ["cur", "new", "tmp"]) {
      await Deno.mkdir(`${home}/outbox/${dir}`, { recursive: true });
    }
    await Deno.writeFile(`${home}/outbox/cur/1.bob-laptop:2,S`, SENT_COPY);
    await Deno.writeTextFile(
      `${home}/muttrc`,
      [
        `set imap_user=bob`,
        `set imap_pass="${password}"`,
        // TLS stays at neomutt's defaults (ssl_starttls=yes, ssl_force_tls=yes, certificates
        // verified); it only needs to trust the lab's CA.
        `set ssl_ca_certificates_file="${home}/ca.pem"`,
        `set folder="imap://127.0.0.1:${lab.port}/"`,
        `set spoolfile=+INBOX`,
        // neomutt's default is imap_idle=no: it would poll with NOOP instead of idling.
        `set imap_idle=yes`,
        // neomutt reads what IDLE pushed only when it stops waiting for a key, after $timeout
        // seconds (600 by default): 1 s lets new mail show without a key press.
        `set timeout=1`,
        // Pipe the message as stored, not decoded (the default, said here because we rely on it).
        `set pipe_decode=no`,
        // No "Press any key to continue" after the pipe, no "Append messages to ...?" and
        // "Purge 2 deleted messages?" questions: the steps wait for results, not for prompts.
        `set wait_key=no`,
        `set confirmappend=no`,
        `set delete=yes`,
        // "->" in front of the current message, so the captured screen shows the cursor.
        `set arrow_cursor=yes`,
      ].join("\n") + "\n",
    );
    const command = `env HOME=${home} TERM=xterm LANG=C.UTF-8 neomutt -n -F ${home}/muttrc`;
    await using term = new Terminal(`neomutt-test-${Deno.pid}-${lab.port}`);
    await term.start(command);
    const dialogTail = () => lab.imapDialog().split("\n").slice(-40).join("\n");
    const see = (...patterns: RegExp[]) =>
      term.waitFor(patterns).catch((e: Error) => {
        throw new Error(`${e.message}\nIMAP dialog, last lines:\n${dialogTail()}`);
      });
    /** Waits until the IMAP dialog matches, and returns it. */
    const heard = async (pattern: RegExp) => {
      const dialog = await until(() => {
        const text = lab.imapDialog();
        return pattern.test(text) ? text : undefined;
      });
      assert.ok(dialog, `The IMAP dialog never matched ${pattern}:\n${dialogTail()}`);
      return dialog;
    };

    // Log in: the index of INBOX, cursor on the first unread message.
    await see(/NeoMutt: \+INBOX \[Msgs:3 New:3 /, /^->\s+1 N .*Lunch\?$/m, /Old news/);
    const login = lab.imapDialog();
    assert.ok(login.indexOf("TLS started") < login.indexOf("AUTHENTICATE"), "login inside TLS");

    // List: change folder, '?' for the (empty) list of mailboxes, Tab for the server's folders.
    await term.type("c");
    await see(/Open mailbox/);
    await term.type("?");
    await see(/Mailboxes \[0\]/);
    await term.press("Tab");
    await see(
      /Directory \[imap:\/\/127\.0\.0\.1:\d+\/\]/,
      ...["INBOX", "Drafts", "Junk", "Sent", "Trash"].map((box) =>
        new RegExp(`IMAP +${box}$`, "m")
      ),
    );
    await heard(/C \S+ LIST "" "%".*\n(S \* LIST .*\n){5}S \S+ OK LIST completed/);
    await term.type("q");
    await see(/NeoMutt: \+INBOX \[Msgs:3 /);

    // Read message 1 in the pager, then pipe it, undecoded, to a file.
    await term.press("Enter");
    await see(/^Subject: Lunch\?$/m, /^A line with a dot, and UTF-8: 크레페$/m, /1\/3: /);
    const readFile = `${home}/read.eml`;
    await term.type("|");
    await see(/Pipe to command:/);
    await term.type(`cat > ${readFile}`);
    await term.press("Enter");
    const expected = crlfToLf(lab.stored[0]);
    const read = await until(async () => {
      const bytes = await Deno.readFile(readFile).catch(() => undefined);
      return bytes && bytes.length >= expected.length ? bytes : undefined;
    });
    assert.ok(read, `neomutt never piped message 1 whole to ${readFile}`);
    assert.equal(decoder.decode(read), decoder.decode(expected), "piped = stored, with LF lines");
    assert.ok(decoder.decode(read).endsWith(decoder.decode(crlfToLf(lab.sent[0]))));
    await term.type("q");
    await see(/NeoMutt: \+INBOX \[Msgs:3 New:2 /);

    // Flag message 2.
    await term.type("2");
    await see(/Jump to message:/);
    await term.press("Enter");
    await see(/^->\s+2 .*Ketchup or pickles\?$/m);
    await term.type("F");
    await see(/^(->)?\s+2 N ! .*Ketchup or pickles\?$/m, /Flag:1 /);

    // Move message 3 to Trash: save it there (neomutt copies it, and marks it deleted).
    await term.type("3");
    await see(/Jump to message:/);
    await term.press("Enter");
    await see(/^->\s+3 .*Old news$/m);
    await term.type("s");
    await see(/Save to mailbox/);
    await term.press("C-u");
    await term.type("=Trash");
    await term.press("Enter");
    await see(/^(->)?\s+3 ND .*Old news$/m, /Del:1 /);
    await heard(/C \S+ UID (MOVE|COPY) 3 "Trash"\nS \S+ OK \[COPYUID \d+ 3 1\]/);

    // Delete message 1 and expunge: '$' syncs, storing the flags and expunging.
    await term.type("1");
    await see(/Jump to message:/);
    await term.press("Enter");
    await see(/^->\s+1 .*Lunch\?$/m);
    await term.type("d");
    await see(/Del:2 /);
    await term.type("$");
    await see(/NeoMutt: \+INBOX \[Msgs:1 New:1 Flag:1 /, /Ketchup or pickles\?$/m);
    assert.doesNotMatch(await term.screen(), /Lunch\?|Old news/);
    await heard(/C \S+ EXPUNGE\nS \* 3 EXPUNGE\nS \* 1 EXPUNGE\nS \S+ OK EXPUNGE completed/);

    // Append to Sent: open the local outbox and copy bob's reply to =Sent, which neomutt does
    // with APPEND (and \Seen, since the reply is read).
    await term.type("c");
    await see(/Open mailbox/);
    await term.press("C-u");
    await term.type(`${home}/outbox`);
    await term.press("Enter");
    await see(/outbox \[Msgs:1 /, /^->\s+1 .*Bob .*Re: Lunch$/m);
    await term.type("C");
    await see(/Copy to mailbox/);
    await term.press("C-u");
    await term.type("=Sent");
    await term.press("Enter");
    await heard(
      /C \S+ APPEND "Sent" \(\\Seen\) "01-Sep-2026 10:00:00 \+0000" \{\d+\}\n(.*\n){2}S \S+ OK \[APPENDUID /,
    );

    // Back to INBOX, idle there, and see alice's fourth message arrive without a key press.
    await term.type("c");
    await see(/Open mailbox/);
    await term.press("C-u");
    await term.type("=INBOX");
    await term.press("Enter");
    await see(/NeoMutt: \+INBOX \[Msgs:1 /, /^->\s+1 .* ! .*Ketchup or pickles\?$/m);
    const sinceSelect = () => {
      const dialog = lab.imapDialog();
      return dialog.slice(dialog.lastIndexOf('SELECT "INBOX"'));
    };
    const idling = await until(() => /C \S+ IDLE\nS \+ idling$/.test(sinceSelect()) || undefined);
    assert.ok(idling, `neomutt did not IDLE in INBOX:\n${sinceSelect()}`);
    await lab.deliverFourth();
    await see(/NeoMutt: \+INBOX \[Msgs:2 New:1 /, /^(->)?\s+2 N .*Arrived while you were idle$/m);
    assert.match(sinceSelect(), /C \S+ IDLE\nS \+ idling\n(S .*\n)*S \* 2 EXISTS\n/);

    await term.type("q");
    const ended = await until(async () => (await term.running()) ? undefined : true);
    assert.ok(ended, `neomutt did not quit:\n${await term.screen()}`);
    // On quit, neomutt 20220429 closes INBOX and hangs up, without LOGOUT.
    await heard(/C \S+ CLOSE\nS \S+ OK CLOSE completed\n\* TCP connection closed$/);

    const { store, stored, sent } = lab;
    const inbox = await store.list("bob", "INBOX");
    assert.deepEqual(inbox.map((m) => m.uid), [2, 4], "1 expunged, 3 moved, 4 arrived");
    assert.ok(inbox[0].flags.includes("\\Flagged"), `message 2 flagged: ${inbox[0].flags}`);
    const fourth = decoder.decode(await store.read("bob", "INBOX", 4));
    assert.ok(fourth.endsWith(decoder.decode(sent[3])));
    const trash = await store.list("bob", "Trash");
    assert.equal(trash.length, 1, "one message in Trash");
    assert.deepEqual(await store.read("bob", "Trash", trash[0].uid), stored[2]);
    // Not SENT_COPY itself, so not assertSession: neomutt can put a message into an IMAP
    // mailbox byte for byte only by a server-side UID COPY, from the same server. From a local
    // folder it copies the message itself and rewrites the header (set_copy_flags gives
    // CH_UPDATE_LEN, append_message adds CH_UPDATE for any destination but Maildir): Status
    // and Content-Length go in before the blank line. The rest is what bob wrote.
    const copy = decoder.decode(SENT_COPY);
    const headerEnd = copy.indexOf("\r\n\r\n") + 2; // the header is ASCII: a char is a byte
    const bodyLength = SENT_COPY.length - headerEnd - 2;
    const rewritten = copy.slice(0, headerEnd) +
      `Status: RO\r\nContent-Length: ${bodyLength}\r\n` + copy.slice(headerEnd);
    const copies = await store.list("bob", "Sent");
    assert.equal(copies.length, 1, "one message in Sent");
    assert.equal(decoder.decode(await store.read("bob", "Sent", copies[0].uid)), rewritten);
    assert.ok(copies[0].flags.includes("\\Seen"), `Sent copy seen: ${copies[0].flags}`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
