/**
 * What a command handler may see and change of its session. Each command lives in its own file
 * under `commands/` and receives this context; the session owns the state.
 *
 * @module
 */
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import type { ResolvedSessionOptions } from "./options.ts";
import type { Envelope, SmtpClientInfo, SmtpState } from "./types.ts";

export type { ResolvedSessionOptions } from "./options.ts";

/** One step of an AUTH exchange: takes the client's next line, returns the reply. */
export type AuthStep = (line: string) => Promise<SmtpReply>;

/** The session as one command sees it. */
export interface CommandContext {
  /** The session's options. */
  readonly options: ResolvedSessionOptions;
  /** What is known of the client; commands fill in `helo`, `esmtp` and `user`. */
  readonly client: SmtpClientInfo;
  /** Where the session is. */
  state: SmtpState;
  /** The message under way, from MAIL until the end of DATA or RSET. */
  envelope: Envelope | undefined;
  /** Switches input to message text; the session answers at the end-of-data line. */
  beginData(): void;
  /**
   * Switches input to `size` raw bytes of a BDAT chunk (RFC 3030). With a refusal, the bytes are
   * read and dropped, and the refusal is the reply.
   */
  beginChunk(size: number, last: boolean, refusal?: SmtpReply): void;
  /** Whether BDAT chunks of this message have already arrived (DATA may not follow). */
  readonly chunking: boolean;
  /** Routes the client's next line to `step` instead of the command table (AUTH). */
  continueAuth(step: AuthStep): void;
  /** Tells the transcript the name the client gave itself. */
  named(name: string): void;
  /** The extension lines EHLO advertises. */
  extensions(): string[];
  /** The verbs HELP lists. */
  verbs(): string[];
  /** A verb's syntax, for HELP; `undefined` for an unknown verb. */
  syntaxOf(verb: string): string | undefined;
}

/** One command: its syntax (shown in 501 replies), the states that allow it, and its handler. */
export interface SmtpCommand {
  /** The syntax, as `501 5.5.4 Syntax: ...` shows it. */
  syntax: string;
  /** The states in which the command is in order. */
  states: readonly SmtpState[];
  /** The reply when the command comes in another state (after the common HELO check). */
  outOfOrder?: (state: SmtpState) => SmtpReply;
  /** Runs the command; `undefined` means the reply comes later (after a BDAT chunk). */
  run(context: CommandContext, args: string): SmtpReply | undefined | Promise<SmtpReply>;
}
