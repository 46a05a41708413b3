/**
 * Mail messages as data (RFC 5322, MIME, RFC 2047, RFC 2231, RFC 6532): parse what real mailers
 * send without crashing, build what strict receivers accept, and show the bytes in between. Pure:
 * no I/O, no clock of its own (pass a `Clock`), so every function runs in a test or a notebook.
 *
 * @example Build a message, then parse it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildMessage, parseMessage } from "./mod.ts";
 *
 * const bytes = buildMessage({
 *   from: "Alice <alice@crepes.fr>",
 *   to: "bob@hamburger.edu",
 *   subject: "Hello",
 *   text: "Hi Bob\n",
 *   date: Date.UTC(2026, 8, 1, 9),
 * });
 * const message = parseMessage(bytes);
 * assert.equal(message.subject, "Hello");
 * assert.equal(message.date, Date.UTC(2026, 8, 1, 9));
 * ```
 *
 * @module
 */
export {
  type Address,
  formatAddress,
  formatAddressList,
  type FormatAddressOptions,
  type Group,
  type Mailbox,
  parseAddressList,
  type ParseAddressOptions,
  parseMailboxes,
} from "./address.ts";
export {
  type AddressInput,
  type AttachmentInput,
  buildMessage,
  type BuildOptions,
  type InputSchema,
  type MailboxInput,
  type MessageInput,
  MessageInputSchema,
} from "./build.ts";
export { decodeCharset } from "./charset.ts";
export {
  type ContentDisposition,
  type ContentType,
  formatParams,
  parseContentDisposition,
  parseContentType,
} from "./content_type.ts";
export { formatDate, parseDate } from "./date.ts";
export { decodeWords, encodeWords, type EncodeWordsOptions } from "./encoded_words.ts";
export { MessageSyntaxError, type SourcePosition } from "./errors.ts";
export { foldHeader, type FoldOptions } from "./fold.ts";
export { HeaderBlock, type HeaderField, parseHeaders, type ParseHeadersOptions } from "./header.ts";
export {
  generateMessageId,
  parseMessageIds,
  replyIdentifiers,
  type ReplyParent,
} from "./message_id.ts";
export {
  buildMime,
  type BuildMimeOptions,
  chooseEncoding,
  type MimeNode,
  type TransferEncoding,
} from "./mime_builder.ts";
export { MimePart, type MimePartInit } from "./mime_part.ts";
export { MAX_MIME_DEPTH, type MimeTreeOptions, parseMimeTree } from "./mime_tree.ts";
export { type Attachment, ParsedMessage, parseMessage, type ParseMessageOptions } from "./parse.ts";
export {
  decodeBase64,
  decodeQuotedPrintable,
  encodeBase64,
  encodeQuotedPrintable,
} from "./transfer_encoding.ts";
export { validateMessage, type ValidateOptions } from "./validate.ts";
export {
  type DisplayData,
  MessageView,
  type MessageViewOptions,
  MimeTreeView,
  type TreeRow,
  type ViewLine,
} from "./view.ts";
export { hasEightBit, to7bit } from "./eight_bit.ts";
