// `deno task ua --via http`: the same commands over the servers' HTTP interfaces, giving what
// SMTP submission and IMAP give (the same listing, the same bytes), and failing in the same
// sentences, naming "the HTTP interface" and its host and port.
import assert from "node:assert/strict";
import { as, closedPort, decoder, ok, readable, startLab, ua } from "./_cli.ts";

Deno.test("ua --via http sends to bob, and bob reads the same bytes over HTTP and IMAP", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  const bob = as(lab, "bob@hamburger.edu");
  const sent = ok(
    await alice(
      "send",
      "--to",
      "bob@hamburger.edu",
      "--cc",
      "carol@hamburger.edu",
      "--subject",
      "Lunch?",
      "--text",
      "Do you like ketchup?",
      "--save-sent",
      "--via",
      "http",
    ),
  );
  assert.match(
    sent.out,
    /^Sent to bob@hamburger\.edu, carol@hamburger\.edu \(the server said: 202 /,
  );
  assert.match(sent.out, /Kept a copy in Sent \(UID 1\)/);
  await lab.idle();
  const overHttp = ok(await bob("inbox", "--via", "http"));
  assert.equal(overHttp.out, ok(await bob("inbox")).out);
  assert.match(overHttp.out, /Lunch\?/);
  const rawHttp = ok(await bob("read", "1", "--raw", "--via", "http")).bytes;
  const rawImap = ok(await bob("read", "1", "--raw")).bytes;
  assert.deepEqual(rawHttp, rawImap);
  assert.match(decoder.decode(rawHttp), /\r\n\r\nDo you like ketchup\?\r\n$/);
  assert.match(ok(await bob("read", "1", "--via", "http")).out, /Do you like ketchup\?/);
  assert.match(ok(await as(lab, "carol@hamburger.edu")("inbox")).out, /Lunch\?/);
  assert.match(ok(await alice("inbox", "--mailbox", "Sent")).out, /Lunch\?/);
});

Deno.test("ua --via http flags, moves, trashes and deletes, and IMAP sees it", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  const bob = as(lab, "bob@hamburger.edu");
  for (const subject of ["one", "two", "three"]) {
    ok(await alice("send", "--to", "bob@hamburger.edu", "--subject", subject, "--text", "x"));
  }
  await lab.idle();
  const http = (...args: string[]) => bob(...args, "--via", "http");
  assert.equal(ok(await http("flag", "1", "--flag", "\\Flagged")).out, "Message 1: \\Flagged");
  // IMAP sees the flag set over HTTP beside its own.
  assert.equal(ok(await bob("flag", "1", "--flag", "$Todo")).out, "Message 1: \\Flagged $Todo");
  assert.match(ok(await bob("inbox")).out.split("\n")[0], /one/);
  assert.match(ok(await http("move", "1", "--to", "Junk")).out, /^Moved message 1 to Junk/);
  assert.match(ok(await bob("inbox", "--mailbox", "Junk")).out, /one/);
  assert.match(ok(await http("trash", "2")).out, /^Moved message 2 to Trash \(its UID there: 1\)/);
  assert.match(ok(await bob("inbox", "--mailbox", "Trash")).out, /two/);
  ok(await http("delete", "3"));
  assert.equal(ok(await bob("inbox")).out, "(INBOX is empty)");
  assert.doesNotMatch(ok(await bob("inbox", "--mailbox", "Trash")).out, /three/);
  assert.match(ok(await http("search", "two", "--mailbox", "Trash")).out, /two/);
  assert.match(ok(await http("folders")).out, /Junk/);
});

Deno.test("ua --via http names the HTTP interface it cannot reach, and a refused login", async () => {
  const port = closedPort();
  const stopped = (...args: string[]) =>
    ua(...args, "--host", "127.0.0.1", "--http-port", `${port}`, "--via", "http");
  for (
    const run of [
      await stopped("inbox", "--user", "bob@hamburger.edu"),
      await stopped("send", "--from", "alice@crepes.fr", "--to", "bob@hamburger.edu"),
    ]
  ) {
    readable(run);
    assert.equal(run.code, 1);
    assert.equal(
      run.err,
      `Could not connect to the HTTP interface at 127.0.0.1:${port} (connection refused). ` +
        "Is the lab running? Start it with: deno task lab",
    );
  }

  // A server that takes the connection and never answers.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const silent = await ua(
    "inbox",
    "--user",
    "bob@hamburger.edu",
    ...["--host", "127.0.0.1", "--http-port", `${listener.addr.port}`, "--via", "http"],
    ...["--timeout", "0.2"],
  );
  assert.match(
    silent.err,
    new RegExp(
      `^Could not connect to the HTTP interface at 127\\.0\\.0\\.1:${listener.addr.port} \\(no answer within 200 ms\\)`,
    ),
  );
  listener.close();
  await accepting;
  for (const conn of held) conn.close();

  await using lab = await startLab();
  const bob = as(lab, "bob@hamburger.edu");
  const http = lab.agentOptions("bob@hamburger.edu").http;
  const refused = await bob("inbox", "--via", "http", "--password", "mustard");
  readable(refused);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.err,
    `The HTTP interface at 127.0.0.1:${http.port} refused the login of "bob" ` +
      "(it said: Wrong user name or password). Check the address and the password (--password)",
  );
});

Deno.test("ua --via http refuses what HTTP cannot do, and names a missing mailbox", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  const bob = as(lab, "bob@hamburger.edu");
  ok(await alice("send", "--to", "bob@hamburger.edu", "--subject", "one", "--text", "x"));
  await lab.idle();
  const body = await bob("search", "x", "--in", "body", "--via", "http");
  assert.equal(body.code, 2);
  assert.match(body.err, /^--in body: over HTTP the server searches From and Subject only/);
  const bogus = await bob("inbox", "--via", "pigeon");
  assert.equal(bogus.code, 2);
  assert.equal(
    bogus.err,
    '--via: "pigeon" is not a way to the server; use smtp or imap (the default) or http',
  );
  const nowhere = await bob("move", "1", "--to", "Archive", "--via", "http");
  readable(nowhere);
  assert.equal(
    nowhere.err,
    'There is no mailbox "Archive"; the mailboxes are listed by: deno task ua folders --user bob@hamburger.edu',
  );
  const gone = await bob("read", "9", "--via", "http");
  assert.match(gone.err, /^No message with UID 9 in "INBOX"; the UIDs are the first column of/);
  const help = ok(await ua("help", "send")).out;
  assert.match(help, /--via WAY +smtp \(default\) or http: POST \/api\/submit/);
  assert.match(ok(await ua("help", "inbox")).out, /--via WAY +imap \(default\) or http/);
  assert.match(ok(await ua("help", "inbox")).out, /--http-port/);
});
