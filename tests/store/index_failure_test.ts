// A delivery whose index record cannot be written takes its message back out of new/, whatever
// the failure: here no root and no tmpfs are needed, as the store runs in a child process under
// a file size limit (`ulimit -f` with SIGXFSZ ignored, so a write past it fails with EFBIG). The
// message file fits; the index, ending at the limit, does not take one more byte.
import assert from "node:assert/strict";
import { MaildirStore } from "../../server/store/maildir_store.ts";
import { runTool, toolTest } from "../_tools.ts";
import { fillIndexTo } from "./_index.ts";

const LIMIT_KIB = 16;
const CHILD = new URL("./_limited_delivery.ts", import.meta.url).pathname;
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

toolTest("MaildirStore takes a delivery back out of new/ when writing its index record fails", [
  "bash",
], async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new MaildirStore({ root });
    for (let n = 1; n <= 3; n++) {
      await store.deliver("bob", new TextEncoder().encode(`Subject: ${n}\r\n\r\nMessage ${n}\r\n`));
    }
    const inbox = `${root}/bob`;
    fillIndexTo(inbox, LIMIT_KIB * 1024);
    const index = await Deno.readFile(`${inbox}/toolkit-index`);
    const before = names(`${inbox}/new`);

    const script = `trap '' XFSZ; ulimit -f ${LIMIT_KIB}; exec "$0" run -A --no-check "$1" "$2"`;
    const run = await runTool("bash", ["-c", script, Deno.execPath(), CHILD, root]);
    assert.equal(run.code, 0, run.stderr);
    const outcome = JSON.parse(run.stdout);
    assert.match(outcome.error ?? "", /File too large/, run.stdout);

    assert.deepEqual(names(`${inbox}/new`), before, "the renamed file is taken back out");
    assert.deepEqual(names(`${inbox}/tmp`), []);
    assert.deepEqual(await Deno.readFile(`${inbox}/toolkit-index`), index, "no half record left");
    const again = new MaildirStore({ root });
    assert.deepEqual((await again.list("bob", "INBOX")).map((m) => m.uid), [1, 2, 3]);
    assert.equal(await again.deliver("bob", new TextEncoder().encode("Subject: 4\r\n\r\n")), 4);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
