import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { ManualClock } from "../protocol/clock.ts";
import { toolTest } from "../tests/_tools.ts";
import {
  CertificateAuthority,
  certificateInfo,
  keyMatches,
  type TlsIdentity,
} from "./certificates.ts";

const NAMES = ["mail.hamburger.edu", "hamburger.edu", "localhost", "127.0.0.1", "::1"];
const DAY = 86_400_000;

/**
 * A node:tls server on 127.0.0.1 that greets each client with `220 ready` and hangs up, or, given
 * an HTTP response, sends it after the request.
 */
async function tlsServer(identity: TlsIdentity, httpResponse?: string) {
  const server = tls.createServer(identity, (socket) => {
    socket.on("error", () => {});
    if (httpResponse === undefined) socket.end("220 ready\r\n");
    else socket.once("data", () => socket.end(httpResponse));
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Connects with node:tls; the server's greeting when the handshake passed, else the error code. */
function handshake(port: number, options: { ca?: string; servername?: string }): Promise<string> {
  return new Promise((resolve) => {
    let result = "";
    const socket = tls.connect({
      host: "127.0.0.1",
      port,
      ca: options.ca === undefined ? undefined : [options.ca],
      servername: options.servername,
    });
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => result += text);
    socket.on("error", (error: NodeJS.ErrnoException) => result = error.code ?? error.message);
    socket.on("close", () => resolve(result));
  });
}

async function run(command: string, args: string[]) {
  const out = await new Deno.Command(command, { args, stdin: "null" }).output();
  const decoder = new TextDecoder();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

async function writeFiles(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

Deno.test("CertificateAuthority certificates pass a node:tls handshake for each of their names", async () => {
  const ca = await CertificateAuthority.create();
  await using server = await tlsServer(await ca.issue(NAMES));
  assert.equal(await handshake(server.port, { ca: ca.cert }), "220 ready\r\n");
  for (const servername of ["localhost", "mail.hamburger.edu", "hamburger.edu"]) {
    assert.equal(await handshake(server.port, { ca: ca.cert, servername }), "220 ready\r\n");
  }
});

Deno.test("CertificateAuthority certificates fail node:tls for another name or an untrusting client", async () => {
  const ca = await CertificateAuthority.create();
  await using server = await tlsServer(await ca.issue(NAMES));
  const other = await CertificateAuthority.create();
  assert.equal(
    await handshake(server.port, { ca: ca.cert, servername: "mail.crepes.fr" }),
    "ERR_TLS_CERT_ALTNAME_INVALID",
  );
  assert.equal(
    await handshake(server.port, { servername: "mail.hamburger.edu" }),
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  );
  assert.equal(
    await handshake(server.port, { ca: other.cert, servername: "mail.hamburger.edu" }),
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  );
});

Deno.test("CertificateAuthority certificates dated by a past clock are refused as expired", async () => {
  const clock = new ManualClock(Date.UTC(2020, 0, 1));
  const ca = await CertificateAuthority.create({ clock });
  await using server = await tlsServer(await ca.issue(NAMES));
  // Deno's node:tls reports every failed verification with this one code.
  assert.equal(await handshake(server.port, { ca: ca.cert }), "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: server.port,
    caCerts: [ca.cert],
  });
  await assert.rejects(conn.handshake(), /expired/i);
  conn.close();
});

Deno.test("CertificateAuthority certificates work with Deno.listenTls and Deno.connectTls", async () => {
  const ca = await CertificateAuthority.create();
  const { cert, key } = await ca.issue(NAMES);
  using listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
  const serving = (async () => {
    for (let i = 0; i < 2; i++) {
      const conn = await listener.accept();
      try {
        await conn.handshake();
        await conn.write(new TextEncoder().encode("220 ready\r\n"));
      } catch {
        // the untrusting client hangs up during the handshake
      } finally {
        conn.close();
      }
    }
  })();
  const { port } = listener.addr;
  const conn = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca.cert] });
  const buffer = new Uint8Array(64);
  const n = await conn.read(buffer);
  assert.equal(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), "220 ready\r\n");
  conn.close();
  const untrusting = await Deno.connectTls({ hostname: "127.0.0.1", port });
  await assert.rejects(untrusting.handshake(), /UnknownIssuer|certificate/i);
  untrusting.close();
  await serving;
});

Deno.test("CertificateAuthority.issue sets the names, validity and a random positive serial", async () => {
  const clock = new ManualClock(Date.UTC(2026, 8, 1));
  const ca = await CertificateAuthority.create({ clock, name: "Test CA", validDays: 100 });
  const a = certificateInfo((await ca.issue(["Mail.Example.", "::1"])).cert);
  const b = certificateInfo((await ca.issue(["mail.example"], { validDays: 10 })).cert);
  assert.deepEqual(a.names, ["mail.example", "::1"]);
  assert.equal(a.subject, "CN=mail.example");
  assert.equal(a.issuer, "CN=Test CA");
  assert.equal(a.notBefore, Date.UTC(2026, 8, 1) - 3_600_000);
  // capped at the authority's own end
  assert.equal(a.notAfter, certificateInfo(ca.cert).notAfter);
  assert.equal(b.notAfter - b.notBefore, 10 * DAY);
  assert.notEqual(a.serialNumber, b.serialNumber);
  assert.match(a.serialNumber, /^[0-7][0-9a-f]{31}$/);
});

Deno.test("CertificateAuthority.issue rejects an empty list and a name that is no host", async () => {
  const ca = await CertificateAuthority.create();
  await assert.rejects(ca.issue([]), /Cannot issue a certificate without a name/);
  await assert.rejects(
    ca.issue(["mail server"]),
    { message: 'Cannot issue a certificate for "mail server": not a DNS name or IP address' },
  );
});

Deno.test("CertificateAuthority.fromPem keeps the PEM and issues what the original trusts", async () => {
  const original = await CertificateAuthority.create();
  const loaded = await CertificateAuthority.fromPem(original.cert, original.key);
  assert.equal(loaded.cert, original.cert);
  const { cert } = await loaded.issue(["mail.crepes.fr"]);
  assert.equal(await original.issued(cert), true);
  const stranger = await CertificateAuthority.create();
  assert.equal(await stranger.issued(cert), false);
});

Deno.test("CertificateAuthority.fromPem rejects bad PEM, a leaf certificate and a foreign key", async () => {
  const ca = await CertificateAuthority.create();
  const leaf = await ca.issue(["mail.crepes.fr"]);
  await assert.rejects(
    CertificateAuthority.fromPem("garbage", ca.key),
    /Cannot read the certificate: no PEM block "CERTIFICATE"/,
  );
  const truncated = ca.cert.replace(/^(.{80}).*(-----END)/s, "$1\n$2");
  await assert.rejects(
    CertificateAuthority.fromPem(truncated, ca.key),
    /Cannot read the certificate/,
  );
  await assert.rejects(
    CertificateAuthority.fromPem(ca.cert, "garbage"),
    /Cannot read the private key/,
  );
  await assert.rejects(
    CertificateAuthority.fromPem(leaf.cert, leaf.key),
    /Certificate "CN=mail.crepes.fr" is not a certificate authority/,
  );
  await assert.rejects(
    CertificateAuthority.fromPem(ca.cert, leaf.key),
    /Private key does not belong to certificate "CN=Mail toolkit lab CA"/,
  );
});

Deno.test("keyMatches tells a certificate's own key from another", async () => {
  const ca = await CertificateAuthority.create();
  const a = await ca.issue(["a.example"]);
  assert.equal(await keyMatches(a), true);
  assert.equal(await keyMatches({ cert: a.cert, key: ca.key }), false);
});

toolTest(
  "openssl verify accepts the certificate strictly, for its names only",
  ["openssl"],
  async () => {
    const ca = await CertificateAuthority.create();
    const dir = await writeFiles({ "ca.pem": ca.cert, "leaf.pem": (await ca.issue(NAMES)).cert });
    try {
      const verify = (...check: string[]) =>
        run("openssl", [
          "verify",
          "-x509_strict",
          "-purpose",
          "sslserver",
          "-CAfile",
          `${dir}/ca.pem`,
          ...check,
          `${dir}/leaf.pem`,
        ]);
      assert.deepEqual(await verify(), { code: 0, text: `${dir}/leaf.pem: OK\n` });
      assert.equal((await verify("-verify_hostname", "mail.hamburger.edu")).code, 0);
      assert.equal((await verify("-verify_ip", "127.0.0.1")).code, 0);
      assert.equal((await verify("-verify_ip", "::1")).code, 0);
      const wrong = await verify("-verify_hostname", "mail.crepes.fr");
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.text, /hostname mismatch/);

      const text =
        (await run("openssl", ["x509", "-noout", "-text", "-in", `${dir}/leaf.pem`])).text;
      assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
      assert.match(text, /Key Usage: critical\s+Digital Signature\n/);
      assert.match(text, /Extended Key Usage:\s+TLS Web Server Authentication\n/);
      assert.match(text, /Authority Key Identifier/);
      assert.match(text, /Subject Key Identifier/);
      assert.match(text, /ecdsa-with-SHA256/);
      const caText =
        (await run("openssl", ["x509", "-noout", "-text", "-in", `${dir}/ca.pem`])).text;
      assert.match(caText, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      assert.match(caText, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

toolTest("certtool (GnuTLS) verifies the certificate for its name only", ["certtool"], async () => {
  const ca = await CertificateAuthority.create();
  const dir = await writeFiles({ "ca.pem": ca.cert, "leaf.pem": (await ca.issue(NAMES)).cert });
  try {
    const verify = (hostname: string) =>
      run("certtool", [
        "--verify",
        "--verify-profile=medium",
        `--load-ca-certificate=${dir}/ca.pem`,
        `--infile=${dir}/leaf.pem`,
        `--verify-hostname=${hostname}`,
        "--verify-purpose=1.3.6.1.5.5.7.3.1",
      ]);
    const good = await verify("mail.hamburger.edu");
    assert.equal(good.code, 0, good.text);
    assert.match(good.text, /Chain verification output: Verified\. The certificate is trusted\./);
    const wrong = await verify("mail.crepes.fr");
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.text, /does not match/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

toolTest("gnutls-cli (neomutt's TLS library) completes a handshake when it trusts the CA", [
  "gnutls-cli",
], async () => {
  const ca = await CertificateAuthority.create();
  const dir = await writeFiles({ "ca.pem": ca.cert });
  await using server = await tlsServer(await ca.issue(NAMES));
  try {
    const connect = (hostname: string) =>
      run("gnutls-cli", [
        `--x509cafile=${dir}/ca.pem`,
        `--port=${server.port}`,
        `--sni-hostname=${hostname}`,
        `--verify-hostname=${hostname}`,
        "127.0.0.1",
      ]);
    const good = await connect("mail.hamburger.edu");
    assert.equal(good.code, 0, good.text);
    assert.match(good.text, /The certificate is trusted/);
    assert.match(good.text, /220 ready/);
    const wrong = await connect("mail.crepes.fr");
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.text, /NOT trusted/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

toolTest(
  "Python ssl with cafile and strict flags verifies the handshake",
  ["python3"],
  async () => {
    const ca = await CertificateAuthority.create();
    const dir = await writeFiles({ "ca.pem": ca.cert });
    await using server = await tlsServer(await ca.issue(NAMES));
    // Python 3.13 turns on VERIFY_X509_STRICT and VERIFY_X509_PARTIAL_CHAIN by default; set them
    // here so that older Pythons check the same.
    const script = `
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.verify_flags |= ssl.VERIFY_X509_STRICT | getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0)
for name in ["mail.hamburger.edu", "localhost", "127.0.0.1", "mail.crepes.fr"]:
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
            with ctx.wrap_socket(raw, server_hostname=name) as tls:
                print(name, "ok", tls.recv(64).decode().strip())
    except ssl.SSLCertVerificationError as error:
        print(name, "refused", error.verify_code)
`;
    try {
      const out = await run("python3", ["-c", script, String(server.port), `${dir}/ca.pem`]);
      assert.equal(
        out.text,
        "mail.hamburger.edu ok 220 ready\nlocalhost ok 220 ready\n127.0.0.1 ok 220 ready\n" +
          "mail.crepes.fr refused 62\n",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

toolTest("curl --cacert trusts the CA and refuses without it", ["curl"], async () => {
  const ca = await CertificateAuthority.create();
  const dir = await writeFiles({ "ca.pem": ca.cert });
  const reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
  await using server = await tlsServer(await ca.issue(NAMES), reply);
  const url = `https://mail.hamburger.edu:${server.port}/`;
  const resolve = `mail.hamburger.edu:${server.port}:127.0.0.1`;
  try {
    const good = await run("curl", ["-sS", "--cacert", `${dir}/ca.pem`, "--resolve", resolve, url]);
    assert.deepEqual(good, { code: 0, text: "ok" });
    const bad = await run("curl", ["-sS", "--resolve", resolve, url]);
    assert.equal(bad.code, 60, bad.text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
