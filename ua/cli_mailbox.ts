/**
 * The commands of `deno task ua` that read and tidy the mailboxes over IMAP (or, with
 * `--via http`, the server's HTTP interface): list, read, search, save (as .eml or into an mbox
 * file), the folders, move, trash, delete, flag and watch.
 *
 * @module
 */
import type { UserAgent } from "./agent.ts";
import { folderLine, listingLine, messageText, newsLine, sizeText } from "./cli_format.ts";
import {
  type Command,
  type CommandContext,
  stringOf,
  stringsOf,
  uidOf,
  UsageError,
  viaHelp,
  writeFileFor,
} from "./cli_options.ts";
import type { SearchPlace } from "./folders.ts";
import { describeMessage } from "./reading.ts";

const OVER_HTTP = { via: viaHelp("imap", "the server's HTTP interface") };

const mailboxOf = (context: CommandContext) => stringOf(context.values, "mailbox") ?? "INBOX";

function noOperands(context: CommandContext): void {
  const [extra] = context.operands;
  if (extra !== undefined) throw new UsageError(`${context.name} takes no "${extra}"`);
}

const inbox: Command = {
  summary: "list a mailbox (marks nothing read)",
  usage: "inbox --user ADDRESS [--mailbox NAME]",
  options: ["user", "from", "mailbox", "via"],
  overrides: OVER_HTTP,
  examples: [
    "inbox --user bob@hamburger.edu",
    "inbox --user bob@hamburger.edu --mailbox Trash",
    "inbox --user bob@hamburger.edu --via http",
  ],
  async run(context) {
    noOperands(context);
    const mailbox = mailboxOf(context);
    const entries = await (await context.agent()).inbox(mailbox);
    if (entries.length === 0) context.io.out(`(${mailbox} is empty)`);
    for (const entry of entries) context.io.out(listingLine(entry));
    return 0;
  },
};

const read: Command = {
  summary: "show a message: its header decoded, its text, its attachments (marks it read)",
  usage: "read UID --user ADDRESS [--raw] [--mailbox NAME]",
  options: ["user", "from", "mailbox", "raw", "via"],
  overrides: OVER_HTTP,
  examples: [
    "read 1 --user bob@hamburger.edu",
    "read 1 --user bob@hamburger.edu --raw",
    "read 1 --user bob@hamburger.edu --via http",
  ],
  async run(context) {
    const uid = uidOf(context);
    const agent = await context.agent();
    const mailbox = mailboxOf(context);
    if (context.values.raw) {
      await context.io.write(await agent.save(uid, mailbox, { markSeen: true }));
      return 0;
    }
    context.io.out(messageText(describeMessage(await agent.read(uid, mailbox))).trimEnd());
    return 0;
  },
};

const PLACES: readonly SearchPlace[] = ["text", "body", "subject", "from", "to"];

const search: Command = {
  summary: "find messages on the server (IMAP SEARCH)",
  usage: "search TEXT --user ADDRESS [--in PLACE] [--mailbox NAME]",
  options: ["user", "from", "mailbox", "in", "via"],
  overrides: {
    via: viaHelp("imap", "the server's HTTP interface, which looks in From and Subject only"),
  },
  examples: [
    "search ketchup --user bob@hamburger.edu",
    "search --in subject 점심 --user bob@hamburger.edu",
  ],
  async run(context) {
    const text = context.operands.join(" ");
    if (text === "") {
      throw new UsageError(
        "search needs the text to look for, such as: " +
          "deno task ua search ketchup --user bob@hamburger.edu",
      );
    }
    const place = stringOf(context.values, "in") ?? "text";
    if (!PLACES.includes(place as SearchPlace)) {
      throw new UsageError(`--in: "${place}" is not a place to search; use ${PLACES.join(", ")}`);
    }
    if (stringOf(context.values, "via") === "http" && (place === "body" || place === "to")) {
      throw new UsageError(
        `--in ${place}: over HTTP the server searches From and Subject only; ` +
          "use --in from, --in subject, or search over IMAP (without --via http)",
      );
    }
    const mailbox = mailboxOf(context);
    const agent = await context.agent();
    const found = await agent.search(text, { mailbox, in: place as SearchPlace });
    if (found.length === 0) context.io.out(`Nothing in ${mailbox} matches "${text}"`);
    for (const entry of found) context.io.out(listingLine(entry));
    return 0;
  },
};

const save: Command = {
  summary: "save a message to a file: its exact bytes (.eml), or appended to an mbox file",
  usage: "save UID --user ADDRESS (--out FILE | --mbox FILE) [--mailbox NAME]",
  options: ["user", "from", "mailbox", "out", "mbox", "via"],
  overrides: OVER_HTTP,
  examples: [
    "save 1 --user bob@hamburger.edu --out lunch.eml",
    "save 1 --user bob@hamburger.edu --mbox saved.mbox",
  ],
  async run(context) {
    const uid = uidOf(context);
    const out = stringOf(context.values, "out");
    const mbox = stringOf(context.values, "mbox");
    if (out === undefined && mbox === undefined) {
      throw new UsageError("save needs --out FILE (an .eml file) or --mbox FILE (an mbox file)");
    }
    const agent = await context.agent();
    const mailbox = mailboxOf(context);
    if (out !== undefined) {
      const bytes = await agent.save(uid, mailbox);
      await writeFileFor("--out", out, bytes);
      context.io.out(`Saved message ${uid} to ${out} (${sizeText(bytes.length)}, as stored)`);
    }
    if (mbox !== undefined) {
      await writeFileFor("--mbox", mbox, await agent.saveAsMbox(uid, mailbox), { append: true });
      context.io.out(`Appended message ${uid} to the mbox file ${mbox}`);
    }
    return 0;
  },
};

const folders: Command = {
  summary: "list the mailboxes, their special use and their counts",
  usage: "folders --user ADDRESS",
  options: ["user", "from", "via"],
  overrides: OVER_HTTP,
  examples: ["folders --user bob@hamburger.edu"],
  async run(context) {
    noOperands(context);
    for (const folder of await (await context.agent()).mailboxes()) {
      context.io.out(folderLine(folder));
    }
    return 0;
  },
};

const move: Command = {
  summary: "move a message to another mailbox",
  usage: "move UID --user ADDRESS --to MAILBOX [--mailbox NAME]",
  options: ["user", "from", "to", "mailbox", "via"],
  overrides: { to: ["MAILBOX", "the mailbox it goes to, such as Archive"], ...OVER_HTTP },
  examples: ["move 1 --user bob@hamburger.edu --to Archive"],
  async run(context) {
    const uid = uidOf(context);
    const to = stringOf(context.values, "to");
    if (to === undefined) throw new UsageError("move needs --to MAILBOX: where the message goes");
    const agent = await context.agent();
    const from = mailboxOf(context);
    const moved = await agent.move(uid, to, { from });
    context.io.out(`Moved message ${uid} to ${to}${moved ? ` (its UID there: ${moved})` : ""}`);
    return 0;
  },
};

const trash: Command = {
  summary: "throw a message away: to Trash (from Trash: deleted for good)",
  usage: "trash UID --user ADDRESS [--mailbox NAME]",
  options: ["user", "from", "mailbox", "via"],
  overrides: OVER_HTTP,
  examples: ["trash 1 --user bob@hamburger.edu"],
  async run(context) {
    const uid = uidOf(context);
    const agent = await context.agent();
    const mailbox = mailboxOf(context);
    const moved = await agent.trash(uid, mailbox);
    context.io.out(
      moved
        ? `Moved message ${uid} to Trash (its UID there: ${moved})`
        : `Deleted message ${uid} from ${mailbox} for good`,
    );
    return 0;
  },
};

const remove: Command = {
  summary: "delete a message for good (\\Deleted, then EXPUNGE), with no copy in Trash",
  usage: "delete UID --user ADDRESS [--mailbox NAME]",
  options: ["user", "from", "mailbox", "via"],
  overrides: OVER_HTTP,
  examples: ["delete 1 --user bob@hamburger.edu"],
  async run(context) {
    const uid = uidOf(context);
    const agent = await context.agent();
    const mailbox = mailboxOf(context);
    await agent.delete(uid, mailbox);
    context.io.out(`Deleted message ${uid} from ${mailbox} for good`);
    return 0;
  },
};

const flag: Command = {
  summary: "set (or clear) flags of a message, such as \\Flagged",
  usage: "flag UID --user ADDRESS --flag FLAG [--off] [--mailbox NAME]",
  options: ["user", "from", "flag", "off", "mailbox", "via"],
  overrides: OVER_HTTP,
  examples: [
    "flag 1 --user bob@hamburger.edu --flag '\\Flagged'",
    "flag 1 --user bob@hamburger.edu --flag '\\Seen' --off",
  ],
  async run(context) {
    const uid = uidOf(context);
    const flags = stringsOf(context.values, "flag").flatMap((f) => f.split(","))
      .map((f) => f.trim()).filter(Boolean);
    if (flags.length === 0) {
      throw new UsageError("flag needs --flag FLAG, such as --flag '\\Flagged'");
    }
    const bad = flags.find((f) => !/^\\?[^\s()[\]{}%*"\\]+$/.test(f));
    if (bad !== undefined) {
      throw new UsageError(`--flag: "${bad}" is not a flag; a flag is one word, such as \\Flagged`);
    }
    const agent = await context.agent();
    const mailbox = mailboxOf(context);
    const on = context.values.off !== true;
    const now = await agent.flag(uid, flags, { on, mailbox });
    context.io.out(`Message ${uid}: ${now.join(" ") || "(no flags)"}`);
    return 0;
  },
};

/** Watches until Ctrl-C. */
async function watchUntilInterrupted(context: CommandContext, agent: UserAgent): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const mailbox = mailboxOf(context);
  Deno.addSignalListener("SIGINT", stop);
  try {
    await agent.watch(mailbox, (news) => context.io.out(newsLine(news)), {
      signal: controller.signal,
      onReady: () => context.io.out(`Watching ${mailbox}; Ctrl-C stops`),
    });
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
  }
}

const watch: Command = {
  summary: "print news of a mailbox as it happens (IMAP IDLE, or HTTP events), until Ctrl-C",
  usage: "watch --user ADDRESS [--mailbox NAME]",
  options: ["user", "from", "mailbox", "via"],
  overrides: {
    via: viaHelp("imap", "the server's HTTP interface and its events (GET /api/events)"),
  },
  examples: ["watch --user bob@hamburger.edu"],
  async run(context) {
    noOperands(context);
    await watchUntilInterrupted(context, await context.agent());
    return 0;
  },
};

/** The mailbox commands, by name. */
export const MAILBOX_COMMANDS = {
  inbox,
  read,
  search,
  save,
  folders,
  move,
  trash,
  delete: remove,
  flag,
  watch,
} satisfies Record<string, Command>;
