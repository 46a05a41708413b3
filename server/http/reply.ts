/**
 * The HTTP interface's answers: JSON bodies, and errors that say what is wrong, with the status
 * that says which kind of wrong.
 *
 * @module
 */
import type { z } from "zod";

/**
 * A request the HTTP interface refuses: its status, a sentence for the person, and the field
 * at fault when there is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResponse, HttpError } from "./reply.ts";
 *
 * const response = errorResponse(new HttpError(404, "No message 7 in INBOX"));
 * assert.equal(response.status, 404);
 * assert.deepEqual(await response.json(), { error: "No message 7 in INBOX" });
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The input field at fault, as a dotted path. */
  readonly field?: string;
  /** Headers the answer carries, such as `Retry-After` or `Allow`. */
  readonly headers: Record<string, string>;

  /**
   * Creates the error.
   *
   * @param status The HTTP status, 400 to 599.
   * @param message A sentence a student understands.
   * @param options The field at fault, extra headers.
   */
  constructor(
    status: number,
    message: string,
    options: { field?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }
}

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/**
 * A JSON answer, with the headers every API answer has (no sniffing, no caching, no referrer).
 *
 * @param data What to send.
 * @param init Status and extra headers.
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { json } from "./reply.ts";
 *
 * const response = json({ user: "bob" }, { status: 201 });
 * assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
 * assert.deepEqual(await response.json(), { user: "bob" });
 * ```
 */
export function json(
  data: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return new Response(JSON.stringify(data), {
    status: init.status ?? 200,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      ...SECURITY_HEADERS,
      ...init.headers,
    },
  });
}

// RFC 6838 §4.2: type-name "/" subtype-name, each a restricted-name.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
// RFC 6266 §4.3 and appendix D: the fallback name is printable ASCII in a quoted-string, without
// "\" (not every browser unescapes it) or "%" (some percent-decode it).
const NOT_FALLBACK = /[^\x20-\x7e]|["\\%]/gu;
// RFC 5987 §3.2.1: attr-char is ALPHA / DIGIT / "!#$&+-.^_`|~"; encodeURIComponent leaves "'()*"
// as they are too, and "'" would end the value's language part.
const NOT_ATTR_CHAR = /['()*]/g;
const percent = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/**
 * The `Content-Disposition` of a download (RFC 6266 §4): an ASCII fallback name for old
 * clients, and the name itself as UTF-8, percent-encoded (RFC 5987). Whatever the name holds
 * (quotes, CR LF and a header after them, NUL), the value is one valid header value.
 *
 * @param filename The file's name, as the message gives it.
 * @returns The header's value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentDisposition } from "./reply.ts";
 *
 * assert.equal(
 *   contentDisposition('it\'s "1"\r\nSet-Cookie: x=1.txt'),
 *   `attachment; filename="it's _1___Set-Cookie: x=1.txt"; ` +
 *     "filename*=UTF-8''it%27s%20%221%22%0D%0ASet-Cookie%3A%20x%3D1.txt",
 * );
 * ```
 */
export function contentDisposition(filename: string): string {
  const name = filename.toWellFormed();
  const ascii = name.replace(NOT_FALLBACK, "_");
  const encoded = encodeURIComponent(name).replace(NOT_ATTR_CHAR, percent);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Bytes to download, never shown by the browser in the page's origin.
 *
 * @param bytes The content.
 * @param options Its media type (`type/subtype`: anything else, such as a message's broken
 *   `Content-Type:`, is sent as `application/octet-stream`) and its file name
 *   ({@linkcode contentDisposition}).
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { download } from "./reply.ts";
 *
 * const response = download(new TextEncoder().encode("hi"), { type: "text/plain", filename: "a b.txt" });
 * assert.equal(response.headers.get("content-disposition"), `attachment; filename="a b.txt"; filename*=UTF-8''a%20b.txt`);
 * const odd = download(new Uint8Array(), { type: 'text/plain; x="\r\n', filename: "x" });
 * assert.equal(odd.headers.get("content-type"), "application/octet-stream");
 * ```
 */
export function download(
  bytes: Uint8Array,
  options: { type: string; filename: string },
): Response {
  const type = MEDIA_TYPE.test(options.type) ? options.type : "application/octet-stream";
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "Content-Type": type,
      "Content-Disposition": contentDisposition(options.filename),
      "Content-Security-Policy": "default-src 'none'; sandbox",
      ...SECURITY_HEADERS,
    },
  });
}

/**
 * The answer to a refused request: `{ "error": sentence, "field"?: path }` with its status.
 *
 * @param error The refusal.
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorResponse, HttpError } from "./reply.ts";
 *
 * const response = errorResponse(new HttpError(400, "to: not an address", { field: "to" }));
 * assert.deepEqual(await response.json(), { error: "to: not an address", field: "to" });
 * ```
 */
export function errorResponse(error: HttpError): Response {
  const body = error.field === undefined
    ? { error: error.message }
    : { error: error.message, field: error.field };
  return json(body, { status: error.status, headers: error.headers });
}

/**
 * Checks input against a zod schema; a mismatch is a 400 that names the first field at fault.
 *
 * @param schema The schema.
 * @param input The parsed JSON or query.
 * @returns The input, typed.
 * @throws {HttpError} 400, naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { validate } from "./reply.ts";
 *
 * const schema = z.object({ page: z.number().int().min(1) });
 * assert.throws(() => validate(schema, { page: 0 }), { status: 400, field: "page" });
 * ```
 */
export function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.map(String).join(".");
  const where = field === "" ? "The request" : field;
  throw new HttpError(400, `${where}: ${issue.message}`, field === "" ? {} : { field });
}
