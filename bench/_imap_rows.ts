/**
 * One measured IMAP session of the bench, the same for every server: the rows, each timed with
 * `performance.now()` around its commands and checked against what the mailbox holds, so that
 * no row ever times an error or a wrong answer.
 *
 * @module
 */
import { LoadClient, type Response } from "./_imap_load.ts";
import { benchMessage, random, SEARCH_WORD, searchHits } from "./_imap_messages.ts";
import type { RunningServer } from "./_imap_targets.ts";

/** The rows, in the table's order. */
export const ROWS = [
  "connect + LOGIN + SELECT",
  "FETCH 1:* (FLAGS UID ENVELOPE)",
  "UID FETCH 1:1000 BODY[]",
  "small UID FETCH, p50 of 200",
  `SEARCH TEXT "${SEARCH_WORD}"`,
  "IDLE: delivery to EXISTS, p50 of 5",
] as const;

/** A row's name. */
export type Row = typeof ROWS[number];

/** What a mailbox of `count` messages must answer. */
export interface Expected {
  /** Messages in INBOX. */
  count: number;
  /** Messages `SEARCH TEXT` finds. */
  hits: number;
  /** The bytes of messages 1..min(1000, count). */
  bodyBytes: number;
}

/**
 * The answers a mailbox of the bench's first `count` messages must give.
 *
 * @param count Its size.
 * @returns The expected counts.
 */
export function expected(count: number): Expected {
  let bodyBytes = 0;
  for (let n = 1; n <= Math.min(1000, count); n++) bodyBytes += benchMessage(n).length;
  return { count, hits: searchHits(count), bodyBytes };
}

/** A session's results: each row's milliseconds, or the reason it failed. */
export type SessionResult = Map<Row, number | Error>;

let idleMessages = 0;
const SMALL_FETCHES = 200;
const IDLE_DELIVERIES = 5;

/**
 * Runs every row once on a new connection, as bob.
 *
 * @param server The server, started.
 * @param want What the mailbox holds.
 * @param password Bob's password.
 * @returns Each row's time in milliseconds, or the error that stopped it.
 */
export async function measureSession(
  server: RunningServer,
  want: Expected,
  password: string,
): Promise<{ rows: SessionResult; peak: number }> {
  const rows: SessionResult = new Map();
  let client: LoadClient | undefined;
  let peak = 0;
  const time = async (row: Row, work: () => Promise<number | void>) => {
    const started = performance.now();
    try {
      const measured = await work();
      rows.set(row, measured ?? performance.now() - started);
    } catch (error) {
      rows.set(row, error instanceof Error ? error : new Error(String(error)));
    }
  };
  try {
    await time("connect + LOGIN + SELECT", async () => {
      client = await LoadClient.connect(server.port);
      await client.command(`LOGIN bob ${password}`);
      let exists = -1;
      await client.command("SELECT INBOX", (r) => {
        const m = /^\* (\d+) EXISTS/.exec(r.text);
        if (m) exists = Number(m[1]);
      });
      check(exists === want.count, `SELECT said ${exists} EXISTS, not ${want.count}`);
    });
    const opened = rows.get("connect + LOGIN + SELECT");
    if (opened instanceof Error || !client) throw opened;
    const c: LoadClient = client;
    await time("FETCH 1:* (FLAGS UID ENVELOPE)", async () => {
      let fetched = 0;
      await c.command("FETCH 1:* (FLAGS UID ENVELOPE)", (r) => {
        if (isFetch(r) && r.text.includes("ENVELOPE (")) fetched++;
      });
      check(fetched === want.count, `FETCH 1:* answered ${fetched} of ${want.count} messages`);
    });
    await time("UID FETCH 1:1000 BODY[]", async () => {
      const last = Math.min(1000, want.count);
      let fetched = 0;
      let bytes = 0;
      await c.command(`UID FETCH 1:${last} BODY[]`, (r) => {
        if (!isFetch(r)) return;
        fetched++;
        bytes += r.literalBytes;
      });
      check(fetched === last, `UID FETCH 1:${last} BODY[] answered ${fetched} messages`);
      check(bytes === want.bodyBytes, `BODY[] gave ${bytes} bytes, not ${want.bodyBytes}`);
    });
    await time("small UID FETCH, p50 of 200", async () => {
      const next = random(want.count);
      const times: number[] = [];
      for (let i = 0; i < SMALL_FETCHES; i++) {
        const uid = 1 + Math.floor(next() * want.count);
        let subject = "";
        const started = performance.now();
        await c.command(
          `UID FETCH ${uid} (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])`,
          (r) => {
            if (isFetch(r)) subject = r.text;
          },
          { keepLiterals: true },
        );
        times.push(performance.now() - started);
        check(subject.includes(`Subject: #${uid} `), `UID ${uid} is not message #${uid}`);
      }
      return median(times);
    });
    await time(`SEARCH TEXT "${SEARCH_WORD}"`, async () => {
      let found = -1;
      await c.command(`SEARCH TEXT ${SEARCH_WORD}`, (r) => {
        if (r.text.startsWith("* SEARCH")) found = r.text.split(" ").length - 2;
      });
      check(found === want.hits, `SEARCH TEXT found ${found}, not ${want.hits}`);
    });
    await time("IDLE: delivery to EXISTS, p50 of 5", async () => {
      const times: number[] = [];
      for (let i = 0; i < IDLE_DELIVERIES; i++) {
        times.push(await idleOnce(c, server, want.count + i));
      }
      // Leave the mailbox as it was for the next session.
      await c.command(`STORE ${want.count + 1}:* +FLAGS.SILENT (\\Deleted)`);
      let expunged = 0;
      await c.command("EXPUNGE", (r) => {
        if (/^\* \d+ EXPUNGE/.test(r.text)) expunged++;
      });
      check(expunged === IDLE_DELIVERIES, `EXPUNGE removed ${expunged} messages`);
      return median(times);
    });
    peak = await server.peak();
    await c.command("LOGOUT", undefined, { bye: true });
  } catch (error) {
    for (const row of ROWS) if (!rows.has(row)) rows.set(row, error as Error);
  } finally {
    client?.close();
  }
  return { rows, peak };
}

/** IDLEs, has the server deliver one message, and times until its EXISTS arrives. */
async function idleOnce(c: LoadClient, server: RunningServer, before: number): Promise<number> {
  const tag = c.takeTag();
  await c.send(`${tag} IDLE`);
  for (;;) {
    const r = await c.response();
    if (r.text.startsWith("+")) break;
    check(r.text.startsWith("*"), `IDLE answered ${r.text.slice(0, 200)}`);
  }
  const started = performance.now();
  const delivered = server.deliver(++idleMessages);
  for (;;) {
    const r = await c.response();
    const m = /^\* (\d+) EXISTS/.exec(r.text);
    if (m && Number(m[1]) > before) break;
    check(r.text.startsWith("*"), `IDLE answered ${r.text.slice(0, 200)}`);
  }
  const took = performance.now() - started;
  await delivered;
  await c.send("DONE");
  await c.until(tag);
  return took;
}

function isFetch(r: Response): boolean {
  return /^\* \d+ FETCH /.test(r.text);
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
