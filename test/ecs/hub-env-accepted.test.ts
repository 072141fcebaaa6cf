/** The environment the ECS stack gives the Hub is one hub-app accepts, and means what the stack meant. */
import { describe, expect, it } from "vitest";
import { hubEnvironment, type HubOnEcsSettings } from "../../components/ecs/hub-environment";
import { parseHubEnv } from "../../hub-app/src/config";
import { ecsEnvSchema } from "../../hub-app/src/orchestrator/ecs/settings";

// Realistic ids: hub-app checks their formats (subnet-..., sg-..., role ARNs).
const settings: HubOnEcsSettings = {
  instance: "ecs-fargate",
  region: "eu-west-1",
  clusterName: "ecs-cluster-0a1b2c3",
  subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
  sandboxSecurityGroupIds: ["sg-0123456789abcdef0"],
  sandboxFamily: "sandbox-platform-ecs-fargate-sandbox",
  sandboxExecutionRoleArn: "arn:aws:iam::123456789012:role/ecs-sandboxes-execution-role-1a2b3c4",
  sandboxTaskRoleArn: "arn:aws:iam::123456789012:role/ecs-sandboxes-task-role-5d6e7f8",
  logGroupName: "ecs-logs-9a8b7c6",
  capacityProvider: "FARGATE_SPOT",
  defaultImage: "public.ecr.aws/docker/library/python:3.12-slim",
  defaultSize: { cpu: 0.25, memoryMiB: 512 },
};
// What ECS adds from the task definition's `secrets` at start.
const injectedToken = { HUB_API_TOKEN: "a".repeat(48) };

describe("the ECS Hub's environment in hub-app", () => {
  it("is read by the ECS orchestrator's own schema as the stack meant it", () => {
    expect(ecsEnvSchema.parse(hubEnvironment(settings))).toMatchObject({
      cluster: settings.clusterName,
      subnets: settings.subnetIds,
      securityGroups: settings.sandboxSecurityGroupIds,
      taskFamily: settings.sandboxFamily,
      assignPublicIp: false,
      capacityProvider: "FARGATE_SPOT",
    });
  });

  it("is accepted by parseHubEnv and selects the ECS orchestrator with the stack's resources", () => {
    const config = parseHubEnv({ ...hubEnvironment(settings), ...injectedToken });
    expect(config.orchestrator.kind).toBe("ecs");
    expect(config.orchestrator.settings).toMatchObject({
      region: "eu-west-1",
      cluster: settings.clusterName,
      subnets: settings.subnetIds,
      securityGroups: settings.sandboxSecurityGroupIds,
      taskFamily: settings.sandboxFamily,
      executionRoleArn: settings.sandboxExecutionRoleArn,
      taskRoleArn: settings.sandboxTaskRoleArn,
      logGroup: settings.logGroupName,
      assignPublicIp: false,
      capacityProvider: "FARGATE_SPOT",
    });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 8080,
      instance: "ecs-fargate",
      defaultImage: settings.defaultImage,
      apiToken: injectedToken.HUB_API_TOKEN,
      limits: { cpuDefault: 0.25, memoryDefaultMiB: 512 },
    });
  });

  it("carries no token: it is refused without the injected one, so a broken secrets wiring stops the Hub at start", () => {
    expect(Object.keys(hubEnvironment(settings)).filter((key) => key.includes("TOKEN"))).toEqual([]);
    expect(() => parseHubEnv(hubEnvironment(settings))).toThrow(/HUB_API_TOKEN/);
  });
});

describe("hubEnvironment", () => {
  it("refuses to start sandboxes nowhere", () => {
    expect(() => hubEnvironment({ ...settings, subnetIds: [] })).toThrow(/at least one sandbox subnet/);
    expect(() => hubEnvironment({ ...settings, sandboxSecurityGroupIds: [] })).toThrow(/security group/);
  });
});
