/**
 * What connects: the SMTP client (a server's relay, a user agent's submission), the IMAP reader,
 * and the line connection both sit on, which can start TLS in the middle of a dialog.
 *
 * @module
 */
export {
  ConnectionError,
  LineConnection,
  type LineConnectionOptions,
  TimeoutError,
} from "./line_connection.ts";
export {
  CannotConnectError,
  type ClientTlsPolicy,
  type OutgoingMessage,
  type RecipientRefusal,
  type SendEnvelope,
  type SendFailure,
  type SendManyResult,
  type SendResult,
  SmtpClient,
  type SmtpClientOptions,
  type SmtpTimeouts,
  StartTlsError,
  type TransactionStep,
} from "./smtp_client.ts";
export {
  type CommandArg,
  ImapClient,
  type ImapClientOptions,
  type UidOptions,
} from "./imap_client.ts";
