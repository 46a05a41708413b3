/**
 * The commands of `deno task ua`, in one table: what each does, how it is typed, the options it
 * takes, an example, and what it runs. The commands that write mail (send, reply, forward) are
 * here; those that read and tidy mailboxes are in `cli_mailbox.ts`.
 *
 * @module
 */
import type { AttachmentInput } from "../message/build.ts";
import type { SentMessage } from "./agent.ts";
import { sendReport } from "./cli_format.ts";
import { MAILBOX_COMMANDS } from "./cli_mailbox.ts";
import {
  type Command,
  type CommandContext,
  type OptionValues,
  readFileFor,
  stringOf,
  stringsOf,
  uidOf,
  UsageError,
  viaHelp,
} from "./cli_options.ts";

/** The text of `--text` (with `\n` for new lines) or of `--text-file`; the same for HTML. */
async function bodyOf(
  values: OptionValues,
  inline: "text" | "html",
  file: "text-file" | "html-file",
): Promise<string | undefined> {
  const path = stringOf(values, file);
  if (path !== undefined) return new TextDecoder().decode(await readFileFor(`--${file}`, path));
  return stringOf(values, inline)?.replaceAll("\\n", "\n");
}

const TYPES: Record<string, string> = {
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  ics: "text/calendar",
  json: "application/json",
  pdf: "application/pdf",
  zip: "application/zip",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  eml: "message/rfc822",
};

async function attachmentsOf(values: OptionValues): Promise<AttachmentInput[]> {
  return await Promise.all(
    stringsOf(values, "attach").map(async (path) => {
      const filename = path.split(/[\\/]/).at(-1) || path;
      const extension = /\.([^.]+)$/.exec(filename)?.[1].toLowerCase() ?? "";
      const content = await readFileFor("--attach", path);
      return { filename, contentType: TYPES[extension] ?? "application/octet-stream", content };
    }),
  );
}

function report(context: CommandContext, sent: SentMessage): number {
  const { lines, ok } = sendReport(sent.result, sent.messageId);
  for (const line of lines) context.io.out(line);
  if (sent.saved) context.io.out(`Kept a copy in Sent (UID ${sent.saved.uid})`);
  if (sent.saveError) context.io.err(`Sent, but no copy kept in Sent: ${sent.saveError.message}`);
  return ok ? 0 : 1;
}

const ANSWER_VIA = viaHelp("smtp/imap", "read the message and send over the HTTP interface");

const send: Command = {
  summary: "write a message and send it",
  usage: "send --from ADDRESS --to ADDRESS [--subject TEXT] [--text TEXT] [--attach FILE]...",
  options: [
    "from",
    "user",
    "to",
    "cc",
    "bcc",
    "subject",
    "text",
    "text-file",
    "html",
    "html-file",
    "attach",
    "save-sent",
    "via",
  ],
  overrides: {
    via: viaHelp("smtp", "POST /api/submit to the server's HTTP interface"),
  },
  examples: [
    'send --from alice@crepes.fr --to bob@hamburger.edu --subject "Lunch?" --text "Do you like ketchup?"',
    "send --from alice@crepes.fr --to bob@hamburger.edu --subject 메뉴 --attach menu.pdf",
    'send --from alice@crepes.fr --to bob@hamburger.edu --subject Hi --text "Over HTTP" --via http',
  ],
  async run(context) {
    const { values } = context;
    const [to, cc, bcc] = (["to", "cc", "bcc"] as const).map((name) => stringsOf(values, name));
    if (to.length + cc.length + bcc.length === 0) {
      throw new UsageError("send needs --to ADDRESS: whom the message goes to");
    }
    if (context.operands.length > 0) {
      throw new UsageError(`send takes no "${context.operands[0]}"; give the text with --text`);
    }
    const draft = {
      to,
      cc,
      bcc,
      subject: stringOf(values, "subject") ?? "",
      text: await bodyOf(values, "text", "text-file") ?? "",
      html: await bodyOf(values, "html", "html-file"),
      attachments: await attachmentsOf(values),
    };
    return report(context, await (await context.agent()).send(draft));
  },
};

const reply: Command = {
  summary: "answer a message (Re:, quoted, threaded)",
  usage: "reply UID --user ADDRESS --text TEXT [--all]",
  options: ["user", "from", "text", "text-file", "all", "mailbox", "save-sent", "via"],
  overrides: { via: ANSWER_VIA },
  examples: [
    'reply 1 --user bob@hamburger.edu --text "Yes, with pickles"',
    'reply 1 --user bob@hamburger.edu --all --text "See you all at noon"',
  ],
  async run(context) {
    const uid = uidOf(context);
    const text = await bodyOf(context.values, "text", "text-file");
    if (text === undefined) {
      throw new UsageError("reply needs --text TEXT (or --text-file FILE): your answer");
    }
    const agent = await context.agent();
    const mailbox = stringOf(context.values, "mailbox");
    const all = context.values.all === true;
    return report(context, await agent.reply(uid, text, { all, mailbox }));
  },
};

const forward: Command = {
  summary: "pass a message on to someone else (Fwd:)",
  usage: "forward UID --user ADDRESS --to ADDRESS [--text TEXT] [--as-attachment]",
  options: [
    "user",
    "from",
    "to",
    "cc",
    "text",
    "text-file",
    "as-attachment",
    "mailbox",
    "save-sent",
    "via",
  ],
  overrides: { via: ANSWER_VIA },
  examples: [
    'forward 1 --user bob@hamburger.edu --to carol@hamburger.edu --text "Look at this"',
    "forward 1 --user bob@hamburger.edu --to carol@hamburger.edu --as-attachment",
  ],
  async run(context) {
    const uid = uidOf(context);
    const to = stringsOf(context.values, "to");
    if (to.length === 0) throw new UsageError("forward needs --to ADDRESS: whom it goes to");
    const agent = await context.agent();
    const sent = await agent.forward(uid, to, {
      text: await bodyOf(context.values, "text", "text-file") ?? "",
      cc: stringsOf(context.values, "cc"),
      asAttachment: context.values["as-attachment"] === true,
      mailbox: stringOf(context.values, "mailbox"),
    });
    return report(context, sent);
  },
};

/** The commands, in the order the help lists them. */
export const COMMANDS: Record<string, Command> = {
  send,
  inbox: MAILBOX_COMMANDS.inbox,
  read: MAILBOX_COMMANDS.read,
  reply,
  forward,
  search: MAILBOX_COMMANDS.search,
  save: MAILBOX_COMMANDS.save,
  folders: MAILBOX_COMMANDS.folders,
  move: MAILBOX_COMMANDS.move,
  trash: MAILBOX_COMMANDS.trash,
  delete: MAILBOX_COMMANDS.delete,
  flag: MAILBOX_COMMANDS.flag,
  watch: MAILBOX_COMMANDS.watch,
};

/** Other names that people type for a command. */
export const ALIASES: Record<string, string> = { list: "inbox", ls: "inbox", rm: "delete" };
