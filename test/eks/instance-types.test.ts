import { describe, expect, it } from "vitest";
import { allocatable, instanceShape, maxPodsPerNode } from "../../components/eks/instance-types";

describe("maxPodsPerNode", () => {
  it("gives eni-max-pods.txt's 58 for m6i.2xlarge, and the kubelet cap of 110 with prefix delegation", () => {
    expect(maxPodsPerNode("m6i.2xlarge", false)).toBe(58);
    expect(maxPodsPerNode("m6i.2xlarge", true)).toBe(110);
  });

  it("matches eni-max-pods.txt for smaller and larger sizes", () => {
    expect(maxPodsPerNode("t3.medium", false)).toBe(17);
    expect(maxPodsPerNode("m6i.large", false)).toBe(29);
    expect(maxPodsPerNode("m6i.4xlarge", false)).toBe(234);
  });

  it("caps prefix delegation at 110 below 30 vCPUs", () => {
    expect(maxPodsPerNode("t3.medium", true)).toBe(110);
    expect(maxPodsPerNode("m6i.4xlarge", true)).toBe(110);
  });

  it("names the supported types when asked about an unknown one", () => {
    expect(() => maxPodsPerNode("x9.huge", true)).toThrow(/unsupported instance type "x9.huge".*m6i.2xlarge/);
  });
});

describe("allocatable", () => {
  it("reserves kube-reserved CPU by band and 11 MiB per pod + 255 MiB + eviction", () => {
    // 8 vCPU: 60 + 10 + 2 x 5 + 4 x 2.5 = 90m reserved.
    expect(allocatable("m6i.2xlarge", 110)).toEqual({
      cpu: 8000 - 90,
      memoryMiB: 32 * 1024 - (11 * 110 + 255 + 100),
      pods: 110,
    });
  });

  it("reserves 70m (6% + 1%) on a 2-vCPU node", () => {
    const shape = instanceShape("m6i.large");
    expect(allocatable("m6i.large", 29).cpu).toBe(shape.vcpus * 1000 - 70);
  });
});
