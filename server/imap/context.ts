/**
 * What a command handler sees of its session, and the shape of the command table. Kept apart from
 * the session so that each command file depends on this small surface only.
 *
 * @module
 */
import type { Clock } from "../../protocol/clock.ts";
import type { Arguments, ImapCommand } from "../../protocol/imap/command.ts";
import type { ImapData, ImapStatusResponse } from "../../protocol/imap/response.ts";
import type { MailboxStore } from "../store/store.ts";
import type { SelectedMailbox } from "./selected.ts";

/** The connection states of RFC 3501 §3. */
export type ImapState = "notAuthenticated" | "authenticated" | "selected" | "logout";

/**
 * A successful command's tagged OK, and what happens next: the session applies it. A handler
 * never changes the session itself.
 */
export interface CommandResult {
  /** The tagged OK without its tag, from the catalogue. @default RESPONSE.Completed(name) */
  response?: ImapStatusResponse<"OK">;
  /** The session's next state; leaving `selected` forgets the mailbox. @default unchanged */
  state?: ImapState;
  /** Who logged in (LOGIN, AUTHENTICATE). @default unchanged */
  user?: string;
  /** The mailbox now selected (SELECT, EXAMINE), with `state: "selected"`. @default unchanged */
  selected?: SelectedMailbox;
  /** Close the connection after this command's responses (LOGOUT). @default false */
  close?: boolean;
  /** Start TLS after the tagged OK (STARTTLS, RFC 3501 §6.2.1). @default false */
  startTls?: boolean;
  /**
   * Ask the client for a line (a `+` continuation, as SASL does) instead of answering now; `then`
   * handles that line and gives the command's result.
   * @default none
   */
  continuation?: Continuation;
  /** Extensions the client turned on (ENABLE, RFC 5161; CONDSTORE by first use). @default none */
  enable?: string[];
}

/** A `+` continuation: the prompt, and what handles the client's next line. */
export interface Continuation {
  /** The continuation's text (base64 for SASL, `idling` for IDLE). */
  prompt: string;
  /** Handles the client's next line and gives the command's result. */
  then: (line: string) => Promise<CommandResult | void>;
  /** Whether the next line is shown in the transcript (not a SASL answer). @default false */
  shown?: boolean;
  /**
   * IDLE (RFC 2177): until the next line comes, changes to the selected mailbox are sent to the
   * client as they happen.
   * @default false
   */
  idle?: boolean;
}

/** The session as a command handler uses it. */
export interface SessionContext {
  /** The mailbox store. */
  readonly store: MailboxStore;
  /** The session's clock. */
  readonly clock: Clock;
  /** The mail domain this server serves. */
  readonly domain: string;
  /** The connection state. */
  readonly state: ImapState;
  /** The logged-in user's canonical name. */
  readonly user?: string;
  /** The selected mailbox in the selected state. */
  readonly selected?: SelectedMailbox;
  /** Whether the connection is TLS now. */
  readonly tls: boolean;
  /** Whether the server has a certificate to offer STARTTLS with. */
  readonly starttls: boolean;
  /** Whether LOGIN and AUTHENTICATE wait for TLS (LOGINDISABLED until then). */
  readonly loginDisabled: boolean;
  /** The extensions the client enabled, in upper case (such as `CONDSTORE`). */
  readonly enabled: ReadonlySet<string>;
  /**
   * The capabilities to announce.
   *
   * @param state In this state. @default the current one
   * @returns The capability names.
   */
  capabilities(state?: ImapState): string[];
  /**
   * Sends an untagged response before the tagged one.
   *
   * @param head Such as `* 3 EXISTS` or `* LIST`.
   * @param data Values after the head.
   */
  send(head: string, data?: readonly ImapData[]): void;
  /**
   * Lets what was sent so far go out ahead of the rest, once it is large (a long FETCH), and
   * waits until it is written: memory stays bounded and a slow client slows the command down.
   * Does nothing for a session driven by hand.
   */
  flush(): Promise<void>;
  /**
   * Checks a user name and password, applying the domain rule and counting failures.
   *
   * @param user As the client sent it: `bob` or `bob@hamburger.edu`.
   * @param password The password in clear.
   * @returns The canonical user name, or undefined when refused.
   */
  authenticate(user: string, password: string): Promise<string | undefined>;
}

/** One command of the table. */
export interface CommandSpec {
  /** The states that allow it. */
  states: readonly ImapState[];
  /** Its arguments, as the RFC writes them; shown in BAD texts. */
  syntax: string;
  /** Keeps the arguments out of transcripts (LOGIN, AUTHENTICATE). */
  secret?: boolean;
  /** Leaves the selected mailbox before running, even when the command then fails (SELECT, RFC 3501 §6.3.1). */
  deselects?: boolean;
  /** Must not be followed by EXPUNGE responses (FETCH, STORE, SEARCH: RFC 3501 §7.4.1). */
  noExpunge?: boolean;
  /**
   * Runs the command. Throw `ImapResponseError.of(RESPONSE.Xxx)` for NO and BAD, and
   * `ImapSyntaxError` for arguments that do not parse (BAD with the syntax).
   *
   * @param session The session.
   * @param args The arguments.
   * @param command The whole command.
   * @returns The tagged OK and what comes next, or nothing for `NAME completed`.
   */
  run(
    session: SessionContext,
    args: Arguments,
    command: ImapCommand,
  ): Promise<CommandResult | void> | CommandResult | void;
}
