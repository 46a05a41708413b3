/**
 * The user agent: compose, send, read, reply, forward and save over submission and IMAP; file,
 * flag and throw away messages; list folders; watch a mailbox with IDLE.
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
export { type Composed, type Draft } from "./compose.ts";
export { type Folder, type InboxEntry } from "./folders.ts";
export { type MailboxNews, type WatchOptions } from "./watch.ts";
