import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AwsContext } from "./aws-context";
import {
  ecsTasksTrustPolicy,
  taskExecutionManagedPolicyArn,
  type PolicyDocument,
  type PolicyStatement,
} from "./iam-policies";

/** A role only ECS tasks of this account and region may assume. */
export function ecsTaskRole(
  name: string,
  description: string,
  context: pulumi.Output<AwsContext>,
  parent: pulumi.Resource,
): aws.iam.Role {
  return new aws.iam.Role(
    name,
    { description, assumeRolePolicy: context.apply((c) => JSON.stringify(ecsTasksTrustPolicy(c))) },
    { parent },
  );
}

/**
 * A task execution role: pull images from ECR and write to CloudWatch Logs, through the AWS
 * managed policy. Returns the role and the attachment tasks must wait for.
 */
export function ecsTaskExecutionRole(
  name: string,
  description: string,
  context: pulumi.Output<AwsContext>,
  parent: pulumi.Resource,
): { role: aws.iam.Role; managedPolicy: aws.iam.RolePolicyAttachment } {
  const role = ecsTaskRole(name, description, context, parent);
  const managedPolicy = new aws.iam.RolePolicyAttachment(
    `${name}-managed`,
    { role: role.name, policyArn: context.apply((c) => taskExecutionManagedPolicyArn(c.partition)) },
    { parent },
  );
  return { role, managedPolicy };
}

/** An inline policy on a role, from a policy document computed once its inputs are known. */
export function inlinePolicy(
  name: string,
  role: aws.iam.Role,
  policy: pulumi.Output<PolicyDocument<PolicyStatement>>,
  parent: pulumi.Resource,
): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(
    name,
    { role: role.id, policy: policy.apply((p) => JSON.stringify(p)) },
    { parent },
  );
}
