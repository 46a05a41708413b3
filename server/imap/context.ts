/**
 * What a command handler sees of its session, and the shape of the command table. Kept apart from
 * the session so that each command file depends on this small surface only.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import type { Arguments, ImapCommand } from "../../protocol/imap/command.ts";
import type { ImapData } from "../../protocol/imap/response.ts";
import type { MailboxStore } from "../store/store.ts";
import type { SelectedMailbox } from "./selected.ts";

/** The connection states of RFC 3501 §3. */
export type ImapState = "notAuthenticated" | "authenticated" | "selected" | "logout";

/** A successful command's tagged OK: an optional response code and text. */
export interface CommandResult {
  /** The response code without brackets, such as `READ-WRITE`. */
  code?: string;
  /** The text after the code. */
  text?: string;
}

/** The session as a command handler uses it. */
export interface SessionContext {
  /** The mailbox store. */
  readonly store: MailboxStore;
  /** The session's clock. */
  readonly clock: Clock;
  /** The mail domain this server serves. */
  readonly domain: string;
  /** The connection state; handlers move it (LOGIN, SELECT, CLOSE, LOGOUT). */
  state: ImapState;
  /** The logged-in user's canonical name. */
  user?: string;
  /** The selected mailbox in the selected state. */
  selected?: SelectedMailbox;
  /** The capabilities to announce now. */
  capabilities(): string[];
  /**
   * Sends an untagged response before the tagged one.
   *
   * @param head Such as `* 3 EXISTS` or `* LIST`.
   * @param data Values after the head.
   */
  send(head: string, data?: readonly ImapData[]): void;
  /**
   * Checks a user name and password, applying the domain rule and counting failures.
   *
   * @param user As the client sent it: `bob` or `bob@hamburger.edu`.
   * @param password The password in clear.
   * @returns The canonical user name, or undefined when refused.
   */
  authenticate(user: string, password: string): Promise<string | undefined>;
  /**
   * Asks the client for a line (a `+` continuation), to be handled by `then`.
   *
   * @param prompt The continuation's text (base64 for SASL).
   * @param then Called with the client's next line.
   */
  continueWith(
    prompt: string,
    then: (line: string) => Promise<CommandResult | void>,
  ): void;
  /** Ends the connection after this command's responses. */
  close(): void;
}

/** One command of the table. */
export interface CommandSpec {
  /** The states that allow it. */
  states: readonly ImapState[];
  /** Its arguments, as the RFC writes them; shown in BAD texts. */
  syntax: string;
  /** Keeps the arguments out of transcripts (LOGIN, AUTHENTICATE). */
  secret?: boolean;
  /**
   * Runs the command. Throw `ImapResponseError` for NO and BAD, `ImapSyntaxError` for BAD.
   *
   * @param session The session.
   * @param args The arguments.
   * @param command The whole command.
   * @returns The tagged OK's code and text, or nothing for `NAME completed`.
   */
  run(
    session: SessionContext,
    args: Arguments,
    command: ImapCommand,
  ): Promise<CommandResult | void> | CommandResult | void;
}
