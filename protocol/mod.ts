/**
 * The wire grammar of SMTP and IMAP, with no I/O: framing, replies, commands, dot-stuffing,
 * transcripts and clocks.
 *
 * @module
 */
export { type Clock, ManualClock, type Timer } from "./clock.ts";
export { LINE_TOO_LONG, LineBuffer, type ReadLineOptions } from "./line_buffer.ts";
export {
  type ConnectionInfo,
  renderTranscriptHtml,
  Transcript,
  type TranscriptEntry,
  type TranscriptFactory,
  type TranscriptOptions,
  type TranscriptSide,
} from "./transcript.ts";
export { type DiagramSource, renderSequenceDiagram } from "./sequence_diagram.ts";
export {
  formatReply,
  ReplyReader,
  ReplySyntaxError,
  type SmtpReply,
  SmtpReplyError,
} from "./smtp/reply.ts";
export { REPLY, type ReplyCatalogue } from "./smtp/replies.ts";
export {
  domainOf,
  localPartOf,
  parsePath,
  PathSyntaxError,
  type SmtpCommandLine,
  type SmtpPath,
  splitCommand,
} from "./smtp/command.ts";
export { dotStuff } from "./smtp/dot.ts";
export {
  decodePlain,
  encodePlain,
  fromBase64Utf8,
  type PlainCredentials,
  toBase64Utf8,
} from "./sasl.ts";
export { RESPONSE, type ResponseCatalogue } from "./imap/responses.ts";
export { formatStatus, type ImapStatusName, type ImapStatusResponse } from "./imap/response.ts";
export { ImapResponseError, ImapSyntaxError } from "./imap/error.ts";
export type {
  ImapFailure,
  ImapResponseErrorOptions,
  ImapSyntaxErrorOptions,
} from "./imap/error.ts";
export type {
  CommandReply,
  FetchedMessage,
  ListEntry,
  SelectedInfo,
} from "./imap/response_data.ts";
export type { ImapResponse, ImapStatus } from "./imap/response_parser.ts";
export type { ImapAtom, ImapList, ImapString, ImapToken } from "./imap/lexer.ts";
