// A raw TCP peer for tests: the test's own telnet. It writes exactly the bytes it is given and
// reads SMTP replies line by line, so tests see the server's wire text, not a client's reading.
import { LineConnection } from "../client/line_connection.ts";

/** A connection that speaks SMTP by hand. */
export class RawSmtp {
  readonly line: LineConnection;

  private constructor(line: LineConnection) {
    this.line = line;
  }

  static async connect(port: number, hostname = "127.0.0.1"): Promise<RawSmtp> {
    return new RawSmtp(new LineConnection(await Deno.connect({ hostname, port })));
  }

  /** Reads one whole reply (all its lines), as wire text lines. */
  async reply(timeoutMs = 5000): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line.readLine(timeoutMs);
      lines.push(line);
      if (!/^\d{3}-/.test(line)) return lines;
    }
  }

  /** The code of the next reply. */
  async code(timeoutMs = 5000): Promise<number> {
    return Number((await this.reply(timeoutMs)).at(-1)!.slice(0, 3));
  }

  /** Writes text as is (add "\r\n" yourself). */
  async write(text: string | Uint8Array): Promise<void> {
    await this.line.write(text);
  }

  /** Writes one line with CRLF and returns the reply's code. */
  async command(line: string): Promise<number> {
    await this.write(line + "\r\n");
    return await this.code();
  }

  /** Whether the server closed the connection (reads until end of stream). */
  async closedByPeer(timeoutMs = 5000): Promise<boolean> {
    try {
      for (;;) await this.line.readLine(timeoutMs);
    } catch (error) {
      return (error as Error).name === "ConnectionError";
    }
  }

  close(): void {
    this.line.close();
  }
}
