/**
 * The grader of the course's IMAP-client assignment: log in as bob, find the message with a given
 * subject, mark it seen and move it to a folder. It starts a fresh lab, fills bob's INBOX, runs
 * the student's program (any language) against hamburger.edu's IMAP server through the recording
 * proxy, and judges the dialog and what the store holds afterwards, step by step.
 *
 * The program finds its task in its environment: `IMAP_HOST`, `IMAP_PORT`, `IMAP_USER`,
 * `IMAP_PASSWORD`, `SUBJECT` and `FOLDER`.
 *
 * @module
 */
import { Lab } from "./lab.ts";
import { RecordingProxy } from "./grade_proxy.ts";
import { type ImapAssignment, judgeImapClient, type StoredState } from "./grade_imap_judge.ts";
import type { GradeReport } from "./grade_judge.ts";
import { variantFor } from "./variant.ts";
import { buildMessage } from "../message/build.ts";
import { parseHeaders } from "../message/header.ts";
import type { MailServer } from "../server/mail_server.ts";

export {
  type ImapAssignment,
  type ImapCapture,
  judgeImapClient,
  type StoredState,
} from "./grade_imap_judge.ts";

/** Options of {@linkcode gradeImapClient}. */
export interface GradeImapOptions {
  /** The student's name: it picks the subject, the folder and where the message sits. @default "" */
  student?: string;
  /** How long the program may run before it is killed. @default 30000 */
  timeLimitMs?: number;
  /** How long the server's greeting is held back. @default 500 */
  greetingDelayMs?: number;
  /** How long each later chunk from the server is held back. @default 20 */
  replyDelayMs?: number;
  /** The program's working directory. @default the grader's */
  cwd?: string;
}

const TARGETS = ["Ketchup recipe", "Pickle brine", "Mustard seeds", "Crepe batter"];
const FOLDERS = ["Recipes", "Kitchen", "Cooking"];
const DECOYS = [
  { from: "alice@crepes.fr", subject: "Lunch on Friday?", text: "Shall we meet at noon?" },
  { from: "carol@crepes.fr", subject: "Your parcel is on its way", text: "It arrives Monday." },
  // Its text names the wanted subject, so a search of the whole text (TEXT) finds it too.
  { from: "dave@crepes.fr", subject: "Re: the networking lab", text: "Did you get my TARGET?" },
  { from: "alice@crepes.fr", subject: "Seminar moved to room 204", text: "Same time, new room." },
];

/**
 * The task a student gets: the same for the same name, different across names.
 *
 * @param student The student's name, or `""` for the course's default task.
 * @param timeLimitMs The time limit.
 * @returns The assignment, with the five messages INBOX starts with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imapAssignment } from "./grade_imap.ts";
 *
 * const task = imapAssignment("");
 * assert.equal(task.subject, "Ketchup recipe");
 * assert.equal(task.folder, "Recipes");
 * assert.equal(task.messages.length, 5);
 * assert.notEqual(task.messages[0].subject, task.subject); // never the first message
 * ```
 */
export function imapAssignment(student: string, timeLimitMs = 30_000): ImapAssignment {
  const variant = variantFor(student);
  const subject = variant.pick(TARGETS);
  const folder = variant.pick(FOLDERS);
  const at = variant.pick([2, 3, 1, 4]); // the index in INBOX: never the first message
  const subjects = DECOYS.map((d) => d.subject);
  subjects.splice(at, 0, subject);
  const messages = subjects.map((s, i) => ({
    messageId: `<grade-${i + 1}@hamburger.edu>`,
    subject: s,
  }));
  return { user: "bob", password: "pickles", subject, folder, messages, timeLimitMs };
}

/**
 * Grades one student's IMAP client: a fresh lab in memory on free ports, five messages in bob's
 * INBOX and an empty folder, the proxy in front of hamburger.edu's IMAP server, the program run
 * with the task in its environment and a time limit, then {@linkcode judgeImapClient}.
 *
 * @param command The program and its arguments, such as `["python3", "mover.py"]`.
 * @param options The student's name, the time limit and the hold times.
 * @returns The report.
 * @throws {GradeError} When the program cannot be started.
 *
 * @example A client in TypeScript that does it all
 * ```ts
 * import assert from "node:assert/strict";
 * import { gradeImapClient } from "./grade_imap.ts";
 *
 * const client = `
 *   const env = (name) => Deno.env.get(name);
 *   const conn = await Deno.connect({ hostname: env("IMAP_HOST"), port: Number(env("IMAP_PORT")) });
 *   const buffer = new Uint8Array(65536);
 *   let text = "";
 *   const until = async (pattern) => {
 *     while (!pattern.test(text)) text += new TextDecoder().decode(buffer.subarray(0, await conn.read(buffer)));
 *     const all = text; text = ""; return all;
 *   };
 *   const say = async (tag, line) => {
 *     await conn.write(new TextEncoder().encode(tag + " " + line + "\\r\\n"));
 *     return until(new RegExp("^" + tag + " \\\\w+.*\\r\\n", "m"));
 *   };
 *   await until(/\\r\\n/);
 *   await say("a1", "LOGIN " + env("IMAP_USER") + " " + env("IMAP_PASSWORD"));
 *   await say("a2", "SELECT INBOX");
 *   const found = await say("a3", "SEARCH SUBJECT " + JSON.stringify(env("SUBJECT")));
 *   const n = /\\* SEARCH (\\d+)/.exec(found)[1];
 *   await say("a4", "STORE " + n + " +FLAGS (\\\\Seen)");
 *   await say("a5", "MOVE " + n + " " + env("FOLDER"));
 *   await say("a6", "LOGOUT");
 *   conn.close();
 * `;
 * const report = await gradeImapClient([Deno.execPath(), "eval", client], { greetingDelayMs: 100 });
 * assert.deepEqual(report.steps.filter((s) => !s.passed).map((s) => s.name), []);
 * ```
 */
export async function gradeImapClient(
  command: readonly string[],
  options: GradeImapOptions = {},
): Promise<GradeReport> {
  const assignment = imapAssignment(options.student ?? "", options.timeLimitMs);
  await using lab = await Lab.start({
    freePorts: true,
    storage: "memory",
    passwordIterations: 1000,
  });
  const server = lab.server("hamburger.edu");
  await fillInbox(server, assignment);
  await using proxy = new RecordingProxy({
    upstream: { hostname: "127.0.0.1", port: server.ports.imap },
    greetingDelayMs: options.greetingDelayMs ?? 500,
    replyDelayMs: options.replyDelayMs ?? 20,
  });
  const recorded = await proxy.run(command, {
    env: {
      IMAP_HOST: "127.0.0.1",
      IMAP_PORT: String(proxy.port),
      IMAP_USER: assignment.user,
      IMAP_PASSWORD: assignment.password,
      SUBJECT: assignment.subject,
      FOLDER: assignment.folder,
    },
    cwd: options.cwd,
    timeLimitMs: assignment.timeLimitMs,
  });
  return judgeImapClient(
    { ...recorded, after: await storeState(server, assignment.user) },
    assignment,
  );
}

async function fillInbox(server: MailServer, a: ImapAssignment): Promise<void> {
  const start = Date.UTC(2026, 8, 1, 9, 0);
  for (const [i, m] of a.messages.entries()) {
    const decoy = DECOYS.find((d) => d.subject === m.subject);
    const text = decoy?.text.replace("TARGET", a.subject.toLowerCase()) ??
      `Here it is, as promised.\n`;
    const bytes = buildMessage({
      from: decoy?.from ?? "alice@crepes.fr",
      to: `${a.user}@hamburger.edu`,
      subject: m.subject,
      text: text.endsWith("\n") ? text : text + "\n",
      date: start + i * 3_600_000,
      messageId: m.messageId,
    });
    await server.store.deliver(a.user, bytes);
  }
  await server.store.createMailbox(a.user, a.folder);
}

async function storeState(server: MailServer, user: string): Promise<StoredState[]> {
  const states: StoredState[] = [];
  for (const { name } of await server.store.mailboxes(user)) {
    for (const info of await server.store.list(user, name)) {
      const header = parseHeaders(await server.store.read(user, name, info.uid));
      const messageId = header.get("message-id") ?? `(uid ${info.uid})`;
      states.push({ mailbox: name, messageId, flags: info.flags.filter((f) => f !== "\\Recent") });
    }
  }
  return states;
}
