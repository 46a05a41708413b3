/**
 * The webmail: the user agent that runs in a browser, served by a mail server's HTTP interface
 * beside its API. Three files in `ua/webmail/` (a page, a script, a style sheet), no build step;
 * the page's Content-Security-Policy lets it load only those and talk only to its own server.
 *
 * @module
 */

const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/webmail/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/webmail/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

// Scripts and styles only from the server itself; frames only its own message pages; no plugins,
// no other site may frame it.
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The webmail's pages, as a handler for {@linkcode MailServerOptions.httpPages}.
 *
 * @returns A handler that answers `/` and the webmail's files, and 404 for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webmailPages } from "./webmail.ts";
 *
 * const pages = webmailPages();
 * const page = await pages(new Request("http://127.0.0.1/"));
 * assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
 * assert.match(await page.text(), /<title>Webmail/);
 * assert.equal((await pages(new Request("http://127.0.0.1/../deno.json"))).status, 404);
 * ```
 */
export function webmailPages(): (request: Request) => Promise<Response> {
  const cache = new Map<string, Uint8Array>();
  return async (request) => {
    const { pathname } = new URL(request.url);
    const entry = Object.hasOwn(FILES, pathname) ? FILES[pathname] : undefined;
    if (!entry) return new Response("Not found\n", { status: 404 });
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Use GET\n", { status: 405, headers: { Allow: "GET, HEAD" } });
    }
    let bytes = cache.get(entry.file);
    if (!bytes) {
      bytes = await Deno.readFile(new URL(`./webmail/${entry.file}`, import.meta.url));
      cache.set(entry.file, bytes);
    }
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "Content-Type": entry.type,
        "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
      },
    });
  };
}
