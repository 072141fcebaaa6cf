/**
 * The task role ECS sandboxes run with can open ECS Exec's channels and nothing else (ECS docs, "Monitor
 * Amazon ECS containers with ECS Exec", IAM permissions): student code reads these credentials from the
 * task metadata endpoint.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { actionMatches, isAllow, permissionDocuments, statementsOf } from "../lib/iam";
import { describe, linked, linking, list } from "../lib/resources";
import { T } from "../lib/types";
import { Unknowns } from "../lib/unknowns";
import { sandboxTaskDefinitions } from "./ecs-scope";

export const ECS_EXEC_ACTIONS = [
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
] as const;

/** Actions a statement allows beyond the exec channels: exact names only, a wildcard counts as beyond. */
function beyondExec(actions: string[]): string[] {
  return actions.filter((a) => a.includes("*") || !ECS_EXEC_ACTIONS.some((exec) => actionMatches(exec, a)));
}

export const ecsSandboxTaskRoleExecOnly: StackValidationPolicy = {
  name: "ecs-sandbox-task-role-exec-only",
  description: "The ECS sandbox task role allows nothing beyond ECS Exec's four ssmmessages channels.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const unknowns = new Unknowns();
    const fix = `Fix: give the sandbox task role one inline policy allowing only ${ECS_EXEC_ACTIONS.join(", ")}.`;
    unknowns.each(sandboxTaskDefinitions(args.resources), (taskDefinition) => {
      // No task role: the sandbox gets no AWS credentials at all.
      if (!("taskRoleArn" in taskDefinition.props)) return;
      const roles = linked(taskDefinition, "taskRoleArn", T.role);
      if (roles.length === 0) {
        reportViolation(
          `${describe(taskDefinition)} runs sandboxes with a task role this program does not declare, so its rights cannot be checked. ${fix}`,
          taskDefinition.urn,
        );
      }
      for (const role of roles) {
        const report = (what: string, urn: string) =>
          reportViolation(`sandbox task role "${role.name}": ${what}. ${fix}`, urn);
        if (list(role.props.managedPolicyArns as string[] | undefined).length > 0) {
          report("managedPolicyArns attaches managed policies", role.urn);
        }
        for (const attachment of linking(args.resources, role, "role", T.rolePolicyAttachment)) {
          report(`${describe(attachment)} attaches ${String(attachment.props.policyArn)}`, attachment.urn);
        }
        const carriers = [role, ...linking(args.resources, role, "role", T.rolePolicy)];
        for (const carrier of carriers) {
          for (const { field, document } of permissionDocuments(carrier)) {
            for (const statement of statementsOf(document).filter(isAllow)) {
              const extra = statement.NotAction ? ["NotAction (everything but a list)"] : [];
              extra.push(...beyondExec(list(statement.Action)));
              if (extra.length > 0)
                report(`${carrier.name}.${field} allows ${extra.join(", ")}`, carrier.urn);
            }
          }
        }
      }
    });
    unknowns.done();
  },
};
