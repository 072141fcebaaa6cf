import { describe, expect, it } from "vitest";
import { parseStackConfig, refuseUnknownKeys } from "../stacks/config";

describe("parseStackConfig", () => {
  it("fills every default from the candidates alone", () => {
    const config = parseStackConfig({ candidates: ["eks-ec2"] });
    expect(config.eks.workerInstanceType).toBe("m6i.2xlarge");
    expect(config.eks.workerMax).toBe(13);
    expect(config.eks.nodeProvisioningSeconds).toBe(90);
    expect(config.hub.sandboxCpu).toBe(0.1);
    expect(config.hub.sandboxMemoryMiB).toBe(128);
    expect(config.network.availabilityZones).toBe(3);
  });

  it("names the key and the allowed values for an unknown candidate", () => {
    expect(() => parseStackConfig({ candidates: ["eks-ec3"] })).toThrow(
      /sandbox-platform:candidates\[0\]: must be one of "eks-ec2", "eks-fargate", "ecs-fargate"/,
    );
  });

  it("requires the candidates key", () => {
    expect(() => parseStackConfig({})).toThrow(/sandbox-platform:candidates: is required/);
  });

  it("rejects a repeated candidate", () => {
    expect(() => parseStackConfig({ candidates: ["eks-ec2", "eks-ec2"] })).toThrow(/must not repeat/);
  });

  it("names a nested key that is out of range", () => {
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], eks: { workerMax: 0 } })).toThrow(
      /sandbox-platform:eks\.workerMax: must be at least 1, got 0/,
    );
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], hub: { sandboxCpu: 8 } })).toThrow(
      /sandbox-platform:hub\.sandboxCpu/,
    );
  });

  it("says a wrong type is a wrong type, with what it got, not that the key is missing", () => {
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], eks: { workerMax: "13" } })).toThrow(
      /sandbox-platform:eks\.workerMax: must be number, got "13"/,
    );
    expect(() => parseStackConfig({ candidates: ["ecs-fargate"], ecs: { fargateSpot: "true" } })).toThrow(
      /sandbox-platform:ecs\.fargateSpot: must be boolean, got "true"/,
    );
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], eks: 5 })).toThrow(
      /sandbox-platform:eks: must be object, got 5/,
    );
  });

  it("names the key of an instance type whose pod density is unknown", () => {
    expect(() =>
      parseStackConfig({ candidates: ["eks-ec2"], eks: { workerInstanceType: "banana.huge" } }),
    ).toThrow(
      /sandbox-platform:eks\.workerInstanceType: must be an instance type whose pod density is known: .*m6i\.2xlarge/,
    );
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], eks: { managerInstanceType: " " } })).toThrow(
      /sandbox-platform:eks\.managerInstanceType: must be an instance type/,
    );
  });

  it("refuses an unknown top-level key, listing the allowed ones", () => {
    expect(() => refuseUnknownKeys(["sandbox-platform:ekss", "aws:region"])).toThrow(
      /unknown key\(s\) sandbox-platform:ekss; allowed: candidates, .*eks/,
    );
    expect(() => refuseUnknownKeys(["sandbox-platform:eks", "aws:region", "other-project:x"])).not.toThrow();
  });

  it("rejects worker sizes out of order", () => {
    expect(() =>
      parseStackConfig({ candidates: ["eks-ec2"], eks: { workerMin: 3, workerDesired: 2, workerMax: 13 } }),
    ).toThrow(/sandbox-platform:eks\.workerDesired: must satisfy workerMin <= workerDesired <= workerMax/);
  });

  it("rejects unknown keys so a typo is not silently ignored", () => {
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], eks: { workerMaxx: 3 } })).toThrow(
      /sandbox-platform:eks: unknown key\(s\) workerMaxx/,
    );
  });
});

describe("parseStackConfig: the ECS candidate's keys", () => {
  const ecs = (values: Record<string, unknown>) => () =>
    parseStackConfig({ candidates: ["ecs-fargate"], ecs: values });

  it("fills the ECS defaults", () => {
    const config = parseStackConfig({ candidates: ["ecs-fargate"] });
    expect(config.ecs).toEqual({
      fargateSpot: false,
      logRetentionDays: 30,
      hubCpuUnits: 512,
      hubMemoryMiB: 1024,
    });
  });

  it("names a Hub task size out of range", () => {
    expect(ecs({ hubCpuUnits: 128 })).toThrow(
      /sandbox-platform:ecs\.hubCpuUnits: must be at least 256, got 128/,
    );
    expect(ecs({ hubMemoryMiB: 65536 })).toThrow(
      /sandbox-platform:ecs\.hubMemoryMiB: must be at most 30720, got 65536/,
    );
  });

  it("accepts only retention periods CloudWatch Logs offers", () => {
    expect(ecs({ logRetentionDays: 2 })).toThrow(
      /sandbox-platform:ecs\.logRetentionDays: must be one of 1, 3, 5, 7, 14, 30/,
    );
    expect(
      parseStackConfig({ candidates: ["ecs-fargate"], ecs: { logRetentionDays: 14 } }).ecs.logRetentionDays,
    ).toBe(14);
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], eks: { logRetentionDays: 31 } })).toThrow(
      /sandbox-platform:eks\.logRetentionDays: must be one of/,
    );
  });

  it("names a certificate that is not an ACM ARN", () => {
    expect(ecs({ certificateArn: "arn:aws:iam::123456789012:server-certificate/x" })).toThrow(
      /sandbox-platform:ecs\.certificateArn: must be an ACM certificate ARN/,
    );
  });

  it("names a sandbox size out of range", () => {
    expect(() => parseStackConfig({ candidates: ["ecs-fargate"], hub: { sandboxMemoryMiB: 64 } })).toThrow(
      /sandbox-platform:hub\.sandboxMemoryMiB: must be at least 128, got 64/,
    );
  });
});
