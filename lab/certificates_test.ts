import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { ManualClock } from "../protocol/clock.ts";
import { CertificateAuthority, certificateInfo } from "../runtime/certificates.ts";
import { labCertificates } from "./certificates.ts";

const DOMAINS = ["crepes.fr", "hamburger.edu"];
const DAY = 86_400_000;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(`${dir}/tls`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function mode(path: string): Promise<string> {
  return ((await Deno.stat(path)).mode! & 0o777).toString(8);
}

Deno.test("labCertificates without a folder makes everything in memory", async () => {
  const started = performance.now();
  const certs = await labCertificates({ domains: DOMAINS });
  const elapsed = performance.now() - started;
  assert.equal(certs.caPath, undefined);
  assert.equal(certs.newCa, true);
  assert.deepEqual(certs.issued, DOMAINS);
  assert.deepEqual([...certs.identities.keys()], DOMAINS);
  assert.deepEqual(certificateInfo(certs.identities.get("hamburger.edu")!.cert).names, [
    "hamburger.edu",
    "mail.hamburger.edu",
    "localhost",
    "127.0.0.1",
    "::1",
  ]);
  // a CA and two certificates take some tens of milliseconds; this only catches a slow regression
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
});

Deno.test("labCertificates serves a TLS handshake for mail.<domain> to a client trusting ca.pem", async () => {
  await withDir(async (dir) => {
    const certs = await labCertificates({ dir, domains: DOMAINS });
    const server = tls.createServer(
      certs.identities.get("hamburger.edu")!,
      (s) => s.end("220\r\n"),
    );
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const connect = (servername: string) =>
      new Promise<string>((resolve) => {
        let result = "";
        const socket = tls.connect({
          host: "127.0.0.1",
          port: (server.address() as AddressInfo).port,
          ca: [Deno.readTextFileSync(certs.caPath!)],
          servername,
        });
        socket.on("data", (data) => result += data);
        socket.on("error", (error: NodeJS.ErrnoException) => result = error.code ?? "error");
        socket.on("close", () => resolve(result));
      });
    try {
      assert.equal(await connect("mail.hamburger.edu"), "220\r\n");
      assert.equal(await connect("mail.crepes.fr"), "ERR_TLS_CERT_ALTNAME_INVALID");
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

Deno.test("labCertificates writes keys 0600, ca.pem 0644 and a 0700 folder", async () => {
  await withDir(async (dir) => {
    const certs = await labCertificates({ dir, domains: DOMAINS });
    assert.equal(certs.caPath, `${dir}/ca.pem`);
    assert.equal(await Deno.readTextFile(`${dir}/ca.pem`), certs.ca);
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names.sort(), [
      "ca-key.pem",
      "ca.pem",
      "crepes.fr-key.pem",
      "crepes.fr.pem",
      "hamburger.edu-key.pem",
      "hamburger.edu.pem",
    ]);
    if (Deno.build.os === "windows") return;
    assert.equal(await mode(dir), "700");
    assert.equal(await mode(`${dir}/ca.pem`), "644");
    for (const name of ["ca-key.pem", "crepes.fr-key.pem", "hamburger.edu-key.pem"]) {
      assert.equal(await mode(`${dir}/${name}`), "600", name);
    }
    assert.equal(await mode(`${dir}/crepes.fr.pem`), "600");
  });
});

Deno.test("labCertificates on a second start keeps the same CA and certificates", async () => {
  await withDir(async (dir) => {
    const first = await labCertificates({ dir, domains: DOMAINS });
    const second = await labCertificates({ dir, domains: DOMAINS });
    assert.equal(second.ca, first.ca);
    assert.equal(second.newCa, false);
    assert.deepEqual(second.issued, []);
    assert.deepEqual(second.identities, first.identities);
  });
});

Deno.test("labCertificates re-issues a certificate within 30 days of its end and keeps the CA", async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock();
    const first = await labCertificates({ dir, domains: DOMAINS, clock });
    const notAfter = certificateInfo(first.identities.get("crepes.fr")!.cert).notAfter;
    clock.set(notAfter - 31 * DAY);
    assert.deepEqual((await labCertificates({ dir, domains: DOMAINS, clock })).issued, []);
    clock.set(notAfter - 29 * DAY);
    const later = await labCertificates({ dir, domains: DOMAINS, clock });
    assert.equal(later.ca, first.ca);
    assert.equal(later.newCa, false);
    assert.deepEqual(later.issued, DOMAINS);
    const renewed = certificateInfo(later.identities.get("crepes.fr")!.cert);
    assert.equal(renewed.notBefore, clock.now() - 3_600_000);
    assert.equal(
      await Deno.readTextFile(`${dir}/crepes.fr.pem`),
      later.identities.get("crepes.fr")!.cert,
    );
  });
});

Deno.test("labCertificates re-issues a missing, broken, foreign or short-named certificate", async () => {
  await withDir(async (dir) => {
    const first = await labCertificates({ dir, domains: DOMAINS });
    const again = async () => (await labCertificates({ dir, domains: DOMAINS })).issued;

    await Deno.remove(`${dir}/hamburger.edu.pem`);
    assert.deepEqual(await again(), ["hamburger.edu"]);

    await Deno.writeTextFile(`${dir}/crepes.fr-key.pem`, "not a key");
    assert.deepEqual(await again(), ["crepes.fr"]);

    const stranger = await CertificateAuthority.create();
    const foreign = await stranger.issue([
      "crepes.fr",
      "mail.crepes.fr",
      "localhost",
      "127.0.0.1",
      "::1",
    ]);
    await Deno.writeTextFile(`${dir}/crepes.fr.pem`, foreign.cert);
    await Deno.writeTextFile(`${dir}/crepes.fr-key.pem`, foreign.key);
    assert.deepEqual(await again(), ["crepes.fr"]);

    const ca = await CertificateAuthority.fromPem(
      first.ca,
      await Deno.readTextFile(`${dir}/ca-key.pem`),
    );
    const short = await ca.issue(["crepes.fr", "localhost"]);
    await Deno.writeTextFile(`${dir}/crepes.fr.pem`, short.cert);
    await Deno.writeTextFile(`${dir}/crepes.fr-key.pem`, short.key);
    assert.deepEqual(await again(), ["crepes.fr"]);

    assert.deepEqual(await again(), []);
    assert.equal(await Deno.readTextFile(`${dir}/ca.pem`), first.ca);
  });
});

Deno.test("labCertificates refuses a corrupt ca.pem, naming the file and the way out", async () => {
  await withDir(async (dir) => {
    await labCertificates({ dir, domains: DOMAINS });
    await Deno.writeTextFile(
      `${dir}/ca.pem`,
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    await assert.rejects(labCertificates({ dir, domains: DOMAINS }), (error: Error) => {
      assert.match(
        error.message,
        /^Cannot use the lab's certificate authority ".*\/tls\/ca\.pem" \(cannot read the certificate: /,
      );
      assert.match(
        error.message,
        /delete the folder ".*\/tls" and have clients trust the new ca\.pem$/,
      );
      return true;
    });
    assert.match(await Deno.readTextFile(`${dir}/ca.pem`), /AAAA/);
  });
});

Deno.test("labCertificates refuses a missing or foreign CA key, naming ca-key.pem", async () => {
  await withDir(async (dir) => {
    await labCertificates({ dir, domains: DOMAINS });
    const other = await CertificateAuthority.create();
    await Deno.writeTextFile(`${dir}/ca-key.pem`, other.key);
    await assert.rejects(
      labCertificates({ dir, domains: DOMAINS }),
      /"[^"]*\/ca-key\.pem" \(private key does not belong to certificate "CN=Mail toolkit lab CA"\)/,
    );
    await Deno.remove(`${dir}/ca-key.pem`);
    await assert.rejects(
      labCertificates({ dir, domains: DOMAINS }),
      /"[^"]*\/ca-key\.pem" \(missing\)/,
    );
  });
});

Deno.test("labCertificates refuses an expired CA rather than replacing it", async () => {
  await withDir(async (dir) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    await labCertificates({ dir, domains: DOMAINS, clock });
    clock.advance(3651 * DAY);
    await assert.rejects(
      labCertificates({ dir, domains: DOMAINS, clock }),
      /ca\.pem" \(expired on 2035-12-/,
    );
  });
});

Deno.test("labCertificates rejects a domain that is no domain name", async () => {
  await assert.rejects(
    labCertificates({ domains: ["../etc"] }),
    { message: 'Cannot make a certificate for domain "../etc": not a domain name' },
  );
  await assert.rejects(labCertificates({ domains: ["ca"] }), /domain "ca"/);
});
