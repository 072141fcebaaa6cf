/**
 * A role trusted through an EKS OIDC provider (IRSA) names the one service account that may assume it
 * and the STS audience, both with StringEquals: without `sub` any pod of the cluster could take the role,
 * and StringLike would let a wildcard widen it (EKS docs, "Assign IAM roles to Kubernetes service accounts").
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { conditionValues, isAllow, statementsOf, type Statement } from "../lib/iam";
import { list } from "../lib/resources";
import { T } from "../lib/types";

const federatedProviders = (statement: Statement): string[] =>
  list((statement.Principal as { Federated?: string | string[] } | undefined)?.Federated);

/** The issuer an OIDC provider ARN names: `arn:aws:iam::1:oidc-provider/oidc.eks...` -> `oidc.eks...`. */
const issuerOf = (providerArn: string) => providerArn.split(":oidc-provider/")[1];

export function irsaTrustProblems(statement: Statement): string[] {
  if (!isAllow(statement) || !list(statement.Action).includes("sts:AssumeRoleWithWebIdentity")) return [];
  const problems: string[] = [];
  const equals = conditionValues(statement, "StringEquals");
  for (const provider of federatedProviders(statement)) {
    const issuer = issuerOf(provider);
    if (!issuer) continue;
    const sub = equals[`${issuer}:sub`] ?? [];
    const aud = equals[`${issuer}:aud`] ?? [];
    if (sub.length === 0 || sub.some((s) => s.includes("*") || !s.startsWith("system:serviceaccount:"))) {
      problems.push(`no StringEquals on ${issuer}:sub naming one service account`);
    }
    if (aud.length !== 1 || aud[0] !== "sts.amazonaws.com") {
      problems.push(`no StringEquals ${issuer}:aud = sts.amazonaws.com`);
    }
  }
  return problems;
}

export const irsaTrustPinned: ResourceValidationPolicy = {
  name: "irsa-trust-pinned",
  description: "IRSA trust policies pin the service account (sub) and the audience (aud) with StringEquals.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== T.role || args.props.assumeRolePolicy === undefined) return;
    statementsOf(args.props.assumeRolePolicy).forEach((statement, index) => {
      const problems = irsaTrustProblems(statement);
      if (problems.length === 0) return;
      reportViolation(
        `assumeRolePolicy statement ${statement.Sid ?? index}: ${problems.join("; ")}. ` +
          "Fix: build the trust policy with irsaTrustPolicy (components/eks/trust-policies.ts).",
      );
    });
  },
};
