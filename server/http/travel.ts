/**
 * How a message travelled: the recorded dialogs of its hops (submission, relay, delivery),
 * found by its Message-ID among the servers' transcripts, shown as the course's `C:`/`S:` lines.
 *
 * What a hop's dialog says about other people is left out: a recipient other than the reader (a
 * Bcc, say) shows as `(another recipient)`, and the message itself, which the reader has anyway,
 * shows as one line.
 *
 * @module
 */
import { renderSequenceDiagram } from "../../protocol/sequence_diagram.ts";
import type { Transcript, TranscriptEntry } from "../../protocol/transcript.ts";

/** One hop's dialog. */
export interface TravelHop {
  /** Which hop: `submission`, `http`, `relay`, `mx`. */
  role: string;
  /** The dialog's heading, such as `SMTP relay: crepes.fr → hamburger.edu (127.0.0.1:20025)`. */
  title: string;
  /** Its two sides' names. */
  client: string;
  server: string;
  /** When it began, in milliseconds since the epoch. */
  at: number;
  /** The lines, as `C: ...`, `S: ...` and `*  ...` (notes). */
  lines: string[];
  /** The dialog as an SVG sequence diagram. */
  svg: string;
}

const ADDRESS = /<?[^\s<>@:;,()]+@[^\s<>@:;,()]+>?/g;

/**
 * The hops of a message, oldest first.
 *
 * @param transcripts Where to look (a server's, or every server's in the lab).
 * @param messageId The message's Message-ID, with its angle brackets.
 * @param reader The reader's address: the one recipient shown.
 * @param options `showRecipients` for the message's sender, who knows them all.
 * @returns The dialogs that carried it, in the order the message went.
 *
 * @example A relay's dialog, with the Bcc hidden
 * ```ts
 * import assert from "node:assert/strict";
 * import { Transcript } from "../../protocol/transcript.ts";
 * import { travelOf } from "./travel.ts";
 *
 * const t = new Transcript({ role: "relay", client: "crepes.fr", server: "hamburger.edu" });
 * for (const line of ["MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>", "RCPT TO:<carol@hamburger.edu>", "DATA"]) t.client(line);
 * t.server("354 Go ahead");
 * for (const line of ["Message-ID: <1@crepes.fr>", "", "Hi", "."]) t.client(line);
 * t.server("250 OK");
 * const [hop] = travelOf([t], "<1@crepes.fr>", "bob@hamburger.edu");
 * assert.deepEqual(hop.lines, [
 *   "C: MAIL FROM:<alice@crepes.fr>",
 *   "C: RCPT TO:<bob@hamburger.edu>",
 *   "C: RCPT TO:(another recipient)",
 *   "C: DATA",
 *   "S: 354 Go ahead",
 *   "C: (the message: 3 lines, Message-ID <1@crepes.fr>)",
 *   "C: .",
 *   "S: 250 OK",
 * ]);
 * ```
 */
export function travelOf(
  transcripts: readonly Transcript[],
  messageId: string,
  reader: string,
  options: { showRecipients?: boolean } = {},
): TravelHop[] {
  const wanted = `message-id: ${messageId.toLowerCase()}`;
  const hops: (TravelHop & { sent: number })[] = [];
  for (const transcript of transcripts) {
    const entries = transcript.entries;
    const found = entries.find((e) => e.side === "C" && e.text.toLowerCase() === wanted);
    if (!found) continue;
    const shown = redact(
      entries,
      messageId,
      options.showRecipients ? undefined : reader.toLowerCase(),
    );
    hops.push({
      sent: found.at,
      role: transcript.role,
      title: transcript.title,
      client: transcript.clientName,
      server: transcript.serverName,
      at: entries[0]?.at ?? 0,
      lines: shown.map((e) => `${e.side === "*" ? "* " : `${e.side}:`} ${e.text}`),
      // The diagram folds the message text into one arrow itself.
      svg: renderSequenceDiagram({
        clientName: transcript.clientName,
        serverName: transcript.serverName,
        entries: options.showRecipients ? entries : entries.map((e) => ({
          ...e,
          text: hideOthers(e.text, reader.toLowerCase()),
        })),
      }),
    });
  }
  // In the order the message went: by when its Message-ID line passed; a relay and the MX it
  // talks to see it in the same millisecond, and then the sending side comes first.
  const rank = (role: string) => ["http submission", "submission", "relay", "mx"].indexOf(role);
  hops.sort((a, b) => a.sent - b.sent || rank(a.role) - rank(b.role));
  return hops.map(({ sent: _, ...hop }) => hop);
}

// The message text between 354 (or a BDAT) and its end becomes one line; other recipients go.
function redact(
  entries: readonly TranscriptEntry[],
  messageId: string,
  reader: string | undefined,
): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  let inMessage = false;
  let lines = 0;
  let at = 0;
  for (const entry of entries) {
    if (inMessage && entry.side === "*") continue; // the transcript's own "(n more lines)"
    if (inMessage && entry.side === "C") {
      if (entry.text === ".") {
        out.push({ side: "C", text: `(the message: ${lines} lines, Message-ID ${messageId})`, at });
        out.push(entry);
        inMessage = false;
      } else {
        lines++;
        at ||= entry.at;
      }
      continue;
    }
    if (entry.side === "S" && entry.text.startsWith("354")) {
      inMessage = true;
      lines = 0;
      at = 0;
    }
    out.push(reader === undefined ? entry : { ...entry, text: hideOthers(entry.text, reader) });
  }
  return out;
}

function hideOthers(text: string, reader: string): string {
  if (!/^RCPT TO:|^recipient:|^250[ -]2\.1\.5 |^55\d[ -]|^45\d[ -]/i.test(text)) return text;
  return text.replace(ADDRESS, (address) => {
    const bare = address.replace(/^<|>$/g, "").toLowerCase();
    return bare === reader ? address : "(another recipient)";
  });
}
