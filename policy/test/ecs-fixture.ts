/**
 * The ECS candidate as CrossGuard sees it, built from the components' pure functions: the sandbox task
 * template (execution role, exec-only task role, security group, task definition) and the Hub's service.
 * Tests start from this compliant stack and change one thing.
 */
import {
  hubContainerDefinition,
  sandboxContainerDefinition,
} from "../../components/ecs/container-definitions";
import {
  ecsTasksTrustPolicy,
  hubTaskRolePolicy,
  sandboxTaskRolePolicy,
} from "../../components/ecs/iam-policies";
import {
  hubRules,
  sandboxRules,
  type SecurityGroupRuleSpec,
} from "../../components/ecs/security-group-rules";
import { ECS_SANDBOX_COMPONENT, T } from "../lib/types";
import { TestStack } from "./policy-args";
import type { PolicyResource } from "@pulumi/policy";

const context = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };
const logs = { logGroupName: "ecs-logs", region: "eu-west-1" };
const roleArn = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

function addRules(
  stack: TestStack,
  group: PolicyResource,
  rules: SecurityGroupRuleSpec[],
  peer?: PolicyResource,
) {
  return rules
    .filter((r) => r.direction === "ingress")
    .map((r) =>
      stack.add(
        T.ingressRule,
        `${group.name}-${r.role}`,
        {
          ipProtocol: r.protocol,
          ...("cidrIpv4" in r.peer
            ? { cidrIpv4: r.peer.cidrIpv4 }
            : { referencedSecurityGroupId: "sg-peer" }),
        },
        {
          parent: group.parent,
          from: { securityGroupId: [group], ...(peer ? { referencedSecurityGroupId: [peer] } : {}) },
        },
      ),
    );
}

export function ecsStack() {
  const stack = new TestStack();
  const template = stack.add(ECS_SANDBOX_COMPONENT, "ecs-sandboxes", {});
  const hubComponent = stack.add("hub:ecs:HubOnEcs", "ecs-hub", {});
  const trust = JSON.stringify(ecsTasksTrustPolicy(context));
  const taskRole = stack.add(
    T.role,
    "ecs-sandboxes-task-role",
    { assumeRolePolicy: trust },
    { parent: template },
  );
  const execChannels = stack.add(
    T.rolePolicy,
    "ecs-sandboxes-task-exec-channels",
    { role: "ecs-sandboxes-task-role", policy: JSON.stringify(sandboxTaskRolePolicy()) },
    { parent: template, from: { role: [taskRole] } },
  );
  const hubGroup = stack.add(T.securityGroup, "ecs-hub-lb-hub-security-group", { description: "Hub tasks" });
  const sandboxGroup = stack.add(
    T.securityGroup,
    "ecs-sandboxes-security-group",
    { description: "Sandboxes" },
    { parent: template },
  );
  const sandboxIngress = addRules(
    stack,
    sandboxGroup,
    sandboxRules({ hubSecurityGroupId: "sg-hub" }),
    hubGroup,
  );
  addRules(stack, hubGroup, hubRules({ loadBalancerSecurityGroupId: "sg-lb", hubPort: 8080 }));
  const sandboxTaskDefinition = stack.add(
    T.taskDefinition,
    "ecs-sandboxes-task-definition",
    {
      family: "sandbox-platform-ecs-sandbox",
      taskRoleArn: roleArn("ecs-sandboxes-task-role"),
      containerDefinitions: JSON.stringify([sandboxContainerDefinition({ image: "python:3.12-slim", logs })]),
    },
    { parent: template, from: { taskRoleArn: [taskRole] } },
  );
  const hubTaskRole = stack.add(
    T.role,
    "ecs-hub-task-role",
    { assumeRolePolicy: trust },
    { parent: hubComponent },
  );
  const hubPolicy = stack.add(
    T.rolePolicy,
    "ecs-hub-run-sandboxes",
    {
      role: "ecs-hub-task-role",
      policy: JSON.stringify(
        hubTaskRolePolicy({
          context,
          clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/ecs",
          clusterName: "ecs",
          sandboxFamily: "sandbox-platform-ecs-sandbox",
          sandboxExecutionRoleArn: roleArn("ecs-sandboxes-execution-role"),
          sandboxTaskRoleArn: roleArn("ecs-sandboxes-task-role"),
        }),
      ),
    },
    { parent: hubComponent, from: { role: [hubTaskRole] } },
  );
  const hubTaskDefinition = stack.add(
    T.taskDefinition,
    "ecs-hub-task-definition",
    {
      family: "sandbox-platform-ecs-hub",
      taskRoleArn: roleArn("ecs-hub-task-role"),
      containerDefinitions: JSON.stringify([
        hubContainerDefinition({
          image: "hub:1",
          environment: {
            HUB_ORCHESTRATOR: "ecs",
            HUB_API_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:t",
          },
          tokenSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:hub-token",
          logs,
        }),
      ]),
    },
    { parent: hubComponent, from: { taskRoleArn: [hubTaskRole] } },
  );
  const hubService = stack.add(
    T.ecsService,
    "ecs-hub-service",
    { networkConfiguration: { securityGroups: ["sg-hub"], subnets: ["subnet-1"] } },
    { parent: hubComponent, from: { taskDefinition: [hubTaskDefinition], networkConfiguration: [hubGroup] } },
  );
  return {
    stack,
    template,
    taskRole,
    execChannels,
    hubGroup,
    sandboxGroup,
    sandboxIngress,
    sandboxTaskDefinition,
    hubTaskRole,
    hubPolicy,
    hubTaskDefinition,
    hubService,
  };
}
