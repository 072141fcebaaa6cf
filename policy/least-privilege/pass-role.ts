/**
 * iam:PassRole decides which role an AWS service may act as: always named roles, and always only to the
 * service meant to use them (IAM User Guide, "Grant a user permissions to pass a role to an AWS service";
 * condition key iam:PassedToService).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  actionMatches,
  conditionValues,
  isAllow,
  permissionDocuments,
  statementsOf,
  type Statement,
} from "../lib/iam";
import { list } from "../lib/resources";

/** What is missing from a statement that allows iam:PassRole, or an empty list. */
export function passRoleProblems(statement: Statement): string[] {
  if (!isAllow(statement)) return [];
  const passes =
    statement.NotAction !== undefined || list(statement.Action).some((a) => actionMatches(a, "iam:PassRole"));
  if (!passes) return [];
  const problems: string[] = [];
  const resources = list(statement.Resource);
  if (
    statement.NotResource !== undefined ||
    resources.length === 0 ||
    resources.some((r) => r.includes("*"))
  ) {
    problems.push(
      `Resource is ${statement.NotResource ? "NotResource" : JSON.stringify(statement.Resource)}, not named roles`,
    );
  }
  const services = conditionValues(statement, "StringEquals")["iam:PassedToService"] ?? [];
  if (services.length === 0 || services.some((s) => s.includes("*"))) {
    problems.push("no StringEquals condition on iam:PassedToService");
  }
  return problems;
}

export const iamPassRoleScoped: ResourceValidationPolicy = {
  name: "iam-passrole-scoped",
  description: "iam:PassRole is always limited to named roles and, with iam:PassedToService, to one service.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const { field, document } of permissionDocuments(args)) {
      statementsOf(document).forEach((statement, index) => {
        const problems = passRoleProblems(statement);
        if (problems.length === 0) return;
        reportViolation(
          `${field} statement ${statement.Sid ?? index} allows iam:PassRole with ${problems.join(" and ")}. ` +
            'Fix: Resource: [the role ARNs], Condition: { StringEquals: { "iam:PassedToService": "<service>.amazonaws.com" } }.',
        );
      });
    }
  },
};
