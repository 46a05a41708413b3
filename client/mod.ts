/**
 * What connects: the SMTP client (a server's relay, a user agent's submission), the IMAP client
 * with IDLE and the types of what its commands return, and the line connection both sit on,
 * which can start TLS in the middle of a dialog.
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
  ImapClient,
  type ImapClientOptions,
  type SearchCriteria,
  type SortCriterion,
  type UidOptions,
} from "./imap_client.ts";
export { type AppendOptions, ImapMailboxCommands, type StatusItem } from "./imap_mailboxes.ts";
export { ImapConnection } from "./imap_connection.ts";
export { type IdleOptions, ImapIdle } from "./imap_idle.ts";
export { type CommandArg, formatFlagList, ImapWire, type ImapWireOptions } from "./imap_wire.ts";
// What the IMAP client's commands return, read by the protocol layer's response readers.
export {
  type AppendUid,
  type CopyUid,
  specialUse,
  type SpecialUseAttribute,
  type StatusInfo,
} from "../protocol/imap/response_data.ts";
