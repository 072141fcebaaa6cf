import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../stacks/config";

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
      /sandbox-platform:eks\.workerMax: .*>=\s*1/,
    );
    expect(() => parseStackConfig({ candidates: ["eks-ec2"], hub: { sandboxCpu: 8 } })).toThrow(
      /sandbox-platform:hub\.sandboxCpu/,
    );
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
