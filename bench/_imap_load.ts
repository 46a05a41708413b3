/**
 * The IMAP bench's load client, the same code for every server: a raw socket, commands written
 * as text, responses read as bytes and split at CRLF, literals skipped over and counted rather
 * than kept (so `BODY[]` of a thousand messages builds no string). Every read has a deadline; a
 * tagged NO or BAD, or a closed connection, is an error, so a row never times an error answer.
 *
 * @module
 */

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** One response: its text with each literal's bytes left out (the `{n}` marker stays). */
export interface Response {
  /** The response's line pieces, joined with the literal markers in place. */
  text: string;
  /** How many literal bytes the response carried. */
  literalBytes: number;
}

/** How responses are read. */
export interface ReadOptions {
  /** Put the literals' text into `text` (for small answers that are checked). @default false */
  keepLiterals?: boolean;
  /** A BYE is expected (LOGOUT), not an error. @default false */
  bye?: boolean;
}

/** A tagged answer that was not OK, or a server that stopped answering. */
export class ImapLoadError extends Error {
  override name = "ImapLoadError";
}

/** One client connection. */
export class LoadClient {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(256 * 1024);
  #start = 0;
  #end = 0;
  #tag = 0;
  #timeoutMs: number;

  private constructor(conn: Deno.TcpConn, timeoutMs: number) {
    this.#conn = conn;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Connects and reads the greeting.
   *
   * @param port The server's port on 127.0.0.1.
   * @param timeoutMs The longest wait for any one read.
   * @returns The client, greeted.
   */
  static async connect(port: number, timeoutMs = 60_000): Promise<LoadClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const client = new LoadClient(conn, timeoutMs);
    const greeting = await client.response();
    if (!greeting.text.startsWith("* OK")) {
      client.close();
      throw new ImapLoadError(`Unexpected greeting: ${greeting.text.slice(0, 200)}`);
    }
    return client;
  }

  /** Writes one line (CRLF added). */
  async send(line: string): Promise<void> {
    const bytes = encoder.encode(`${line}\r\n`);
    for (let done = 0; done < bytes.length;) done += await this.#conn.write(bytes.subarray(done));
  }

  /**
   * Sends a command under a fresh tag and reads up to its tagged answer.
   *
   * @param command The command without its tag, such as `SELECT INBOX`.
   * @param untagged Called with each response before the tagged one.
   * @returns The tagged OK's text.
   * @throws {ImapLoadError} On NO, BAD, BYE or a timeout.
   */
  async command(
    command: string,
    untagged?: (response: Response) => void,
    options: ReadOptions = {},
  ): Promise<string> {
    const tag = `b${++this.#tag}`;
    await this.send(`${tag} ${command}`);
    return await this.until(tag, untagged, options);
  }

  /** Reads responses until `tag`'s answer, which must be OK. */
  async until(
    tag: string,
    untagged?: (response: Response) => void,
    options: ReadOptions = {},
  ): Promise<string> {
    for (;;) {
      const response = await this.response(options);
      if (response.text.startsWith(`${tag} `)) {
        if (!response.text.startsWith(`${tag} OK`)) {
          throw new ImapLoadError(`Server refused: ${response.text.slice(0, 300)}`);
        }
        return response.text;
      }
      if (response.text.startsWith("* BYE") && !options.bye) {
        throw new ImapLoadError(`Server said: ${response.text.slice(0, 300)}`);
      }
      untagged?.(response);
    }
  }

  /** Reads one whole response, its literals included. */
  async response(options: ReadOptions = {}): Promise<Response> {
    let text = "";
    let literalBytes = 0;
    for (;;) {
      const line = await this.#line();
      text += line;
      const size = literalSize(line);
      if (size === undefined) return { text, literalBytes };
      literalBytes += size;
      if (options.keepLiterals) text += await this.#take(size);
      else await this.#skip(size);
    }
  }

  /** Takes the next tag, for commands sent with {@linkcode LoadClient.send}. */
  takeTag(): string {
    return `b${++this.#tag}`;
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #line(): Promise<string> {
    let scanned = 0; // bytes after #start known to hold no LF (#fill may move #start)
    for (;;) {
      const lf = this.#buf.subarray(this.#start + scanned, this.#end).indexOf(10);
      if (lf >= 0) {
        const at = this.#start + scanned + lf;
        const end = at > this.#start && this.#buf[at - 1] === 13 ? at - 1 : at;
        const line = latin1.decode(this.#buf.subarray(this.#start, end));
        this.#start = at + 1;
        return line;
      }
      scanned = this.#end - this.#start;
      await this.#fill();
    }
  }

  async #take(size: number): Promise<string> {
    while (this.#end - this.#start < size) await this.#fill();
    const text = latin1.decode(this.#buf.subarray(this.#start, this.#start + size));
    this.#start += size;
    return text;
  }

  async #skip(size: number): Promise<void> {
    let left = size;
    for (;;) {
      const have = Math.min(left, this.#end - this.#start);
      this.#start += have;
      left -= have;
      if (left === 0) return;
      await this.#fill();
    }
  }

  /** Reads more bytes, compacting or growing the buffer first. */
  async #fill(): Promise<void> {
    if (this.#start > 0) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.close();
        reject(new ImapLoadError(`No answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
    });
    try {
      const n = await Promise.race([this.#conn.read(this.#buf.subarray(this.#end)), timeout]);
      if (n === null) throw new ImapLoadError("Connection closed by the server");
      this.#end += n;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The size of the literal a line announces at its end (`{123}`), if it does. */
function literalSize(line: string): number | undefined {
  if (!line.endsWith("}")) return undefined;
  const open = line.lastIndexOf("{");
  if (open < 0) return undefined;
  const digits = line.slice(open + 1, line.endsWith("+}") ? -2 : -1);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}
