// The documentation site, as `deno task docs` makes it: it builds without a warning, opens on the
// "Start here" page, and has a page per entry point a student imports.
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url).pathname;

Deno.test("deno task docs builds the site without warnings, starting with what a learner needs", async () => {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["task", "docs"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(run.stderr) + new TextDecoder().decode(run.stdout);
  assert.equal(run.code, 0, said);
  assert.doesNotMatch(said, /warn/i);
  const index = await Deno.readTextFile(`${root}build/docs/index.html`);
  assert.match(index, /Start here/);
  for (const first of ["Lab", "telnet", "SmtpSession", "SmtpServer", "parseMessage"]) {
    assert.ok(index.includes(`~/${first}.html`), `the start page links ${first}`);
  }
  const exports = JSON.parse(await Deno.readTextFile(`${root}deno.json`)).exports;
  for (const entry of Object.keys(exports).filter((e) => e !== ".")) {
    const page = `${root}build/docs/${entry.slice(2)}/index.html`;
    assert.ok((await Deno.stat(page)).isFile, `${entry} has its page`);
  }
});
