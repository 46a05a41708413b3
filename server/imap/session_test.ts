import assert from "node:assert/strict";
import { formatStatus } from "../../protocol/imap/response.ts";
import { RESPONSE } from "../../protocol/imap/responses.ts";
import { LINE_TOO_LONG } from "../../protocol/line_buffer.ts";
import { MemoryStore } from "../store/memory_store.ts";
import { done, MESSAGE, selected, setup } from "./_fixture.ts";
import { COMMANDS } from "./commands/table.ts";
import { ImapSession } from "./session.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("ImapSession greets with its capabilities", () => {
  const store = new MemoryStore();
  const session = new ImapSession({ store, domain: "hamburger.edu" });
  const greeting = session.greeting();
  const [, list] = /^\* OK \[CAPABILITY ([^\]]+)\] hamburger\.edu IMAP4rev1 ready$/.exec(
    greeting.lines[0],
  )!;
  const capabilities = list.split(" ");
  assert.equal(capabilities[0], "IMAP4rev1");
  for (const name of ["IDLE", "UIDPLUS", "MOVE", "LIST-EXTENDED", "SPECIAL-USE", "CONDSTORE"]) {
    assert.ok(capabilities.includes(name), `${name} is announced`);
  }
  assert.deepEqual(capabilities.slice(-2), ["SASL-IR", "AUTH=PLAIN"]);
  assert.equal(decoder.decode(greeting.bytes), `${greeting.lines[0]}\r\n`);
  assert.equal(session.state, "notAuthenticated");
});

Deno.test("ImapSession rejects SELECT before LOGIN with BAD", async () => {
  const { send, session } = await setup();
  assert.deepEqual(await send("a1 SELECT INBOX"), [
    formatStatus("a1", RESPONSE.NeedLogin("SELECT")),
  ]);
  assert.equal(session.state, "notAuthenticated");
});

Deno.test("ImapSession rejects FETCH before SELECT, and LOGIN or STARTTLS after LOGIN, with BAD", async () => {
  const { send } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(await send("a2 FETCH 1 FLAGS"), [
    formatStatus("a2", RESPONSE.NeedSelected("FETCH")),
  ]);
  assert.deepEqual(await send("a3 LOGIN bob pickles"), [
    formatStatus("a3", RESPONSE.AlreadyLoggedIn("LOGIN")),
  ]);
  assert.deepEqual(await send("a4 STARTTLS"), [
    formatStatus("a4", RESPONSE.AlreadyLoggedIn("STARTTLS")),
  ]);
});

Deno.test("ImapSession accepts user@domain for its own domain and refuses another domain", async () => {
  const own = await setup();
  assert.match((await own.send('a1 LOGIN "bob@hamburger.edu" pickles'))[0], /^a1 OK \[CAPABILITY /);
  assert.equal(own.session.user, "bob");
  const other = await setup();
  assert.deepEqual(await other.send("a1 LOGIN bob@crepes.fr pickles"), [
    formatStatus("a1", RESPONSE.LoginFailed),
  ]);
});

Deno.test("ImapSession slows the second failed login and says BYE after the third", async () => {
  const { session, clock } = await setup();
  assert.equal((await session.receiveLine("a1 LOGIN bob x")).close, false);
  let answered = false;
  const second = session.receiveLine("a2 LOGIN bob y").then((output) => {
    answered = true;
    return output;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(answered, false, "the second failure waits a second before its NO");
  clock.advance(1000);
  assert.equal((await second).close, false);
  const third = await session.receiveLine("a3 LOGIN bob z");
  assert.deepEqual(third.lines, [
    formatStatus("a3", RESPONSE.LoginFailed),
    formatStatus("*", RESPONSE.TooManyFailedLogins),
  ]);
  assert.equal(third.close, true);
  assert.equal(session.state, "logout");
});

Deno.test("ImapSession masks LOGIN passwords in its transcript", async () => {
  const { send, transcript } = await setup();
  await send("a1 LOGIN bob pickles");
  assert.deepEqual(transcript.lines("C"), ["a1 LOGIN bob ****"]);
  assert.ok(!transcript.toString().includes("pickles"));
});

Deno.test("ImapSession reads a LOGIN whose password is a synchronising literal", async () => {
  const { session, transcript } = await setup();
  const first = await session.receiveLine("a1 LOGIN bob {7}");
  assert.deepEqual(first.lines, ["+ Ready for literal data"]);
  assert.equal(first.literal, 7);
  assert.deepEqual(session.expecting, { kind: "literal", size: 7 });
  assert.deepEqual((await session.receiveLiteral(encoder.encode("pickles"))).lines, []);
  assert.match((await session.receiveLine("")).lines[0], /^a1 OK /);
  assert.ok(!transcript.toString().includes("pickles"));
});

Deno.test("ImapSession reads a LITERAL+ literal without a go-ahead", async () => {
  const { session } = await setup();
  const first = await session.receiveLine("a1 LOGIN {3+}");
  assert.deepEqual(first.lines, []);
  assert.equal(first.literal, 3);
  await session.receiveLiteral(encoder.encode("bob"));
  assert.match((await session.receiveLine(" pickles")).lines[0], /^a1 OK /);
});

Deno.test("ImapSession refuses a literal over the limit: BAD when synchronising, BYE with LITERAL+", async () => {
  const limits = { maxLiteralSize: 10 };
  const sync = await setup({ limits });
  const refused = await sync.session.receiveLine("a1 LOGIN bob {11}");
  assert.deepEqual(refused.lines, [formatStatus("a1", RESPONSE.LiteralTooLarge(10))]);
  assert.equal(refused.literal, undefined);
  assert.deepEqual(sync.session.expecting, { kind: "line" });
  const nonSync = await setup({ limits });
  const bye = await nonSync.session.receiveLine("a1 LOGIN bob {11+}");
  assert.deepEqual(bye.lines, [formatStatus("*", RESPONSE.LiteralPlusTooLarge(10))]);
  assert.equal(bye.close, true);
});

Deno.test("ImapSession answers AUTHENTICATE PLAIN with an initial response or after a go-ahead", async () => {
  const plain = btoa("\0bob\0pickles");
  const ir = await setup();
  assert.match((await ir.send(`a1 AUTHENTICATE PLAIN ${plain}`))[0], /^a1 OK \[CAPABILITY /);
  assert.deepEqual(ir.transcript.lines("C"), ["a1 AUTHENTICATE PLAIN ****"]);
  const step = await setup();
  assert.deepEqual(await step.send("a1 AUTHENTICATE PLAIN"), ["+ "]);
  assert.match((await step.send(plain))[0], /^a1 OK /);
  assert.equal(step.session.state, "authenticated");
  assert.ok(!step.transcript.toString().includes(plain));
  const cancel = await setup();
  await cancel.send("a1 AUTHENTICATE PLAIN");
  assert.deepEqual(await cancel.send("*"), [formatStatus("a1", RESPONSE.AuthCancelled)]);
  const wrong = await setup();
  assert.deepEqual(await wrong.send(`a1 AUTHENTICATE PLAIN ${btoa("\0bob\0nope")}`), [
    formatStatus("a1", RESPONSE.LoginFailed),
  ]);
  assert.deepEqual(await wrong.send("a2 AUTHENTICATE CRAM-MD5"), [
    formatStatus("a2", RESPONSE.UnsupportedMechanism("CRAM-MD5")),
  ]);
  assert.deepEqual(await wrong.send(`a3 AUTHENTICATE PLAIN ${btoa("alice\0bob\0pickles")}`), [
    formatStatus("a3", RESPONSE.AuthorizationFailed),
  ]);
  assert.deepEqual(await wrong.send("a4 AUTHENTICATE PLAIN !!!"), [
    formatStatus("a4", RESPONSE.BadBase64),
  ]);
  assert.deepEqual(await wrong.send(`a5 AUTHENTICATE PLAIN ${btoa("bob")}`), [
    formatStatus("a5", RESPONSE.BadPlain),
  ]);
});

Deno.test("ImapSession answers garbage with BAD and stays usable", async () => {
  const { send, session } = await setup();
  const syntax = (tag: string, reason: string) => [formatStatus(tag, RESPONSE.Syntax(reason))];
  assert.deepEqual(await send(""), syntax("*", "Invalid tag at column 1"));
  assert.deepEqual(await send("\0\0\0"), syntax("*", "Invalid tag at column 1"));
  assert.deepEqual(await send("a1"), syntax("a1", "Missing command name"));
  assert.deepEqual(await send("a1 FROB"), [formatStatus("a1", RESPONSE.UnknownCommand("FROB"))]);
  assert.deepEqual(await send(`a1 ${"X".repeat(100)}`), [
    formatStatus("a1", RESPONSE.UnknownCommand("X".repeat(40))),
  ]);
  assert.deepEqual(
    await send('a2 LOGIN "bob pickles'),
    syntax("a2", "Unterminated quoted string at column 10"),
  );
  assert.deepEqual(
    await send("a3 LOGIN bob\0 pickles"),
    syntax("a3", "Control character in atom at column 13"),
  );
  assert.deepEqual(await send("a4 LOGIN (bob"), syntax("a4", 'Missing ")" at column 13'));
  assert.deepEqual(await send("a5 LOGIN bob {x}"), syntax("a5", "Invalid literal at column 14"));
  assert.deepEqual(await send("a6 LOGIN bob"), [
    formatStatus("a6", RESPONSE.BadArguments("Missing password", COMMANDS.LOGIN.syntax)),
  ]);
  assert.deepEqual((await session.receiveLine(LINE_TOO_LONG)).lines, [
    formatStatus("*", RESPONSE.LineTooLong(65536)),
  ]);
  assert.match((await send("a7 LOGIN bob pickles"))[0], /^a7 OK /);
});

Deno.test("ImapSession answers ID, NAMESPACE, ENABLE and CAPABILITY", async () => {
  const { send } = await setup();
  assert.deepEqual(await send('a1 ID ("name" "test")'), [
    '* ID ("name" "mail-toolkit" "vendor" "Internet mail course toolkit" "support-url" "https://www.rfc-editor.org/rfc/rfc3501")',
    done("a1", "ID"),
  ]);
  await send("a2 LOGIN bob pickles");
  assert.deepEqual(await send("a3 NAMESPACE"), [
    '* NAMESPACE (("" ".")) NIL NIL',
    done("a3", "NAMESPACE"),
  ]);
  assert.deepEqual(await send("a4 ENABLE CONDSTORE X-UNKNOWN"), [
    "* ENABLED CONDSTORE",
    formatStatus("a4", RESPONSE.Enabled),
  ]);
  assert.deepEqual(await send("a5 ENABLE CONDSTORE"), [
    "* ENABLED",
    formatStatus("a5", RESPONSE.Enabled),
  ]);
  const [caps, ok] = await send("a6 CAPABILITY");
  assert.match(caps, /^\* CAPABILITY IMAP4rev1 LITERAL\+ .* CONDSTORE/);
  assert.doesNotMatch(caps, /AUTH=PLAIN/, "no login capabilities once logged in");
  assert.equal(ok, done("a6", "CAPABILITY"));
});

Deno.test("ImapSession times out after the idle limit by its clock", async () => {
  const { session, clock } = await setup({ limits: { idleTimeoutMs: 60_000 } });
  clock.advance(59_000);
  assert.equal(session.tick(clock.now()), undefined);
  await session.receiveLine("a1 NOOP");
  clock.advance(59_000);
  assert.equal(session.tick(clock.now()), undefined);
  clock.advance(1_000);
  const bye = session.tick(clock.now());
  assert.equal(
    new TextDecoder().decode(bye?.data as Uint8Array),
    formatStatus("*", RESPONSE.IdleTimeout) + "\r\n",
  );
  assert.equal(bye?.close, true);
  assert.deepEqual(session.expecting, { kind: "closed" });
});

Deno.test("ImapSession LOGOUT says BYE, then OK, and closes", async () => {
  const { session, transcript } = await selected();
  const out = await session.receiveLine("a3 LOGOUT");
  assert.deepEqual(out.lines, [
    formatStatus("*", RESPONSE.LoggingOut("hamburger.edu")),
    done("a3", "LOGOUT"),
  ]);
  assert.equal(out.close, true);
  assert.equal(session.state, "logout");
  assert.deepEqual((await session.receiveLine("a4 NOOP")).lines, []);
  assert.equal(transcript.lines("C").at(-1), "a3 LOGOUT");
});

Deno.test("ImapSession summarises long literals in its transcript", async () => {
  const { session, transcript } = await selected();
  await session.receiveLine("a3 UID FETCH 1 BODY.PEEK[]");
  const lines = transcript.lines("S");
  const at = lines.indexOf(`* 1 FETCH (UID 1 BODY[] {${MESSAGE.length}}`);
  assert.ok(at > 0);
  assert.deepEqual(lines.slice(at + 1, at + 4), [
    `(${MESSAGE.length} bytes)`,
    ")",
    done("a3", "UID FETCH"),
  ]);
});

Deno.test("ImapSession STARTTLS: NO without a certificate, OK then BAD inside TLS, and no login before it", async () => {
  const plain = await setup();
  assert.deepEqual(await plain.send("a1 STARTTLS"), [formatStatus("a1", RESPONSE.TlsNotOffered)]);
  const { session, send } = await setup({ starttls: true, requireTls: true });
  assert.deepEqual(await send("a1 LOGIN bob pickles"), [
    formatStatus("a1", RESPONSE.PrivacyRequired),
  ]);
  const start = await session.receiveLine("a2 STARTTLS");
  assert.deepEqual(start.lines, [formatStatus("a2", RESPONSE.BeginTls)]);
  assert.equal(start.startTls, true);
  session.secured({ protocol: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256" });
  assert.deepEqual(await send("a3 STARTTLS"), [formatStatus("a3", RESPONSE.TlsActive)]);
  assert.match((await send("a4 LOGIN bob pickles"))[0], /^a4 OK /);
});

Deno.test("ImapSession answers a store bug with NO [SERVERBUG] and says BYE on shutdown or failure", async () => {
  const { send, store, session } = await setup();
  await send("a1 LOGIN bob pickles");
  store.list = () => Promise.reject(new Error("Disk on fire"));
  assert.deepEqual(await send("a2 SELECT INBOX"), [formatStatus("a2", RESPONSE.ServerBug)]);
  const shutdown = session.shutdown();
  assert.equal(
    decoder.decode(shutdown.data as Uint8Array),
    `${formatStatus("*", RESPONSE.ShuttingDown)}\r\n`,
  );
  assert.equal(shutdown.close, true);
  assert.equal(session.closed, true);
  const failed = (await setup()).session.fail();
  assert.equal(
    decoder.decode(failed.data as Uint8Array),
    `${formatStatus("*", RESPONSE.InternalError)}\r\n`,
  );
  assert.equal(failed.close, true);
});
