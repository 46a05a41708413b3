/**
 * The wire grammar of IMAP4rev1 (RFC 3501), with no I/O: tokens and literals, commands and their
 * arguments, sequence sets, fetch items, search criteria, dates, and responses in both directions.
 *
 * @example Read a command, then format the response a server sends
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandReader, formatResponse } from "./mod.ts";
 *
 * const progress = new CommandReader().pushLine("a1 CAPABILITY");
 * assert.ok(progress.done);
 * const out = formatResponse("* CAPABILITY", ["IMAP4rev1"]);
 * assert.deepEqual(out.lines, ["* CAPABILITY IMAP4rev1"]);
 * ```
 *
 * @module
 */
export {
  type ImapFailure,
  ImapResponseError,
  type ImapResponseErrorOptions,
  ImapSyntaxError,
  type ImapSyntaxErrorOptions,
} from "./error.ts";
export {
  type ImapAtom,
  type ImapList,
  type ImapString,
  type ImapToken,
  type LiteralRequest,
  type TokenProgress,
  TokenReader,
  type TokenReaderOptions,
} from "./lexer.ts";
export { Arguments, type CommandProgress, CommandReader, type ImapCommand } from "./command.ts";
export {
  formatSequenceSet,
  parseSequenceSet,
  type SequenceRange,
  sequenceSetHas,
  sequenceSetMax,
} from "./sequence_set.ts";
export {
  type FetchAttribute,
  type FetchItem,
  type FetchSection,
  parseFetchItems,
  sectionLabel,
  type SectionText,
} from "./fetch_items.ts";
export { parseSearch, type SearchKey, type SearchQuery } from "./search_keys.ts";
export {
  formatImapDateTime,
  formatSearchDate,
  parseImapDateTime,
  parseSearchDate,
} from "./date.ts";
export {
  formatAstring,
  formatResponse,
  type FormattedResponse,
  type ImapData,
  type ImapStringData,
  quote,
} from "./response.ts";
export {
  type ImapResponse,
  type ImapStatus,
  ResponseParser,
  type ResponseProgress,
} from "./response_parser.ts";
export {
  type CommandReply,
  type FetchedMessage,
  isData,
  isNil,
  type ListEntry,
  readFetch,
  readList,
  readSearch,
  readSelected,
  type SelectedInfo,
  tokenText,
} from "./response_data.ts";
