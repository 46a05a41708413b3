/**
 * X.509 certificates for STARTTLS and implicit TLS: a small certificate authority and the server
 * certificates it issues, as PEM strings that `node:tls` (`createSecureContext({ cert, key })`),
 * `Deno.listenTls`, curl's `--cacert` and Python's `cafile=` take as they are.
 *
 * Keys are ECDSA P-256 and signatures ECDSA with SHA-256: quick to make, and accepted by OpenSSL,
 * GnuTLS, Python's `ssl` and rustls. The certificates carry what strict verifiers ask for
 * (RFC 5280 §4.2.1: key identifiers, critical basic constraints and key usage; RFC 6125 §6.4:
 * names in the subject alternative name, never only in the common name).
 *
 * @module
 */
// x509's dependency injection (tsyringe) needs the metadata polyfill loaded before it.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { isIP } from "node:net";
import type { Clock } from "../protocol/clock.ts";
import { systemClock } from "./system_clock.ts";

x509.cryptoProvider.set(crypto);

const ECDSA: EcKeyGenParams & EcdsaParams = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY = 86_400_000;
// Backdated so that a client whose clock runs a little behind still accepts a fresh certificate.
const SKEW = 3_600_000;
// RFC 1034 §3.5 labels, lower-cased, with an optional leading wildcard label.
const DNS_NAME =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A certificate with its private key, both PEM: what a TLS server needs. */
export interface TlsIdentity {
  /** The certificate, `-----BEGIN CERTIFICATE-----`. */
  cert: string;
  /** The private key in PKCS#8, `-----BEGIN PRIVATE KEY-----`. */
  key: string;
}

/** Options of {@linkcode CertificateAuthority.issue}. */
export interface IssueOptions {
  /** The clock that dates the certificate. @default the authority's clock */
  clock?: Clock;
  /** Days the certificate is valid, capped at the authority's own expiry. @default 397 */
  validDays?: number;
}

/** Options of {@linkcode CertificateAuthority.create}. */
export interface CertificateAuthorityOptions {
  /** The authority's common name, shown by browsers and mail clients. @default "Mail toolkit lab CA" */
  name?: string;
  /** The clock that dates the authority and, unless told otherwise, what it issues. @default the system clock */
  clock?: Clock;
  /** Days the authority is valid. @default 3650 */
  validDays?: number;
}

/** Options of {@linkcode CertificateAuthority.fromPem}. */
export interface CertificateAuthorityPemOptions {
  /** The clock that dates what the authority issues. @default the system clock */
  clock?: Clock;
}

/** What a certificate says, as {@linkcode certificateInfo} reads it. */
export interface CertificateInfo {
  /** The subject's distinguished name, `CN=mail.crepes.fr`. */
  subject: string;
  /** The issuer's distinguished name, `CN=Mail toolkit lab CA`. */
  issuer: string;
  /** The serial number in hexadecimal. */
  serialNumber: string;
  /** The DNS names and IP addresses of the subject alternative name, in order. */
  names: string[];
  /** The start of validity, in milliseconds since the epoch. */
  notBefore: number;
  /** The end of validity, in milliseconds since the epoch. */
  notAfter: number;
  /** Whether basic constraints say it is a certificate authority. */
  isCa: boolean;
}

/**
 * A certificate authority that issues server certificates: self-signed, allowed to sign server
 * certificates but no other authority (path length 0).
 *
 * @example Issue a certificate and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "../protocol/clock.ts";
 * import { CertificateAuthority, certificateInfo } from "./certificates.ts";
 *
 * const clock = new ManualClock(Date.UTC(2026, 8, 1));
 * const ca = await CertificateAuthority.create({ clock });
 * const { cert, key } = await ca.issue(["mail.crepes.fr", "127.0.0.1"]);
 * assert.match(key, /^-----BEGIN PRIVATE KEY-----/);
 * const info = certificateInfo(cert);
 * assert.deepEqual(info.names, ["mail.crepes.fr", "127.0.0.1"]);
 * assert.equal(info.issuer, "CN=Mail toolkit lab CA");
 * assert.equal(info.notAfter, Date.UTC(2026, 8, 1) + 397 * 86_400_000 - 3_600_000);
 * assert.equal(await ca.issued(cert), true);
 * ```
 */
export class CertificateAuthority {
  /** The authority's certificate, PEM: what clients trust. */
  readonly cert: string;
  /** The authority's private key, PKCS#8 PEM: keep it private. */
  readonly key: string;
  #certificate: x509.X509Certificate;
  #signingKey: CryptoKey;
  #clock: Clock;

  private constructor(
    pem: TlsIdentity,
    certificate: x509.X509Certificate,
    signingKey: CryptoKey,
    clock: Clock,
  ) {
    this.cert = pem.cert;
    this.key = pem.key;
    this.#certificate = certificate;
    this.#signingKey = signingKey;
    this.#clock = clock;
  }

  /**
   * Makes a new authority with a fresh key.
   *
   * @param options Its name, clock and validity.
   * @returns The authority.
   */
  static async create(options: CertificateAuthorityOptions = {}): Promise<CertificateAuthority> {
    const name = options.name ?? "Mail toolkit lab CA";
    const clock = options.clock ?? systemClock;
    const validDays = options.validDays ?? 3650;
    const keys = await generateKeys();
    const now = clock.now();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      name: [{ CN: [name] }],
      keys,
      serialNumber: randomSerial(),
      notBefore: new Date(now - SKEW),
      notAfter: new Date(now + validDays * DAY - SKEW),
      signingAlgorithm: ECDSA,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const pem = { cert: toPem(certificate), key: await exportKey(keys.privateKey) };
    return new CertificateAuthority(pem, certificate, keys.privateKey, clock);
  }

  /**
   * Loads an authority saved earlier, keeping the PEM text as given.
   *
   * @param cert The authority's certificate, PEM.
   * @param key Its private key, PKCS#8 PEM.
   * @param options The clock of what it issues.
   * @returns The authority.
   * @throws {Error} When either does not parse, the certificate is no authority, or the key is
   * not the certificate's.
   */
  static async fromPem(
    cert: string,
    key: string,
    options: CertificateAuthorityPemOptions = {},
  ): Promise<CertificateAuthority> {
    const certificate = parseCertificate(cert);
    if (!isAuthority(certificate)) {
      throw new Error(`Certificate "${certificate.subject}" is not a certificate authority`);
    }
    const signingKey = await importKey(key);
    if (!await signedBy(signingKey, certificate)) {
      throw new Error(`Private key does not belong to certificate "${certificate.subject}"`);
    }
    const clock = options.clock ?? systemClock;
    return new CertificateAuthority({ cert, key }, certificate, signingKey, clock);
  }

  /**
   * Issues a server certificate for some host names and IP addresses, with a fresh key.
   *
   * @param names DNS names and IPv4 or IPv6 literals; the first is also the common name.
   * @param options The clock and validity.
   * @returns The certificate and its key.
   * @throws {Error} When `names` is empty or holds something that is neither.
   */
  async issue(names: readonly string[], options: IssueOptions = {}): Promise<TlsIdentity> {
    if (names.length === 0) throw new Error("Cannot issue a certificate without a name");
    const altNames = names.map(generalName);
    const clock = options.clock ?? this.#clock;
    const validDays = options.validDays ?? 397;
    const now = clock.now();
    const keys = await generateKeys();
    const certificate = await x509.X509CertificateGenerator.create({
      subject: [{ CN: [altNames[0].value] }],
      issuer: this.#certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey: this.#signingKey,
      serialNumber: randomSerial(),
      notBefore: new Date(now - SKEW),
      notAfter: new Date(
        Math.min(now + validDays * DAY - SKEW, this.#certificate.notAfter.getTime()),
      ),
      signingAlgorithm: ECDSA,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(altNames),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.#certificate.publicKey),
      ],
    });
    return { cert: toPem(certificate), key: await exportKey(keys.privateKey) };
  }

  /**
   * Whether this authority signed a certificate: the issuer names it and its key made the
   * signature. Validity dates are not looked at.
   *
   * @param cert A certificate, PEM.
   * @returns True when this authority issued it.
   * @throws {Error} When `cert` does not parse.
   */
  async issued(cert: string): Promise<boolean> {
    const certificate = parseCertificate(cert);
    if (certificate.issuer !== this.#certificate.subject) return false;
    return await certificate.verify({
      publicKey: this.#certificate.publicKey,
      signatureOnly: true,
    });
  }
}

/**
 * Reads what a certificate says: names, issuer, validity.
 *
 * @param pem A certificate, PEM (the first one when there are several).
 * @returns Its subject, issuer, names and validity.
 * @throws {Error} When `pem` holds no certificate that parses.
 *
 * @example Read a certificate's names and spot a bad one
 * ```ts
 * import assert from "node:assert/strict";
 * import { CertificateAuthority, certificateInfo } from "./certificates.ts";
 *
 * const ca = await CertificateAuthority.create({ name: "Test CA" });
 * const { cert } = await ca.issue(["localhost", "::1"]);
 * const info = certificateInfo(cert);
 * assert.equal(info.subject, "CN=localhost");
 * assert.deepEqual(info.names, ["localhost", "::1"]);
 * assert.equal(info.isCa, false);
 * assert.equal(certificateInfo(ca.cert).isCa, true);
 * assert.throws(() => certificateInfo("hello"), /Cannot read the certificate/);
 * ```
 */
export function certificateInfo(pem: string): CertificateInfo {
  const certificate = parseCertificate(pem);
  const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    names: san?.names.items
      .filter((name) => name.type === "dns" || name.type === "ip")
      .map((name) => name.value) ?? [],
    notBefore: certificate.notBefore.getTime(),
    notAfter: certificate.notAfter.getTime(),
    isCa: isAuthority(certificate),
  };
}

/**
 * Whether a private key belongs to a certificate: a signature made with the key verifies with the
 * certificate's public key.
 *
 * @param identity The certificate and the key, PEM.
 * @returns True when they belong together.
 * @throws {Error} When either does not parse.
 *
 * @example Tell a matching pair from a mixed one
 * ```ts
 * import assert from "node:assert/strict";
 * import { CertificateAuthority, keyMatches } from "./certificates.ts";
 *
 * const ca = await CertificateAuthority.create();
 * const a = await ca.issue(["a.example"]);
 * const b = await ca.issue(["b.example"]);
 * assert.equal(await keyMatches(a), true);
 * assert.equal(await keyMatches({ cert: a.cert, key: b.key }), false);
 * ```
 */
export async function keyMatches(identity: TlsIdentity): Promise<boolean> {
  return await signedBy(await importKey(identity.key), parseCertificate(identity.cert));
}

function parseCertificate(pem: string): x509.X509Certificate {
  let block: x509.PemStruct | undefined;
  try {
    block = x509.PemConverter.decodeWithHeaders(pem).find((b) => b.type === "CERTIFICATE");
  } catch {
    // not PEM at all; reported below
  }
  if (!block) throw new Error('Cannot read the certificate: no PEM block "CERTIFICATE"');
  try {
    return new x509.X509Certificate(block.rawData);
  } catch (error) {
    throw new Error(`Cannot read the certificate: ${reason(error)}`);
  }
}

async function importKey(pem: string): Promise<CryptoKey> {
  let block: x509.PemStruct | undefined;
  try {
    block = x509.PemConverter.decodeWithHeaders(pem).find((b) => b.type === "PRIVATE KEY");
  } catch {
    // not PEM at all; reported below
  }
  if (!block) throw new Error('Cannot read the private key: no PEM block "PRIVATE KEY"');
  try {
    return await crypto.subtle.importKey("pkcs8", block.rawData, ECDSA, true, ["sign"]);
  } catch (error) {
    throw new Error(`Cannot read the private key: not an ECDSA P-256 key (${reason(error)})`);
  }
}

async function signedBy(key: CryptoKey, certificate: x509.X509Certificate): Promise<boolean> {
  const probe = crypto.getRandomValues(new Uint8Array(32));
  const signature = await crypto.subtle.sign(ECDSA, key, probe);
  try {
    const publicKey = await certificate.publicKey.export(ECDSA, ["verify"]);
    return await crypto.subtle.verify(ECDSA, publicKey, signature, probe);
  } catch {
    // a public key of another kind (RSA, another curve) cannot match an ECDSA P-256 key
    return false;
  }
}

function isAuthority(certificate: x509.X509Certificate): boolean {
  return certificate.getExtension(x509.BasicConstraintsExtension)?.ca ?? false;
}

function generalName(name: string): x509.JsonGeneralName {
  if (isIP(name) !== 0) return { type: "ip", value: name };
  const dns = name.toLowerCase().replace(/\.$/, "");
  if (dns.length > 253 || !DNS_NAME.test(dns)) {
    throw new Error(`Cannot issue a certificate for "${name}": not a DNS name or IP address`);
  }
  return { type: "dns", value: dns };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return await crypto.subtle.generateKey(ECDSA, true, ["sign", "verify"]);
}

// PEM text ends with a newline, so that files and bundles concatenate cleanly.
function toPem(certificate: x509.X509Certificate): string {
  return `${certificate.toString("pem")}\n`;
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return `${x509.PemConverter.encode(der, "PRIVATE KEY")}\n`;
}

// RFC 5280 §4.1.2.2: positive, at most 20 octets; 128 random bits make collisions unthinkable.
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] & 0x7f) || 0x01;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
