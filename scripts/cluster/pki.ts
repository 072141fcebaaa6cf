/**
 * The local cluster's certificates, made with openssl: one CA signs every serving and client
 * certificate (Kubernetes docs, "PKI certificates and requirements"), plus the key pair that
 * signs service-account tokens. Everything lives in the cluster's own folder.
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

/** The test cluster lives a day at most; a short life bounds what a leaked key is worth. */
const DAYS = "2";

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(error)}`);
  }
}

export function makeCa(dir: string): Pki {
  const caKey = join(dir, "ca.key");
  const caCert = join(dir, "ca.crt");
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", caKey], dir);
  openssl(
    ["req", "-x509", "-new", "-key", caKey, "-subj", "/CN=k8s-env-ca", "-days", DAYS, "-out", caCert],
    dir,
  );
  // Service-account tokens are signed with RS256 by default (kube-apiserver --service-account-signing-key-file).
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const serviceAccountKey = join(dir, "sa.key");
  const serviceAccountPub = join(dir, "sa.pub");
  writeFileSync(serviceAccountKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(serviceAccountPub, publicKey.export({ type: "spki", format: "pem" }));
  return { dir, caCert, caKey, serviceAccountKey, serviceAccountPub };
}

export interface CertRequest {
  /** File stem: `<name>.crt`, `<name>.key`. */
  readonly name: string;
  /** The identity the API server reads: CN is the user, each O a group. */
  readonly commonName: string;
  readonly organizations?: readonly string[];
  /** Serving certificates: the names and addresses clients dial. */
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
}

export function issueCert(pki: Pki, request: CertRequest): CertPair {
  const key = join(pki.dir, `${request.name}.key`);
  const cert = join(pki.dir, `${request.name}.crt`);
  const csr = join(pki.dir, `${request.name}.csr`);
  const ext = join(pki.dir, `${request.name}.ext`);
  const subject = [...(request.organizations ?? []).map((o) => `/O=${o}`), `/CN=${request.commonName}`].join(
    "",
  );
  const altNames = [
    ...(request.dnsNames ?? []).map((name) => `DNS:${name}`),
    ...(request.ips ?? []).map((ip) => `IP:${ip}`),
  ];
  const serving = altNames.length > 0;
  writeFileSync(
    ext,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${serving ? "serverAuth,clientAuth" : "clientAuth"}`,
      ...(serving ? [`subjectAltName=${altNames.join(",")}`] : []),
    ].join("\n"),
  );
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], pki.dir);
  openssl(["req", "-new", "-key", key, "-subj", subject, "-out", csr], pki.dir);
  openssl(
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      pki.caCert,
      "-CAkey",
      pki.caKey,
      "-CAcreateserial",
      "-days",
      DAYS,
      "-extfile",
      ext,
      "-out",
      cert,
    ],
    pki.dir,
  );
  return { cert, key };
}
