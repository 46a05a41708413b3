// The lab's own page, through its control endpoint: by HTTP, and in Debian's Chromium.
import assert from "node:assert/strict";
import { SmtpClient } from "../../client/smtp_client.ts";
import { ControlServer } from "../../lab/control.ts";
import { Lab } from "../../lab/lab.ts";
import { toolTest } from "../_tools.ts";
import { CHROMIUM, launchChromium } from "../_browser.ts";

const SHOTS = new URL("../../build/screenshots/", import.meta.url).pathname;

async function startLab() {
  const lab = await Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000 });
  const dir = await Deno.makeTempDir();
  const control = await ControlServer.start(lab, { dir });
  return {
    lab,
    control,
    async [Symbol.asyncDispose]() {
      await control.close();
      await lab.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function sendAsAlice(lab: Lab, subject: string): Promise<void> {
  const crepes = lab.server("crepes.fr");
  const client = await SmtpClient.connect({ hostname: "127.0.0.1", port: crepes.ports.submission });
  await client.authenticate("alice", "ketchup");
  await client.send(
    { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
    new TextEncoder().encode(`Subject: ${subject}\r\n\r\nHi\r\n`),
  );
  await client.quit();
}

Deno.test("lab page: served with the token only; its state and live events come from the lab", async () => {
  await using t = await startLab();
  const { url, token } = t.control.info;
  assert.equal((await (await fetch(`${url}/`)).json()).error, "Missing or wrong token");
  const page = await fetch(`${url}/?token=${token}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
  assert.match(await page.text(), /<title>The mail lab<\/title>/);
  // A browser's GET may carry the token; a POST must send the header (no forged form posts).
  const forged = await fetch(`${url}/fault?token=${token}`, {
    method: "POST",
    body: JSON.stringify({ domain: "hamburger.edu", words: ["stop"] }),
  });
  assert.equal(forged.status, 401);
  await forged.body?.cancel();
  assert.equal(t.lab.server("hamburger.edu").smtpRunning, true);
  // The live stream shows the dialog's lines.
  const events = await fetch(`${url}/events?token=${token}`);
  const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
  await sendAsAlice(t.lab, "watched");
  let seen = "";
  const deadline = Date.now() + 5000;
  while (!seen.includes('"text":"MAIL FROM:<alice@crepes.fr>')) {
    assert.ok(Date.now() < deadline, `no MAIL FROM in ${seen.slice(0, 500)}`);
    const { value, done } = await reader.read();
    assert.ok(!done, "the stream ended");
    seen += value;
  }
  assert.match(seen, /event: lab\ndata: \{"type":"command"/);
  await t.lab.server("crepes.fr").queue.idle();
  const state =
    await (await fetch(`${url}/state`, { headers: { authorization: `Bearer ${token}` } }))
      .json();
  assert.deepEqual(state.servers.map((s: { domain: string }) => s.domain), [
    "crepes.fr",
    "hamburger.edu",
  ]);
  assert.equal(
    state.servers[1].endpoints.find((e: { service: string }) => e.service === "HTTP").coursePort,
    80,
  );
  // Closing the endpoint ends the open stream instead of waiting for it.
  const closed = t.control.close();
  while (!(await reader.read()).done) { /* drain */ }
  await closed;
});

toolTest(
  "lab page in Chromium: live dialog lines, queues and a fault button",
  [CHROMIUM],
  async () => {
    await Deno.mkdir(SHOTS, { recursive: true });
    await using t = await startLab();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${t.control.info.url}/?token=${t.control.info.token}`);
      await page.getByText("Live: every connection shows here.").waitFor();
      await sendAsAlice(t.lab, "seen live");
      await page.locator("#lines code", { hasText: "C: MAIL FROM:<alice@crepes.fr>" }).first()
        .waitFor();
      await page.locator("#lines code", { hasText: /^S: 250 2\.0\.0/ }).first().waitFor();
      // A fault from the page: hamburger.edu stops, and its card says so.
      const hamburger = page.locator('[data-domain="hamburger.edu"]');
      await hamburger.getByRole("button", { name: "fault stop" }).click();
      await hamburger.getByText(/SMTP: stopped/).waitFor();
      assert.equal(t.lab.server("hamburger.edu").smtpRunning, false);
      // Mail to a stopped server waits in crepes.fr's queue, and the page shows it.
      await sendAsAlice(t.lab, "queued");
      await page.locator('[data-domain="crepes.fr"] .queue li', {
        hasText: "bob@hamburger.edu (pending)",
      })
        .waitFor();
      await page.screenshot({ path: `${SHOTS}lab-page.png`, fullPage: true });
    } finally {
      await browser.close();
    }
  },
);
