/**
 * No identity policy allows every action, or every action of a service, on every resource without a
 * condition (IAM User Guide, "Security best practices in IAM": grant least privilege), and no AWS managed
 * policy that does the same is attached.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  hasCondition,
  isAllow,
  isWildcardAction,
  permissionDocuments,
  statementsOf,
  type Statement,
} from "../lib/iam";
import { list } from "../lib/resources";
import { T } from "../lib/types";

/** AWS managed policies that grant `*` or `service:*` on `*` (AWS Managed Policy Reference Guide). */
export const ADMIN_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"] as const;

/** Why a statement is too wide, or undefined. */
export function wildcardProblem(statement: Statement): string | undefined {
  if (!isAllow(statement) || hasCondition(statement)) return undefined;
  const everyResource = statement.NotResource !== undefined || list(statement.Resource).includes("*");
  if (!everyResource) return undefined;
  if (statement.NotAction !== undefined) return "allows every action but a few (NotAction) on every resource";
  const wide = list(statement.Action).filter(isWildcardAction);
  return wide.length > 0 ? `allows ${wide.join(", ")} on every resource` : undefined;
}

const adminPolicyOf = (arn: unknown) =>
  typeof arn === "string"
    ? ADMIN_MANAGED_POLICIES.find((name) => arn.endsWith(`:policy/${name}`))
    : undefined;

export const iamNoWildcards: ResourceValidationPolicy = {
  name: "iam-no-wildcard-on-every-resource",
  description: 'No IAM statement allows "*" or "service:*" on Resource "*" without a condition.',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const fix = "Fix: name the actions and the resources (ARNs), or add a condition that scopes them.";
    for (const { field, document } of permissionDocuments(args)) {
      statementsOf(document).forEach((statement, index) => {
        const problem = wildcardProblem(statement);
        if (problem) {
          reportViolation(`${field} statement ${statement.Sid ?? index} ${problem}. ${fix}`);
        }
      });
    }
    const arns =
      args.type === T.rolePolicyAttachment
        ? [args.props.policyArn]
        : args.type === T.role
          ? list(args.props.managedPolicyArns as string[] | undefined)
          : [];
    for (const arn of arns) {
      const admin = adminPolicyOf(arn);
      if (admin) reportViolation(`attaches the AWS managed policy ${admin}. ${fix}`);
    }
  },
};
