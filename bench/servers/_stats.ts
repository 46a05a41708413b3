// The control channel of a benchmark server: prints {"port"} on start, then answers each stdin
// line: "stats" with {"accepted","rss","heap"} (heap: V8's, see heapFigures) after collecting the
// garbage, "count" with {"accepted"} alone, "exit" by closing, and any command in `more` with what
// its handler gives (printed as JSON). Only memory readings collect: a forced collection cost
// the next run a sixth of its rate while V8 settled again, which no server meets in service.
import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";
import type { HeapFigures } from "../_smtp_targets.ts";

/**
 * V8's heap in bytes: `used` by live objects (after the collection "stats" asks for), the memory
 * it holds in all (`committed`), and of that the `young` generation's (the new space's two
 * halves and its large objects), which V8 doubles while many new objects survive.
 */
function heapFigures(): HeapFigures {
  const young = getHeapSpaceStatistics()
    .filter((space) => space.space_name.startsWith("new_"))
    .reduce((sum, space) => sum + space.physical_space_size, 0);
  const heap = getHeapStatistics();
  return { used: heap.used_heap_size, committed: heap.total_physical_size, young };
}

export async function serveStats(
  port: number,
  accepted: () => number | Promise<number>,
  close: () => void | Promise<void>,
  more: Record<string, () => Promise<unknown>> = {},
): Promise<void> {
  console.log(JSON.stringify({ port }));
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let pending = "";
  for await (const chunk of lines) {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const command = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (command === "stats") {
        (globalThis as { gc?: () => void }).gc?.();
        const rss = Deno.memoryUsage().rss;
        console.log(JSON.stringify({ accepted: await accepted(), rss, heap: heapFigures() }));
      } else if (command === "count") {
        console.log(JSON.stringify({ accepted: await accepted() }));
      } else if (command === "exit") {
        await close();
        Deno.exit(0);
      } else if (Object.hasOwn(more, command)) {
        console.log(JSON.stringify(await more[command]()));
      }
    }
  }
  await close();
  Deno.exit(0);
}
