import assert from "node:assert/strict";
import { OutputPool } from "./output_pool.ts";

const decoder = new TextDecoder();

Deno.test("OutputPool encodes answers exactly, UTF-8 included, and reuses a buffer once given back", () => {
  const pool = new OutputPool();
  const first = pool.encode("250 2.1.5 <bob@hamburger.edu> OK\r\n")!;
  const second = pool.encode("250 2.0.0 Dès que possible\r\n")!;
  assert.notEqual(first.buffer, second.buffer, "two answers in flight never share a buffer");
  assert.equal(decoder.decode(first), "250 2.1.5 <bob@hamburger.edu> OK\r\n");
  assert.equal(decoder.decode(second), "250 2.0.0 Dès que possible\r\n");
  pool.give(first);
  const third = pool.encode("221 closing\r\n")!;
  assert.equal(third.buffer, first.buffer);
  assert.equal(decoder.decode(third), "221 closing\r\n");
  assert.equal(decoder.decode(second), "250 2.0.0 Dès que possible\r\n", "untouched meanwhile");
});

Deno.test("OutputPool leaves an answer longer than its buffers to the caller, even one that grows in UTF-8", () => {
  const pool = new OutputPool();
  assert.equal(pool.encode("a".repeat(4097)), undefined);
  assert.equal(pool.encode("é".repeat(3000)), undefined); // 3,000 characters, 6,000 bytes
  const fits = pool.encode("é".repeat(2048))!;
  assert.equal(fits.length, 4096);
});
