/**
 * A tiny but real Internet mail system for learning how mail works (Kurose & Ross, section 2.3):
 * an SMTP server and relay client with a retry queue, an RFC 5322 message parser and builder, an
 * IMAP server and reader, STARTTLS on every port, a user agent, and the two-domain lab
 * (crepes.fr and hamburger.edu) that runs them against one another.
 *
 * ## Start here
 *
 * A handful of symbols carry a course's work; everything else is what they are made of.
 *
 * - {@linkcode Lab}: starts crepes.fr and hamburger.edu, with alice and bob, on this machine.
 * - {@linkcode telnet} and {@linkcode imapTelnet}: hold a dialog by hand and get its transcript.
 * - {@linkcode SmtpSession}: the server's side of SMTP as a state machine you drive line by line;
 *   {@linkcode SmtpServer} runs the same session on a TCP port.
 * - {@linkcode SmtpClient} and {@linkcode ImapClient}: the clients, to send and to read.
 * - {@linkcode parseMessage} and {@linkcode buildMessage}: the message format (RFC 5322, MIME).
 * - {@linkcode Transcript}: every dialog as the course prints it, `C:` and `S:` lines.
 * - {@linkcode UserAgent}: compose, send, read, reply, forward, save.
 *
 * The exports below are grouped by layer, each layer importing only the ones before it:
 * `message`, `protocol`, `runtime`, `server`, `client`, `ua`, `lab`.
 *
 * @example The course's dialog, by hand, with the server's own session
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpSession } from "./mod.ts";
 *
 * const session = new SmtpSession({ domain: "hamburger.edu" });
 * assert.equal(session.wire(session.greeting()), "220 hamburger.edu\r\n");
 * const reply = await session.receiveLine("HELO crepes.fr");
 * assert.equal(reply && session.wire(reply), "250 Hello crepes.fr, pleased to meet you\r\n");
 * ```
 *
 * @example Run your own client against a server on a free port and read its transcript
 * ```ts
 * import assert from "node:assert/strict";
 * import { SmtpServer, Transcript } from "./mod.ts";
 *
 * const transcript = new Transcript();
 * await using server = new SmtpServer({ domain: "hamburger.edu", transcripts: () => transcript });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
 * const buffer = new Uint8Array(512);
 * await conn.read(buffer); // 220 hamburger.edu
 * await conn.write(new TextEncoder().encode("QUIT\r\n"));
 * await conn.read(buffer); // 221
 * conn.close();
 * assert.deepEqual(transcript.lines("C"), ["QUIT"]);
 * assert.deepEqual(transcript.replyCodes(), [220, 221]);
 * ```
 *
 * @module
 */
// Messages (RFC 5322, MIME): parse, build, fold, encode. No I/O.
export {
  type Address,
  type AddressInput,
  type Attachment,
  type AttachmentInput,
  buildMessage,
  buildMime,
  type BuildMimeOptions,
  type BuildOptions,
  chooseEncoding,
  type ContentDisposition,
  type ContentType,
  decodeBase64,
  decodeCharset,
  decodeQuotedPrintable,
  decodeWords,
  type DisplayData,
  encodeBase64,
  encodeQuotedPrintable,
  encodeWords,
  type EncodeWordsOptions,
  foldHeader,
  type FoldOptions,
  formatAddress,
  formatAddressList,
  type FormatAddressOptions,
  formatDate,
  formatParams,
  generateMessageId,
  type Group,
  hasEightBit,
  HeaderBlock,
  type HeaderField,
  type InputSchema,
  type Mailbox,
  type MailboxInput,
  MAX_MIME_DEPTH,
  type MessageInput,
  MessageInputSchema,
  MessageSyntaxError,
  MessageView,
  type MessageViewOptions,
  type MimeNode,
  MimePart,
  type MimePartInit,
  type MimeTreeOptions,
  MimeTreeView,
  parseAddressList,
  type ParseAddressOptions,
  parseContentDisposition,
  parseContentType,
  parseDate,
  ParsedMessage,
  parseHeaders,
  type ParseHeadersOptions,
  parseMailboxes,
  parseMessage,
  parseMessageIds,
  type ParseMessageOptions,
  parseMimeTree,
  replyIdentifiers,
  type ReplyParent,
  type SourcePosition,
  to7bit,
  type TransferEncoding,
  type TreeRow,
  validateMessage,
  type ValidateOptions,
  type ViewLine,
} from "./message/mod.ts";

// The wire grammar of SMTP and IMAP, sans-IO: framing, replies and their catalogue, transcripts, clocks, SASL.
export {
  type Clock,
  type CommandReply,
  type ConnectionInfo,
  decodePlain,
  type DiagramSource,
  domainOf,
  dotStuff,
  encodePlain,
  type FetchedMessage,
  formatReply,
  formatStatus,
  fromBase64Utf8,
  type ImapAtom,
  type ImapFailure,
  type ImapList,
  type ImapResponse,
  ImapResponseError,
  type ImapResponseErrorOptions,
  type ImapStatus,
  type ImapStatusName,
  type ImapStatusResponse,
  type ImapString,
  ImapSyntaxError,
  type ImapSyntaxErrorOptions,
  type ImapToken,
  LINE_TOO_LONG,
  LineBuffer,
  type ListEntry,
  localPartOf,
  ManualClock,
  parsePath,
  PathSyntaxError,
  type PlainCredentials,
  type ReadLineOptions,
  renderSequenceDiagram,
  renderTranscriptHtml,
  REPLY,
  type ReplyCatalogue,
  ReplyReader,
  ReplySyntaxError,
  RESPONSE,
  type ResponseCatalogue,
  type SelectedInfo,
  type SmtpCommandLine,
  type SmtpPath,
  type SmtpReply,
  SmtpReplyError,
  splitCommand,
  type Timer,
  toBase64Utf8,
  Transcript,
  type TranscriptEntry,
  type TranscriptFactory,
  type TranscriptOptions,
  type TranscriptSide,
} from "./protocol/mod.ts";

// The runtime pieces servers and clients share: the system clock, byte streams, TLS and the lab's certificate authority.
export {
  CertificateAuthority,
  type CertificateAuthorityOptions,
  type CertificateAuthorityPemOptions,
  type CertificateInfo,
  certificateInfo,
  type ClientTls,
  describeTls,
  type IssueOptions,
  keyMatches,
  ServerTls,
  type StartTlsOptions,
  systemClock,
  TcpTransport,
  type TcpTransportOptions,
  type TlsIdentity,
  type TlsInfo,
  type Transport,
} from "./runtime/mod.ts";

// What listens: the SMTP and IMAP sessions and servers on one connection engine, mailbox stores, the queue and its relay, MailServer.
export {
  Accounts,
  type AccountsOptions,
  AlreadyExistsError,
  type AttemptRecord,
  type Bounce,
  type BounceOptions,
  buildBounce,
  checkMailboxName,
  checkUserName,
  type Deliverer,
  type DeliverOptions,
  type DeliveryResult,
  type DeliveryStep,
  denoResolver,
  type DenoResolverOptions,
  describeEvent,
  describeOutcome,
  type Destination,
  DiskSpool,
  type DiskSpoolOptions,
  DnsRouter,
  type DnsRouterOptions,
  EntryView,
  type Envelope,
  type GiveUp,
  type ImapExpectation,
  type ImapLimits,
  type ImapOutput,
  ImapServer,
  type ImapServerLimits,
  type ImapServerOptions,
  ImapSession,
  type ImapSessionOptions,
  type ImapState,
  InvalidNameError,
  isLoopback,
  LineServer,
  type LineServerOptions,
  type MailboxStatus,
  type MailboxStore,
  MaildirStore,
  type MaildirStoreOptions,
  type MailEvent,
  type MailParameters,
  MailServer,
  type MailServerOptions,
  type MailServerPorts,
  MemorySpool,
  MemoryStore,
  type MemoryStoreOptions,
  type MessageInfo,
  type MxRecord,
  normalizeFlags,
  NotFoundError,
  OutboundQueue,
  type OutboundQueueOptions,
  type OutcomeFacts,
  type OutcomeStatus,
  type PendingReply,
  prependHeader,
  type ProtocolSession,
  type Push,
  type QueuedRecipient,
  type QueueEntry,
  type QueueEvent,
  type QueueRow,
  QueueView,
  type QueueViewOptions,
  type ReceivedFields,
  receivedHeader,
  type RecipientOutcome,
  type RecipientStatus,
  type RecordedOutcome,
  Relay,
  type RelayItem,
  type RelayOptions,
  type RelayStats,
  type Resolver,
  returnPathHeader,
  type Route,
  RouteError,
  type Router,
  type ServedConnection,
  type ServedSession,
  type ServerEvent,
  type SessionOutput,
  type SmtpClientInfo,
  type SmtpHandler,
  type SmtpInput,
  SmtpServer,
  type SmtpServerOptions,
  SmtpSession,
  type SmtpSessionOptions,
  type SmtpState,
  type Spool,
  StaticRouter,
  type StaticRouterOptions,
  StubResolver,
  type StubZone,
  SYSTEM_FLAGS,
  type SystemFlag,
  type TraceProtocol,
  traceProtocol,
} from "./server/mod.ts";

// What connects: SmtpClient, ImapClient, and the line connection under both.
export {
  CannotConnectError,
  type ClientTlsPolicy,
  type CommandArg,
  ConnectionError,
  ImapClient,
  type ImapClientOptions,
  LineConnection,
  type LineConnectionOptions,
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
  TimeoutError,
  type TransactionStep,
  type UidOptions,
} from "./client/mod.ts";

// The user agent.
export {
  type Composed,
  type Draft,
  type Endpoint,
  type InboxEntry,
  UserAgent,
  type UserAgentOptions,
} from "./ua/mod.ts";

// The two-domain lab, its configuration, telnet by code, and the notebooks' checks.
export {
  CheckFailedError,
  type CheckResult,
  Checks,
  type ChecksOptions,
  ConfigError,
  DEFAULT_CONFIG,
  type DomainConfig,
  type DomainConfigInput,
  type DomainPorts,
  EventLog,
  type EventLogOptions,
  type FaultAction,
  type FaultStage,
  type Hint,
  imapTelnet,
  Lab,
  type LabAccount,
  type LabConfig,
  type LabConfigInput,
  type LabEndpoint,
  type LabFaultOptions,
  type LabOptions,
  parseDuration,
  parseLabConfig,
  type QueueFilter,
  type RelayTlsMode,
  telnet,
  type TelnetOptions,
} from "./lab/mod.ts";
