import type { Policies } from "@pulumi/policy";
import { ecrScanOnPush } from "./ecr-scan";
import { eksControlPlaneLogged, eksEndpointRestricted, eksSecretsEncrypted } from "./eks-control-plane";
import { loadBalancersTlsOnly } from "./load-balancer-tls";
import { logGroupsExpire } from "./log-retention";
import { noPlaintextSecrets } from "./plaintext-secrets";

/** What every production AWS account expects: scanned images, encrypted secrets, logs that expire, TLS. */
export const hygienePolicies: Policies = [
  ecrScanOnPush,
  eksSecretsEncrypted,
  eksControlPlaneLogged,
  logGroupsExpire,
  eksEndpointRestricted,
  loadBalancersTlsOnly,
  noPlaintextSecrets,
];
