/**
 * The lab's own page, served by its control endpoint: both servers with their ports, queues and
 * faults, and every connection's dialog line by line as it happens (server-sent events from the
 * lab's event log). Three plain files in `lab/page/`, no build step.
 *
 * ```
 * GET /?token=T          the page
 * GET /state             the servers, their queues and faults (JSON)
 * GET /events?token=T    every event as it happens (text/event-stream)
 * ```
 *
 * @module
 */
import { describeEvent } from "../server/events.ts";
import { eventStream } from "../server/http/event_stream.ts";
import type { Lab } from "./lab.ts";

const FILES: Record<string, { file: string; type: string }> = {
  "": { file: "index.html", type: "text/html; charset=utf-8" },
  "/lab/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/lab/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

/**
 * The page's files that hold no data (its script and style), served without the token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PUBLIC_ASSETS } from "./page.ts";
 *
 * assert.ok(PUBLIC_ASSETS.has("/lab/app.js"));
 * assert.ok(!PUBLIC_ASSETS.has("/state"));
 * ```
 */
export const PUBLIC_ASSETS: ReadonlySet<string> = new Set(["/lab/app.js", "/lab/style.css"]);

const POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The page's answers, for the control endpoint (which has checked the token already).
 *
 * @param lab The running lab.
 * @param closing Aborted when the endpoint closes: the open event streams end.
 * @returns A handler that answers the page's paths and gives undefined for the others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lab } from "./lab.ts";
 * import { labPage } from "./page.ts";
 *
 * await using lab = await Lab.start({ freePorts: true, storage: "memory", passwordIterations: 1000 });
 * const page = labPage(lab);
 * const state = await page(new Request("http://127.0.0.1/state"), "/state");
 * assert.deepEqual((await state!.json()).servers.map((s: { domain: string }) => s.domain), ["crepes.fr", "hamburger.edu"]);
 * assert.equal(await page(new Request("http://127.0.0.1/queue"), "/queue"), undefined);
 * ```
 */
export function labPage(
  lab: Lab,
  closing?: AbortSignal,
): (request: Request, path: string) => Promise<Response | undefined> {
  const cache = new Map<string, Uint8Array>();
  return async (request, path) => {
    if (request.method !== "GET") return undefined;
    if (path === "/state") {
      return Response.json({ now: lab.clock.now(), servers: lab.state() });
    }
    if (path === "/events") return events(lab, closing);
    const entry = Object.hasOwn(FILES, path) ? FILES[path] : undefined;
    if (!entry) return undefined;
    let bytes = cache.get(entry.file);
    if (!bytes) {
      bytes = await Deno.readFile(new URL(`./page/${entry.file}`, import.meta.url));
      cache.set(entry.file, bytes);
    }
    return new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "Content-Type": entry.type,
        "Content-Security-Policy": POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
      },
    });
  };
}

function events(lab: Lab, closing?: AbortSignal): Response {
  return eventStream({
    name: "lab",
    subscribe: (send) =>
      lab.log.subscribe((event) => send({ ...event, said: describeEvent(event) })),
    register: (end) => closing?.addEventListener("abort", end),
  });
}
