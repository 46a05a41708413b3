/**
 * `deno task grade`: grades a student's program for one of the course's assignments.
 *
 * ```
 * deno task grade smtp-client [--json] [--time-limit 30] -- python3 client.py
 * ```
 *
 * Exits 0 only when every step passed, 1 when some failed, 2 when the grader could not run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { formatGradeReport, GradeError, gradeSmtpClient } from "./grade_smtp.ts";

const HELP =
  `Usage: deno task grade smtp-client [--json] [--time-limit SECONDS] -- COMMAND [ARGS...]

  smtp-client        the SMTP-client assignment (the textbook's socket SMTP lab): the
                     program gets SMTP_HOST, SMTP_PORT, MAIL_FROM, RCPT_TO, SUBJECT and
                     BODY_FILE in its environment and must send that message by SMTP
  --json             print the report as JSON
  --time-limit S     stop the program after S seconds (default: 30)

Example: deno task grade smtp-client -- python3 client.py`;

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
      "time-limit": { type: "string", default: "30" },
      help: { type: "boolean", default: false },
    },
  });
  const [assignment, ...command] = positionals;
  if (values.help || !assignment) return { code: values.help ? 0 : 2, text: HELP };
  if (assignment !== "smtp-client") {
    throw new UsageError(`Unknown assignment "${assignment}"\n\n${HELP}`);
  }
  const seconds = Number(values["time-limit"]);
  if (!(seconds > 0)) {
    throw new UsageError(
      `Cannot use time limit "${values["time-limit"]}": not a number of seconds`,
    );
  }
  const report = await gradeSmtpClient(command, { timeLimitMs: seconds * 1000 });
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
