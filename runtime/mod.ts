/**
 * What touches the runtime and both the servers and the clients need: the system clock, the
 * byte streams a connection reads and writes (plain TCP, or TLS after STARTTLS), TLS settings,
 * and the certificate authority that makes the lab's certificates.
 *
 * @module
 */
export { systemClock } from "./system_clock.ts";
export {
  type StartTlsOptions,
  TcpTransport,
  type TcpTransportOptions,
  type Transport,
} from "./transport.ts";
export { type ClientTls, describeTls, ServerTls, type TlsIdentity, type TlsInfo } from "./tls.ts";
export {
  CertificateAuthority,
  type CertificateAuthorityOptions,
  type CertificateAuthorityPemOptions,
  type CertificateInfo,
  certificateInfo,
  type IssueOptions,
  keyMatches,
} from "./certificates.ts";
