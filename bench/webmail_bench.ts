/**
 * The webmail on the path a user runs: a MailServer over a MaildirStore on disk (fsync on, as
 * the lab runs it) with the webmail's pages, in Debian's Chromium (playwright-core). For a
 * mailbox of 10, 1,000 and 10,000 messages: the time from pressing "Log in" to the first page
 * of the inbox on screen (first ever, when the server makes and keeps the listing rows), then a
 * reload (warm), and the API's listing alone. No peer is run: there is no other webmail on this
 * machine; the IMAP bench compares the same mailbox's listing with Dovecot.
 *
 *   deno task bench webmail      (or: deno run -A bench/webmail_bench.ts [--quick])
 *
 * @module
 */
import { MailServer } from "../server/mail_server.ts";
import { MaildirStore } from "../server/store/maildir_store.ts";
import { webmailPages } from "../ua/webmail.ts";
import { hasTool } from "../tests/_tools.ts";
import { benchMessage, messageDate } from "./_imap_messages.ts";
import { median } from "./_imap_rows.ts";
import { CHROMIUM, launchChromium } from "../tests/_browser.ts";

const QUICK = Deno.args.includes("--quick") || Deno.env.get("BENCH_QUICK") === "1";
const SIZES = QUICK ? [10, 1000] : [10, 1000, 10_000];
const ROUNDS = QUICK ? 2 : 5;

if (!hasTool(CHROMIUM)) {
  console.log(`skipped: ${CHROMIUM} not found (apt-get install chromium)`);
  Deno.exit(0);
}

const browser = await launchChromium();
const rows: string[][] = [["messages", "first inbox", "reload (median)", "API listing (median)"]];
try {
  for (const size of SIZES) {
    const root = await Deno.makeTempDir({ prefix: "webmail-bench-" });
    const filler = new MaildirStore({ root, fsync: false });
    await filler.ensureUser("bob");
    for (let n = 1; n <= size; n++) {
      await filler.deliver("bob", benchMessage(n), { internalDate: messageDate(n) });
    }
    const server = await MailServer.start({
      domain: "hamburger.edu",
      users: { bob: "pickles" },
      store: new MaildirStore({ root }),
      httpPages: webmailPages(),
    });
    try {
      const base = `http://127.0.0.1:${server.ports.http}/`;
      const page = await browser.newPage();
      await page.goto(base);
      await page.getByLabel("User").fill("bob");
      await page.getByLabel("Password").fill("pickles");
      const started = performance.now();
      await page.getByRole("button", { name: "Log in" }).click();
      await page.locator("#messages .row").first().waitFor({ timeout: 120_000 });
      const first = performance.now() - started;
      const reloads: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        // Measured in the page: from the navigation's start to the first row on screen.
        await page.reload({ waitUntil: "commit" });
        await page.locator("#messages .row").first().waitFor({ timeout: 120_000 });
        await page.waitForFunction(() => performance.getEntriesByName("inbox-shown").length > 0);
        reloads.push(
          await page.evaluate(() => performance.getEntriesByName("inbox-shown")[0].startTime),
        );
      }
      const api: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        api.push(
          await page.evaluate(async () => {
            const t = performance.now();
            const r = await fetch("/api/mailboxes/INBOX/messages?sort=arrival&order=desc&size=200");
            await r.json();
            return performance.now() - t;
          }),
        );
      }
      rows.push([
        size.toLocaleString("en"),
        `${first.toFixed(0)} ms`,
        `${median(reloads).toFixed(0)} ms`,
        `${median(api).toFixed(1)} ms`,
      ]);
      await page.close();
    } finally {
      await server.close();
      await Deno.remove(root, { recursive: true });
    }
  }
} finally {
  await browser.close();
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log("Webmail in Chromium, Maildir on disk (the lab's path), inbox page of 200 rows:");
for (const row of rows) console.log(row.map((c, i) => c.padStart(widths[i])).join("  "));
