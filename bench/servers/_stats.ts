// The control channel of a benchmark server: prints {"port"} on start, then answers each stdin
// line: "stats" with {"accepted","rss"}, "exit" by closing.
export async function serveStats(
  port: number,
  accepted: () => number,
  close: () => void | Promise<void>,
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
        console.log(JSON.stringify({ accepted: accepted(), rss: Deno.memoryUsage().rss }));
      } else if (command === "exit") {
        await close();
        Deno.exit(0);
      }
    }
  }
  await close();
  Deno.exit(0);
}
