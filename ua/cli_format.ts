/**
 * How `deno task ua` shows things on a terminal: a listing line per message (with placeholders
 * for what a message lacks), a folder line, the news of a watched mailbox, a message as a reader
 * shows it, and what the server said of a message sent.
 *
 * @module
 */
import type { SendResult } from "../client/smtp_client.ts";
import type { SmtpReply } from "../protocol/smtp/reply.ts";
import type { Folder, InboxEntry } from "./folders.ts";
import type { MessageSummary } from "./reading.ts";
import type { MailboxNews } from "./watch.ts";

/** What a listing or a reader shows for a field the message lacks. */
export const MISSING = {
  from: "(no sender)",
  date: "(no date)",
  subject: "(no subject)",
} as const;

/** Cuts a text to a width, with `…` where it was cut. */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text.padEnd(width) : `${chars.slice(0, width - 1).join("")}…`;
}

/**
 * One line of a mailbox listing: UID, `N` when unread, date (UTC), sender, subject.
 *
 * @param entry The message.
 * @returns The line.
 *
 * @example A message typed by hand, with no From or Date
 * ```ts
 * import assert from "node:assert/strict";
 * import { listingLine } from "./cli_format.ts";
 *
 * const line = listingLine({ uid: 1, seen: false, flags: [], size: 20, from: "", subject: "hi" });
 * assert.equal(line, "   1 N (no date)         (no sender)                   hi");
 * ```
 */
export function listingLine(entry: InboxEntry): string {
  const date = entry.date === undefined
    ? MISSING.date
    : new Date(entry.date).toISOString().slice(0, 16).replace("T", " ");
  const uid = String(entry.uid).padStart(4);
  const mark = entry.seen ? " " : "N";
  const from = fit(entry.from || MISSING.from, 28);
  return `${uid} ${mark} ${date.padEnd(16)}  ${from}  ${entry.subject || MISSING.subject}`;
}

/**
 * One line of the folder list: name, special use, counters.
 *
 * @param folder The folder.
 * @returns The line.
 */
export function folderLine(folder: Folder): string {
  const n = folder.messages;
  const counts = `${n} message${n === 1 ? "" : "s"}, ${folder.unseen} unread`;
  return `${folder.name.padEnd(20)} ${(folder.specialUse ?? "").padEnd(9)} ${counts}`;
}

/**
 * The lines of one piece of news from a watched mailbox.
 *
 * @param news The news.
 * @returns The text.
 */
export function newsLine(news: MailboxNews): string {
  if (news.kind === "arrived") return news.messages.map((m) => `new  ${listingLine(m)}`).join("\n");
  if (news.kind === "flags") return `flags ${news.uid}: ${news.flags.join(" ") || "(none)"}`;
  return `gone ${news.uid}`;
}

/**
 * A size as people read it: bytes, KB or MB (1 KB = 1024 bytes).
 *
 * @param bytes The size.
 * @returns Such as `12.5 KB`.
 */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? "" : "s"}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A message as `ua read` prints it: the fields a person reads, the text, the attachments.
 *
 * @param summary The message, summed up.
 * @returns The text to print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { messageText } from "./cli_format.ts";
 *
 * const text = messageText({
 *   subject: "안녕하세요",
 *   text: "Hi\n",
 *   fromHtml: false,
 *   attachments: [{ filename: "menu.pdf", contentType: "application/pdf", size: 2048 }],
 * });
 * assert.equal(
 *   text,
 *   "From:    (no sender)\nDate:    (no date)\nSubject: 안녕하세요\n\nHi\n\n" +
 *     "Attachments:\n  1. menu.pdf  application/pdf  2.0 KB\n",
 * );
 * ```
 */
export function messageText(summary: MessageSummary): string {
  const path = summary.returnPath === "" ? "<>" : summary.returnPath;
  const from = summary.from ??
    (path === undefined ? MISSING.from : `${MISSING.from}; Return-Path: ${path}`);
  const lines = [`From:    ${from}`];
  if (summary.to) lines.push(`To:      ${summary.to}`);
  if (summary.cc) lines.push(`Cc:      ${summary.cc}`);
  lines.push(`Date:    ${summary.date ?? MISSING.date}`);
  lines.push(`Subject: ${summary.subject || MISSING.subject}`, "");
  if (summary.fromHtml) lines.push("(This message has only an HTML version; shown as text.)", "");
  lines.push(summary.text.replace(/\n+$/, ""));
  if (summary.attachments.length > 0) {
    lines.push("", "Attachments:");
    summary.attachments.forEach((a, i) => {
      const name = a.filename ?? "(no name)";
      lines.push(`  ${i + 1}. ${name}  ${a.contentType}  ${sizeText(a.size)}`);
    });
  }
  return lines.join("\n") + "\n";
}

function replyText(reply: SmtpReply): string {
  return `${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ""} ${reply.lines.join(" ")}`;
}

/**
 * What the submission server said of a message, as lines: who it was sent to, who it was not
 * and why, and its Message-ID.
 *
 * @param result The server's answers.
 * @param messageId The message's Message-ID.
 * @returns The lines, and whether the message went out to everyone.
 */
export function sendReport(
  result: SendResult,
  messageId: string,
): { lines: string[]; ok: boolean } {
  const sent = result.reply.code >= 200 && result.reply.code < 300;
  const lines: string[] = [];
  if (sent && result.accepted.length > 0) {
    lines.push(
      `Sent to ${result.accepted.join(", ")} (the server said: ${replyText(result.reply)})`,
    );
  } else {
    const by = result.local ? "this user agent" : "the server";
    lines.push(`Not sent: ${by} said ${replyText(result.reply)}`);
  }
  for (const refusal of result.rejected) {
    lines.push(`Not sent to ${refusal.address}: ${replyText(refusal.reply)}`);
  }
  if (sent) lines.push(`Message-ID: ${messageId}`);
  return { lines, ok: sent && result.rejected.length === 0 };
}
