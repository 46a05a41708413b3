/**
 * TLS for the connection engine and the clients, on `node:tls` over a Deno connection.
 *
 * Why this way: `Deno.startTls` upgrades only the client side, and a `Deno.Conn` from
 * `Deno.listen` cannot be upgraded on the server side, while STARTTLS needs exactly that. A
 * `node:tls` socket over a stream that reads and writes the Deno connection does both sides, after
 * a plaintext greeting (STARTTLS) or at once (implicit TLS, RFC 8314), and it tells which protocol
 * version and cipher the handshake chose, which the transcripts show. Plain connections keep
 * Deno's own fast path; only TLS connections pay for the stream in between.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import tls from "node:tls";
import { isIP } from "node:net";
import type { TlsIdentity } from "./certificates.ts";

export type { TlsIdentity };

/** What a finished handshake chose, and (client side) whether the server's certificate checked out. */
export interface TlsInfo {
  /** The protocol version, such as `TLSv1.3`. */
  protocol: string;
  /** The cipher suite, such as `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** Client side: whether the server's certificate verified against the trusted authorities. */
  verified?: boolean;
  /** Client side: why it did not verify. */
  verifyError?: string;
}

/**
 * A server's TLS settings, made once and shared by every connection.
 *
 * @example
 * ```ts ignore
 * import { ServerTls } from "./tls.ts";
 *
 * const tls = new ServerTls({ cert: certPem, key: keyPem });
 * ```
 */
export class ServerTls {
  /** The certificate the server presents, PEM. */
  readonly cert: string;
  #context: tls.SecureContext;

  /**
   * Makes the settings from a certificate and its key.
   *
   * @param identity The certificate and key, PEM.
   * @throws {Error} When the key does not parse or does not match the certificate.
   */
  constructor(identity: TlsIdentity) {
    this.cert = identity.cert;
    this.#context = tls.createSecureContext({ cert: identity.cert, key: identity.key });
  }

  /** The `node:tls` context. */
  get context(): tls.SecureContext {
    return this.#context;
  }
}

/** What a client trusts, and whether it insists. */
export interface ClientTls {
  /** The authorities to trust, PEM (the lab's CA). @default the runtime's built-in roots */
  ca?: string[];
  /**
   * Refuse a server whose certificate does not verify (or names another host). False is
   * opportunistic encryption (RFC 7435): the channel is encrypted, the transcript says whether
   * the certificate checked out.
   * @default true
   */
  verify?: boolean;
  /** The name to check the certificate against (and send as SNI); an IP address is checked too. */
  servername: string;
}

/** A finished TLS socket as the transport uses it: no `node:` types leak out. */
export interface TlsSocketLike {
  readonly info: TlsInfo;
  onData(listener: (chunk: Uint8Array) => void): void;
  onEnd(listener: (error?: Error) => void): void;
  pause(): void;
  resume(): void;
  write(bytes: Uint8Array): Promise<void>;
  destroy(): void;
}

/**
 * The one-line note a transcript shows once the handshake finished.
 *
 * @param info The handshake's outcome.
 * @returns Such as `TLS started (TLSv1.3, TLS_AES_256_GCM_SHA384)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeTls } from "./tls.ts";
 *
 * assert.equal(describeTls({ protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" }), "TLS started (TLSv1.3, TLS_AES_256_GCM_SHA384)");
 * assert.equal(
 *   describeTls({ protocol: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", verified: false, verifyError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }),
 *   "TLS started (TLSv1.3, TLS_AES_128_GCM_SHA256; certificate not verified: UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
 * );
 * ```
 */
export function describeTls(info: TlsInfo): string {
  const check = info.verified === undefined
    ? ""
    : info.verified
    ? "; certificate verified"
    : `; certificate not verified: ${info.verifyError ?? "unknown reason"}`;
  return `TLS started (${info.protocol}, ${info.cipher}${check})`;
}

/** A `node:stream` Duplex that reads and writes a Deno connection, for `node:tls` to sit on. */
function streamOf(conn: Deno.Conn): Duplex {
  let reading = false;
  const stream: Duplex = new Duplex({
    read() {
      if (reading) return;
      reading = true;
      (async () => {
        for (;;) {
          const buffer = new Uint8Array(16 * 1024);
          let n: number | null;
          try {
            n = await conn.read(buffer);
          } catch {
            n = null;
          }
          if (n === null) {
            stream.push(null);
            return;
          }
          if (!stream.push(Buffer.from(buffer.buffer, 0, n))) {
            reading = false;
            return;
          }
        }
      })();
    },
    write(chunk: Uint8Array, _encoding, callback) {
      (async () => {
        for (let at = 0; at < chunk.length;) at += await conn.write(chunk.subarray(at));
      })().then(() => callback(), (error) => callback(error));
    },
    destroy(error, callback) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      callback(error);
    },
  });
  return stream;
}

function wrap(socket: tls.TLSSocket, info: TlsInfo): TlsSocketLike {
  return {
    info,
    onData: (listener) => socket.on("data", listener),
    onEnd: (listener) => {
      socket.on("end", () => listener());
      socket.on("close", () => listener());
      socket.on("error", (error: Error) => listener(error));
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    write: (bytes) =>
      new Promise((resolve, reject) => {
        socket.write(bytes, (error?: Error | null) => error ? reject(error) : resolve());
      }),
    destroy: () => socket.destroy(),
  };
}

/**
 * Runs a TLS handshake over a Deno connection, as the server or as the client.
 *
 * @param conn The connection; nothing else may read it from now on.
 * @param options The server's settings or the client's trust, and a deadline.
 * @returns The TLS socket.
 * @throws {Error} When the handshake fails or takes longer than `timeoutMs`.
 */
export function startTls(
  conn: Deno.Conn,
  options: { server: ServerTls; timeoutMs?: number } | { client: ClientTls; timeoutMs?: number },
): Promise<TlsSocketLike> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const stream = streamOf(conn);
    let socket: tls.TLSSocket;
    let over = false;
    const fail = (error: Error) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`TLS handshake failed: ${error.message}`, { cause: error }));
    };
    const timer = setTimeout(
      () => fail(new Error(`no handshake within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const done = (info: TlsInfo) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(wrap(socket, info));
    };
    const chosen = () => ({
      protocol: socket.getProtocol() ?? "TLS",
      cipher: socket.getCipher()?.name ?? "unknown cipher",
    });
    if ("server" in options) {
      socket = new tls.TLSSocket(stream, { isServer: true, secureContext: options.server.context });
      socket.once("secure", () => done(chosen()));
    } else {
      const { ca, verify = true, servername } = options.client;
      const byAddress = isIP(servername) !== 0;
      socket = tls.connect({
        socket: stream,
        ca,
        rejectUnauthorized: verify,
        ...(byAddress ? { host: servername } : { servername, host: servername }),
      });
      socket.once("secureConnect", () =>
        done({
          ...chosen(),
          verified: socket.authorized,
          ...(socket.authorized ? {} : { verifyError: String(socket.authorizationError) }),
        }));
    }
    socket.on("error", fail);
    // A peer that hangs up in the middle of the handshake ends it at once, not at the deadline.
    const hungUp = () => fail(new Error("the peer closed the connection"));
    socket.once("end", hungUp);
    socket.once("close", hungUp);
    const settled = () => {
      socket.off("end", hungUp);
      socket.off("close", hungUp);
    };
    socket.once("secure", settled);
    socket.once("secureConnect", settled);
  });
}
