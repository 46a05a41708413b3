/**
 * A server-sent event stream (`text/event-stream`) fed by a subscription: each event is one
 * `event:`/`data:` block, a comment every 15 s keeps proxies from closing an idle stream, and the
 * subscription ends when the client goes away or the server ends the stream.
 *
 * @module
 */

/** Options of {@linkcode eventStream}. */
export interface EventStreamOptions<T> {
  /** The `event:` name of every block, such as `mailbox`. */
  name: string;
  /** Starts following; calls `send` with each event and returns how to stop. */
  subscribe: (send: (event: T) => void) => () => void;
  /** Told how to end the stream, so that a closing server can end it. @default nothing */
  register?: (end: () => void) => void;
  /** Told when the stream ended, whoever ended it. @default nothing */
  ended?: (end: () => void) => void;
}

/**
 * A streaming response of events as they happen.
 *
 * @param options The event name, the subscription, and who may end it.
 * @returns The response.
 *
 * @example Two events, then the stream ends
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventStream } from "./event_stream.ts";
 *
 * let end = () => {};
 * const response = eventStream<{ n: number }>({
 *   name: "tick",
 *   subscribe: (send) => (send({ n: 1 }), send({ n: 2 }), () => {}),
 *   register: (stop) => end = stop,
 * });
 * end();
 * const text = await response.text();
 * assert.equal(text, 'event: tick\ndata: {"n":1}\n\nevent: tick\ndata: {"n":2}\n\n: connected\n\n');
 * ```
 */
export function eventStream<T>(options: EventStreamOptions<T>): Response {
  const encoder = new TextEncoder();
  let end = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          end();
        }
      };
      const unsubscribe = options.subscribe((event) =>
        write(`event: ${options.name}\ndata: ${JSON.stringify(event)}\n\n`)
      );
      const beat = setInterval(() => write(": still here\n\n"), 15_000);
      end = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        clearInterval(beat);
        options.ended?.(end);
        try {
          controller.close();
        } catch {
          // the client already went away
        }
      };
      options.register?.(end);
      write(": connected\n\n");
    },
    cancel() {
      end();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
