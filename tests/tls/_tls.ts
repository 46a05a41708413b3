// What the TLS tests share: a lab CA made in memory once per test file, a server certificate from
// it, and a raw client that speaks lines over TCP and starts TLS with Deno's own TLS (rustls), so
// that the server's TLS is checked against an implementation that is not its own.
import { CertificateAuthority, type TlsIdentity } from "../../runtime/certificates.ts";
import { ServerTls } from "../../runtime/tls.ts";

const ca = await CertificateAuthority.create({ name: "Test lab CA" });

/** The CA's certificate (PEM), the server's identity, and its TLS settings. */
export const TEST_CA: string = ca.cert;
export const IDENTITY: TlsIdentity = await ca.issue(["hamburger.edu", "localhost", "127.0.0.1"]);
export const SERVER_TLS: ServerTls = new ServerTls(IDENTITY);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A client that writes raw bytes and reads what arrives, over TCP and then TLS. */
export class RawTlsClient implements Disposable {
  #conn: Deno.Conn;
  #pending = "";

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Connects in the clear. */
  static async plain(port: number): Promise<RawTlsClient> {
    return new RawTlsClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Connects with TLS from the first byte (implicit TLS). */
  static async implicit(port: number): Promise<RawTlsClient> {
    return new RawTlsClient(
      await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [TEST_CA] }),
    );
  }

  /** Writes text as it is. */
  async send(text: string): Promise<void> {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length;) at += await this.#conn.write(bytes.subarray(at));
  }

  /** Reads until `pattern` matches what arrived, and returns all of it (5 s at most). */
  async until(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#pending)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Never saw ${pattern}; got ${JSON.stringify(this.#pending)}`);
      const chunk = await this.#read(left);
      if (chunk === null) {
        throw new Error(`Closed before ${pattern}; got ${JSON.stringify(this.#pending)}`);
      }
      this.#pending += chunk;
    }
    const text = this.#pending;
    this.#pending = "";
    return text;
  }

  /** What arrives within `ms` (nothing, if the server is rightly silent). */
  async within(ms: number): Promise<string> {
    const chunk = await this.#read(ms);
    return chunk ?? "";
  }

  // One read at a time: a read that outlives its wait is picked up by the next call.
  async #read(ms: number): Promise<string | null> {
    if (!this.#reading) {
      const buffer = new Uint8Array(16 * 1024);
      this.#reading = this.#conn.read(buffer).then((n) =>
        n === null ? null : decoder.decode(buffer.subarray(0, n))
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => timer = setTimeout(() => resolve("late"), ms));
    const got = await Promise.race([this.#reading, late]);
    clearTimeout(timer);
    if (got === "late") return "";
    this.#reading = undefined;
    return got;
  }

  #reading: Promise<string | null> | undefined;

  /** Starts TLS on the plain connection, trusting the test CA. */
  async startTls(): Promise<void> {
    if (this.#reading) throw new Error("A read is still pending; cannot start TLS");
    this.#conn = await Deno.startTls(this.#conn as Deno.TcpConn, {
      hostname: "127.0.0.1",
      caCerts: [TEST_CA],
    });
    await (this.#conn as Deno.TlsConn).handshake();
  }

  [Symbol.dispose](): void {
    try {
      this.#conn.close();
    } catch {
      // closed already
    }
    this.#reading?.catch(() => {});
  }
}
