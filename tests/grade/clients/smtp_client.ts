// The SMTP-client assignment (Kurose & Ross 2.3) as a student writes it in TypeScript, with
// Deno's sockets. It reads the assignment from its environment. Given a mistake's name as its
// argument, it makes that one mistake: bare-lf (sends the body's lines as the file has them,
// with bare LF), speak-first (says HELO before reading the greeting).
const mistake = Deno.args[0] ?? "";
const env = (name: string) => Deno.env.get(name) ?? "";

const conn = await Deno.connect({ hostname: env("SMTP_HOST"), port: Number(env("SMTP_PORT")) });
const encoder = new TextEncoder();
let buffered = "";

async function reply(): Promise<string> {
  const buffer = new Uint8Array(1024);
  for (;;) {
    let end: number;
    while ((end = buffered.indexOf("\r\n")) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (line[3] !== "-") return line;
    }
    const n = await conn.read(buffer);
    if (n === null) throw new Error("The server closed the connection");
    buffered += new TextDecoder().decode(buffer.subarray(0, n));
  }
}

async function send(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

async function command(line: string): Promise<string> {
  await send(line + "\r\n");
  return await reply();
}

const file = await Deno.readTextFile(env("BODY_FILE"));
const stuffed = file.replace(/\n$/, "").split("\n").map((l) => l.startsWith(".") ? "." + l : l);
const body = mistake === "bare-lf" ? stuffed.join("\n") + "\n" : stuffed.join("\r\n") + "\r\n";

if (mistake === "speak-first") {
  await send("HELO crepes.fr\r\n");
  await reply(); // 220
  await reply(); // 250
} else {
  await reply(); // 220
  await command("HELO crepes.fr");
}
await command(`MAIL FROM:<${env("MAIL_FROM")}>`);
await command(`RCPT TO:<${env("RCPT_TO")}>`);
await command("DATA");
await send(
  `From: ${env("MAIL_FROM")}\r\nTo: ${env("RCPT_TO")}\r\nSubject: ${env("SUBJECT")}\r\n\r\n`,
);
await send(body);
await command(".");
await command("QUIT");
conn.close();
