import { describe, expect, it } from "vitest";
import { hubEnvironment, type HubOnEcsSettings } from "../../components/ecs/hub-environment";

const settings: HubOnEcsSettings = {
  instance: "ecs",
  region: "eu-west-1",
  clusterName: "sandboxes",
  subnetIds: ["subnet-a", "subnet-b"],
  sandboxSecurityGroupIds: ["sg-sandbox"],
  sandboxFamily: "dev-sandbox",
  sandboxExecutionRoleArn: "arn:aws:iam::123456789012:role/exec",
  sandboxTaskRoleArn: "arn:aws:iam::123456789012:role/task",
  logGroupName: "/ecs/sandboxes",
  capacityProvider: "FARGATE",
  defaultImage: "python:3.12-slim",
  defaultSize: { cpu: 0.1, memoryMiB: 128 },
};

describe("hubEnvironment", () => {
  it("sets every variable the ECS orchestrator reads, with the shared names", () => {
    expect(hubEnvironment(settings)).toEqual({
      HUB_ORCHESTRATOR: "ecs",
      HUB_INSTANCE: "ecs",
      HUB_DEFAULT_IMAGE: "python:3.12-slim",
      HUB_DEFAULT_CPU: "0.1",
      HUB_DEFAULT_MEMORY_MIB: "128",
      PORT: "8080",
      HOST: "0.0.0.0",
      AWS_REGION: "eu-west-1",
      HUB_ECS_CLUSTER: "sandboxes",
      HUB_ECS_SUBNETS: "subnet-a,subnet-b",
      HUB_ECS_SECURITY_GROUPS: "sg-sandbox",
      HUB_ECS_TASK_FAMILY: "dev-sandbox",
      HUB_ECS_EXECUTION_ROLE_ARN: "arn:aws:iam::123456789012:role/exec",
      HUB_ECS_TASK_ROLE_ARN: "arn:aws:iam::123456789012:role/task",
      HUB_ECS_LOG_GROUP: "/ecs/sandboxes",
      HUB_ECS_ASSIGN_PUBLIC_IP: "false",
      HUB_ECS_CAPACITY_PROVIDER: "FARGATE",
    });
  });

  it("carries no token", () => {
    expect(Object.keys(hubEnvironment(settings)).filter((k) => k.includes("TOKEN"))).toEqual([]);
  });

  it("refuses to start sandboxes nowhere", () => {
    expect(() => hubEnvironment({ ...settings, subnetIds: [] })).toThrow(/at least one sandbox subnet/);
    expect(() => hubEnvironment({ ...settings, sandboxSecurityGroupIds: [] })).toThrow(/security group/);
  });
});
