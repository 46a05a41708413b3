/**
 * The user agent: compose, send, read, reply, forward and save, over submission and IMAP.
 *
 * @module
 */
export {
  type Composed,
  type Draft,
  type Endpoint,
  type InboxEntry,
  UserAgent,
  type UserAgentOptions,
} from "./agent.ts";
