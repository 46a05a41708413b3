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

/**
 * Bytes to download, never shown by the browser in the page's origin.
 *
 * @param bytes The content.
 * @param options Its type and file name.
 * @returns The response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { download } from "./reply.ts";
 *
 * const response = download(new TextEncoder().encode("hi"), { type: "text/plain", filename: "a b.txt" });
 * assert.equal(response.headers.get("content-disposition"), `attachment; filename="a b.txt"; filename*=UTF-8''a%20b.txt`);
 * ```
 */
export function download(
  bytes: Uint8Array,
  options: { type: string; filename: string },
): Response {
  const ascii = options.filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(options.filename);
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      "Content-Type": options.type,
      "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`,
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
