import assert from "node:assert/strict";
import { ManualClock } from "../../protocol/clock.ts";
import { Transcript } from "../../protocol/transcript.ts";
import { systemClock } from "../../runtime/system_clock.ts";
import { SmtpServer } from "../smtp/server.ts";
import { LineServer, type ServedConnection } from "./line_server.ts";
import type { ProtocolSession, Push, SessionOutput } from "./protocol_session.ts";

const decoder = new TextDecoder();

/** A session for the engine's own tests: "boom" throws, "push N" pushes N lines unasked. */
class ScriptedSession implements ProtocolSession {
  closed = false;
  deadline = Infinity;
  #push?: Push;
  start(push: Push): SessionOutput {
    this.#push = push;
    return { data: "hello\r\n" };
  }
  receive(bytes: Uint8Array): SessionOutput {
    const text = decoder.decode(bytes).trim();
    if (text === "boom") throw new TypeError("Cannot read properties of undefined");
    const pushes = /^push (\d+)$/.exec(text);
    if (pushes) {
      for (let i = 1; i <= Number(pushes[1]); i++) this.#push!({ data: `pushed ${i}\r\n` });
      return { data: "answered\r\n" };
    }
    this.closed = text === "bye";
    return { data: `echo ${text}\r\n`, close: this.closed };
  }
  tick(): undefined {
    return undefined;
  }
  secured(): void {}
  shutdown(): SessionOutput {
    return { data: "shutting down\r\n", close: true };
  }
  fail(): SessionOutput {
    return { data: "internal error\r\n", close: true };
  }
}

async function readAll(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(1024);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) return text;
    text += decoder.decode(buffer.subarray(0, n));
  }
}

Deno.test("LineServer reports a session's failure with the connection's id, sends its last words, and keeps serving", async () => {
  const errors: { error: unknown; connection: ServedConnection }[] = [];
  const transcripts: Transcript[] = [];
  await using server = new LineServer({
    protocol: "DEMO",
    clock: systemClock,
    onError: (error, connection) => errors.push({ error, connection }),
    session: () => {
      const transcript = new Transcript();
      transcripts.push(transcript);
      return { session: new ScriptedSession(), transcript };
    },
  });
  const first = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await first.write(new TextEncoder().encode("boom\r\n"));
  assert.equal(await readAll(first), "hello\r\ninternal error\r\n");
  first.close();
  assert.equal(errors.length, 1);
  assert.equal((errors[0].error as Error).message, "Cannot read properties of undefined");
  assert.equal(errors[0].connection.id, 1);
  assert.match(errors[0].connection.remote, /^127\.0\.0\.1:\d+$/);
  assert.ok(
    transcripts[0].entries.some((e) =>
      e.text === "Internal error: Cannot read properties of undefined"
    ),
  );

  const second = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await second.write(new TextEncoder().encode("bye\r\n"));
  assert.equal(await readAll(second), "hello\r\necho bye\r\n");
  second.close();
});

Deno.test("LineServer writes output a session pushes unasked in order with its answers", async () => {
  await using server = new LineServer({
    protocol: "DEMO",
    clock: systemClock,
    session: () => ({ session: new ScriptedSession() }),
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(new TextEncoder().encode("push 3\r\n"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await conn.write(new TextEncoder().encode("bye\r\n"));
  assert.equal(
    await readAll(conn),
    "hello\r\npushed 1\r\npushed 2\r\npushed 3\r\nanswered\r\necho bye\r\n",
  );
  conn.close();
});

Deno.test("SmtpServer ends an idle session with 421 when its manual clock passes the deadline", async () => {
  const clock = new ManualClock();
  await using server = new SmtpServer({ domain: "hamburger.edu", clock, idleTimeoutMs: 60_000 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const buffer = new Uint8Array(256);
  await conn.read(buffer); // the greeting
  clock.advance(59_000);
  await conn.write(new TextEncoder().encode("NOOP\r\n"));
  await conn.read(buffer); // 250: the client was active, so the deadline moves on
  clock.advance(59_000);
  clock.advance(1_000);
  assert.equal(await readAll(conn), "421 Idle too long; closing connection\r\n"); // no EHLO: no enhanced code
  conn.close();
});

Deno.test("SmtpServer.close says 421 and does not wait forever for a hook that never answers", async () => {
  const server = new SmtpServer({
    domain: "hamburger.edu",
    handler: { rcpt: () => new Promise<void>(() => {}) },
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(
    new TextEncoder().encode(
      "EHLO crepes.fr\r\nMAIL FROM:<a@crepes.fr>\r\nRCPT TO:<b@hamburger.edu>\r\n",
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await server.close();
  assert.ok(Date.now() - started < 10_000, "close() returned");
  assert.match(await readAll(conn), /421 4\.3\.2 Service shutting down; closing connection\r\n$/);
  conn.close();
});
