// The relay against a real peer: Postfix's smtp-sink counts the sessions and messages it took.
import assert from "node:assert/strict";
import { OutboundQueue } from "../../server/queue/queue.ts";
import { Relay } from "../../server/queue/relay.ts";
import { StaticRouter } from "../../server/queue/router.ts";
import { MemorySpool } from "../../server/queue/spool.ts";
import { toolTest } from "../_tools.ts";

toolTest(
  "Relay sends 50 queued messages to Postfix's smtp-sink over one connection",
  ["smtp-sink"],
  async () => {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = probe.addr.port;
    probe.close();
    const sink = new Deno.Command("smtp-sink", {
      args: [...(Deno.uid() === 0 ? ["-u", "nobody"] : []), "-c", `127.0.0.1:${port}`, "100"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let text = "";
    const reading = sink.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (chunk) => void (text += chunk) }),
    );
    try {
      for (let i = 0; i < 100; i++) {
        try {
          (await Deno.connect({ hostname: "127.0.0.1", port })).close();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const relay = new Relay({
        router: new StaticRouter({ "hamburger.edu": { host: "127.0.0.1", port } }),
        clientName: "crepes.fr",
        maxConnectionsPerDestination: 1,
      });
      const ready = new OutboundQueue({ spool: new MemorySpool(), deliverer: relay });
      for (let i = 0; i < 50; i++) {
        await ready.enqueue(
          { from: "alice@crepes.fr", to: ["bob@hamburger.edu"] },
          new TextEncoder().encode(`Subject: ${i}\r\n\r\n안녕 ${i}\r\n`),
        );
      }
      await ready.idle();
      await ready.close();
      assert.equal(ready.list().length, 0);
      const deadline = Date.now() + 5000;
      while (!/sess=2 quit=\d+ mesg=50/.test(text) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.match(text, /sess=2 quit=\d+ mesg=50/, "the probe's session and the relay's one");
      assert.equal(relay.stats.messages, 50);
    } finally {
      sink.kill("SIGTERM");
      await sink.status;
      await reading.catch(() => {});
    }
  },
);
