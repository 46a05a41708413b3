// The control channel of a benchmark server: prints {"port"} on start, then answers each stdin
// line: "stats" with {"accepted","rss"}, "exit" by closing, and any command in `more` with what
// its handler gives (printed as JSON).
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
        console.log(JSON.stringify({ accepted: await accepted(), rss: Deno.memoryUsage().rss }));
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
