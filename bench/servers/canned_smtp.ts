// Deno's ceiling: a socket loop that answers every command line with a canned reply and parses
// nothing but line ends and the end-of-data line. No real server can beat it; it shows what is
// left between the toolkit and the runtime.
import { serveStats } from "./_stats.ts";

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const enc = new TextEncoder();
const OK = "250 OK\r\n";
const GO = "354 go\r\n";
let accepted = 0;

async function serve(conn: Deno.Conn) {
  await conn.write(enc.encode("220 canned\r\n"));
  let buf = new Uint8Array(128 * 1024);
  let filled = 0;
  let inData = false;
  for (;;) {
    if (filled === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const n = await conn.read(buf.subarray(filled)).catch(() => null);
    if (n === null) break;
    filled += n;
    let start = 0;
    let out = "";
    const view = buf.subarray(0, filled);
    for (let lf = view.indexOf(10, start); lf >= 0; lf = view.indexOf(10, start)) {
      if (inData) {
        if (lf - start === 2 && view[start] === 46) {
          inData = false;
          accepted++;
          out += OK;
        }
      } else if (view[start] === 68 && view[start + 1] === 65) { // "DA"TA
        inData = true;
        out += GO;
      } else out += OK;
      start = lf + 1;
    }
    buf.copyWithin(0, start, filled);
    filled -= start;
    if (out) await conn.write(enc.encode(out)).catch(() => {});
  }
  conn.close();
}

(async () => {
  for await (const conn of listener) serve(conn).catch(() => {});
})();
await serveStats(listener.addr.port, () => accepted, () => listener.close());
