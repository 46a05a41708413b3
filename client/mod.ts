/**
 * What connects: the SMTP client (relay and submission), the IMAP-lite reader, and the system
 * clock.
 *
 * @module
 */
export { systemClock } from "../runtime/system_clock.ts";
export {
  ConnectionError,
  LineConnection,
  type LineConnectionOptions,
  TimeoutError,
} from "./line_connection.ts";
export {
  CannotConnectError,
  type OutgoingMessage,
  type RecipientRefusal,
  type SendEnvelope,
  type SendFailure,
  type SendManyResult,
  type SendResult,
  SmtpClient,
  type SmtpClientOptions,
  type SmtpTimeouts,
  type TransactionStep,
} from "./smtp_client.ts";
export { SmtpWire } from "./smtp_wire.ts";
export {
  type PendingMessage,
  pendingMessage,
  runTransaction,
  type RunTransactionOptions,
  type TransactionState,
} from "./mail_transaction.ts";
export {
  type CommandArg,
  ImapClient,
  type ImapClientOptions,
  type UidOptions,
} from "./imap_client.ts";
export {
  DEFAULT_TIMEOUTS,
  localRefusal,
  mailParameters,
  prepare,
  recordText,
  type RecordTextOptions,
  transactionLines,
  type TransactionOptions,
} from "./smtp_transaction.ts";
