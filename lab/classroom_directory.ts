/**
 * The class directory: every domain of a classroom, its machine and ports, and whether its SMTP
 * server answers right now (a TCP connection and a `220` greeting within a short time, then
 * `QUIT`). As a text table for a terminal, and as a small HTML page that the teacher's machine
 * serves (a `Request -> Response` handler, testable without a socket).
 *
 * @module
 */
import { z } from "zod";
import { escapeHtml } from "../protocol/transcript.ts";
import type { ClassFile, ClassFileDomain } from "./classroom_plan.ts";
import { ConfigError } from "./config.ts";

/** What one SMTP check found. */
export interface SmtpCheck {
  /** Whether the server greeted with 220. */
  ok: boolean;
  /** `answers` (220), `says` (another code, such as a 421), `refused`, `no answer` (the time ran out), `unreachable`. */
  status: "answers" | "says" | "refused" | "no answer" | "unreachable";
  /** The greeting, or what went wrong. */
  text: string;
  /** How long it took, in milliseconds. */
  ms: number;
}

/** Options of {@linkcode checkSmtp}. */
export interface CheckOptions {
  /** How long the connection and the greeting may take together. @default 2000 */
  timeoutMs?: number;
}

/**
 * Connects to an SMTP server, reads its greeting, says QUIT and closes.
 *
 * @param host The server's address.
 * @param port Its SMTP port.
 * @param options The time allowed.
 * @returns What it found; never throws.
 *
 * @example A lab server answers, a closed port does not
 * ```ts
 * import assert from "node:assert/strict";
 * import { MailServer } from "../server/mail_server.ts";
 * import { checkSmtp } from "./classroom_directory.ts";
 *
 * await using server = await MailServer.start({ domain: "minji.class.test", passwordIterations: 1000 });
 * const up = await checkSmtp("127.0.0.1", server.ports.smtp);
 * assert.equal(up.status, "answers");
 * assert.match(up.text, /^220 minji\.class\.test/);
 * const free = Deno.listen({ port: 0 });
 * free.close();
 * assert.equal((await checkSmtp("127.0.0.1", free.addr.port)).status, "refused");
 * ```
 */
export async function checkSmtp(
  host: string,
  port: number,
  options: CheckOptions = {},
): Promise<SmtpCheck> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const started = Date.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const done = (status: SmtpCheck["status"], text: string, ok = false): SmtpCheck => ({
    ok,
    status,
    text,
    ms: Date.now() - started,
  });
  let conn: Deno.TcpConn | undefined;
  try {
    conn = await Deno.connect({ hostname: host, port, signal: abort.signal });
    // The signal ends a connect, not a read that waits: a silent server is closed on.
    const open = conn;
    abort.signal.addEventListener("abort", () => closeQuietly(open), { once: true });
    const greeting = await readGreeting(conn, abort.signal);
    await conn.write(new TextEncoder().encode("QUIT\r\n")).catch(() => {});
    return greeting.startsWith("220")
      ? done("answers", greeting, true)
      : done("says", greeting || "(closed without a greeting)");
  } catch (error) {
    if (abort.signal.aborted) return done("no answer", `nothing within ${timeoutMs} ms`);
    if (error instanceof Deno.errors.ConnectionRefused) {
      return done("refused", "connection refused");
    }
    return done("unreachable", (error as Error).message);
  } finally {
    clearTimeout(timer);
    if (conn) closeQuietly(conn);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // closed already
  }
}

// A greeting is shown on a page and in a terminal: no control character from a stranger.
const printable = (text: string) => [...text].filter((ch) => ch >= " " && ch !== "\x7f").join("");

// RFC 5321 §4.2.1: a multiline greeting is "220-..." lines, then "220 ...".
async function readGreeting(conn: Deno.TcpConn, signal: AbortSignal): Promise<string> {
  const buffer = new Uint8Array(1024);
  let text = "";
  // The time limit ends the wait itself, not only through the close of the connection.
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(new Error("aborted"));
    signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
  });
  aborted.catch(() => {});
  while (text.length < 4096) {
    if (signal.aborted) throw new Error("aborted");
    const n = await Promise.race([conn.read(buffer), aborted]);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
    const lines = text.split("\r\n");
    const last = lines.slice(0, -1).findLast((line) => !/^\d{3}-/.test(line));
    if (last !== undefined) return printable(last);
  }
  return printable(text.trim());
}

/** One row of the directory: a domain and what its check found. */
export interface DirectoryRow {
  /** The domain as the class file lists it. */
  domain: ClassFileDomain;
  /** Its SMTP check. */
  check: SmtpCheck;
}

/**
 * Checks every domain of a class at once.
 *
 * @param file The class file.
 * @param options The time allowed to each check.
 * @returns One row per domain, in the file's order.
 *
 * @example Nobody is running yet
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkClass } from "./classroom_directory.ts";
 *
 * const free = Deno.listen({ port: 0 });
 * free.close();
 * const ports = { smtp: free.addr.port, submission: 1, imap: 2, submissions: 3, imaps: 4, http: 5 };
 * const rows = await checkClass({ suffix: "class.test", routes: {}, domains: [
 *   { name: "minji.class.test", host: "127.0.0.1", ports, members: ["Minji"] },
 * ] });
 * assert.equal(rows[0].check.ok, false);
 * ```
 */
export function checkClass(file: ClassFile, options: CheckOptions = {}): Promise<DirectoryRow[]> {
  return Promise.all(
    file.domains.map(async (domain) => ({
      domain,
      check: await checkSmtp(domain.host, domain.ports.smtp, options),
    })),
  );
}

const at = (host: string, port: number) => `${host.includes(":") ? `[${host}]` : host}:${port}`;
const HEADINGS = ["domain", "who", "SMTP", "submission", "IMAP", "status"];
const cells = ({ domain: d, check }: DirectoryRow) => [
  d.name,
  d.members.join(", "),
  at(d.host, d.ports.smtp),
  at(d.host, d.ports.submission),
  at(d.host, d.ports.imap),
  check.ok ? `answers (${check.ms} ms)` : `${check.status}: ${check.text}`,
];

/**
 * The directory as a text table, with a last line that counts the servers that answer.
 *
 * @param rows The checked domains.
 * @returns The table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directoryText } from "./classroom_directory.ts";
 *
 * const ports = { smtp: 10025, submission: 10587, imap: 10143, submissions: 10465, imaps: 10993, http: 10080 };
 * const text = directoryText([{
 *   domain: { name: "minji.class.test", host: "10.0.0.11", ports, members: ["Minji"] },
 *   check: { ok: false, status: "refused", text: "connection refused", ms: 1 },
 * }]);
 * assert.match(text, /minji\.class\.test\s+Minji\s+10\.0\.0\.11:10025 .* refused: connection refused/);
 * assert.match(text, /0 of 1 answer/);
 * ```
 */
export function directoryText(rows: readonly DirectoryRow[]): string {
  const table = [HEADINGS, ...rows.map(cells)];
  const widths = HEADINGS.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const lines = table.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  const up = rows.filter((r) => r.check.ok).length;
  return [...lines, "", `${up} of ${rows.length} answer`].join("\n");
}

/**
 * The directory as an HTML page that reloads itself, with each domain's webmail linked.
 *
 * @param rows The checked domains.
 * @param refreshSeconds How often the page reloads; 0 never. @default 10
 * @returns The page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directoryHtml } from "./classroom_directory.ts";
 *
 * const ports = { smtp: 10025, submission: 10587, imap: 10143, submissions: 10465, imaps: 10993, http: 10080 };
 * const page = directoryHtml([{
 *   domain: { name: "minji.class.test", host: "10.0.0.11", ports, members: ["<b>Minji</b>"] },
 *   check: { ok: true, status: "answers", text: "220 minji.class.test", ms: 3 },
 * }]);
 * assert.match(page, /&lt;b&gt;Minji/);
 * assert.match(page, /href="http:\/\/10\.0\.0\.11:10080\/"/);
 * assert.match(page, /1 of 1 answer/);
 * ```
 */
export function directoryHtml(rows: readonly DirectoryRow[], refreshSeconds = 10): string {
  const up = rows.filter((r) => r.check.ok).length;
  const body = rows.map((row) => {
    const [name, who, smtp, submission, imap, status] = cells(row).map(escapeHtml);
    const webmail = escapeHtml(`http://${at(row.domain.host, row.domain.ports.http)}/`);
    const colour = row.check.ok ? "#15803d" : "#b91c1c";
    return `<tr><td>${name}</td><td>${who}</td><td>${smtp}</td><td>${submission}</td>` +
      `<td>${imap}</td><td><a href="${webmail}">${webmail}</a></td>` +
      `<td style="color:${colour}">${status}</td></tr>`;
  }).join("");
  const refresh = refreshSeconds > 0
    ? `<meta http-equiv="refresh" content="${refreshSeconds}">`
    : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}` +
    `<title>Class directory</title><style>body{font-family:system-ui,sans-serif}` +
    `td,th{padding:.2rem .6rem;text-align:left}tr:nth-child(even){background:#f3f4f6}</style>` +
    `</head><body><h1>Class directory</h1><p>${up} of ${rows.length} answer ` +
    `(checked ${escapeHtml(new Date().toISOString())})</p><table><tr>` +
    ["domain", "who", "SMTP", "submission", "IMAP", "webmail", "status"].map((h) => `<th>${h}</th>`)
      .join("") +
    `</tr>${body}</table></body></html>\n`;
}

/** Options of {@linkcode directoryHandler}. */
export interface DirectoryOptions extends CheckOptions {
  /** How long one round of checks serves every request. @default 3000 */
  cacheMs?: number;
  /** How often the page reloads, in seconds; 0 never. @default 10 */
  refreshSeconds?: number;
  /** Checks the class (a stand-in in tests). @default checkClass */
  check?: (file: ClassFile, options: CheckOptions) => Promise<DirectoryRow[]>;
}

/**
 * The directory's HTTP interface: `GET /` the page, `/status.json` the rows, `/class.json` the
 * class file (the shared route table). One round of checks serves requests for a few seconds, so
 * a room of browsers does not flood the servers.
 *
 * @param file The class file.
 * @param options The time allowed to a check, the cache, the page's reload.
 * @returns The handler.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directoryHandler } from "./classroom_directory.ts";
 *
 * const handle = directoryHandler({ suffix: "class.test", domains: [], routes: {} });
 * assert.equal((await handle(new Request("http://x/status.json"))).status, 200);
 * assert.equal((await handle(new Request("http://x/nothing"))).status, 404);
 * ```
 */
export function directoryHandler(
  file: ClassFile,
  options: DirectoryOptions = {},
): (request: Request) => Promise<Response> {
  const cacheMs = options.cacheMs ?? 3000;
  const check = options.check ?? checkClass;
  let latest: { at: number; rows: Promise<DirectoryRow[]> } | undefined;
  const rows = () => {
    if (!latest || Date.now() - latest.at > cacheMs) {
      latest = { at: Date.now(), rows: check(file, options) };
    }
    return latest.rows;
  };
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET") return new Response("Only GET\n", { status: 405 });
    if (pathname === "/class.json") return Response.json(file);
    if (pathname === "/status.json") {
      return Response.json((await rows()).map((r) => ({ name: r.domain.name, ...r.check })));
    }
    if (pathname !== "/") return new Response("Not found\n", { status: 404 });
    return new Response(directoryHtml(await rows(), options.refreshSeconds), {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  };
}

const Port = z.number().int().min(1).max(65535);
const ClassFileSchema = z.object({
  suffix: z.string(),
  domains: z.array(z.object({
    name: z.string().min(1),
    host: z.string().min(1),
    ports: z.object({
      smtp: Port,
      submission: Port,
      imap: Port,
      submissions: Port,
      imaps: Port,
      http: Port,
    }),
    members: z.array(z.string()).default([]),
  })),
  routes: z.record(z.string(), z.string()).default({}),
});

/**
 * Validates a class file (`class.json`, as `deno task classroom make` writes it).
 *
 * @param input The parsed JSON.
 * @param source Where it came from, for the message.
 * @returns The class file.
 * @throws {ConfigError} Naming each bad field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseClassFile } from "./classroom_directory.ts";
 *
 * assert.deepEqual(parseClassFile({ suffix: "class.test", domains: [] }).routes, {});
 * assert.throws(() => parseClassFile({ domains: [{ name: "x" }] }, "class.json"), /class\.json:\n.*suffix/);
 * ```
 */
export function parseClassFile(input: unknown, source = "class file"): ClassFile {
  const result = ClassFileSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) =>
    `  ${issue.path.join(".") || "(top level)"}: ${issue.message}`
  );
  throw new ConfigError(`Invalid ${source}:\n${lines.join("\n")}`);
}
