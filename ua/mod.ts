/**
 * The user agent: compose, send, read, reply, forward and save over submission and IMAP, or over
 * the server's HTTP interface; search, file, flag, trash and delete messages; list folders; watch
 * a mailbox with IDLE (or the HTTP interface's events). Its errors say which server (host and
 * port), which field or which message.
 *
 * @module
 */
export {
  type Endpoint,
  type FlagOptions,
  type SentMessage,
  UserAgent,
  type UserAgentOptions,
} from "./agent.ts";
export {
  type ForwardOptions,
  forwardSubject,
  quote,
  type ReplyOptions,
  replySubject,
  replyTarget,
} from "./answer.ts";
export { type Composed, type Draft, isEmailAddress } from "./compose.ts";
export {
  AddressError,
  type AddressField,
  HttpResponseError,
  LoginRefusedError,
  NoReplyAddressError,
  NoSuchMailboxError,
  NoSuchMessageError,
  ServerConnectionError,
  type ServerRole,
} from "./errors.ts";
export { type Folder, type InboxEntry, type SearchPlace } from "./folders.ts";
export { mboxEntry, type MboxEntryOptions, type MboxMessage, parseMbox } from "./mbox.ts";
export {
  type AttachmentSummary,
  describeMessage,
  htmlToText,
  type MessageSummary,
  returnPathOf,
} from "./reading.ts";
export { type MailboxNews, type WatchOptions } from "./watch.ts";
export { webmailPages } from "./webmail.ts";
