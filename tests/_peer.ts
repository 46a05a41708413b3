// A scripted SMTP server for tests: each connection runs a script that reads the client's lines
// and writes whatever it likes (garbage, nothing, a dropped connection), so that the client and
// the queue can be tested against servers that misbehave. It counts its connections.
import { LineConnection } from "../client/line_connection.ts";

/** One accepted connection, seen from the scripted server. */
export class PeerConn {
  readonly line: LineConnection;
  /** Every line the client sent, in order. */
  readonly received: string[] = [];

  constructor(conn: Deno.Conn) {
    this.line = new LineConnection(conn);
  }

  /** Reads one line from the client (5 s at most). */
  async readLine(timeoutMs = 5000): Promise<string> {
    const line = await this.line.readLine(timeoutMs, "a client line");
    this.received.push(line);
    return line;
  }

  /** Writes text as it is (add "\r\n" yourself). */
  async write(text: string): Promise<void> {
    await this.line.write(text);
  }

  /** Reads message text up to the "." line, and returns it without the dot line. */
  async readData(): Promise<string> {
    const lines: string[] = [];
    for (let line = await this.readLine(); line !== "."; line = await this.readLine()) {
      lines.push(line.startsWith(".") ? line.slice(1) : line);
    }
    return lines.join("\r\n") + "\r\n";
  }

  /**
   * Answers like a plain server until `stop(line)` says to stop: the greeting, then every
   * command with `replies[verb]` or 250, DATA with 354 and the text with 250.
   */
  async serve(options: {
    ehlo?: string[];
    replies?: Record<string, string>;
    stop?: (line: string) => boolean;
    onMessage?: (text: string) => void;
    greet?: boolean;
  } = {}): Promise<void> {
    if (options.greet !== false) await this.write("220 peer.test ready\r\n");
    for (;;) {
      const line = await this.readLine();
      if (options.stop?.(line)) return;
      const verb = line.split(/[ :]/)[0].toUpperCase();
      const custom = options.replies?.[verb];
      if (custom) {
        await this.write(custom);
      } else if (verb === "EHLO") {
        const ext = options.ehlo ?? ["PIPELINING", "8BITMIME", "SIZE 1000000", "SMTPUTF8"];
        const lines = ["peer.test", ...ext];
        await this.write(
          lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}\r\n`).join(""),
        );
      } else if (verb === "DATA") {
        await this.write("354 go ahead\r\n");
        const text = await this.readData();
        options.onMessage?.(text);
        await this.write("250 2.0.0 accepted\r\n");
      } else if (verb === "QUIT") {
        await this.write("221 bye\r\n");
        return;
      } else {
        await this.write("250 2.0.0 ok\r\n");
      }
    }
  }

  close(): void {
    this.line.close();
  }
}

/** A listener on 127.0.0.1 that runs `script` for every connection. */
export class ScriptedPeer implements AsyncDisposable {
  readonly #listener: Deno.TcpListener;
  readonly #running = new Set<Promise<void>>();
  readonly #conns = new Set<PeerConn>();
  #accepting: Promise<void>;
  /** Connections accepted so far. */
  connections = 0;

  constructor(script: (conn: PeerConn, index: number) => Promise<void>) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener = listener;
    this.#accepting = (async () => {
      for (;;) {
        let conn: Deno.Conn;
        try {
          conn = await listener.accept();
        } catch {
          return;
        }
        const peer = new PeerConn(conn);
        this.#conns.add(peer);
        const index = this.connections++;
        const run: Promise<void> = script(peer, index).catch(() => {}).finally(() => {
          peer.close();
          this.#conns.delete(peer);
          this.#running.delete(run);
        });
        this.#running.add(run);
      }
    })();
  }

  get port(): number {
    return this.#listener.addr.port;
  }

  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // closed already
    }
    await this.#accepting;
    for (const conn of this.#conns) conn.close();
    await Promise.all([...this.#running]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
