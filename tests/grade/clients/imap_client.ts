/**
 * The IMAP-client assignment as a student writes it in TypeScript with Deno's sockets: log in,
 * find the message by SUBJECT, mark it seen, MOVE it to FOLDER, log out. Given a mistake's name
 * as its argument it makes that one mistake: bare-lf, speak-first.
 */
const mistake = Deno.args[0] ?? "";
const env = (name: string) => Deno.env.get(name)!;
const conn = await Deno.connect({ hostname: env("IMAP_HOST"), port: Number(env("IMAP_PORT")) });
const end = mistake === "bare-lf" ? "\n" : "\r\n";
const buffer = new Uint8Array(65536);
let pending = "";
let counter = 0;

async function readLine(): Promise<string> {
  while (!pending.includes("\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("the server closed the connection");
    pending += new TextDecoder().decode(buffer.subarray(0, n));
  }
  const at = pending.indexOf("\r\n");
  const line = pending.slice(0, at);
  pending = pending.slice(at + 2);
  return line;
}

async function command(text: string): Promise<string[]> {
  const tag = `t${++counter}`;
  await conn.write(new TextEncoder().encode(`${tag} ${text}${end}`));
  const lines: string[] = [];
  for (;;) {
    const line = await readLine();
    lines.push(line);
    if (line.startsWith(`${tag} `)) return lines;
  }
}

const quoted = (text: string) => JSON.stringify(text);
// A correct client reads the greeting first; one that speaks first meets it among the answers.
if (mistake !== "speak-first") await readLine();
await command(`LOGIN ${env("IMAP_USER")} ${quoted(env("IMAP_PASSWORD"))}`);
await command("SELECT INBOX");
const found = await command(`UID SEARCH SUBJECT ${quoted(env("SUBJECT"))}`);
const uid = found.find((l) => l.startsWith("* SEARCH"))!.split(" ")[2];
await command(`UID STORE ${uid} +FLAGS (\\Seen)`);
await command(`UID MOVE ${uid} ${quoted(env("FOLDER"))}`);
await command("LOGOUT");
conn.close();
