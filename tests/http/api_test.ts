// The HTTP interface as a user's browser and a hostile page would meet it, over real sockets.
import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { Accounts } from "../../server/accounts.ts";
import { HttpApi } from "../../server/http/api.ts";
import { mailHandler } from "../../server/mail_handler.ts";
import { OutboundQueue } from "../../server/queue/queue.ts";
import { MemorySpool } from "../../server/queue/spool.ts";
import { MemoryStore } from "../../server/store/memory_store.ts";
import { WebClient, webLab } from "./_web.ts";

const encoder = new TextEncoder();

interface Row {
  uid: number;
  subject: string;
  seen: boolean;
  from?: { name: string; address: string };
}
interface Listing {
  total: number;
  unseen: number;
  messages: Row[];
}

Deno.test("HTTP: alice logs in, sends bob a Korean subject with an attachment; bob reads it", async () => {
  await using lab = await webLab();
  const alice = await WebClient.login(lab.crepes, "alice@crepes.fr", "ketchup");
  assert.deepEqual(await alice.json("/api/me"), {
    user: "alice",
    address: "alice@crepes.fr",
    domain: "crepes.fr",
  });
  const recipes = Uint8Array.from({ length: 256 }, (_, i) => i); // every byte value, kept exactly
  const sent = await alice.post("/api/send", {
    to: ["bob@hamburger.edu"],
    subject: "안녕하세요, Bob",
    text: "Recipes attached.\n.\nA line with a dot.",
    attachments: [{
      filename: "레시피.bin",
      contentType: "application/octet-stream",
      content: btoa(String.fromCharCode(...recipes)),
    }],
  });
  assert.equal(sent.status, 202, await sent.clone().text());
  const { messageId, sentUid } = await sent.json();
  assert.match(messageId, /^<.+@crepes\.fr>$/);
  await lab.crepes.queue.idle();
  // The same hops as SMTP submission: crepes.fr's queue relayed it to hamburger.edu's MX.
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const inbox = await bob.json<Listing>("/api/mailboxes/INBOX/messages");
  assert.equal(inbox.total, 1);
  assert.equal(inbox.unseen, 1);
  const [row] = inbox.messages;
  assert.equal(row.subject, "안녕하세요, Bob");
  assert.equal(row.from?.address, "alice@crepes.fr");
  const read = await bob.json<Record<string, unknown>>(`/api/mailboxes/INBOX/messages/${row.uid}`);
  assert.equal(read.messageId, messageId);
  assert.equal(
    (read.text as string).replace(/\r\n/g, "\n").trim(),
    "Recipes attached.\n.\nA line with a dot.",
  );
  assert.deepEqual(read.attachments, [
    { index: 0, filename: "레시피.bin", contentType: "application/octet-stream", size: 256 },
  ]);
  const received = read.received_fields as string[];
  assert.equal(received.length, 2, "one Received: per hop (submission, then MX)");
  assert.match(received[0], /by hamburger\.edu/);
  assert.match(received[1], /by crepes\.fr/);
  // Reading set \Seen, in the store IMAP reads too.
  const [info] = await lab.hamburger.store.list("bob", "INBOX");
  assert.ok(info.flags.includes("\\Seen"));
  const attachment = await bob.get(`/api/mailboxes/INBOX/messages/${row.uid}/attachments/0`);
  assert.equal(
    attachment.headers.get("content-disposition"),
    `attachment; filename="___.bin"; filename*=UTF-8''${encodeURIComponent("레시피.bin")}`,
  );
  assert.deepEqual(new Uint8Array(await attachment.arrayBuffer()), recipes);
  // The .eml download is byte for byte what IMAP returns.
  const raw = new Uint8Array(
    await (await bob.get(`/api/mailboxes/INBOX/messages/${row.uid}/raw`)).arrayBuffer(),
  );
  assert.deepEqual(raw, await lab.hamburger.store.read("bob", "INBOX", row.uid));
  // alice keeps a copy in Sent, with her login's address as From: whatever the page wanted.
  const copy = new TextDecoder().decode(await lab.crepes.store.read("alice", "Sent", sentUid));
  assert.match(copy, /^From: alice@crepes\.fr\r$/m);
});

Deno.test("HTTP: a flag set in the browser is the store's flag, seen by IMAP; delete goes to Trash", async () => {
  await using lab = await webLab();
  const uid = await lab.hamburger.store.deliver(
    "bob",
    encoder.encode("Subject: hi\r\n\r\nHello\r\n"),
  );
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const flagged = await bob.post(`/api/mailboxes/INBOX/messages/${uid}/flags`, {
    add: ["\\Flagged", "$Label1"],
  });
  assert.deepEqual(await flagged.json(), { uid, flags: ["\\Flagged", "$Label1"] });
  const [info] = await lab.hamburger.store.list("bob", "INBOX");
  assert.deepEqual(info.flags, ["\\Flagged", "$Label1"]);
  const gone = await bob.request(`/api/mailboxes/INBOX/messages/${uid}`, {
    method: "DELETE",
    headers: { origin: bob.base },
  });
  const moved = await gone.json();
  assert.equal(moved.mailbox, "Trash");
  assert.equal((await lab.hamburger.store.list("bob", "INBOX")).length, 0);
  const again = await bob.request(`/api/mailboxes/Trash/messages/${moved.uid}`, {
    method: "DELETE",
  });
  assert.deepEqual(await again.json(), { deleted: moved.uid });
  assert.equal((await lab.hamburger.store.list("bob", "Trash")).length, 0);
  const boxes = await bob.json<{ name: string; messages: number }[]>("/api/mailboxes");
  assert.deepEqual(boxes.map((b) => b.name), ["INBOX", "Drafts", "Junk", "Sent", "Trash"]);
});

Deno.test("HTTP: bad requests get a JSON error with the right status, and the server goes on", async () => {
  await using lab = await webLab();
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const expect = async (response: Promise<Response>, status: number, pattern: RegExp) => {
    const r = await response;
    const body = await r.json();
    assert.equal(r.status, status, JSON.stringify(body));
    assert.match(body.error, pattern);
    return { r, body };
  };
  const anonymous = new WebClient(lab.hamburger);
  await expect(anonymous.get("/api/mailboxes"), 401, /Log in first/);
  await expect(anonymous.post("/api/login", { user: "bob", password: "nope" }), 401, /Wrong/);
  await expect(
    anonymous.post("/api/login", { user: "bob@crepes.fr", password: "pickles" }),
    401,
    /Wrong/,
  );
  await expect(bob.get("/api/nothing"), 404, /Nothing at \/api\/nothing/);
  const { r } = await expect(bob.get("/api/send"), 405, /GET is not allowed here: use POST/);
  assert.equal(r.headers.get("allow"), "POST");
  await expect(
    bob.request("/api/login", {
      method: "POST",
      body: "user=bob",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }),
    415,
    /Send JSON/,
  );
  await expect(
    bob.request("/api/send", {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    }),
    400,
    /not valid JSON/,
  );
  const { body: field } = await expect(
    bob.post("/api/send", { to: "bob@", subject: "x" }),
    400,
    /to: "bob@" is not an email address/,
  );
  assert.equal(field.field, "to");
  await expect(
    bob.post("/api/send", { to: "eve@hamburger.edu", text: "x" }),
    400,
    /eve@hamburger\.edu: the server said 550/,
  );
  await expect(bob.get("/api/mailboxes/INBOX/messages?page=0"), 400, /^page:/);
  await expect(bob.get("/api/mailboxes/INBOX/messages?sort=evil"), 400, /^sort:/);
  await expect(
    bob.post("/api/mailboxes/INBOX/messages/1/flags", { add: ["a b"] }),
    400,
    /not a flag name/,
  );
  await expect(
    bob.post("/api/login", { user: "bob", password: "x".repeat(70_000) }),
    413,
    /larger than/,
  );
  await expect(bob.get("/api/mailboxes/INBOX/messages/99"), 404, /No message 99 in INBOX/);
  await expect(bob.get("/api/mailboxes/%E0%A4%A/messages"), 400, /well-encoded/);
  const big = { to: "alice@crepes.fr", text: "x".repeat(11 * 1024 * 1024) };
  await expect(bob.post("/api/send", big), 413, /limit is 10485760/);
  // Still serving.
  assert.equal((await bob.json<unknown[]>("/api/mailboxes")).length, 5);
});

Deno.test("HTTP: no way to another user's mail, no path tricks, no requests from other origins", async () => {
  await using lab = await webLab();
  await lab.crepes.store.ensureUser("carol");
  const secret = await lab.crepes.store.deliver(
    "carol",
    encoder.encode("Subject: carol's secret\r\n\r\nx\r\n"),
  );
  await lab.crepes.accounts.add("mallory", "hunter2");
  await lab.crepes.store.ensureUser("mallory");
  const mallory = await WebClient.login(lab.crepes, "mallory", "hunter2");
  for (
    const path of [
      `/api/mailboxes/INBOX/messages/${secret}`,
      `/api/mailboxes/INBOX/messages/${secret}/raw`,
      `/api/mailboxes/INBOX/messages/${secret}/attachments/0`,
      "/api/mailboxes/..%2Fcarol/messages",
      "/api/mailboxes/%2E%2E%2F%2E%2E%2Fcarol%2FINBOX/messages",
      "/api/mailboxes/..%2F..%2Fetc/messages/1",
      "/api/mailboxes/%00/messages",
    ]
  ) {
    const response = await mallory.get(path);
    assert.ok([400, 404].includes(response.status), `${path}: ${response.status}`);
    const text = await response.text();
    assert.doesNotMatch(text, /carol's secret/);
  }
  // A page on another origin cannot make mallory's browser change anything.
  const forged = await mallory.post(
    "/api/send",
    { to: "carol@crepes.fr", text: "hi" },
    { origin: "http://evil.example" },
  );
  assert.equal(forged.status, 403);
  assert.match((await forged.json()).error, /Requests from http:\/\/evil\.example are not allowed/);
  const crossSite = await mallory.post(
    `/api/mailboxes/INBOX/messages/1/flags`,
    { add: ["\\Seen"] },
    {
      "sec-fetch-site": "cross-site",
    },
  );
  assert.equal(crossSite.status, 403);
  assert.equal((await lab.crepes.store.list("carol", "INBOX")).length, 1);
  // The cookie is out of scripts' reach and never sent by another site.
  const login = await new WebClient(lab.crepes).post("/api/login", {
    user: "mallory",
    password: "hunter2",
  });
  assert.match(login.headers.get("set-cookie")!, /; Path=\/; HttpOnly; SameSite=Strict$/);
  await login.body?.cancel();
  // Logged out, the old cookie opens nothing.
  const old = mallory.cookie;
  await (await mallory.post("/api/logout", {})).body?.cancel();
  const after = await fetch(`${mallory.base}/api/me`, { headers: { cookie: old } });
  assert.equal(after.status, 401);
  await after.body?.cancel();
});

Deno.test("HTTP: hostile HTML comes out without scripts, handlers, forms or remote loads", async () => {
  await using lab = await webLab();
  const html = '<p onmouseover="steal()">Hi <a href="javascript:steal()">win</a></p>' +
    '<script>steal()</script><img src="https://tracker.example/pixel.gif" onerror="steal()">' +
    "<style>body{background:url(https://tracker.example/bg.png)}</style>" +
    '<form action="https://evil.example/"><input name="password"></form><iframe src="https://evil.example/"></iframe>';
  const uid = await lab.hamburger.store.deliver(
    "bob",
    encoder.encode(`Subject: win\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`),
  );
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const view = await bob.json<{ html: string; remoteImagesBlocked: boolean }>(
    `/api/mailboxes/INBOX/messages/${uid}`,
  );
  for (
    const bad of [
      /script/i,
      /onmouseover|onerror/i,
      /javascript:/i,
      /<form|<input|<iframe|<style/i,
      /tracker\.example/,
    ]
  ) {
    assert.doesNotMatch(view.html, bad);
  }
  assert.match(view.html, /Hi <a/);
  assert.equal(view.remoteImagesBlocked, true);
  const shown = await bob.json<{ html: string }>(`/api/mailboxes/INBOX/messages/${uid}?images=1`);
  assert.match(shown.html, /<img src="https:\/\/tracker\.example\/pixel\.gif" \/>/);
});

Deno.test("HTTP: the event stream tells bob of new mail and flag changes as they happen", async () => {
  await using lab = await webLab();
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const response = await bob.get("/api/events");
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const until = async (pattern: RegExp) => {
    const deadline = Date.now() + 5000;
    while (!pattern.test(seen)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in ${seen}`);
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      seen += value;
    }
  };
  await until(/: connected/);
  const uid = await lab.hamburger.store.deliver("bob", encoder.encode("Subject: new\r\n\r\n.\r\n"));
  await until(/event: mailbox\ndata: \{"mailbox":"INBOX","kind":"messages"\}/);
  seen = "";
  await lab.hamburger.store.setFlags("bob", "INBOX", uid, ["\\Seen"]);
  await until(/event: mailbox\ndata: \{"mailbox":"INBOX"/);
  await reader.cancel();
});

Deno.test("HTTP: listings page, sort and search; the queue shows what waits", async () => {
  await using lab = await webLab();
  for (
    const [subject, from] of [["Crepes", "alice@crepes.fr"], ["Burgers", "carl@x.org"], [
      "Anchovies",
      "alice@crepes.fr",
    ]]
  ) {
    await lab.hamburger.store.deliver(
      "bob",
      encoder.encode(`From: ${from}\r\nSubject: ${subject}\r\n\r\n.\r\n`),
    );
  }
  await lab.hamburger.store.deliver("bob", encoder.encode("\r\nno header at all\r\n"));
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const subjects = async (query: string) =>
    (await bob.json<Listing>(`/api/mailboxes/INBOX/messages?${query}`)).messages.map((m) =>
      m.subject
    );
  assert.deepEqual(await subjects(""), ["", "Anchovies", "Burgers", "Crepes"]);
  assert.deepEqual(await subjects("sort=subject&order=asc"), [
    "",
    "Anchovies",
    "Burgers",
    "Crepes",
  ]);
  assert.deepEqual(await subjects("q=alice&sort=subject&order=asc"), ["Anchovies", "Crepes"]);
  assert.deepEqual(await subjects("size=2&page=2"), ["Burgers", "Crepes"]);
  // A message to a stopped server waits in the queue, as the lab page shows it.
  await lab.hamburger.stopSmtp();
  const alice = await WebClient.login(lab.crepes, "alice", "ketchup");
  assert.equal(
    (await alice.post("/api/send", { to: "bob@hamburger.edu", text: "later" })).status,
    202,
  );
  await lab.crepes.queue.idle();
  const queue = await alice.json<{ from: string; attempts: number }[]>("/api/queue");
  assert.equal(queue.length, 1);
  assert.equal(queue[0].from, "alice@crepes.fr");
  assert.equal(queue[0].attempts, 1);
});

Deno.test("HTTP: failed logins are slowed, then refused per address and per account; requests are rate limited", async () => {
  const clock = new ManualClock();
  const accounts = new Accounts({ iterations: 1000 });
  await accounts.add("bob", "pickles");
  const store = new MemoryStore({ clock });
  await store.ensureUser("bob");
  const queue = new OutboundQueue({
    spool: new MemorySpool(),
    deliverer: { async *deliver() {} },
    clock,
  });
  const handler = mailHandler({ domain: "hamburger.edu", accounts, store, queue, clock });
  const api = new HttpApi({
    domain: "hamburger.edu",
    accounts,
    store,
    queue,
    handler,
    clock,
    loginFailureDelayMs: 0,
    maxRequestsPerMinute: 30,
  });
  const login = (password: string, remote = "10.0.0.1") =>
    api.handle(
      new Request("http://mail/api/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: "bob", password }),
      }),
      { remote },
    );
  for (let i = 0; i < 10; i++) assert.equal((await login("guess")).status, 401);
  // The right password from another address is refused too: the account is under attack.
  const refused = await login("pickles", "10.0.0.2");
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("retry-after"), "900");
  clock.advance(900_001);
  assert.equal((await login("pickles", "10.0.0.2")).status, 200);
  // 30 requests a minute from one address, then 429.
  for (let i = 0; i < 18; i++) {
    await api.handle(new Request("http://mail/api/me"), { remote: "10.0.0.3" });
  }
  const statuses = [];
  for (let i = 0; i < 14; i++) {
    statuses.push(
      (await api.handle(new Request("http://mail/api/me"), { remote: "10.0.0.3" })).status,
    );
  }
  assert.deepEqual(statuses, [...Array(12).fill(401), 429, 429]);
});

Deno.test("HTTP: the travel panel gives each hop's dialog, and never another recipient's address", async () => {
  await using lab = await webLab();
  await lab.hamburger.accounts.add("carol", "secret");
  await lab.hamburger.store.ensureUser("carol");
  const alice = await WebClient.login(lab.crepes, "alice", "ketchup");
  const sent = await alice.post("/api/send", {
    to: "bob@hamburger.edu",
    bcc: "carol@hamburger.edu",
    subject: "Surprise party",
    text: "Shh.",
  });
  assert.equal(sent.status, 202);
  await lab.crepes.queue.idle();
  // hamburger.edu's own transcripts: the MX hop (webLab's servers do not share theirs).
  const bob = await WebClient.login(lab.hamburger, "bob", "pickles");
  const [row] = (await bob.json<Listing>("/api/mailboxes/INBOX/messages")).messages;
  const travel = await bob.json<{ hops: { role: string; lines: string[]; svg: string }[] }>(
    `/api/mailboxes/INBOX/messages/${row.uid}/travel`,
  );
  assert.deepEqual(travel.hops.map((h) => h.role), ["mx"]);
  const [mx] = travel.hops;
  assert.ok(mx.lines.includes("C: RCPT TO:<bob@hamburger.edu>"));
  assert.ok(mx.lines.includes("C: RCPT TO:(another recipient)"));
  assert.ok(
    mx.lines.some((l) => /^C: \(the message: \d+ lines, Message-ID <.+@crepes\.fr>\)$/.test(l)),
  );
  assert.match(mx.svg, /^<svg/);
  assert.doesNotMatch(JSON.stringify(travel), /carol/);
  // alice's server has her side: the HTTP submission and the relay, Bcc hidden from her view too.
  const [sentRow] = (await alice.json<Listing>("/api/mailboxes/Sent/messages")).messages;
  const mine = await alice.json<{ hops: { role: string; lines: string[] }[] }>(
    `/api/mailboxes/Sent/messages/${sentRow.uid}/travel`,
  );
  assert.deepEqual(mine.hops.map((h) => h.role), ["http submission", "relay"]);
  assert.ok(mine.hops[0].lines.includes("C: recipient: <bob@hamburger.edu>"));
  assert.ok(
    mine.hops[0].lines.includes("S: 202 Accepted: delivered or queued, as SMTP's 250 would say"),
  );
});

Deno.test("HTTP: a user agent submits its own message bytes, From: its login, as SMTP's DATA would", async () => {
  await using lab = await webLab();
  const alice = await WebClient.login(lab.crepes, "alice", "ketchup");
  const message = "From: Alice <alice@crepes.fr>\r\nTo: bob@hamburger.edu\r\nSubject: raw\r\n" +
    "Message-ID: <raw-1@crepes.fr>\r\n\r\n..leading dot kept as written\r\n";
  const submit = (text: string, query = "?to=bob@hamburger.edu", type = "message/rfc822") =>
    alice.request(`/api/submit${query}`, {
      method: "POST",
      headers: { "content-type": type, origin: alice.base },
      body: text,
    });
  const ok = await submit(message, "?to=bob@hamburger.edu&saveSent=1");
  assert.equal(ok.status, 202, await ok.clone().text());
  assert.equal((await ok.json()).messageId, "<raw-1@crepes.fr>");
  await lab.crepes.queue.idle();
  const [info] = await lab.hamburger.store.list("bob", "INBOX");
  const stored = new TextDecoder().decode(await lab.hamburger.store.read("bob", "INBOX", info.uid));
  assert.ok(stored.endsWith(message), "the bytes after the trace fields are the bytes sent");
  assert.equal((await lab.crepes.store.list("alice", "Sent")).length, 1);
  const forged = await submit(message.replace("alice@crepes.fr>", "ceo@bank.example>"));
  assert.equal(forged.status, 403);
  assert.match((await forged.json()).error, /From: must be alice@crepes\.fr/);
  const noFrom = await submit("Subject: who?\r\n\r\nx\r\n");
  assert.equal(noFrom.status, 403);
  await noFrom.body?.cancel();
  const json = await submit(message, "?to=bob@hamburger.edu", "application/json");
  assert.equal(json.status, 415);
  await json.body?.cancel();
  const nobody = await submit(message, "");
  assert.equal(nobody.status, 400);
  await nobody.body?.cancel();
  assert.equal((await lab.hamburger.store.list("bob", "INBOX")).length, 1);
});
