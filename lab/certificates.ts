/**
 * The lab's certificates: one certificate authority that students trust once, and a server
 * certificate per domain for STARTTLS and implicit TLS. On disk (`<dataDir>/tls/`) they are made
 * at the first start and kept afterwards, so that a client told to trust `ca.pem` keeps trusting
 * the lab across restarts; a domain's certificate is made again when it is missing, broken, lacks
 * a name, or nears its end.
 *
 * @module
 */
import { join } from "node:path";
import type { Clock } from "../protocol/clock.ts";
import { syncDirectory, writeNewFile } from "../runtime/atomic_file.ts";
import {
  CertificateAuthority,
  certificateInfo,
  keyMatches,
  type TlsIdentity,
} from "../runtime/certificates.ts";
import { systemClock } from "../runtime/system_clock.ts";

const DAY = 86_400_000;
// A certificate this close to its end is replaced at start, long before a client would notice.
const RENEW_BEFORE = 30 * DAY;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Options of {@linkcode labCertificates}. */
export interface LabCertificatesOptions {
  /** The lab's domains, one certificate each. */
  domains: readonly string[];
  /** The folder that keeps them (the lab passes `<dataDir>/tls`). @default in memory, nothing written */
  dir?: string;
  /** The clock that dates new certificates and judges old ones. @default the system clock */
  clock?: Clock;
}

/** The lab's certificate authority and the certificate of each domain. */
export interface LabCertificates {
  /** The authority's certificate, PEM: what clients trust. */
  ca: string;
  /** Where the authority's certificate is, when kept on disk. */
  caPath?: string;
  /** Each domain's certificate and key, by domain. */
  identities: Map<string, TlsIdentity>;
  /** Whether the authority was made by this call (clients must be told to trust it). */
  newCa: boolean;
  /** The domains whose certificate was made by this call. */
  issued: string[];
}

/**
 * Makes or loads the lab's certificates. Each domain's certificate names the domain,
 * `mail.<domain>`, `localhost`, `127.0.0.1` and `::1`.
 *
 * With `dir`, the files are `ca.pem` (0644), `ca-key.pem` (0600), and per domain `<domain>.pem`
 * and `<domain>-key.pem` (0600). An authority that is there but cannot be used is an error, never
 * replaced: students may trust it. Deleting the folder makes a new one.
 *
 * @param options The domains, the folder and the clock.
 * @returns The authority and the certificates.
 * @throws {Error} When the authority's files cannot be read or used, or a domain is no domain name.
 *
 * @example Keep the certificates in a folder and find the same authority on the next start
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { certificateInfo } from "../runtime/certificates.ts";
 * import { labCertificates } from "./certificates.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const clock = new ManualClock();
 * const first = await labCertificates({ dir, domains: ["crepes.fr"], clock });
 * assert.equal(first.newCa, true);
 * assert.equal(first.caPath, `${dir}/ca.pem`);
 * const { cert } = first.identities.get("crepes.fr")!;
 * assert.deepEqual(certificateInfo(cert).names, [
 *   "crepes.fr",
 *   "mail.crepes.fr",
 *   "localhost",
 *   "127.0.0.1",
 *   "::1",
 * ]);
 *
 * const again = await labCertificates({ dir, domains: ["crepes.fr"], clock });
 * assert.equal(again.ca, first.ca);
 * assert.deepEqual(again.issued, []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function labCertificates(options: LabCertificatesOptions): Promise<LabCertificates> {
  const clock = options.clock ?? systemClock;
  const domains = [...new Set(options.domains.map(checkDomain))];
  const { dir } = options;
  if (dir === undefined) {
    const ca = await CertificateAuthority.create({ clock });
    const identities = new Map<string, TlsIdentity>();
    for (const domain of domains) identities.set(domain, await ca.issue(namesOf(domain)));
    return { ca: ca.cert, identities, newCa: true, issued: domains };
  }

  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const { ca, newCa } = await loadAuthority(dir, clock);
  const identities = new Map<string, TlsIdentity>();
  const issued: string[] = [];
  for (const domain of domains) {
    const cert = join(dir, `${domain}.pem`);
    const key = join(dir, `${domain}-key.pem`);
    const names = namesOf(domain);
    let identity = await readIdentity(cert, key);
    if (!identity || !await stillGood(identity, ca, names, clock)) {
      identity = await ca.issue(names);
      await replaceFile(key, identity.key, 0o600);
      await replaceFile(cert, identity.cert, 0o600);
      issued.push(domain);
    }
    identities.set(domain, identity);
  }
  if (newCa || issued.length > 0) await syncDirectory(dir);
  return { ca: ca.cert, caPath: join(dir, "ca.pem"), identities, newCa, issued };
}

function namesOf(domain: string): string[] {
  return [domain, `mail.${domain}`, "localhost", "127.0.0.1", "::1"];
}

function checkDomain(domain: string): string {
  const name = domain.toLowerCase();
  // "ca" would name its files ca.pem and ca-key.pem: the authority's own.
  if (!DOMAIN.test(name) || name === "ca") {
    throw new Error(`Cannot make a certificate for domain "${domain}": not a domain name`);
  }
  return name;
}

async function loadAuthority(
  dir: string,
  clock: Clock,
): Promise<{ ca: CertificateAuthority; newCa: boolean }> {
  const certPath = join(dir, "ca.pem");
  const keyPath = join(dir, "ca-key.pem");
  const fail = (path: string, why: string) =>
    new Error(
      `Cannot use the lab's certificate authority "${path}" (${why}): to make a new one, delete ` +
        `the folder "${dir}" and have clients trust the new ca.pem`,
    );
  const read = async (path: string) => {
    try {
      return await readIfThere(path);
    } catch (error) {
      throw fail(path, lowerFirst(error));
    }
  };

  const cert = await read(certPath);
  if (cert === undefined) {
    // No ca.pem means no client can trust an authority here yet (a stale key is overwritten).
    const ca = await CertificateAuthority.create({ clock });
    await replaceFile(keyPath, ca.key, 0o600);
    await replaceFile(certPath, ca.cert, 0o644);
    return { ca, newCa: true };
  }
  let notAfter: number;
  try {
    const info = certificateInfo(cert);
    if (!info.isCa) throw new Error("Not a certificate authority");
    notAfter = info.notAfter;
  } catch (error) {
    throw fail(certPath, lowerFirst(error));
  }
  if (notAfter <= clock.now()) {
    throw fail(certPath, `expired on ${new Date(notAfter).toISOString()}`);
  }
  const key = await read(keyPath);
  if (key === undefined) throw fail(keyPath, "missing");
  try {
    return { ca: await CertificateAuthority.fromPem(cert, key, { clock }), newCa: false };
  } catch (error) {
    throw fail(keyPath, lowerFirst(error));
  }
}

async function readIdentity(certPath: string, keyPath: string): Promise<TlsIdentity | undefined> {
  const cert = await readIfThere(certPath);
  const key = await readIfThere(keyPath);
  return cert !== undefined && key !== undefined ? { cert, key } : undefined;
}

async function stillGood(
  identity: TlsIdentity,
  ca: CertificateAuthority,
  names: readonly string[],
  clock: Clock,
): Promise<boolean> {
  try {
    const info = certificateInfo(identity.cert);
    const now = clock.now();
    return names.every((name) => info.names.includes(name)) &&
      info.notBefore <= now && info.notAfter - now > RENEW_BEFORE &&
      await ca.issued(identity.cert) && await keyMatches(identity);
  } catch {
    // a certificate or key that does not parse is made again
    return false;
  }
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

// Written under a temporary name and renamed, so a crash leaves the old file or the new one.
async function replaceFile(path: string, text: string, mode: number): Promise<void> {
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await writeNewFile(temp, new TextEncoder().encode(text));
    if (Deno.build.os !== "windows") await Deno.chmod(temp, mode);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

function lowerFirst(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.charAt(0).toLowerCase() + text.slice(1);
}
