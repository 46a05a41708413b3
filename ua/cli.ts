/**
 * `deno task ua`: the user agent on the command line, pointed at the lab by default.
 *
 * ```
 * deno task ua send --from alice@crepes.fr --to bob@hamburger.edu --subject Hi --text "Do you like ketchup?"
 * deno task ua inbox --user bob@hamburger.edu
 * deno task ua read 1 --user bob@hamburger.edu
 * deno task ua trash 1 --user bob@hamburger.edu
 * deno task ua watch --user bob@hamburger.edu
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { domainOf } from "../protocol/smtp/command.ts";
import { Transcript } from "../protocol/transcript.ts";
import { DEFAULT_CONFIG, type LabConfig, parseLabConfig } from "../lab/config.ts";
import { UserAgent } from "./agent.ts";
import type { Folder, InboxEntry } from "./folders.ts";
import type { MailboxNews } from "./watch.ts";

const HELP = `Usage: deno task ua <command> [options]

Commands:
  send      --from ADDRESS --to ADDRESS[,ADDRESS] [--cc ...] [--bcc ...] --subject TEXT --text TEXT
            [--save-sent]                        also keep a copy in the Sent mailbox
  inbox     --user ADDRESS                       list a mailbox (does not mark anything read)
  read UID  --user ADDRESS                       print one message (marks it read)
  reply UID --user ADDRESS --text TEXT [--all]   answer a message
  forward UID --user ADDRESS --to ADDRESS [--text TEXT]
  save UID  --user ADDRESS --out FILE            save the message's exact bytes
  folders   --user ADDRESS                       list the mailboxes, their special use and counts
  move UID  --user ADDRESS --to MAILBOX          move a message to another mailbox
  trash UID --user ADDRESS                       move a message to Trash (in Trash: delete it)
  flag UID  --user ADDRESS --flag FLAG[,FLAG] [--off]   set (or clear) flags, such as '\\Flagged'
  watch     --user ADDRESS                       print news of a mailbox as it happens (IDLE),
                                                 until Ctrl-C

Options:
  --mailbox NAME    the mailbox of inbox, read, save, move, trash, flag, watch (default: INBOX)
  --password TEXT   the account's password (default: the lab's, from the configuration)
  --config FILE     a lab configuration (default: the built-in crepes.fr / hamburger.edu lab)
  --host HOST       the server's address (default: the lab's)
  --submission-port N, --imap-port N   the server's ports (default: the lab's)
  --transcript      print the SMTP and IMAP dialogs
  --help            this text`;

function agentFor(
  address: string,
  values: Record<string, string | boolean | undefined>,
  config: LabConfig,
): UserAgent {
  const domain = config.domains.find((d) => d.name === domainOf(address));
  const user = address.includes("@") ? address.slice(0, address.lastIndexOf("@")) : address;
  const password = (values.password as string | undefined) ?? domain?.users[user];
  if (!password) throw new UsageError(`No password for ${address}: give --password`);
  const host = (values.host as string | undefined) ?? config.hostname;
  const submission = Number(values["submission-port"] ?? domain?.ports.submission);
  const imap = Number(values["imap-port"] ?? domain?.ports.imap);
  if (!submission || !imap) {
    throw new UsageError(
      `${domainOf(address) || address} is not a lab domain: give --submission-port and --imap-port`,
    );
  }
  const record = values.transcript
    ? (protocol: "SMTP" | "IMAP") => {
      const transcript = new Transcript({ client: user, server: domainOf(address) });
      transcripts.push([protocol, transcript]);
      return transcript;
    }
    : undefined;
  return new UserAgent({
    address: address.includes("@") ? address : `${address}@${domain?.name ?? "localhost"}`,
    password,
    submission: { hostname: host, port: submission },
    imap: { hostname: host, port: imap },
    record,
    saveSent: values["save-sent"] === true,
  });
}

const transcripts: [string, Transcript][] = [];

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function list(value: unknown): string[] {
  return typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : [];
}

function listingLine(e: InboxEntry): string {
  const date = e.date ? new Date(e.date).toISOString().slice(0, 16).replace("T", " ") : "";
  const uid = String(e.uid).padStart(4);
  const mark = e.seen ? " " : "N";
  return `${uid} ${mark} ${date.padEnd(16)}  ${e.from.padEnd(28)}  ${e.subject}`;
}

function folderLine(f: Folder): string {
  const counts = `${f.messages} message${f.messages === 1 ? "" : "s"}, ${f.unseen} unread`;
  return `${f.name.padEnd(20)} ${(f.specialUse ?? "").padEnd(9)} ${counts}`;
}

function newsLine(news: MailboxNews): string {
  if (news.kind === "arrived") return news.messages.map((m) => `new  ${listingLine(m)}`).join("\n");
  if (news.kind === "flags") return `flags ${news.uid}: ${news.flags.join(" ") || "(none)"}`;
  return `gone ${news.uid}`;
}

/** Watches until Ctrl-C. */
async function watchUntilInterrupted(agent: UserAgent, mailbox: string): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  try {
    await agent.watch(mailbox, (news) => console.log(newsLine(news)), {
      signal: controller.signal,
      onReady: () => console.log(`Watching ${mailbox}; Ctrl-C to stop`),
    });
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
  }
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: "string" },
      user: { type: "string" },
      to: { type: "string" },
      cc: { type: "string" },
      bcc: { type: "string" },
      subject: { type: "string" },
      text: { type: "string" },
      password: { type: "string" },
      config: { type: "string" },
      host: { type: "string" },
      "submission-port": { type: "string" },
      "imap-port": { type: "string" },
      out: { type: "string" },
      mailbox: { type: "string" },
      flag: { type: "string" },
      off: { type: "boolean" },
      "save-sent": { type: "boolean" },
      all: { type: "boolean" },
      transcript: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return command || values.help ? 0 : 2;
  }
  const config = parseLabConfig(
    values.config ? JSON.parse(await Deno.readTextFile(values.config)) : DEFAULT_CONFIG,
  );
  const account = values.from ?? values.user;
  if (!account) throw new UsageError("Give --from (or --user) with the account's address");
  const agent = agentFor(account, values, config);
  const uid = Number(arg);
  const mailbox = values.mailbox ?? "INBOX";
  const needUid = () => {
    if (!Number.isInteger(uid) || uid < 1) {
      throw new UsageError(`${command} needs a message UID, such as: ${command} 1`);
    }
  };
  try {
    switch (command) {
      case "send": {
        const to = list(values.to);
        if (to.length === 0) throw new UsageError("send needs --to");
        const { messageId, result, saved, saveError } = await agent.send({
          to,
          cc: list(values.cc),
          bcc: list(values.bcc),
          subject: values.subject ?? "",
          text: (values.text ?? "").replaceAll("\\n", "\n"),
        });
        console.log(`${result.reply.code} ${result.reply.lines.join(" ")}`);
        for (const r of result.rejected) {
          console.log(`refused ${r.address}: ${r.reply.code} ${r.reply.lines.join(" ")}`);
        }
        console.log(`Message-ID: ${messageId}`);
        if (saved) console.log(`Saved a copy in Sent (UID ${saved.uid})`);
        if (saveError) console.error(`Sent, but no copy saved in Sent: ${saveError.message}`);
        return result.reply.code === 250 ? 0 : 1;
      }
      case "inbox": {
        const entries = await agent.inbox(mailbox);
        if (entries.length === 0) console.log(`(${mailbox} is empty)`);
        for (const e of entries) console.log(listingLine(e));
        return 0;
      }
      case "read": {
        needUid();
        const message = await agent.read(uid, mailbox);
        console.log(new TextDecoder().decode(message.bytes));
        return 0;
      }
      case "save": {
        needUid();
        if (!values.out) throw new UsageError("save needs --out FILE");
        await Deno.writeFile(values.out, await agent.save(uid, mailbox));
        console.log(`Saved message ${uid} to ${values.out}`);
        return 0;
      }
      case "folders": {
        for (const folder of await agent.mailboxes()) console.log(folderLine(folder));
        return 0;
      }
      case "move": {
        needUid();
        if (!values.to) throw new UsageError("move needs --to MAILBOX");
        const moved = await agent.move(uid, values.to, { from: mailbox });
        console.log(`Moved message ${uid} to ${values.to}${moved ? ` (UID ${moved})` : ""}`);
        return 0;
      }
      case "trash": {
        needUid();
        const moved = await agent.trash(uid, mailbox);
        console.log(moved ? `Moved message ${uid} to Trash (UID ${moved})` : `Deleted ${uid}`);
        return 0;
      }
      case "flag": {
        needUid();
        const flags = list(values.flag);
        if (flags.length === 0) throw new UsageError("flag needs --flag FLAG, such as \\Flagged");
        const now = await agent.flag(uid, flags, { on: !values.off, mailbox });
        console.log(`Message ${uid}: ${now.join(" ") || "(no flags)"}`);
        return 0;
      }
      case "watch": {
        await watchUntilInterrupted(agent, mailbox);
        return 0;
      }
      case "reply": {
        needUid();
        const { result } = await agent.reply(uid, (values.text ?? "").replaceAll("\\n", "\n"), {
          all: values.all,
        });
        console.log(`${result.reply.code} ${result.reply.lines.join(" ")}`);
        return result.reply.code === 250 ? 0 : 1;
      }
      case "forward": {
        needUid();
        const to = list(values.to);
        if (to.length === 0) throw new UsageError("forward needs --to");
        const { result } = await agent.forward(uid, to, {
          text: (values.text ?? "").replaceAll("\\n", "\n"),
          asAttachment: true,
        });
        console.log(`${result.reply.code} ${result.reply.lines.join(" ")}`);
        return result.reply.code === 250 ? 0 : 1;
      }
      default:
        throw new UsageError(`Unknown command "${command}"; see --help`);
    }
  } finally {
    for (const [protocol, transcript] of transcripts) {
      console.error(`\n-- ${protocol}\n${transcript}`);
    }
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await run(Deno.args));
  } catch (error) {
    const name = (error as Error).name;
    if (name === "UsageError" || name === "ConfigError" || name === "TypeError") {
      console.error((error as Error).message);
      Deno.exit(2);
    }
    console.error(`${name}: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
