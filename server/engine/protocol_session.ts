/**
 * The contract between a protocol's session (SMTP, IMAP) and the one connection engine that drives
 * every line protocol the server speaks. A session is a state machine with no socket: it is fed the
 * bytes that arrived, frames them itself (lines, DATA, BDAT chunks, IMAP literals) under its own
 * limits, and answers with what to send and what happens next. The engine owns the socket, the
 * timer, TLS and the transcript's connection notes.
 *
 * @module
 */
import type { Transcript } from "../../protocol/transcript.ts";
import type { TlsInfo } from "../../runtime/tls.ts";

/** What a session answers: bytes to send, and what the engine does once they are sent. */
export interface SessionOutput {
  /** What to send (text goes out as UTF-8); nothing when absent or empty. */
  data?: Uint8Array | string;
  /** Close the connection once `data` is sent. */
  close?: boolean;
  /**
   * Run a TLS handshake once `data` is sent (STARTTLS). The session has already dropped whatever
   * input followed the command: nothing sent before the handshake is executed after it.
   */
  startTls?: boolean;
}

/**
 * Sends output ahead of the answer to the input under way (the first part of a long FETCH) or
 * that no input caused (IMAP IDLE's news, a notice). The engine writes it in order with the
 * rest; the promise settles once it is written (or the connection has failed), so a session
 * can wait before it makes more: a slow reader slows the command down instead of filling memory.
 */
export type Push = (output: SessionOutput) => void | Promise<void>;

/** One protocol's session as the connection engine drives it. */
export interface ProtocolSession {
  /** Whether the session has ended (QUIT, LOGOUT, a 421 or BYE): the engine closes the connection. */
  readonly closed: boolean;
  /**
   * When, by the session's clock, it wants {@linkcode ProtocolSession.tick} called (an idle or
   * total-time limit); `Infinity` for never. The engine reads it after every input.
   */
  readonly deadline: number;
  /**
   * The connection is open: what to send first (the greeting).
   *
   * @param push Sends output later, unasked.
   * @returns The greeting (on its way, when the server holds it back).
   */
  start(push: Push): SessionOutput | Promise<SessionOutput>;
  /**
   * Takes the bytes that arrived. The session keeps what does not yet form a whole command.
   *
   * @param bytes The bytes; a view the session must copy if it keeps it.
   * @returns What to send and what happens next.
   */
  receive(bytes: Uint8Array): SessionOutput | Promise<SessionOutput>;
  /**
   * The clock reached {@linkcode ProtocolSession.deadline} (or a little later).
   *
   * @param now The clock's time.
   * @returns What to send (such as a 421 or BYE that ends the session), or nothing when the
   *   deadline moved on meanwhile.
   */
  tick(now: number): SessionOutput | undefined;
  /**
   * A TLS handshake finished: after STARTTLS, or at once on an implicit-TLS port (then before
   * {@linkcode ProtocolSession.start}). The session forgets what the protocol says to forget.
   *
   * @param info The protocol version and cipher.
   */
  secured(info: TlsInfo): void;
  /**
   * The connection has ended, whoever ended it: the session lets go of what it holds (a watch
   * on a mailbox). Optional.
   */
  close?(): void;
  /**
   * The server is shutting down.
   *
   * @returns The goodbye (SMTP's 421, IMAP's BYE); the engine then closes the connection.
   */
  shutdown(): SessionOutput;
  /**
   * The session itself failed (a bug). The engine has reported the error.
   *
   * @param error What was thrown.
   * @returns The last words before the engine closes the connection.
   */
  fail(error: unknown): SessionOutput;
}

/** A session for a new connection, and the transcript the engine adds its notes to. */
export interface ServedSession {
  /** The protocol's session. */
  session: ProtocolSession;
  /** The connection's transcript, if one is recorded. @default none */
  transcript?: Transcript;
}
