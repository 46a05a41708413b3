// Output hygiene of the IMAP server (RFC 3501 §4.3, §9): whatever a message's sender put in its
// header fields and MIME parameters, whatever keywords and mailbox names the store holds, every
// string the server sends is an atom only when it is a valid one, else a quoted string, else a
// literal; no CR, LF, NUL or 8-bit byte ever appears outside a literal, and no literal holds a
// NUL (RFC 3501 §4.3.1). A strict reader checks the raw bytes; the toolkit's ImapClient and
// Python's imaplib must read the same FETCH without seeing a forged `* 99 EXISTS`.
import assert from "node:assert/strict";
import { encodeMailboxName } from "../../protocol/imap/mutf7.ts";
import { ResponseParser } from "../../protocol/imap/response_parser.ts";
import { ImapClient } from "../../client/imap_client.ts";
import { Accounts } from "../../server/accounts.ts";
import { ImapServer } from "../../server/imap/server.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import { runTool, toolTest } from "../_tools.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A message from text, with `\xHH` bytes spliced in where the text holds U+00HH. */
function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

const FORGED = "=?UTF-8?Q?a=0D=0A*_99_EXISTS?=";
const LONG = '"\\'.repeat(1000); // 2,000 characters of quoted-specials

/** Messages whose header fields and parameters hold what a string must not carry raw. */
const HOSTILE = [
  latin1(
    [
      'From: "Eve \\"the\\" \\\\ hacker" <eve@evil.example>',
      `Sender: ${FORGED} <s@evil.example>`,
      'Reply-To: "x\r* 99 EXISTS" <r@evil.example>',
      "To: bob@hamburger.edu, a\n * 99 EXISTS <c@evil.example>",
      'Cc: "caf\xe9 \x00 nul" <cc@evil.example>',
      `Subject: caf\xe9 "q" \\ \x00 \r* 99 EXISTS ${FORGED}`,
      'Message-ID: <"quoted\\\\id"@evil.example>',
      "In-Reply-To: <x\x00y@evil.example>\r\n  * 99 EXISTS",
      `Date: ${"x".repeat(2000)}`,
      'Content-Type: multipart/mixed; boundary="b\\"q"',
      "",
      '--b"q',
      'Content-Type: text/plain; charset="a\\"b"; name="a\\"b\r* 99 EXISTS"',
      'Content-ID: <a\x00b"c@evil.example>',
      `Content-Description: ${FORGED}`,
      "Content-Disposition: attachment; filename*=UTF-8''%0D%0A*%2099%20EXISTS%00%22",
      'Content-Language: e"n, f\\r',
      "Content-Location: http://evil.example/\x00a\x01b",
      "",
      "hi",
      '--b"q',
      "Content-Type: message/rfc822",
      "",
      `Subject: ${LONG}`,
      `From: ${FORGED} <"\\\\\\""@evil.example>`,
      "Content-Type: text/plain; charset=\"\xe9\"; format*=''%0A",
      "",
      "inner",
      '--b"q--',
      "",
    ].join("\r\n"),
  ),
  encoder.encode(
    `Subject: ${LONG}\r\nFrom: ${"a".repeat(2000)}@evil.example\r\nContent-Type: text/plain; ` +
      `charset=${"\\".repeat(300)}\r\n\r\nbody\r\n`,
  ),
];

/** Mailbox names the store allows that need quoting (or modified UTF-7). */
const MAILBOXES = ['Say "hi"', "Caf\xe9", "x{3}", "a]b [c]", "NIL"];

/** A user whose store holds the hostile messages, keywords and mailboxes, and its server. */
async function hostileServer() {
  const accounts = new Accounts({ iterations: 1000 });
  await accounts.add("bob", "pickles");
  const store = new MemoryStore();
  for (const bytes of HOSTILE) await store.deliver("bob", bytes);
  // Keywords the store takes that are no IMAP atom: 8-bit characters.
  await store.setFlags("bob", "INBOX", 1, ["caf\xe9", "$Label[1"]);
  await store.setFlags("bob", "INBOX", 2, ["na\u00efve\u2028x"]);
  for (const name of MAILBOXES) {
    await store.createMailbox("bob", name);
    await store.setSubscribed("bob", name, true);
  }
  const server = new ImapServer({ store, accounts, domain: "hamburger.edu" });
  return { server, store };
}

/** One response as it came: its text with each literal's bytes left out, and the literals. */
interface WireResponse {
  text: string;
  literals: Uint8Array[];
}

const STATUS = /^(\S+) (OK|NO|BAD|BYE|PREAUTH)(?: |$)/;

/**
 * Reads whole responses off the start of `bytes`, strictly: a line ends only at CRLF; outside
 * quoted strings and literals only printable ASCII; inside a quoted string no CR, LF, NUL or
 * 8-bit byte and no escape but `\"` and `\\`; a literal `{n}` at the end of a line is taken by
 * count and may not hold NUL. Throws on the first byte that breaks these rules.
 */
function readResponses(bytes: Uint8Array): { responses: WireResponse[]; used: number } {
  const responses: WireResponse[] = [];
  let at = 0;
  for (;;) {
    const response = readResponse(bytes, at);
    if (!response) return { responses, used: at };
    responses.push(response.response);
    at = response.next;
  }
}

function readResponse(
  bytes: Uint8Array,
  start: number,
): { response: WireResponse; next: number } | undefined {
  const where = (i: number) =>
    `at byte ${i} of ${JSON.stringify(decoder.decode(bytes.subarray(start, i + 1)).slice(-200))}`;
  const firstEnd = bytes.indexOf(0x0a, start);
  if (firstEnd < 0) return undefined;
  const first = decoder.decode(bytes.subarray(start, firstEnd + 1));
  // A status response's text is text for people: quotes in it are no strings, and it has no
  // literals (RFC 3501 §9 resp-text).
  const isText = first.startsWith("+ ") || STATUS.test(first);
  let text = "";
  const literals: Uint8Array[] = [];
  let quoted = false;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (quoted) {
      if (b === 0x5c) {
        const next = bytes[i + 1];
        if (next === undefined) return undefined;
        if (next !== 0x22 && next !== 0x5c) {
          throw new Error(`Bad escape in a quoted string ${where(i)}`);
        }
        text += String.fromCharCode(b, next);
        i++;
      } else if (b === 0x22) {
        text += '"';
        quoted = false;
      } else if (b === 0x0d || b === 0x0a || b === 0x00 || b >= 0x80) {
        throw new Error(`Byte 0x${b.toString(16)} in a quoted string ${where(i)}`);
      } else {
        text += String.fromCharCode(b);
      }
      continue;
    }
    if (b === 0x0d) {
      if (i + 1 >= bytes.length) return undefined;
      if (bytes[i + 1] !== 0x0a) throw new Error(`Bare CR ${where(i)}`);
      const literal = isText ? null : /\{(\d+)\}$/.exec(text);
      if (!literal) return { response: { text, literals }, next: i + 2 };
      const size = Number(literal[1]);
      if (i + 2 + size > bytes.length) return undefined;
      const content = bytes.subarray(i + 2, i + 2 + size);
      const nul = content.indexOf(0);
      if (nul >= 0) throw new Error(`NUL in a literal ${where(i + 2 + nul)}`);
      literals.push(content);
      text += "\r\n";
      i += 1 + size;
    } else if (b === 0x0a) {
      throw new Error(`Bare LF ${where(i)}`);
    } else if (b < 0x20 || b >= 0x7f) {
      throw new Error(`Byte 0x${b.toString(16)} outside strings and literals ${where(i)}`);
    } else {
      if (b === 0x22 && !isText) quoted = true;
      text += String.fromCharCode(b);
    }
  }
  return undefined;
}

/** Untagged responses that may answer the commands the tests send. */
const UNTAGGED = new Set([
  "OK",
  "NO",
  "BAD",
  "BYE",
  "CAPABILITY",
  "LIST",
  "LSUB",
  "STATUS",
  "FLAGS",
  "SEARCH",
  "ESEARCH",
  "ID",
  "NAMESPACE",
]);

const FETCH_ITEM = /^(FLAGS|UID|ENVELOPE|BODYSTRUCTURE|BODY|BODY\[[^\]]*\](<\d+>)?)$/;
// RFC 3501 §9: flag = "\\" atom / atom, an atom being CHARs but atom-specials.
const FLAG = /^\\?[\x21\x23\x24\x26\x27\x2b-\x5b\x5e-\x7a\x7c-\x7e]+$/;

/** A client that writes lines as given and checks every byte that comes back. */
class StrictClient {
  #conn: Deno.TcpConn;
  #buffer = new Uint8Array(0);
  #tags = new Set<string>();
  /** Every response so far. */
  readonly responses: WireResponse[] = [];

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(port: number): Promise<StrictClient> {
    const client = new StrictClient(await Deno.connect({ hostname: "127.0.0.1", port }));
    const [greeting] = await client.#until((r) => r.text.startsWith("* OK "));
    assert.match(greeting.text, /^\* OK \[CAPABILITY IMAP4rev1[ A-Z0-9=+-]*\] /);
    return client;
  }

  /**
   * Sends `tag line` and returns the responses up to its tagged one (or the untagged BAD that
   * refuses a tag, with `badTag`), checked.
   */
  async command(tag: string, line: string, badTag = false): Promise<WireResponse[]> {
    this.#tags.add(tag);
    await this.#conn.write(encoder.encode(`${tag} ${line}\r\n`));
    return await this.#until((r) =>
      r.text.startsWith(`${tag} `) || (badTag && r.text.startsWith("* BAD "))
    );
  }

  async #until(done: (r: WireResponse) => boolean): Promise<WireResponse[]> {
    const got: WireResponse[] = [];
    const chunk = new Uint8Array(65536);
    for (;;) {
      const { responses, used } = readResponses(this.#buffer);
      this.#buffer = this.#buffer.slice(used);
      for (const response of responses) {
        this.#check(response);
        got.push(response);
        this.responses.push(response);
        if (done(response)) return got;
      }
      const n = await this.#conn.read(chunk);
      if (n === null) throw new Error(`Connection closed after ${JSON.stringify(got)}`);
      const joined = new Uint8Array(this.#buffer.length + n);
      joined.set(this.#buffer);
      joined.set(chunk.subarray(0, n), this.#buffer.length);
      this.#buffer = joined;
    }
  }

  #check(response: WireResponse): void {
    const { text } = response;
    const [tag, word, third] = text.split(/[ \r]/, 3);
    if (tag === "+") return;
    if (tag !== "*") {
      assert.ok(this.#tags.has(tag), `a response tagged ${JSON.stringify(tag)}: ${text}`);
      assert.match(word, /^(OK|NO|BAD)$/, text);
    } else if (/^\d+$/.test(word)) {
      assert.match(third, /^(EXISTS|RECENT|EXPUNGE|FETCH)$/, text);
      if (third === "EXISTS") assert.equal(word, String(HOSTILE.length), text);
    } else {
      assert.ok(UNTAGGED.has(word), `an untagged ${JSON.stringify(word)}: ${text}`);
    }
    // The toolkit's own parser reads it as one response, its lists balanced; a FETCH as pairs of
    // an item's name and its value.
    const parser = new ResponseParser();
    const lines = text.split("\r\n");
    for (const [i, line] of lines.entries()) {
      const progress = parser.pushLine(line);
      if (!progress.done) {
        assert.ok(i < lines.length - 1, text);
        parser.pushLiteral(response.literals[i]);
        continue;
      }
      assert.equal(i, lines.length - 1, text);
      const parsed = progress.response;
      if (parsed.kind !== "data" || parsed.name !== "FETCH") continue;
      const [items, ...more] = parsed.args;
      assert.ok(items?.kind === "list" && more.length === 0, text);
      assert.equal(items.items.length % 2, 0, text);
      items.items.forEach((item, n) => {
        if (n % 2 === 1) return;
        assert.ok(item.kind === "atom" && FETCH_ITEM.test(item.value), `${item.kind} ${text}`);
        const value = items.items[n + 1];
        if (item.value === "FLAGS") {
          assert.ok(value.kind === "list", text);
          for (const flag of value.items) assert.ok(flag.kind === "atom" && FLAG.test(flag.value));
        }
      });
    }
  }

  close(): void {
    this.#conn.close();
  }
}

const quotedMailbox = (name: string) =>
  `"${encodeMailboxName(name).replace(/[\\"]/g, (c) => `\\${c}`)}"`;

Deno.test("ImapServer sends hostile header fields, parameters, keywords and mailbox names only as atoms, quoted strings or literals", async () => {
  const { server } = await hostileServer();
  await using _ = server;
  const client = await StrictClient.open(server.port);
  try {
    const ok = async (tag: string, line: string) => {
      const got = await client.command(tag, line);
      assert.match(got.at(-1)!.text, new RegExp(`^${tag} OK `), JSON.stringify(got));
      return got;
    };
    await ok("a1", "LOGIN bob pickles");
    const listed = await ok("a2", 'LIST "" *');
    assert.equal(listed.length, 5 + MAILBOXES.length + 1);
    await ok("a3", 'LSUB "" *');
    await ok("a3b", 'LIST (SUBSCRIBED) "" * RETURN (CHILDREN)');
    for (const [i, name] of MAILBOXES.entries()) {
      await ok(`s${i}`, `STATUS ${quotedMailbox(name)} (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)`);
    }
    // A name that decodes to CR LF comes back in a NO's text, escaped.
    const missing = await client.command("a4", `SELECT ${quotedMailbox("\r\n* 99 EXISTS \xe9")}`);
    assert.match(missing.at(-1)!.text, /^a4 NO /);
    const selected = await ok("a5", "SELECT INBOX");
    assert.ok(selected.some((r) => r.text === "* 2 EXISTS"));
    const fetched = await ok(
      "a6",
      "FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE BODY BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])",
    );
    assert.equal(fetched.filter((r) => /^\* \d+ FETCH /.test(r.text)).length, 2);
    await ok("a7", "UID SEARCH ALL");
    await ok("a8", "UID SEARCH RETURN (MIN MAX COUNT) SUBJECT caf");
    await ok("a9", 'ID ("name" "x\\"y")');
    await ok("a10", "NAMESPACE");
    await ok("a11", "CAPABILITY");
    await ok("a12", "EXAMINE INBOX");
    // What a client writes itself may come back too: header field names (astrings, echoed in the
    // section's name), keywords, tags.
    const quoteField = await client.command("a13", 'FETCH 1 BODY.PEEK[HEADER.FIELDS (X"Y)]');
    assert.match(quoteField.at(-1)!.text, /^a13 OK /);
    assert.match(quoteField[0].text, /BODY\[HEADER\.FIELDS \("X\\"Y"\)\] /);
    const eightBit = await client.command("a14", "FETCH 1 BODY.PEEK[HEADER.FIELDS (Subj\xe9)]");
    assert.match(eightBit.at(-1)!.text, /^a14 BAD /);
    await ok("a15", "SELECT INBOX");
    const keyword = await client.command("a16", "STORE 1 +FLAGS (na\xefve)");
    assert.match(keyword.at(-1)!.text, /^a16 BAD /);
    const tag = await client.command("\xe91", "NOOP", true);
    assert.match(tag.at(-1)!.text, /^\* BAD /);
    // A keyword with a "[" before a section's "]" on the same line.
    await ok("a17", "FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (TO)])");
    const bye = await client.command("a18", "LOGOUT");
    assert.match(bye.at(-1)!.text, /^a18 OK /);
  } finally {
    client.close();
  }
  // The keywords that are no atom are not shown; the others are.
  const flags = client.responses.filter((r) => r.text.startsWith("* FLAGS "));
  for (const r of flags) assert.match(r.text, /^\* FLAGS \(\\Seen .*\$Label\[1\)$/);
});

Deno.test("ImapClient reads the ENVELOPE and BODYSTRUCTURE of hostile messages as one FETCH each", async () => {
  const { server } = await hostileServer();
  await using _ = server;
  await using client = await ImapClient.connect({ port: server.port });
  await client.login("bob", "pickles");
  assert.equal((await client.select("INBOX")).exists, 2);
  const reply = await client.command("FETCH", ["1:*", "(FLAGS ENVELOPE BODYSTRUCTURE)"]);
  assert.deepEqual(reply.untagged.map((r) => r.kind === "data" && `${r.number} ${r.name}`), [
    "1 FETCH",
    "2 FETCH",
  ]);
  const [first] = reply.untagged;
  assert.ok(first.kind === "data");
  const items = first.args[0];
  assert.ok(items.kind === "list");
  const names = items.items.filter((_, i) => i % 2 === 0).map((t) => t.kind === "atom" && t.value);
  assert.deepEqual(names, ["FLAGS", "ENVELOPE", "BODYSTRUCTURE"]);
  const envelope = items.items[3];
  assert.ok(envelope.kind === "list");
  assert.equal(envelope.items.length, 10);
  const subject = envelope.items[1];
  assert.ok(subject.kind === "string");
  assert.match(subject.value, /^café "q" \\ /);
  assert.doesNotMatch(subject.value, /\0/);
  await client.logout();
});

const PYTHON = `
import imaplib, json, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("bob", "pickles")
typ, exists = m.select("INBOX")
typ, data = m.fetch("1:*", "(ENVELOPE BODYSTRUCTURE)")
heads = [(d[0] if isinstance(d, tuple) else d).decode("latin-1")[:40] for d in data]
exists_seen = [x.decode() for x in m.untagged_responses.get("EXISTS", [])]
m.logout()
print(json.dumps({"typ": typ, "exists": exists[0].decode(), "heads": heads, "later": exists_seen}))
`;

toolTest(
  "Python imaplib fetches ENVELOPE and BODYSTRUCTURE of hostile messages without a forged line",
  [
    "python3",
  ],
  async () => {
    const { server } = await hostileServer();
    await using _ = server;
    const { code, stdout, stderr } = await runTool("python3", ["-c", PYTHON, String(server.port)]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.typ, "OK");
    assert.equal(result.exists, "2");
    assert.deepEqual(result.later, ["2"], "SELECT's EXISTS, and no other");
    // Each FETCH starts one entry of imaplib's data; the pieces between its literals follow it.
    const starts = result.heads.filter((h: string) => /^\d+ \(/.test(h));
    assert.deepEqual(starts.map((h: string) => h.split(" ")[0]), ["1", "2"]);
    assert.ok(result.heads.every((h: string) => !/^\* 99 EXISTS|^99 EXISTS/.test(h)));
  },
);
