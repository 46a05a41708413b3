/**
 * `deno task queue` and `deno task fault`: the operator's commands for a running lab, in the
 * spirit of `mailq`, `postqueue -f` and `postsuper -d`. They reach the lab through its control
 * endpoint, found in `<data>/control.json` (see `control.ts`).
 *
 * ```
 * deno task queue list [--domain D] [--server S]
 * deno task queue show ID
 * deno task queue flush [--domain D] [--server S]
 * deno task queue delete ID
 * deno task fault DOMAIN stop|start|clear|421|451|550 [--for 10m] [--at mail|rcpt|data]
 * deno task fault DOMAIN slow 5s [--for 2m]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { EntryView, QueueView } from "../server/queue/queue_view.ts";
import type { ControlInfo } from "./control.ts";

const QUEUE_HELP =
  `Usage: deno task queue list|show ID|flush|delete ID [--domain D] [--server S] [--data DIR]

  list            the queued messages of every lab server (like mailq)
  show ID         one message: recipients, attempts, last errors
  flush           try every waiting message now (like postqueue -f)
  delete ID       remove a message without a bounce (like postsuper -d)
  --domain D      only messages to destination D
  --server S      only the queue of lab server S
  --data DIR      the running lab's data directory (default: lab-data)
  --json          print the answer as JSON`;

const FAULT_HELP =
  `Usage: deno task fault DOMAIN ACTION [--for DURATION] [--at mail|rcpt|data] [--data DIR]

  stop | start    close or reopen DOMAIN's SMTP port
  421             refuse every connection with 421 (and close it)
  451 | 550       answer RCPT (or --at mail|data) with 451 or 550
  slow 5s         wait before each answer
  clear           end every fault
  --for 10m       how long the fault lasts (default: until cleared)`;

class CliError extends Error {}

async function control(dir: string): Promise<ControlInfo> {
  const file = join(dir, "control.json");
  try {
    return JSON.parse(await Deno.readTextFile(file));
  } catch {
    throw new CliError(
      `No running lab found (cannot read "${file}"). Start one with: deno task lab (or give the lab's --data DIR)`,
    );
  }
}

async function call(
  info: ControlInfo,
  request: { method: string; path: string; body?: unknown },
): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(info.url + request.path, {
      method: request.method,
      headers: { authorization: `Bearer ${info.token}`, "content-type": "application/json" },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
  } catch (error) {
    throw new CliError(`The lab at ${info.url} does not answer: ${(error as Error).message}`);
  }
  const answer = await response.json();
  if (!response.ok) throw new CliError(String(answer.error ?? response.statusText));
  return answer;
}

async function queue(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      domain: { type: "string" },
      server: { type: "string" },
      data: { type: "string", default: "lab-data" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const [command, id] = positionals;
  if (values.help || !command) return QUEUE_HELP;
  const info = await control(values.data);
  const filter = { domain: values.domain, server: values.server };
  let answer: Record<string, unknown>;
  if (command === "list") {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as string[][]);
    answer = await call(info, { method: "GET", path: `/queue?${query}` });
    if (!values.json) {
      return new QueueView(answer.entries as [], { now: answer.now as number }).toString();
    }
  } else if (command === "show" && id) {
    answer = await call(info, { method: "GET", path: `/queue/${encodeURIComponent(id)}` });
    if (!values.json) {
      const view = new EntryView(answer.entry as never, { now: answer.now as number });
      return `Queue of ${answer.server}\n${view}`;
    }
  } else if (command === "flush") {
    answer = await call(info, { method: "POST", path: "/queue/flush", body: filter });
    if (!values.json) return `${answer.flushed} message(s) made due now`;
  } else if (command === "delete" && id) {
    answer = await call(info, { method: "DELETE", path: `/queue/${encodeURIComponent(id)}` });
    if (!values.json) return `Deleted ${answer.deleted}`;
  } else {
    throw new CliError(`Unknown queue command "${positionals.join(" ")}"\n\n${QUEUE_HELP}`);
  }
  return JSON.stringify(answer, null, 2);
}

async function fault(args: string[]): Promise<string> {
  const dataAt = args.indexOf("--data");
  const dir = dataAt >= 0 ? args[dataAt + 1] ?? "" : "lab-data";
  const words = dataAt >= 0 ? [...args.slice(0, dataAt), ...args.slice(dataAt + 2)] : args;
  if (words.length < 2 || words.includes("--help")) return FAULT_HELP;
  const [domain, ...rest] = words;
  const answer = await call(await control(dir), {
    method: "POST",
    path: "/fault",
    body: { domain, words: rest },
  });
  return String(answer.state);
}

if (import.meta.main) {
  const [mode, ...args] = Deno.args;
  try {
    console.log(mode === "fault" ? await fault(args) : await queue(args));
  } catch (error) {
    if (!(error instanceof CliError || error instanceof TypeError)) throw error;
    console.error(error.message);
    Deno.exit(error instanceof CliError ? 1 : 2);
  }
}
