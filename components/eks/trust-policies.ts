/**
 * IAM trust policies as pure functions: who may assume the roles this project makes.
 * Returned as IAM JSON so tests read exactly what AWS will see.
 */

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly Record<string, unknown>[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** Strips the scheme, as IAM condition keys name the issuer without it. */
export function issuerHost(issuerUrl: string): string {
  const host = issuerUrl.replace(/^https:\/\//, "");
  if (host.length === 0 || host.includes("*")) {
    throw new Error(
      `OIDC issuer must be a URL such as oidc.eks.<region>.amazonaws.com/id/<id>, got "${issuerUrl}"`,
    );
  }
  return host;
}

/**
 * IRSA trust (EKS docs, "Assign IAM roles to Kubernetes service accounts"): only this one service
 * account, and only tokens minted for STS. StringEquals, never StringLike, so no wildcard can widen it.
 */
export function irsaTrustPolicy(
  oidcProviderArn: string,
  issuerUrl: string,
  account: ServiceAccountRef,
): string {
  for (const [what, value] of [
    ["namespace", account.namespace],
    ["service account name", account.name],
  ] as const) {
    if (!DNS_LABEL.test(value) || value.length > 63) {
      throw new Error(`IRSA ${what} must be a DNS label (lowercase letters, digits, '-'), got "${value}"`);
    }
  }
  const issuer = issuerHost(issuerUrl);
  const document: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
  return JSON.stringify(document);
}

/** A role an AWS service assumes, optionally only on behalf of resources matching `sourceArnLike`. */
export function serviceTrustPolicy(service: string, sourceArnLike?: string): string {
  const statement: Record<string, unknown> = {
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
  };
  if (sourceArnLike !== undefined) statement.Condition = { ArnLike: { "aws:SourceArn": sourceArnLike } };
  const document: PolicyDocument = { Version: "2012-10-17", Statement: [statement] };
  return JSON.stringify(document);
}

/** Fargate pod execution role: assumable by EKS Fargate only for this cluster's profiles (confused-deputy guard). */
export function fargatePodExecutionTrustPolicy(
  partition: string,
  region: string,
  accountId: string,
  clusterName: string,
): string {
  return serviceTrustPolicy(
    "eks-fargate-pods.amazonaws.com",
    `arn:${partition}:eks:${region}:${accountId}:fargateprofile/${clusterName}/*`,
  );
}
