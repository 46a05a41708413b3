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
  writeAll,
} from "./line_connection.ts";
export {
  type SendEnvelope,
  type SendOptions,
  type SendResult,
  SmtpClient,
  type SmtpClientOptions,
  type SmtpTimeouts,
} from "./smtp_client.ts";
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
