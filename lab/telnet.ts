/**
 * The notebook's telnet: types lines at a server exactly as given, one at a time, and records
 * the dialog. After a 354 it sends message text without waiting, as a person at a terminal would,
 * until the line with a single ".".
 *
 * @module
 */
import { LineConnection } from "../client/line_connection.ts";
import { Transcript } from "../protocol/transcript.ts";

/** Options of {@linkcode telnet}. */
export interface TelnetOptions {
  /** The server's address. @default "127.0.0.1" */
  hostname?: string;
  /** The server's port. */
  port: number;
  /** The client's name in the diagram. @default "you" */
  client?: string;
  /** The server's name in the diagram. @default "server" */
  server?: string;
  /** How long to wait for each reply. @default 5000 */
  timeoutMs?: number;
}

/**
 * Connects, reads the greeting, then sends each line and reads the reply to each command.
 * The connection is closed at the end (after QUIT, or when the lines run out).
 *
 * @param lines What to type, without line ends.
 * @param options Where to connect.
 * @returns The recorded dialog.
 *
 * @example The course's dialog against a server on a free port
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpServer } from "../server/smtp/server.ts";
 * import { telnet } from "./telnet.ts";
 *
 * await using server = new SmtpServer({ domain: "hamburger.edu" });
 * const dialog = await telnet([
 *   "HELO crepes.fr", "MAIL FROM: <alice@crepes.fr>", "RCPT TO: <bob@hamburger.edu>", "DATA",
 *   "Do you like ketchup?", "How about pickles?", ".", "QUIT",
 * ], { port: server.port });
 * assert.deepEqual(dialog.replyCodes(), [220, 250, 250, 250, 354, 250, 221]);
 * ```
 */
export async function telnet(
  lines: readonly string[],
  options: TelnetOptions,
): Promise<Transcript> {
  const transcript = new Transcript({
    client: options.client ?? "you",
    server: options.server ?? "server",
    title: `telnet ${options.hostname ?? "127.0.0.1"} ${options.port}`,
  });
  const timeout = options.timeoutMs ?? 5000;
  const conn = new LineConnection(
    await Deno.connect({ hostname: options.hostname ?? "127.0.0.1", port: options.port }),
  );
  transcript.note("TCP connection opened");
  const reply = async () => {
    for (;;) {
      const line = await conn.readLine(timeout, "a reply");
      transcript.server(line);
      if (!/^\d{3}-/.test(line)) return Number(line.slice(0, 3));
    }
  };
  try {
    await reply();
    let inText = false;
    for (const line of lines) {
      transcript.client(line);
      await conn.write(line + "\r\n");
      if (inText && line !== ".") continue;
      const code = await reply();
      inText = code === 354;
      if (code === 221 || code === 421) break;
    }
  } catch (error) {
    transcript.note(`(${(error as Error).message})`);
  } finally {
    conn.close();
    transcript.note("TCP connection closed");
  }
  return transcript;
}
