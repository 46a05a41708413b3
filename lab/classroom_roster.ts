/**
 * A class's roster as a teacher writes it: a CSV file with one student a line, either names
 * only, or under a header naming the columns `name`, `group` and `host` (others are ignored, so a
 * school system's export works as it is). And the optional hosts file that says which machine
 * runs which domain.
 *
 * ```
 * name,group,host
 * Kim Minji,Team 1,10.0.0.11
 * "Lee, Jisoo",Team 2,10.0.0.12
 * ```
 *
 * @module
 */

/** One student of the roster. */
export interface RosterEntry {
  /** The name as written. */
  name: string;
  /** The group, when the roster has a `group` column and it is filled. */
  group?: string;
  /** The machine's address, when the roster has a `host` column and it is filled. */
  host?: string;
  /** The line of the file, for messages. */
  line: number;
}

/** A roster or hosts file that cannot be read. The message names the line. */
export class RosterError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong, and where.
   */
  constructor(message: string) {
    super(message);
    this.name = "RosterError";
  }
}

/**
 * Splits CSV text into rows of fields (RFC 4180: fields in double quotes may hold commas, line
 * breaks and `""` for a quote). Blank lines and lines starting with `#` are left out.
 *
 * @param text The file's text (a UTF-8 byte order mark is dropped).
 * @returns Each row's line number and trimmed fields.
 * @throws {RosterError} For a quote that is never closed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvRows } from "./classroom_roster.ts";
 *
 * assert.deepEqual(csvRows('\uFEFFname\n\n# a comment\n"Lee, Jisoo", x \r\n'), [
 *   { line: 1, fields: ["name"] },
 *   { line: 4, fields: ["Lee, Jisoo", "x"] },
 * ]);
 * ```
 */
export function csvRows(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  const source = text.replace(/^\uFEFF/, "");
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRow = () => {
    fields.push(field);
    const trimmed = fields.map((f) => f.trim());
    const blank = trimmed.every((f) => f === "");
    if (!blank && !trimmed[0].startsWith("#")) rows.push({ line: start, fields: trimmed });
    fields = [];
    field = "";
    start = line;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n") {
      line++;
      endRow();
    } else if (ch !== "\r") {
      field += ch;
    }
  }
  if (quoted) throw new RosterError(`Line ${start}: a quote (") is never closed`);
  endRow();
  return rows;
}

const COLUMNS = ["name", "group", "host"] as const;

/**
 * Reads a roster: names one a line, or a header line with a `name` column (and `group`, `host`).
 *
 * @param text The CSV file's text.
 * @returns The students, in the file's order.
 * @throws {RosterError} For an empty roster, a line without a name, or several columns without
 *   a header.
 *
 * @example Names only, and with a header
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRoster } from "./classroom_roster.ts";
 *
 * assert.deepEqual(parseRoster("Kim Minji\n박서준\n"), [
 *   { name: "Kim Minji", line: 1 },
 *   { name: "박서준", line: 2 },
 * ]);
 * assert.deepEqual(parseRoster("Host,Name,email\n10.0.0.11,Kim Minji,minji@school.kr\n"), [
 *   { name: "Kim Minji", host: "10.0.0.11", line: 2 },
 * ]);
 * assert.throws(() => parseRoster("Kim,Minji\n"), /Line 1 has 2 columns but the roster has no header/);
 * ```
 */
export function parseRoster(text: string): RosterEntry[] {
  const rows = csvRows(text);
  const header = rows[0]?.fields.map((f) => f.toLowerCase());
  const hasHeader = header?.includes("name") ?? false;
  const index = Object.fromEntries(
    COLUMNS.map((
      column,
    ) => [column, hasHeader ? header!.indexOf(column) : column === "name" ? 0 : -1]),
  ) as Record<(typeof COLUMNS)[number], number>;
  const entries: RosterEntry[] = [];
  for (const { line, fields } of hasHeader ? rows.slice(1) : rows) {
    if (!hasHeader && fields.length > 1) {
      throw new RosterError(
        `Line ${line} has ${fields.length} columns but the roster has no header: ` +
          `start it with a line such as "name,group,host", or put each name in double quotes`,
      );
    }
    const cell = (column: (typeof COLUMNS)[number]) =>
      index[column] < 0 ? undefined : fields[index[column]] || undefined;
    const name = cell("name");
    if (name === undefined) throw new RosterError(`Line ${line} has no name`);
    const group = cell("group");
    const host = cell("host");
    if (host !== undefined) checkHost(host, `Line ${line}`);
    entries.push({ name, ...(group ? { group } : {}), ...(host ? { host } : {}), line });
  }
  if (entries.length === 0) throw new RosterError("The roster has no student");
  return entries;
}

/**
 * Checks that a host is an IPv4 or IPv6 address or a host name, as a route and a listener take.
 *
 * @param host The host.
 * @param where Where it was written, for the message.
 * @returns The host.
 * @throws {RosterError} When it is none of these.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHost } from "./classroom_roster.ts";
 *
 * assert.equal(checkHost("10.0.0.11", "here"), "10.0.0.11");
 * assert.throws(() => checkHost("10.0.0.11:25", "Line 3"), /Line 3: "10.0.0.11:25" is not/);
 * ```
 */
export function checkHost(host: string, where: string): string {
  const ipv6 = host.split(":").length > 2 && /^[0-9a-fA-F:.]+$/.test(host);
  const name = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host);
  if (!ipv6 && !name) {
    throw new RosterError(
      `${where}: "${host}" is not a machine's address (such as 10.0.0.11 or pc12.school.lan, without a port)`,
    );
  }
  return host;
}

/**
 * Reads a hosts file: lines `KEY,HOST`, where KEY is a student's or a group's name as in the
 * roster, its label, or its whole domain. A header line whose second column is `host` is skipped.
 *
 * @param text The file's text.
 * @returns KEY in lower case to host.
 * @throws {RosterError} For a line that is not two columns, or a bad host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHosts } from "./classroom_roster.ts";
 *
 * const hosts = parseHosts("group,host\nTeam 1,10.0.0.11\nteam-2.class.test,10.0.0.12\n");
 * assert.deepEqual([...hosts], [["team 1", "10.0.0.11"], ["team-2.class.test", "10.0.0.12"]]);
 * ```
 */
export function parseHosts(text: string): Map<string, string> {
  const hosts = new Map<string, string>();
  for (const { line, fields } of csvRows(text)) {
    if (fields.length !== 2) {
      throw new RosterError(
        `Hosts line ${line}: expected "name,host", got ${fields.length} columns`,
      );
    }
    if (line === 1 && fields[1].toLowerCase() === "host") continue;
    hosts.set(fields[0].toLowerCase(), checkHost(fields[1], `Hosts line ${line}`));
  }
  return hosts;
}
