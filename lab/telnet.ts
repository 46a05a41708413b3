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
  return await dialog(options, async (conn, transcript, timeout) => {
    const reply = async () => {
      for (;;) {
        const line = await conn.readLine(timeout, "a reply");
        transcript.server(line);
        if (!/^\d{3}-/.test(line)) return Number(line.slice(0, 3));
      }
    };
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
  });
}

/**
 * The notebook's telnet for IMAP: sends each tagged command line and reads every response up to
 * the tagged one, literals included (their text is recorded line by line, as a terminal shows
 * it). Stops after LOGOUT.
 *
 * @param lines Tagged command lines such as `a1 LOGIN bob pickles`.
 * @param options Where to connect.
 * @returns The recorded dialog.
 *
 * @example Log in and look at the inbox
 * ```ts
 * import assert from "node:assert/strict";
 * import { Accounts } from "../server/accounts.ts";
 * import { ImapServer } from "../server/imap/server.ts";
 * import { MemoryStore } from "../server/store/memory_store.ts";
 * import { imapTelnet } from "./telnet.ts";
 *
 * const accounts = new Accounts({ iterations: 1000 });
 * await accounts.add("bob", "pickles");
 * await using server = new ImapServer({ store: new MemoryStore(), accounts });
 * const dialog = await imapTelnet(["a1 LOGIN bob pickles", "a2 SELECT INBOX", "a3 LOGOUT"], { port: server.port });
 * assert.ok(dialog.lines("S").includes("a2 OK [READ-WRITE] SELECT completed"));
 * ```
 */
export async function imapTelnet(
  lines: readonly string[],
  options: TelnetOptions,
): Promise<Transcript> {
  return await dialog(options, async (conn, transcript, timeout) => {
    const until = async (done: (line: string) => boolean) => {
      for (;;) {
        const line = await conn.readLine(timeout, "a response");
        transcript.server(line);
        const literal = /\{(\d+)\}$/.exec(line);
        if (literal) {
          const text = new TextDecoder().decode(await conn.readBytes(Number(literal[1]), timeout));
          for (const part of text.replace(/\r\n$/, "").split("\r\n")) transcript.server(part);
          continue;
        }
        if (done(line)) return;
      }
    };
    await until(() => true);
    for (const line of lines) {
      transcript.client(line);
      await conn.write(line + "\r\n");
      const tag = line.split(" ")[0];
      await until((l) => l.startsWith(`${tag} `));
      if (/^\S+ LOGOUT$/i.test(line)) break;
    }
  });
}

/** Opens the connection and the transcript, runs the dialog, and closes whatever happens. */
async function dialog(
  options: TelnetOptions,
  converse: (conn: LineConnection, transcript: Transcript, timeoutMs: number) => Promise<void>,
): Promise<Transcript> {
  const hostname = options.hostname ?? "127.0.0.1";
  const transcript = new Transcript({
    client: options.client ?? "you",
    server: options.server ?? "server",
    title: `telnet ${hostname} ${options.port}`,
  });
  const conn = new LineConnection(await Deno.connect({ hostname, port: options.port }));
  transcript.note("TCP connection opened");
  try {
    await converse(conn, transcript, options.timeoutMs ?? 5000);
  } catch (error) {
    transcript.note(`(${(error as Error).message})`);
  } finally {
    conn.close();
    transcript.note("TCP connection closed");
  }
  return transcript;
}
