import { describe, expect, it } from "vitest";
import { ecsEnvSchema } from "../../src/orchestrator/ecs/index.js";

const env = {
  AWS_REGION: "eu-west-1",
  HUB_ECS_CLUSTER: "sandboxes",
  HUB_ECS_SUBNETS: "subnet-0a1, subnet-0b2",
  HUB_ECS_SECURITY_GROUPS: "sg-0c3",
  HUB_ECS_TASK_FAMILY: "hub-dev-sandbox",
  HUB_ECS_EXECUTION_ROLE_ARN: "arn:aws:iam::123456789012:role/sandbox-execution",
  HUB_ECS_TASK_ROLE_ARN: "arn:aws:iam::123456789012:role/sandbox-task",
  HUB_ECS_LOG_GROUP: "/hub/dev",
};

describe("ecsEnvSchema", () => {
  it("turns the deployed environment into settings with defaults", () => {
    expect(ecsEnvSchema.parse(env)).toEqual({
      region: "eu-west-1",
      cluster: "sandboxes",
      subnets: ["subnet-0a1", "subnet-0b2"],
      securityGroups: ["sg-0c3"],
      taskFamily: "hub-dev-sandbox",
      executionRoleArn: env.HUB_ECS_EXECUTION_ROLE_ARN,
      taskRoleArn: env.HUB_ECS_TASK_ROLE_ARN,
      logGroup: "/hub/dev",
      assignPublicIp: false,
      capacityProvider: "FARGATE",
      workdir: "/workspace",
      execCommandMaxChars: 8192,
    });
  });

  it("reads the optional switches", () => {
    const settings = ecsEnvSchema.parse({
      ...env,
      HUB_ECS_ASSIGN_PUBLIC_IP: "true",
      HUB_ECS_CAPACITY_PROVIDER: "FARGATE_SPOT",
    });
    expect(settings).toMatchObject({ assignPublicIp: true, capacityProvider: "FARGATE_SPOT" });
  });

  it.each([
    ["HUB_ECS_SUBNETS", "vpc-123", /not subnet ids: vpc-123/],
    ["HUB_ECS_SUBNETS", " , ", /at least one of subnet ids/],
    ["HUB_ECS_SECURITY_GROUPS", "default", /not security group ids: default/],
    ["HUB_ECS_CAPACITY_PROVIDER", "EC2", /FARGATE or FARGATE_SPOT/],
    ["HUB_ECS_ASSIGN_PUBLIC_IP", "yes", /true, false, 1 or 0/],
    ["HUB_ECS_TASK_ROLE_ARN", "sandbox-task", /IAM role ARN/],
    ["AWS_REGION", "Ireland", /AWS region/],
    ["HUB_ECS_TASK_FAMILY", "bad family!", /family/],
  ])("names what is wrong with %s=%s", (name, value, message) => {
    const result = ecsEnvSchema.safeParse({ ...env, [name]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([name]);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });

  it("says which required variable is missing", () => {
    const { HUB_ECS_CLUSTER: _cluster, ...rest } = env;
    const result = ecsEnvSchema.safeParse(rest);
    expect(result.error?.issues[0]?.path).toEqual(["HUB_ECS_CLUSTER"]);
    expect(result.error?.issues[0]?.message).toMatch(/required: the ECS cluster/);
  });
});
