/** Kubeconfig files for the local cluster: certificates embedded, so a file works from anywhere. */
import { readFileSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import type { CertPair } from "./pki";

const base64 = (path: string) => readFileSync(path).toString("base64");

export interface Credentials {
  readonly clientCert?: CertPair;
  readonly token?: string;
}

export function kubeconfigYaml(
  server: string,
  caCert: string,
  user: string,
  credentials: Credentials,
): string {
  const userEntry = credentials.clientCert
    ? {
        "client-certificate-data": base64(credentials.clientCert.cert),
        "client-key-data": base64(credentials.clientCert.key),
      }
    : { token: credentials.token };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "k8s-env", cluster: { server, "certificate-authority-data": base64(caCert) } }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: user, context: { cluster: "k8s-env", user } }],
    "current-context": user,
  });
}

export function writeKubeconfig(
  path: string,
  server: string,
  caCert: string,
  user: string,
  credentials: Credentials,
): string {
  writeFileSync(path, kubeconfigYaml(server, caCert, user, credentials), { mode: 0o600 });
  return path;
}
