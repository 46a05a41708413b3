/**
 * Judging the IMAP-client assignment over a recorded capture, step by step: the greeting, the
 * login, tags, SELECT, finding the message by subject, marking it seen, moving it, leaving the
 * rest alone, LOGOUT, CRLF and the time limit. Pure: the same capture always gets the same report.
 *
 * @module
 */
import type { CaptureChunk } from "./grade_dialog.ts";
import {
  type ImapCommand,
  type ImapDialog,
  readImapDialog,
  showImap,
} from "./grade_imap_dialog.ts";
import { IMAP_WHY } from "./grade_imap_why.ts";
import { type GradeReport, judgeSteps } from "./grade_judge.ts";
import { type Step as GradeStepOf, timeLimitFinding } from "./grade_steps.ts";

/** What the student's IMAP client was asked to do. */
export interface ImapAssignment {
  /** `IMAP_USER`. */
  user: string;
  /** `IMAP_PASSWORD`. */
  password: string;
  /** `SUBJECT`: the subject of the message to find. */
  subject: string;
  /** `FOLDER`: where to move it. */
  folder: string;
  /** The messages in INBOX at the start, in order, each with its Message-ID. */
  messages: { messageId: string; subject: string }[];
  /** How long the program may run, in milliseconds. */
  timeLimitMs: number;
}

/** One message where the store holds it after the run. */
export interface StoredState {
  /** The mailbox. */
  mailbox: string;
  /** The message's Message-ID, to tell the messages apart. */
  messageId: string;
  /** Its flags. */
  flags: string[];
}

/** What the grader recorded of one run of a student's IMAP client. */
export interface ImapCapture {
  /** Whether the client connected at all. */
  connected: boolean;
  /** Every chunk, both ways. */
  chunks: CaptureChunk[];
  /** When the client closed its side, if it did. */
  clientClosedAt?: number;
  /** Every message of the user afterwards, in every mailbox. */
  after: StoredState[];
  /** How the program ended. */
  exit: { code: number; timedOut: boolean; stderr: string };
}

interface Context {
  d: ImapDialog;
  a: ImapAssignment;
  capture: ImapCapture;
  target: { messageId: string; subject: string };
}

type Step = GradeStepOf<ImapAssignment, Context>;

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const quoted = (text: string) => JSON.stringify(text);

/** A command as transcript lines: what the client sent, a few untagged lines, the tagged end. */
function shown(command: ImapCommand | undefined): string[] {
  if (!command) return [];
  const untagged = command.untagged.slice(0, 3).map((l) => showImap("server", l));
  if (command.untagged.length > 3) untagged.push(`S: (${command.untagged.length - 3} more lines)`);
  const more = command.more.map(() => "C: ******");
  const done = command.done ? [showImap("server", command.done)] : ["S: (no tagged answer)"];
  return [showImap("client", command.line), ...more, ...untagged, ...done];
}

const is = (command: ImapCommand, ...verbs: string[]) => verbs.includes(command.verb);
const ACTING = ["STORE", "UID STORE", "MOVE", "UID MOVE", "COPY", "UID COPY"];
const LOOKING = ["SEARCH", "UID SEARCH", "FETCH", "UID FETCH"];

function stateLines(states: readonly StoredState[], c: Context): string[] {
  const subjectOf = (id: string) => c.a.messages.find((m) => m.messageId === id)?.subject ?? id;
  return states.map((s) =>
    `${s.mailbox}: ${quoted(subjectOf(s.messageId))}  flags (${s.flags.join(" ")})`
  );
}

const STEPS: readonly Step[] = [{
  name: "greeting",
  title: () => "waits for the server's greeting before its first command",
  expected: () => ["S: * OK ...", "then C: a1 LOGIN ..."],
  judge: ({ d }) => {
    const first = d.clientLines[0];
    const greeted = d.greeting
      ? `${showImap("server", d.greeting)}   [${seconds(d.greeting.at)}]`
      : "";
    if (!first) return { seen: [greeted, "(the client sent nothing)"], why: IMAP_WHY.noLogin };
    const spoke = `${showImap("client", first)}   [${seconds(first.at)}]`;
    if (!d.greeting || first.at < d.greeting.at) {
      return { seen: [spoke, greeted || "S: (no greeting yet)"], why: IMAP_WHY.spokeFirst };
    }
    return { seen: [greeted, spoke] };
  },
}, {
  name: "login",
  title: (a) => `logs in as ${a.user}`,
  expected: (a) => [`C: a1 LOGIN ${a.user} ******`, "S: a1 OK ..."],
  judge: ({ d }) => {
    const login = d.commands.find((c) => is(c, "LOGIN", "AUTHENTICATE"));
    if (!login) return { seen: ["(no LOGIN or AUTHENTICATE)"], why: IMAP_WHY.noLogin };
    const ok = d.commands.find((c) => is(c, "LOGIN", "AUTHENTICATE") && c.done?.status === "OK");
    return ok ? { seen: shown(ok) } : { seen: shown(login), why: IMAP_WHY.noLogin };
  },
}, {
  name: "tags",
  title: () => "gives every command its own tag",
  expected: () => ["C: a1 ...", "C: a2 ...", "(no tag used twice)"],
  judge: ({ d }) => {
    const first = new Map<string, ImapCommand>();
    for (const command of d.commands) {
      const before = first.get(command.tag);
      if (before) {
        return {
          seen: [showImap("client", before.line), showImap("client", command.line)],
          why: IMAP_WHY.reusedTag,
        };
      }
      first.set(command.tag, command);
    }
    return { seen: [`(${d.commands.length} commands, ${first.size} tags)`] };
  },
}, {
  name: "select",
  title: () => "selects INBOX before working in it",
  expected: () => ["C: a2 SELECT INBOX", "S: a2 OK [READ-WRITE] ..."],
  judge: ({ d }) => {
    const firstWork = d.commands.findIndex((c) => is(c, ...ACTING, ...LOOKING));
    const before = firstWork < 0 ? d.commands : d.commands.slice(0, firstWork);
    const inbox = (c: ImapCommand) => /^"?inbox"?$/i.test(c.args.trim());
    const selected = before.find((c) => is(c, "SELECT") && inbox(c) && c.done?.status === "OK");
    if (selected) return { seen: shown(selected) };
    const examined = before.find((c) => is(c, "EXAMINE"));
    if (examined) return { seen: shown(examined), why: IMAP_WHY.examine };
    const tried = d.commands.find((c) => is(c, "SELECT"));
    return { seen: tried ? shown(tried) : ["(no SELECT INBOX)"], why: IMAP_WHY.noSelect };
  },
}, {
  name: "find",
  title: (a) => `finds the message with subject ${quoted(a.subject)}`,
  expected: (a) => [`C: a3 SEARCH SUBJECT ${quoted(a.subject)}`, "S: * SEARCH n", "S: a3 OK ..."],
  judge: ({ d }) => {
    const looked = d.commands.find((c) =>
      c.done?.status === "OK" &&
      ((is(c, "SEARCH", "UID SEARCH") && /\bSUBJECT\b/i.test(c.args)) ||
        (is(c, "FETCH", "UID FETCH") && /ENVELOPE|HEADER|RFC822|BODY(\.PEEK)?\[\]/i.test(c.args)))
    );
    if (looked) return { seen: shown(looked) };
    const acted = d.commands.find((c) => is(c, ...ACTING));
    return { seen: acted ? shown(acted) : ["(no SEARCH or FETCH)"], why: IMAP_WHY.notSearched };
  },
}, {
  name: "seen",
  title: () => "marks it seen",
  expected: () => ["C: a4 STORE n +FLAGS (\\Seen)", "S: a4 OK ..."],
  judge: (c) => {
    const copies = c.capture.after.filter((s) => s.messageId === c.target.messageId);
    const seen = stateLines(copies, c);
    if (!copies.some((s) => s.flags.includes("\\Seen"))) {
      const store = c.d.commands.find((x) => is(x, "STORE", "UID STORE"));
      return { seen: [...shown(store), ...seen], why: IMAP_WHY.notSeen };
    }
    return { seen };
  },
}, {
  name: "moved",
  title: (a) => `moves it to ${a.folder}`,
  expected: (
    a,
  ) => [`C: a5 MOVE n ${a.folder}`, "S: a5 OK ...", `(in ${a.folder}, gone from INBOX)`],
  judge: (c) => {
    const copies = c.capture.after.filter((s) => s.messageId === c.target.messageId);
    const seen = stateLines(copies, c);
    const inFolder = copies.filter((s) => s.mailbox === c.a.folder);
    const inInbox = copies.filter((s) => s.mailbox === "INBOX");
    if (inFolder.length === 0) {
      const move = c.d.commands.find((x) => is(x, "MOVE", "UID MOVE", "COPY", "UID COPY"));
      return { seen: [...shown(move), ...seen], why: IMAP_WHY.notMoved };
    }
    if (inInbox.some((s) => s.flags.includes("\\Deleted"))) {
      return { seen, why: IMAP_WHY.notExpunged };
    }
    if (inInbox.length > 0 || inFolder.length > 1) return { seen, why: IMAP_WHY.copied };
    return { seen };
  },
}, {
  name: "others",
  title: () => "leaves every other message as it was",
  expected: (a) => [`(the other ${a.messages.length - 1} messages in INBOX, unread)`],
  judge: (c) => {
    const others = c.a.messages.filter((m) => m.messageId !== c.target.messageId);
    const changed = others.flatMap((m) => {
      const copies = c.capture.after.filter((s) => s.messageId === m.messageId);
      const intact = copies.length === 1 && copies[0].mailbox === "INBOX" &&
        copies[0].flags.length === 0;
      if (intact) return [];
      return copies.length > 0
        ? copies
        : [{ mailbox: "(gone)", messageId: m.messageId, flags: [] }];
    });
    if (changed.length === 0) return { seen: [`(${others.length} messages untouched)`] };
    const onlySeen = changed.every((s) =>
      s.mailbox === "INBOX" && s.flags.every((f) => f === "\\Seen")
    );
    return { seen: stateLines(changed, c), why: onlySeen ? IMAP_WHY.peek : IMAP_WHY.touched };
  },
}, {
  name: "logout",
  title: () => "says LOGOUT and waits for its tagged OK before closing",
  expected: () => ["C: a6 LOGOUT", "S: * BYE ...", "S: a6 OK ...", "(then the client closes)"],
  judge: ({ d, capture }) => {
    const logout = d.commands.find((c) => is(c, "LOGOUT"));
    if (!logout) return { seen: ["(no LOGOUT)"], why: IMAP_WHY.noLogout };
    const seen = shown(logout);
    const closedAt = capture.clientClosedAt;
    if (logout.done?.status !== "OK" || (closedAt !== undefined && closedAt < logout.done.at)) {
      return { seen, why: IMAP_WHY.noLogout };
    }
    return { seen };
  },
}, {
  name: "crlf",
  title: () => "ends every line with CRLF",
  expected: () => ["every line the client sends ends in \\r\\n"],
  judge: ({ d }) => {
    const bad = d.clientLines.find((l) => l.end !== "crlf");
    if (!bad) return { seen: [`(${d.clientLines.length} lines, all CRLF)`] };
    return { seen: [showImap("client", bad)], why: IMAP_WHY.bareLf };
  },
}, {
  name: "time-limit",
  title: (a) => `ends by itself within ${a.timeLimitMs / 1000} s`,
  expected: () => ["the program exits on its own"],
  judge: ({ capture, a }) => timeLimitFinding(capture.exit, a.timeLimitMs, IMAP_WHY.timedOut),
}];

/**
 * Judges one recorded run of a student's IMAP client. Every step is judged, even after a
 * failure, each on the evidence it needs: the dialog for how it talked, the store afterwards for
 * what it did.
 *
 * @param capture What the grader's proxy recorded, the store's state after the run, the exit.
 * @param assignment What the client was asked to do.
 * @returns One step per line of the assignment, and the score.
 *
 * @example A client that copies instead of moving
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeImapClient } from "./grade_imap_judge.ts";
 *
 * let at = 0;
 * const said = (from: "client" | "server", text: string) =>
 *   ({ from, at: at++, bytes: new TextEncoder().encode(text) });
 * const report = judgeImapClient({
 *   connected: true,
 *   chunks: [
 *     said("server", "* OK ready\r\n"), said("client", "a1 LOGIN bob pickles\r\n"),
 *     said("server", "a1 OK\r\n"), said("client", "a2 SELECT INBOX\r\n"), said("server", "a2 OK\r\n"),
 *     said("client", 'a3 SEARCH SUBJECT "Ketchup"\r\n'), said("server", "* SEARCH 2\r\na3 OK\r\n"),
 *     said("client", "a4 STORE 2 +FLAGS (\\Seen)\r\n"), said("server", "a4 OK\r\n"),
 *     said("client", "a5 COPY 2 Recipes\r\n"), said("server", "a5 OK\r\n"),
 *     said("client", "a6 LOGOUT\r\n"), said("server", "* BYE\r\na6 OK\r\n"),
 *   ],
 *   clientClosedAt: at++,
 *   after: [
 *     { mailbox: "INBOX", messageId: "<1@x>", flags: [] },
 *     { mailbox: "INBOX", messageId: "<2@x>", flags: ["\\Seen"] },
 *     { mailbox: "Recipes", messageId: "<2@x>", flags: ["\\Seen"] },
 *   ],
 *   exit: { code: 0, timedOut: false, stderr: "" },
 * }, {
 *   user: "bob", password: "pickles", subject: "Ketchup", folder: "Recipes", timeLimitMs: 30000,
 *   messages: [{ messageId: "<1@x>", subject: "Lunch" }, { messageId: "<2@x>", subject: "Ketchup" }],
 * });
 * assert.deepEqual(report.steps.filter((s) => !s.passed).map((s) => s.name), ["moved"]);
 * ```
 */
export function judgeImapClient(capture: ImapCapture, assignment: ImapAssignment): GradeReport {
  const target = assignment.messages.find((m) => m.subject === assignment.subject);
  if (!target) throw new RangeError(`No message has the subject "${assignment.subject}"`);
  const context: Context = { d: readImapDialog(capture.chunks), a: assignment, capture, target };
  return judgeSteps(STEPS, context, assignment, capture.connected, IMAP_WHY.notConnected);
}
