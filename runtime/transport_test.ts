import assert from "node:assert/strict";
import { TcpTransport, writeAll } from "./transport.ts";

// The read buffer grows, shrinks and is reused between large and small reads (a pipelining
// client's large messages with its commands between them): whatever it does, every byte the peer
// sent arrives once and in order.
Deno.test("TcpTransport hands over every byte across large and small writes, in order", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = new TcpTransport(await listener.accept());
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) {
    const size = i % 3 === 2 ? 40 : 70_000 + i * 5_000; // two large, one small, again
    pieces.push(Uint8Array.from({ length: size }, (_, j) => (i * 31 + j) & 0xff));
  }
  const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const received = new Uint8Array(total);
  let at = 0;
  const reading = (async () => {
    while (at < total) {
      const bytes = await server.read();
      if (bytes === null) break;
      received.set(bytes, at); // a view, valid until the next read: copied at once
      at += bytes.length;
    }
  })();
  for (const piece of pieces) {
    for (let done = 0; done < piece.length;) done += await client.write(piece.subarray(done));
    await new Promise((resolve) => setTimeout(resolve, 5)); // each piece its own reads
  }
  await reading;
  assert.equal(at, total);
  let offset = 0;
  for (const [i, piece] of pieces.entries()) {
    assert.deepEqual(received.subarray(offset, offset + piece.length), piece, `piece ${i}`);
    offset += piece.length;
  }
  client.close();
  server.close();
});

Deno.test("writeAll delivers a write larger than the socket takes at once, to the last byte", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const peer = await listener.accept();
  const big = Uint8Array.from({ length: 16 * 1024 * 1024 }, (_, i) => (i * 7) & 0xff);
  // Nobody reads until the write is under way: the kernel's buffers fill, the write goes partial.
  const writing = writeAll(client, big);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const received = new Uint8Array(big.length);
  let at = 0;
  while (at < big.length) {
    const n = await peer.read(received.subarray(at));
    if (n === null) break;
    at += n;
  }
  await writing;
  assert.equal(at, big.length);
  assert.deepEqual(received, big);
  client.close();
  peer.close();
});
