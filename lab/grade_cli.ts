/**
 * `deno task grade`: grades a student's program for one of the course's assignments.
 *
 * ```
 * deno task grade smtp-client [--json] [--student NAME] [--time-limit 30] -- python3 client.py
 * deno task grade imap-client -- python3 mover.py
 * deno task grade parser -- python3 parse_headers.py
 * ```
 *
 * Exits 0 only when every step passed, 1 when some failed, 2 when the grader could not run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { formatGradeReport, GradeError, gradeSmtpClient } from "./grade_smtp.ts";
import { gradeImapClient } from "./grade_imap.ts";
import { gradeParser } from "./grade_parser.ts";
import type { GradeReport } from "./grade_judge.ts";

interface Assignment {
  about: string;
  grade(
    command: string[],
    options: { student: string; timeLimitMs: number },
  ): Promise<GradeReport>;
}

const ASSIGNMENTS: Record<string, Assignment> = {
  "smtp-client": {
    about: `the SMTP-client assignment (the textbook's socket SMTP lab): the program gets
                     SMTP_HOST, SMTP_PORT, MAIL_FROM, RCPT_TO, SUBJECT and BODY_FILE in its
                     environment and must send that message by SMTP`,
    grade: (command, options) => gradeSmtpClient(command, options),
  },
  "imap-client": {
    about: `the IMAP-client assignment: the program gets IMAP_HOST, IMAP_PORT, IMAP_USER,
                     IMAP_PASSWORD, SUBJECT and FOLDER, and must log in, find the message with
                     that subject in INBOX, mark it seen and move it to FOLDER`,
    grade: (command, options) => gradeImapClient(command, options),
  },
  "parser": {
    about: `the parser assignment (parseHeaders for folded and encoded fields): the
                     program is run once per case of a corpus, reads a message on stdin and
                     prints its header as a JSON array of [name, value] pairs, unfolded and
                     decoded; each case is compared with the toolkit's parser (the time
                     limit is per case)`,
    grade: (command, options) => gradeParser(command, options),
  },
};

const HELP = `Usage: deno task grade ASSIGNMENT [--json] [--student NAME] [--time-limit SECONDS] \\
         -- COMMAND [ARGS...]

${Object.entries(ASSIGNMENTS).map(([name, a]) => `  ${name.padEnd(17)}  ${a.about}`).join("\n")}
  --json             print the report as JSON
  --student NAME     the student's name: it picks the student's own variant of the task
                     (default: STUDENT from the environment, else the course's default task)
  --time-limit S     stop the program after S seconds (default: 30)

Example: deno task grade smtp-client --student "Kim Minji" -- python3 client.py`;

class UsageError extends Error {}

/**
 * Runs the grader.
 *
 * @param args The command line after `deno task grade`.
 * @returns The exit code and the text to print.
 */
export async function main(args: string[]): Promise<{ code: number; text: string }> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      student: { type: "string" },
      "time-limit": { type: "string", default: "30" },
      help: { type: "boolean", default: false },
    },
  });
  const [name, ...command] = positionals;
  if (values.help || !name) return { code: values.help ? 0 : 2, text: HELP };
  const assignment = Object.hasOwn(ASSIGNMENTS, name) ? ASSIGNMENTS[name] : undefined;
  if (!assignment) throw new UsageError(`Unknown assignment "${name}"\n\n${HELP}`);
  const seconds = Number(values["time-limit"]);
  if (!(seconds > 0)) {
    throw new UsageError(
      `Cannot use time limit "${values["time-limit"]}": not a number of seconds`,
    );
  }
  const student = values.student ?? Deno.env.get("STUDENT") ?? "";
  const report = await assignment.grade(command, { student, timeLimitMs: seconds * 1000 });
  const text = values.json ? JSON.stringify(report, null, 2) : formatGradeReport(report);
  return { code: report.score === report.total ? 0 : 1, text };
}

if (import.meta.main) {
  try {
    const { code, text } = await main(Deno.args);
    console.log(text);
    Deno.exit(code);
  } catch (error) {
    if (
      !(error instanceof UsageError || error instanceof GradeError || error instanceof TypeError)
    ) {
      throw error;
    }
    console.error(error.message);
    Deno.exit(2);
  }
}
