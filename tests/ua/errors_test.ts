// Every way a student can get `deno task ua` wrong, or find the lab stopped, ends in one sentence
// that names the option, the file or the server (host and port), and an exit code: 2 for a
// mistyped command line, 1 for a failure. Never a stack trace, a runtime error number, zod's
// JSON, or an option that does not exist.
import assert from "node:assert/strict";
import { COMMANDS } from "../../ua/cli_commands.ts";
import { as, closedPort, encoder, ok, readable, type Run, startLab, ua } from "./_cli.ts";

function fails(run: Run, code: number, sentence: string | RegExp): void {
  readable(run);
  assert.equal(run.code, code, `exit ${run.code}: ${run.err}`);
  if (typeof sentence === "string") assert.equal(run.err, sentence);
  else assert.match(run.err, sentence);
}

Deno.test("ua names a server it cannot reach by its role, host and port", async () => {
  const port = closedPort();
  const lab = (
    p: number,
  ) => ["--host", "127.0.0.1", "--submission-port", `${p}`, "--imap-port", `${p}`];
  fails(
    await ua("send", "--from", "alice@crepes.fr", "--to", "bob@hamburger.edu", ...lab(port)),
    1,
    `Could not connect to the SMTP submission server at 127.0.0.1:${port} (connection refused). ` +
      "Is the lab running? Start it with: deno task lab",
  );
  fails(
    await ua("inbox", "--user", "bob@hamburger.edu", ...lab(port)),
    1,
    `Could not connect to the IMAP server at 127.0.0.1:${port} (connection refused). ` +
      "Is the lab running? Start it with: deno task lab",
  );

  // A server that takes the connection and never greets.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const silent = listener.addr.port;
  fails(
    await ua("inbox", "--user", "bob@hamburger.edu", ...lab(silent), "--timeout", "0.2"),
    1,
    `Could not connect to the IMAP server at 127.0.0.1:${silent} (no answer within 200 ms). ` +
      "Is the lab running? Start it with: deno task lab",
  );
  fails(
    await ua(
      "send",
      "--user",
      "bob",
      "--to",
      "alice@crepes.fr",
      ...lab(silent),
      "--timeout",
      "0.2",
    ),
    1,
    new RegExp(`^Could not connect to the SMTP submission server at 127\\.0\\.0\\.1:${silent} `),
  );
  listener.close();
  await accepting;
  for (const conn of held) conn.close();
});

Deno.test("ua names the field of an address that is not one, and takes a non-ASCII one", async () => {
  await using lab = await startLab();
  const alice = as(lab, "alice@crepes.fr");
  fails(
    await alice("send", "--to", "bob@", "--subject", "x"),
    2,
    '--to: "bob@" is not an email address (such as bob@hamburger.edu)',
  );
  fails(
    await alice("send", "--to", "bob@hamburger.edu", "--cc", "carol", "--text", "x"),
    2,
    '--cc: "carol" is not an email address (such as bob@hamburger.edu)',
  );
  fails(
    await ua("inbox", "--user", "bob@"),
    2,
    '--user: "bob@" is not an email address (such as bob@hamburger.edu)',
  );
  const korean = ok(await alice("send", "--to", "철수@hamburger.edu", "--text", "안녕"));
  readable(korean);
  assert.match(korean.out, /^Sent to 철수@hamburger\.edu /);
});

Deno.test("ua says what to type instead of a mistyped command line", async () => {
  const unknown = await ua("frobnicate");
  fails(unknown, 2, /^Unknown command "frobnicate"\. The commands are:\n/);
  for (const name of Object.keys(COMMANDS)) {
    assert.match(unknown.err, new RegExp(`^  ${name} `, "m"));
  }
  fails(
    await ua("send", "--utf8", "--from", "alice@crepes.fr"),
    2,
    'Unknown option "--utf8" for send; see: deno task ua help send',
  );
  fails(
    await ua("send", "--from", "alice@crepes.fr", "--to"),
    2,
    "--to needs a value: --to ADDRESS",
  );
  fails(await ua("reply", "1", "--all=yes"), 2, "--all takes no value");
  fails(await ua("inbox"), 2, "inbox needs --user ADDRESS: the account, such as bob@hamburger.edu");
  fails(
    await ua("send", "--to", "bob@hamburger.edu"),
    2,
    "send needs --from ADDRESS: the account that sends, such as alice@crepes.fr",
  );
  fails(
    await ua("send", "--from", "alice@crepes.fr"),
    2,
    "send needs --to ADDRESS: whom the message goes to",
  );
  fails(
    await ua("read", "--user", "bob"),
    2,
    /^read needs the UID of a message, such as: deno task ua read 1 /,
  );
  fails(
    await ua("read", "one", "--user", "bob"),
    2,
    '"one" is not a UID: a UID is a whole number, such as 1',
  );
  fails(
    await ua("inbox", "--user", "bob", "--imap-port", "abc"),
    2,
    '--imap-port: "abc" is not a port number (1 to 65535)',
  );
  fails(
    await ua("inbox", "--user", "dave@example.org"),
    2,
    'No password for "dave@example.org": it is not a lab account; give --password',
  );
  fails(
    await ua("save", "1", "--user", "bob"),
    2,
    /^save needs --out FILE \(an \.eml file\) or --mbox FILE/,
  );
  fails(await ua("help", "frobnicate"), 2, /^Unknown command "frobnicate"\. The commands are:\n/);
});

Deno.test("ua names the file it cannot read or write, and the configuration's bad field", async () => {
  const dir = await Deno.makeTempDir();
  fails(
    await ua(
      "send",
      "--from",
      "alice@crepes.fr",
      "--to",
      "bob@hamburger.edu",
      "--attach",
      `${dir}/menu.pdf`,
    ),
    1,
    `--attach: cannot read "${dir}/menu.pdf" (no such file or folder)`,
  );
  await Deno.writeTextFile(`${dir}/broken.json`, "{ domains: ");
  fails(
    await ua("inbox", "--user", "bob", "--config", `${dir}/broken.json`),
    1,
    /^--config: ".+broken\.json" is not valid JSON \(/,
  );
  await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify({ domains: [{ name: "Crêpes" }] }));
  fails(
    await ua("inbox", "--user", "bob", "--config", `${dir}/bad.json`),
    1,
    /^--config: Invalid configuration ".+bad\.json":\n {2}domains\.0\.name: /,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ua explains a refused login, a missing message, a missing mailbox, a bad flag", async () => {
  await using lab = await startLab();
  const imap = lab.agentOptions("bob@hamburger.edu").imap;
  const bob = as(lab, "bob@hamburger.edu");
  fails(
    await bob("inbox", "--password", "ketchup"),
    1,
    new RegExp(
      `^The IMAP server at 127\\.0\\.0\\.1:${imap.port} refused the login of "bob" \\(it said: NO ` +
        `\\[AUTHENTICATIONFAILED\\] .+\\)\\. Check the address and the password \\(--password\\)$`,
    ),
  );
  fails(
    await as(lab, "alice@crepes.fr")("send", "--to", "bob@hamburger.edu", "--password", "nope"),
    1,
    /^The SMTP submission server at 127\.0\.0\.1:\d+ refused the login of "alice" \(it said: 535 /,
  );
  fails(
    await bob("read", "42"),
    1,
    'No message with UID 42 in "INBOX"; the UIDs are the first column of: ' +
      "deno task ua inbox --user bob@hamburger.edu",
  );
  fails(
    await bob("inbox", "--mailbox", "Recipes"),
    1,
    'There is no mailbox "Recipes"; the mailboxes are listed by: deno task ua folders --user bob@hamburger.edu',
  );
  await lab.server("hamburger.edu").store.deliver("bob", encoder.encode("Subject: x\r\n\r\nx\r\n"));
  fails(
    await bob("move", "1", "--to", "Nowhere"),
    1,
    'There is no mailbox "Nowhere"; the mailboxes are listed by: deno task ua folders --user bob@hamburger.edu',
  );
  fails(
    await bob("flag", "1", "--flag", "to do"),
    2,
    '--flag: "to do" is not a flag; a flag is one word, such as \\Flagged',
  );
});

Deno.test("ua help shows each command's usage, options and examples, as --help does", async () => {
  const overview = ok(await ua("help"));
  assert.match(overview.out, /^Usage: deno task ua COMMAND \[options\]\n/);
  assert.equal((await ua()).code, 2);
  for (const [name, command] of Object.entries(COMMANDS)) {
    const help = ok(await ua("help", name));
    assert.equal(help.out, ok(await ua(name, "--help")).out);
    assert.ok(help.out.startsWith(`Usage: deno task ua ${command.usage}\n`), help.out);
    assert.match(help.out, /\nOptions:\n {2}--/);
    assert.match(help.out, new RegExp(`\\nExamples:\\n {2}deno task ua ${name} `));
  }
  const reply = ok(await ua("help", "reply")).out;
  assert.match(reply, /\n {2}--all +answer everyone in To and Cc as well \(reply all\)\n/);
  assert.doesNotMatch(reply, /--from/);
  assert.match(ok(await ua("help", "move")).out, /\n {2}--to MAILBOX +the mailbox it goes to/);
});

Deno.test("deno task ua, run as a program, exits 2 or 1 with the sentence alone on stderr", async () => {
  const cli = new URL("../../ua/cli.ts", import.meta.url).pathname;
  const run = async (...args: string[]) => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", cli, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trimEnd();
    return { code, out: decode(stdout), err: decode(stderr), bytes: stdout };
  };
  const unknown = await run("frobnicate");
  fails(unknown, 2, /^Unknown command "frobnicate"\. The commands are:\n {2}send /);
  const port = closedPort();
  const stopped = await run("inbox", "--user", "bob", "--imap-port", `${port}`);
  fails(
    stopped,
    1,
    `Could not connect to the IMAP server at 127.0.0.1:${port} (connection refused). ` +
      "Is the lab running? Start it with: deno task lab",
  );
});
