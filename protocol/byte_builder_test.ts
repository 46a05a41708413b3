import assert from "node:assert/strict";
import { ByteBuilder } from "./byte_builder.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("each message's bytes stay its own while later messages reuse the builder", () => {
  // A session keeps one builder for all its messages; the bytes handed out for the first must
  // survive the second, third... even where small results share a buffer.
  const builder = new ByteBuilder(16);
  const kept: { expected: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < 200; i++) {
    const expected = `Message ${i}: ${"x".repeat(i * 13)}\r\n`;
    builder.append(encoder.encode(expected));
    kept.push({ expected, bytes: builder.bytes() });
    builder.clear();
  }
  for (const { expected, bytes } of kept) assert.equal(text(bytes), expected);
});

Deno.test("a large message gets a buffer of its own, exactly its size", () => {
  const builder = new ByteBuilder(16);
  builder.append(new Uint8Array(100_000).fill(65));
  const bytes = builder.bytes();
  assert.equal(bytes.byteLength, 100_000);
  assert.equal(bytes.buffer.byteLength, 100_000);
});

Deno.test("two builders' small results never overlap", () => {
  const a = new ByteBuilder(), b = new ByteBuilder();
  a.append(encoder.encode("alice"));
  b.append(encoder.encode("bob"));
  const first = a.bytes(), second = b.bytes();
  first.fill(0);
  assert.equal(text(second), "bob");
  assert.equal(first.byteLength, 5);
});
