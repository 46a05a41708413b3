/**
 * A mail server's record of its dialogs: one transcript per connection, every hop kind named
 * (`mx`, `submission`, `imap`, `relay`), the newest kept, and each line told as an event to whoever
 * follows the server live (the lab prints them).
 *
 * @module
 */
import type { Clock } from "../protocol/clock.ts";
import { Transcript, type TranscriptFactory } from "../protocol/transcript.ts";
import type { ServerEvent } from "./events.ts";

/** Options of {@linkcode TranscriptLog}. */
export interface TranscriptLogOptions {
  /** The server's domain, named in titles and diagrams. */
  domain: string;
  /** Stamps the connection events. */
  clock: Clock;
  /** Transcripts kept, newest last. @default 100 */
  max?: number;
  /** Told of every connection and every line. @default nothing */
  emit?: (event: ServerEvent) => void;
  /**
   * Whether anyone follows the dialogs line by line, asked at each line: when not, no `command`
   * or `reply` event is made (the transcript records the line all the same). @default always
   */
  following?: () => boolean;
}

/**
 * The transcripts of one server.
 *
 * @example Name a hop's transcripts and keep them
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { TranscriptLog } from "./transcript_log.ts";
 *
 * const log = new TranscriptLog({ domain: "hamburger.edu", clock: new ManualClock() });
 * const transcript = log.factory("MX")({ protocol: "SMTP", remote: "127.0.0.1:5000", local: "127.0.0.1:25" })!;
 * transcript.server("220 hamburger.edu");
 * assert.equal(log.transcripts[0].role, "mx");
 * assert.equal(transcript.title, "SMTP (MX) at hamburger.edu, client 127.0.0.1:5000");
 * ```
 */
export class TranscriptLog {
  #options: TranscriptLogOptions;
  #transcripts: Transcript[] = [];

  /**
   * Starts an empty log.
   *
   * @param options The domain, the clock, how many to keep, and who to tell.
   */
  constructor(options: TranscriptLogOptions) {
    this.#options = options;
  }

  /** The recorded dialogs, oldest first. */
  get transcripts(): readonly Transcript[] {
    return this.#transcripts;
  }

  /** Forgets the recorded dialogs. */
  clear(): void {
    this.#transcripts = [];
  }

  /**
   * What a listener (or the relay) calls for each connection of one hop kind.
   *
   * @param role `MX`, `submission`, `IMAP` or `relay`.
   * @returns The factory.
   */
  factory(role: string): TranscriptFactory {
    const { domain, emit } = this.#options;
    const following = this.#options.following ?? (() => true);
    const relay = role === "relay";
    return (info) => {
      const transcript = new Transcript({
        role: role.toLowerCase(),
        // A relay's other side is named by the domain it delivers to, the address beside it.
        title: relay
          ? `SMTP relay: ${domain} → ${info.peer ? `${info.peer} (${info.remote})` : info.remote}`
          : `${info.protocol} (${role}) at ${domain}, client ${info.remote}`,
        client: relay ? domain : info.remote,
        server: relay ? info.peer ?? info.remote : domain,
        onRecord: emit
          ? (entry) => {
            if (entry.side === "*" || !following()) return;
            emit({
              type: entry.side === "C" ? "command" : "reply",
              protocol: relay ? "SMTP relay" : info.protocol,
              remote: info.remote,
              text: entry.text,
              at: entry.at,
            });
          }
          : undefined,
      });
      this.#transcripts.push(transcript);
      const max = this.#options.max ?? 100;
      if (this.#transcripts.length > max) {
        this.#transcripts.splice(0, this.#transcripts.length - max);
      }
      if (!relay) {
        emit?.({
          type: "connection",
          protocol: `${info.protocol} ${role}`,
          remote: info.remote,
          local: info.local,
          at: this.#options.clock.now(),
        });
      }
      return transcript;
    };
  }
}
