/**
 * The wire grammar of SMTP and IMAP, with no I/O: framing, replies, commands, transcripts, clocks.
 *
 * @module
 */
export { type Clock, ManualClock, type Timer } from "./clock.ts";
export { LINE_TOO_LONG, LineBuffer, type ReadLineOptions } from "./line_buffer.ts";
export {
  type ConnectionInfo,
  escapeHtml,
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
