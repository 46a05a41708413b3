/**
 * What a command handler sees of its session, and what it hands back. Each command lives in its
 * own file under `commands/`: it reads the session through a read-only {@linkcode CommandContext}
 * and returns a {@linkcode CommandOutcome} (the reply, and what changes), which the session applies.
 * No handler reaches into the session.
 *
 * @module
 */
import type { SmtpReply } from "../../protocol/smtp/reply.ts";
import { COMMANDS, extensionsFor, isVerb } from "./commands/table.ts";
import type { ResolvedSessionOptions } from "./options.ts";
import type { Envelope, SmtpClientInfo, SmtpState } from "./types.ts";

export type { ResolvedSessionOptions } from "./options.ts";

/** One step of an AUTH exchange: takes the client's next line, returns what follows. */
export type AuthStep = (line: string) => CommandResult | Promise<CommandResult>;

/** What input the session reads after a command's reply, when not another command. */
export type NextInput =
  /** Message text up to a line holding only "." (DATA). */
  | { input: "data" }
  /** `size` raw bytes of a BDAT chunk (RFC 3030); with a refusal they are read and dropped. */
  | { input: "chunk"; size: number; last: boolean; refusal?: SmtpReply }
  /** The client's answer to an AUTH challenge, for `step`. */
  | { input: "auth"; step: AuthStep }
  /** A TLS handshake (STARTTLS, RFC 3207), once the reply is sent. */
  | { input: "tls" };

/** What a command decided: the reply, and what changes in the session. */
export interface CommandOutcome {
  /** The reply; absent for BDAT, whose reply follows its chunk. */
  reply?: SmtpReply;
  /** The session's next state. @default unchanged */
  state?: SmtpState;
  /** The message under way from now on; `null` forgets it. @default unchanged */
  envelope?: Envelope | null;
  /** What was learnt about the client (its name, EHLO, its login). @default nothing */
  client?: Partial<Pick<SmtpClientInfo, "helo" | "esmtp" | "user">>;
  /** What to read next, when not a command. @default a command */
  next?: NextInput;
}

/** A command's result: a bare reply when nothing else changes. */
export type CommandResult = SmtpReply | CommandOutcome;

/**
 * Tells a bare reply from an outcome.
 *
 * @param result What a command returned.
 * @returns The result as an outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outcomeOf } from "./context.ts";
 *
 * const reply = { code: 250, lines: ["OK"] };
 * assert.deepEqual(outcomeOf(reply), { reply });
 * assert.deepEqual(outcomeOf({ reply, state: "greeted" }), { reply, state: "greeted" });
 * ```
 */
export function outcomeOf(result: CommandResult): CommandOutcome {
  return "code" in result ? { reply: result } : result;
}

/** The session as one command sees it: read only. */
export interface CommandContext {
  /** The session's options. */
  readonly options: ResolvedSessionOptions;
  /** What is known of the client. */
  readonly client: Readonly<SmtpClientInfo>;
  /** Where the session is. */
  readonly state: SmtpState;
  /** The message under way, from MAIL until the end of DATA or RSET. */
  readonly envelope: Readonly<Envelope> | undefined;
  /** Whether BDAT chunks of this message have already arrived (DATA may not follow). */
  readonly chunking: boolean;
  /** The extension lines EHLO advertises now. */
  extensions(): string[];
  /** The verbs HELP lists. */
  verbs(): string[];
  /** A verb's syntax, for HELP; `undefined` for an unknown verb. */
  syntaxOf(verb: string): string | undefined;
}

/**
 * The context a session's commands see: its public state, read live, and the command table.
 *
 * @param session The session (an `SmtpSession`).
 * @param options Its options.
 * @returns The context.
 */
export function commandContext(
  session: Pick<CommandContext, "client" | "state" | "envelope" | "chunking">,
  options: ResolvedSessionOptions,
): CommandContext {
  return new SessionContext(session, options);
}

// One small object per session: the getters and methods live on the prototype, so that an idle
// connection does not hold a closure for each of them.
class SessionContext implements CommandContext {
  readonly options: ResolvedSessionOptions;
  readonly #session: Pick<CommandContext, "client" | "state" | "envelope" | "chunking">;

  constructor(
    session: Pick<CommandContext, "client" | "state" | "envelope" | "chunking">,
    options: ResolvedSessionOptions,
  ) {
    this.#session = session;
    this.options = options;
  }

  get client(): Readonly<SmtpClientInfo> {
    return this.#session.client;
  }

  get state(): SmtpState {
    return this.#session.state;
  }

  get envelope(): Readonly<Envelope> | undefined {
    return this.#session.envelope;
  }

  get chunking(): boolean {
    return this.#session.chunking;
  }

  extensions(): string[] {
    return extensionsFor(this.options, this.#session.client.tls !== undefined);
  }

  verbs(): string[] {
    return Object.keys(COMMANDS);
  }

  syntaxOf(verb: string): string | undefined {
    return isVerb(verb) ? COMMANDS[verb].syntax : undefined;
  }
}

/** One command: its syntax (shown in 501 replies), the states that allow it, and its handler. */
export interface SmtpCommand {
  /** The syntax, as `501 5.5.4 Syntax: ...` shows it. */
  syntax: string;
  /** The states in which the command is in order. */
  states: readonly SmtpState[];
  /** The reply when the command comes in another state (after the common HELO check). */
  outOfOrder?: (state: SmtpState) => SmtpReply;
  /** Runs the command. */
  run(context: CommandContext, args: string): CommandResult | Promise<CommandResult>;
}
