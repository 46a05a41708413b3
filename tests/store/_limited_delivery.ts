// Run by index_failure_test.ts under a file size limit (`ulimit -f`, SIGXFSZ ignored), where any
// write past the limit fails with EFBIG: delivers one message to bob and prints what happened,
// as JSON on stdout.
import { MaildirStore } from "../../server/store/maildir_store.ts";

const [root] = Deno.args;
const store = new MaildirStore({ root });
try {
  const uid = await store.deliver(
    "bob",
    new TextEncoder().encode("Subject: 4\r\n\r\nMessage 4\r\n"),
  );
  console.log(JSON.stringify({ uid }));
} catch (error) {
  console.log(JSON.stringify({ error: `${(error as Error).name}: ${(error as Error).message}` }));
}
