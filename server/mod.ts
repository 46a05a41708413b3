/**
 * What listens: the SMTP and IMAP servers, mailbox stores, accounts, the outbound queue with its
 * relay, and `MailServer`, which composes one domain's server from them.
 *
 * @module
 */
export {
  AlreadyExistsError,
  changedFlags,
  checkMailboxName,
  checkUserName,
  type CopiedUid,
  type DeliverOptions,
  type FlagChange,
  InvalidNameError,
  type MailboxInfo,
  type MailboxStatus,
  type MailboxStore,
  MAX_KEYWORDS,
  type MessageInfo,
  normalizeFlags,
  NotFoundError,
  SPECIAL_MAILBOXES,
  type SpecialUse,
  type StoreChange,
  SYSTEM_FLAGS,
  type SystemFlag,
} from "./store/store.ts";
export { MemoryStore, type MemoryStoreOptions } from "./store/memory_store.ts";
export { MaildirStore, type MaildirStoreOptions } from "./store/maildir_store.ts";
export { Accounts, type AccountsOptions } from "./accounts.ts";
export { SmtpSession, type SmtpSessionOptions } from "./smtp/session.ts";
export type { PendingReply } from "./smtp/framing.ts";
export { SmtpServer, type SmtpServerOptions } from "./smtp/server.ts";
export type {
  Envelope,
  MailParameters,
  SmtpClientInfo,
  SmtpHandler,
  SmtpInput,
  SmtpState,
} from "./smtp/types.ts";
export {
  prependHeader,
  type ReceivedFields,
  receivedHeader,
  returnPathHeader,
  type TraceProtocol,
  traceProtocol,
} from "./smtp/trace.ts";
export {
  LineServer,
  type LineServerOptions,
  type ServedConnection,
  type ServedSession,
} from "./engine/line_server.ts";
export type { ProtocolSession, Push, SessionOutput } from "./engine/protocol_session.ts";
export { ImapSession } from "./imap/session.ts";
export type { ImapExpectation, ImapLimits, ImapSessionOptions } from "./imap/options.ts";
export type { ImapOutput } from "./imap/output.ts";
export type { ImapState } from "./imap/context.ts";
export { ImapServer, type ImapServerLimits, type ImapServerOptions } from "./imap/server.ts";
export { HttpApi, type HttpApiOptions, type RequestInfo } from "./http/api.ts";
export { HttpServer, type HttpServerOptions } from "./http/server.ts";
export { HttpError } from "./http/reply.ts";
export {
  type AttemptRecord,
  type GiveUp,
  MemorySpool,
  type QueuedRecipient,
  type QueueEntry,
  type RecipientStatus,
  type RecordedOutcome,
  type Spool,
} from "./queue/spool.ts";
export { DiskSpool, type DiskSpoolOptions } from "./queue/disk_spool.ts";
export {
  isLoopback,
  type Route,
  RouteError,
  type Router,
  StaticRouter,
  type StaticRouterOptions,
} from "./queue/router.ts";
export {
  denoResolver,
  type DenoResolverOptions,
  DnsRouter,
  type DnsRouterOptions,
  type MxRecord,
  type Resolver,
  StubResolver,
  type StubZone,
} from "./queue/dns_router.ts";
export {
  type Deliverer,
  type DeliveryResult,
  type DeliveryStep,
  describeOutcome,
  type Destination,
  type OutcomeFacts,
  type OutcomeStatus,
  type RecipientOutcome,
  type RelayItem,
} from "./queue/delivery.ts";
export { Relay, type RelayOptions, type RelayStats } from "./queue/relay.ts";
export { OutboundQueue, type OutboundQueueOptions, type QueueEvent } from "./queue/queue.ts";
export { EntryView, type QueueRow, QueueView, type QueueViewOptions } from "./queue/queue_view.ts";
export { describeEvent, type MailEvent, type ServerEvent } from "./events.ts";
export {
  MailServer,
  type MailServerLimits,
  type MailServerOptions,
  type MailServerPorts,
} from "./mail_server.ts";
export { mayUseSender, type SenderPolicy } from "./mail_handler.ts";
export {
  addressOf,
  type LoginFailure,
  LoginGuard,
  type LoginGuardOptions,
  type LoginOutcome,
} from "./login_guard.ts";
export { type Bounce, type BounceOptions, buildBounce } from "./queue/bounce.ts";
